"""Seeding (README "Seeding"): images created directly, bypassing quota and authentication."""

from __future__ import annotations

import hashlib

from ..core.clock import format_time, parse_time
from ..core.util import UUID_RE, is_int, is_number, random_uuids
from ..defaults import PUBLIC_OWNER
from ..ims.images import IMAGE_STATUSES, MEMBER_STATUSES, PUBLIC_TYPES, mark_active, new_image, new_member, tag_error

SEED_KEYS = frozenset({"count", "owner", "name", "status", "age_days", "age_seconds", "created_at",
                       "updated_at", "tags", "protected", "imagetype", "members", "properties", "id"})


class Seeder:
    """Validates a seed payload as a whole, then stores its images in one write.

    Every refusal is a ``ValueError`` (the control surface answers it 400) and seeds nothing.
    """

    def __init__(self, store, clock, default_owner: str):
        self.store = store
        self.clock = clock
        self.default_owner = default_owner  # the first account's project

    def seed(self, payload) -> list:
        """Seed ``{...one entry...}`` or ``{"images": [entries]}``; the new ids, in order."""
        if not isinstance(payload, dict):
            raise ValueError("the seed is an object")
        if "images" in payload:
            if set(payload) != {"images"} or not isinstance(payload["images"], list):
                raise ValueError('expected {"images": [...]} alone')
            specs = payload["images"]
        else:
            specs = [payload]
        plans = [self._seed_plan(spec) for spec in specs]  # validate everything first
        images, members = [], []
        for plan in plans:
            self._build(plan, images, members)
        self.store.add(images, members)
        return [image["id"] for image in images]

    def _seed_plan(self, spec) -> dict:
        if not isinstance(spec, dict):
            raise ValueError("each seed entry is an object")
        unknown = set(spec) - SEED_KEYS
        if unknown:
            raise ValueError("unknown seed keys: %s" % ", ".join(sorted(unknown)))
        count = spec.get("count", 1)
        if not is_int(count) or count < 0:
            raise ValueError("count must be a non-negative integer")
        imagetype = spec.get("imagetype", "private")
        if imagetype not in ("private",) + PUBLIC_TYPES:
            raise ValueError("imagetype must be private, gold or market")
        default_owner = PUBLIC_OWNER if imagetype in PUBLIC_TYPES else self.default_owner
        owner = spec.get("owner", default_owner)
        status = spec.get("status", "active")
        if status not in IMAGE_STATUSES:
            raise ValueError("status must be one of %s" % ", ".join(IMAGE_STATUSES))
        name = spec.get("name", "seed-{i:05d}")
        if not isinstance(name, str) or not isinstance(owner, str) or not owner:
            raise ValueError("name and owner must be strings")
        try:
            name.format(i=0)
        except (IndexError, KeyError, ValueError, AttributeError) as exc:
            raise ValueError("name is not a valid format string: %s" % exc) from None
        protected = spec.get("protected", imagetype in PUBLIC_TYPES)
        if not isinstance(protected, bool):
            raise ValueError("protected must be true or false")
        tags = spec.get("tags", [])
        if not isinstance(tags, list) or any(tag_error(t) for t in tags):
            raise ValueError("tags must be a list of valid tags")
        properties = spec.get("properties", {})
        if not isinstance(properties, dict):
            raise ValueError("properties must be an object")
        image_id = spec.get("id")
        if image_id is not None:
            if not (isinstance(image_id, str) and UUID_RE.match(image_id)) or count != 1:
                raise ValueError("id must be a UUID, with count 1")
        now = self.clock.now()
        created_at = spec.get("created_at")
        if created_at is not None:
            created_at = parse_time(created_at) if isinstance(created_at, str) else None
            if created_at is None:
                raise ValueError("created_at must be yyyy-MM-ddThh:mm:ssZ")
        else:
            age = spec.get("age_seconds", 0)
            days = spec.get("age_days", 0)
            for value in (age, days):
                if not is_number(value):
                    raise ValueError("age_days and age_seconds must be numbers")
            created_at = format_time(now - age - days * 86400)
        updated_at = spec.get("updated_at")
        if updated_at is not None:
            updated_at = parse_time(updated_at) if isinstance(updated_at, str) else None
            if updated_at is None:
                raise ValueError("updated_at must be yyyy-MM-ddThh:mm:ssZ")
        seeded_members = []
        for member in spec.get("members", []):
            if not isinstance(member, dict) or not isinstance(member.get("member"), str):
                raise ValueError('members are objects {"member": PROJECT_ID, "status": ...}')
            member_status = member.get("status", "pending")
            if member_status not in MEMBER_STATUSES:
                raise ValueError("member status must be one of %s" % ", ".join(MEMBER_STATUSES))
            seeded_members.append((member["member"], member_status))
        return {"count": count, "owner": owner, "name": name, "status": status, "imagetype": imagetype,
                "protected": protected, "tags": tags, "properties": properties, "id": image_id,
                "created_at": created_at, "updated_at": updated_at or created_at,
                "members": seeded_members}

    @staticmethod
    def _build(plan: dict, images: list, members: list) -> None:
        """Append the plan's images and (image id, member) pairs; a template keeps it fast."""
        properties = dict(plan["properties"])
        os_version = properties.pop("__os_version", None)
        created_at = plan["created_at"]
        template = new_image(image_id="", owner=plan["owner"], name="", created_at=created_at,
                             updated_at=plan["updated_at"], status=plan["status"],
                             imagetype=plan["imagetype"], protected=plan["protected"],
                             os_version=os_version)
        active = plan["status"] == "active"
        if active:
            mark_active(template, 0, "", created_at)
        ids = [plan["id"]] if plan["id"] else random_uuids(plan["count"])
        for i, image_id in enumerate(ids):
            image = template.copy()
            image["id"] = image_id
            image["self"] = "/v2/images/" + image_id
            image["file"] = "/v2/images/%s/file" % image_id
            image["name"] = plan["name"].format(i=i)
            image["tags"] = list(plan["tags"])
            if active:  # a plausible size (1 GiB and up) and a checksum
                size = 1073741824 + (i % 1024) * 1048576
                image["size"] = size
                image["__image_size"] = str(size)
                image["checksum"] = hashlib.md5(image_id.encode()).hexdigest()
            if properties:
                image.update(properties)
            images.append(image)
            for member_id, status in plan["members"]:
                members.append((image_id, new_member(image_id, member_id, status, created_at)))
