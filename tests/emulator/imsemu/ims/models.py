"""The image store of one region: images and members, their indexes, the image files.

Like a moto backend it holds the state and the rules that need all of it (an id taken, the
quota); ``responses.py`` turns requests into calls of it. docs/dev/ims-api.md, "images" and
"members". Persistence is the app's (``state.py``): a change calls ``persist()``, and
``dump()``/``restore()`` give and take the store's part of the state file.
"""

from __future__ import annotations

import collections
import operator
import os
import threading

from ..core.responses import JSON_ENCODER, json_with_images
from ..core.util import is_int
from ..defaults import DEFAULT_QUOTA
from .exceptions import conflict
from .images import PUBLIC_TYPES
from .quotas import ProjectQuotas

OWNER = "owner"
PUBLIC = "public"
PROJECT, DOMAIN, ORGANIZATION = "project", "domain", "organization"  # member types (a Glance member: project)
DOMAIN_STATUS = "pending"  # how a domain member's projects see the image until they answer themselves


class ImageStore:
    """One region's images and members, their indexes and the image files.

    Stored image dicts are never changed in place: a change stores a new dict. So a
    reader may keep (and serialise) the dicts it got without holding the lock, and each
    stored dict is JSON-encoded at most once (``encoded()``), for listings and for the
    state file alike.
    """

    def __init__(self, clock, files_dir: str, quota: int = DEFAULT_QUOTA, lock=None, persist=None):
        """``lock``: shared by every region (one state file); ``persist()``: called after each change."""
        self.clock = clock
        self.quotas = ProjectQuotas(quota)  # the private-image quota of each project (quotas.py)
        self.pending_images = lambda project: 0  # images unfinished jobs will store count too (app: JobBoard's)
        self.domain_projects = lambda domain_id: ()  # the projects of an account here (a domain member's; regions.py)
        self.files_dir = files_dir
        self.persist = persist or (lambda: None)
        self.lock = lock or threading.RLock()
        self.images: dict = {}
        self.members: dict = {}  # image id -> {member project id -> member}
        self._by_owner: dict = collections.defaultdict(set)
        self._public: set = set()
        self._shared_with: dict = collections.defaultdict(dict)  # project -> {image id: status}
        self._listing_cache: dict = {}
        self._encoded: dict = {}  # image id -> (the stored dict, its JSON text)

    # -- persistence (state.py writes the file) -------------------------------------
    def restore(self, data: dict) -> None:
        """Take this store's part of a state file: ``{"images": [...], "members": {...}}``."""
        with self.lock:
            self._clear()
            for image in data.get("images", []):
                self._index(image)
            for image_id, members in data.get("members", {}).items():
                for member in members:
                    self._set_member(image_id, member)

    def dump(self) -> str:
        """This store's part of the state file, as JSON text (each image encoded once)."""
        with self.lock:
            return json_with_images({"members": {iid: list(m.values()) for iid, m in self.members.items() if m}},
                                    [self.encoded(image) for image in self.images.values()])

    def _changed(self, persist: bool = True) -> None:
        self._listing_cache.clear()
        if persist:
            self.persist()

    # -- indexes -----------------------------------------------------------------------
    def _clear(self):
        self.images.clear()
        self.members.clear()
        self._by_owner.clear()
        self._public.clear()
        self._shared_with.clear()
        self._listing_cache.clear()
        self._encoded.clear()

    def _index(self, image: dict) -> None:
        image_id = image["id"]
        old = self.images.get(image_id)
        if old is not None and old["owner"] != image["owner"]:
            self._by_owner[old["owner"]].discard(image_id)
        self.images[image_id] = image
        self._encoded.pop(image_id, None)
        self._by_owner[image["owner"]].add(image_id)
        if image.get("__imagetype") in PUBLIC_TYPES:
            self._public.add(image_id)
        else:
            self._public.discard(image_id)

    def _set_member(self, image_id: str, member: dict) -> None:
        self.members.setdefault(image_id, {})[member["member_id"]] = member
        if member.get("member_type") == DOMAIN:  # every project of the account here sees the image
            for project in self.domain_projects(member["member_id"]):
                self._reindex(image_id, project)
        elif member.get("member_type") != ORGANIZATION:  # organisations: stored and listed only
            self._shared_with[member["member_id"]][image_id] = member["status"]

    def _reindex(self, image_id: str, project: str) -> None:
        """A project's relation to an image: its own membership, else that of a domain member of its account."""
        members = self.members.get(image_id, {})
        own = members.get(project)
        if own is not None and own.get("member_type", PROJECT) == PROJECT:
            self._shared_with[project][image_id] = own["status"]
            return
        for member in members.values():
            if member.get("member_type") == DOMAIN and project in self.domain_projects(member["member_id"]):
                self._shared_with[project][image_id] = DOMAIN_STATUS
                return
        self._shared_with[project].pop(image_id, None)

    # -- reading -----------------------------------------------------------------------
    def get(self, image_id: str) -> dict | None:
        return self.images.get(image_id)

    def encoded(self, image: dict) -> str:
        """The JSON text of an image; a stored image is encoded once."""
        entry = self._encoded.get(image["id"])
        if entry is not None and entry[0] is image:
            return entry[1]
        text = JSON_ENCODER.encode(image)
        if self.images.get(image["id"]) is image:
            self._encoded[image["id"]] = (image, text)
        return text

    def relation(self, image: dict, project: str):
        """OWNER, PUBLIC, a member status, or None when the project cannot see the image."""
        if image["owner"] == project:
            return OWNER
        if image["id"] in self._public:
            return PUBLIC
        return self._shared_with.get(project, {}).get(image["id"])

    @staticmethod
    def view(image: dict, relation) -> dict:
        """The image as a project sees it: a member sees a shared image as ``shared``."""
        if relation in (OWNER, PUBLIC):
            return image
        seen = dict(image)
        seen["__imagetype"] = "shared"
        seen["visibility"] = "shared"
        return seen

    def visible(self, image_id: str, project: str):
        """(image as seen, relation) or (None, None). A member of any status sees it."""
        with self.lock:
            image = self.images.get(image_id)
            if image is None:
                return None, None
            relation = self.relation(image, project)
            if relation is None:
                return None, None
            return self.view(image, relation), relation

    def listing(self, project: str, member_status: str, sort_key: str, descending: bool) -> tuple:
        """(images, {id: position}): what ``project`` may list, as it sees it, sorted (ties by
        id). Cached until the next change."""
        cache_key = (project, member_status, sort_key, descending)
        with self.lock:
            cached = self._listing_cache.get(cache_key)
            if cached is not None:
                return cached
            own = self._by_owner.get(project, ())
            images = self.images
            views = [images[i] for i in own]
            views.extend(images[i] for i in self._public if i not in own)
            for image_id, status in self._shared_with.get(project, {}).items():
                if status == member_status and image_id not in own and image_id not in self._public:
                    views.append(self.view(images[image_id], status))
            try:  # fast when every value is comparable (the usual case)
                views.sort(key=operator.itemgetter(sort_key, "id"), reverse=descending)
            except (KeyError, TypeError):
                views.sort(key=sort_function(sort_key), reverse=descending)
            listing = (views, {image["id"]: i for i, image in enumerate(views)})
            if len(self._listing_cache) > 64:
                self._listing_cache.clear()
            self._listing_cache[cache_key] = listing
            return listing

    def private_count(self, project: str) -> int:
        with self.lock:
            return sum(1 for i in self._by_owner.get(project, ()) if i not in self._public)

    def file_path(self, image_id: str) -> str:
        return os.path.join(self.files_dir, image_id)

    # -- writing -----------------------------------------------------------------------
    def add(self, images: list, members=()) -> None:
        """Store new images (and their members); one write of the state."""
        with self.lock:
            for image in images:
                self._index(image)
            for image_id, member in members:
                self._set_member(image_id, member)
            self._changed()

    def create(self, image: dict) -> None:
        """Store a new private image: 409 if its id is taken, 400 IMG.0015 over its owner's quota."""
        with self.lock:
            if image["id"] in self.images:
                raise conflict("An image with id %s already exists." % image["id"])
            self.quotas.check(image["owner"], self.private_count(image["owner"]) + self.pending_images(image["owner"]))
            self.add([image])

    def replace(self, image: dict) -> None:
        with self.lock:
            self._index(image)
            self._changed()

    def update(self, image_id: str, **changes) -> dict | None:
        """Store a copy of the image with ``changes``; return it (None if gone)."""
        with self.lock:
            image = self.images.get(image_id)
            if image is None:
                return None
            image = dict(image, **changes)
            self._index(image)
            self._changed()
            return image

    def delete(self, image_id: str) -> None:
        with self.lock:
            image = self.images.pop(image_id, None)
            if image is None:
                return
            self._encoded.pop(image_id, None)
            self._by_owner[image["owner"]].discard(image_id)
            self._public.discard(image_id)
            for member_id, member in self.members.pop(image_id, {}).items():
                for project in self._projects_of(member_id, member):
                    self._shared_with[project].pop(image_id, None)
            self._changed()
        self._remove_file(image_id)

    def set_member(self, image_id: str, member: dict) -> None:
        with self.lock:
            self._set_member(image_id, member)
            self._changed()

    def remove_member(self, image_id: str, member_id: str) -> None:
        with self.lock:
            member = self.members.get(image_id, {}).pop(member_id, None)
            for project in self._projects_of(member_id, member):
                self._reindex(image_id, project)
            self._changed()

    def _projects_of(self, member_id: str, member) -> tuple:
        """The projects whose view a member gives: itself, or a domain's projects here."""
        if member is not None and member.get("member_type") == DOMAIN:
            return tuple(self.domain_projects(member_id))
        return (member_id,)

    def reset(self, images: list) -> None:
        """Forget everything, then store ``images``."""
        with self.lock:
            self._clear()
            for image in images:
                self._index(image)
            self._changed()
        for name in os.listdir(self.files_dir):
            if not os.path.isdir(self.file_path(name)):  # another region's folder stays
                self._remove_file(name)

    def _remove_file(self, name: str) -> None:
        for path in (self.file_path(name), self.file_path(name) + ".part"):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def sort_function(sort_key: str):
    """Key function for sorting images by ``sort_key``, ties broken by id."""
    if sort_key == "size":
        return lambda image: (image.get("size") if is_int(image.get("size")) else -1, image["id"])
    if sort_key == "id":
        return lambda image: image["id"]

    def key(image):
        value = image.get(sort_key)
        return (value if isinstance(value, str) else "", image["id"])
    return key
