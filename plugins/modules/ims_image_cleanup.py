#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ims_image_cleanup
short_description: Delete the killed, stuck and stale private images of one project, safely
version_added: 0.1.0
description:
  - Plans, and unless O(dry_run), performs the cleanup of one project's own private images in one module run,
    whatever their number. The role C(hwcloud.ims.image_cleanup) wraps it with reporting for people and AWX.
  - Selects C(killed) images older than O(killed_min_age_hours); C(queued) or C(saving) images older than
    O(stuck_min_age_hours); and, when O(stale_min_age_days) is set, C(active) images older than that, except the
    O(keep_newest) newest of each name family.
  - Never touches public (C(gold)), market and shared images or images of other projects (they are never listed;
    the listing asks the server for this project's own images only, by C(owner)), protected images, images carrying
    O(exclude_tag) or listed in O(exclude_ids), images shared with a member that accepted them (unless
    O(spare_shared=false)), or images younger than their threshold. Each of those near-candidates is reported with
    the reason it was spared.
  - A private image is one this project owns that IMS types C(private). Against an upstream OpenStack Glance,
    which has no image types, it is one this project owns whose visibility is C(private) or C(shared) (Glance's
    default), never C(public) or C(community).
  - Every candidate is read again right before it is deleted; one that changed (now protected, tagged, in another
    status, or gone) is spared. One failed deletion does not stop the others; the module then fails naming them.
author:
  - hwcloud.ims contributors (@hwcloud-ims)
extends_documentation_fragment:
  - hwcloud.ims.connection
  - hwcloud.ims.attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode plans without deleting, like O(dry_run).
  diff_mode:
    support: none
  idempotent:
    support: full
    details:
      - A second run finds nothing more to delete.
options:
  dry_run:
    description:
      - Only plan; delete nothing. The default, so that deleting takes an explicit V(false).
    type: bool
    default: true
  killed_min_age_hours:
    description:
      - C(killed) images (a failed upload) older than this many hours are deleted.
    type: int
    default: 6
  stuck_min_age_hours:
    description:
      - C(queued) images (metadata without a file) and C(saving) images older than this many hours are deleted.
    type: int
    default: 24
  stale_min_age_days:
    description:
      - C(active) images older than this many days are deleted, except the O(keep_newest) newest of each name
        family. Not set, active images are never selected.
      - V(0) selects the active images of any age beyond the O(keep_newest) newest of each family (narrow it with
        O(stale_name_pattern) or O(family_pattern)), as the role C(hwcloud.ims.image_publish) retires old versions.
    type: int
  keep_newest:
    description:
      - How many of the newest active images of each name family are kept, however old. Young images count.
      - Images created in the same second are ordered by name, then id - the one whose name sorts later counts as
        the newer (C(web-0002) over C(web-0001)) - so a tie is kept or deleted the same way on every run.
    type: int
    default: 3
  family_pattern:
    description:
      - A Python regular expression that finds the family in an image name, as its group C(family) (or its first
        group). A name it does not match is its own family.
      - By default the family is the name without its trailing version or date, so C(web-2024-06-01) and
        C(web-2024-07-01) are family C(web), and C(build-0042) is family C(build).
    type: str
  stale_name_pattern:
    description:
      - Only active images whose name matches this Python regular expression (searched anywhere in the name) are
        stale candidates.
    type: str
  stale_tag:
    description:
      - Only active images with this tag (C(key=value)) are stale candidates. IMS filters on it, matching the whole
        tag exactly.
      - One tag. A value with a comma or a wildcard (C(*), C(?)) is refused, since no tag could match it; one without
        C(=) is warned of, since it matches only a tag that is exactly that key.
    type: str
  exclude_tag:
    description:
      - Images carrying this tag are never deleted. An empty string turns the exclusion off.
      - One tag, matched exactly, with the rules of O(stale_tag).
    type: str
    default: cleanup=keep
  max_deletions:
    description:
      - When more images than this would be deleted, the module fails before deleting any, returning the plan.
    type: int
    default: 25
  exclude_ids:
    description:
      - Images with these ids are never deleted (spared with the reason C(excluded by id)), like a protected image.
      - For instance the image a pipeline has just published, whatever its age or rank in its family.
    type: list
    elements: str
    default: []
    version_added: 0.2.0
  spare_shared:
    description:
      - Whether an image shared with a member that accepted it is spared (the reason names the members). Each
        candidate's members are read (one request each), before the plan and again right before the deletion.
      - V(false) deletes such an image like any other; its members lose it.
      - Only the members IMS lists through the image's member API count (projects).
    type: bool
    default: true
    version_added: 0.2.0
notes:
  - Needs O(project_id); with AK/SK it is needed anyway.
  - The listing asks IMS for this project's own images in each selected status (C(owner), C(status), C(tag));
    ages are compared by the module, so that images spared for being too young can be reported.
seealso:
  - module: hwcloud.ims.ims_image
  - module: hwcloud.ims.ims_image_info
"""

EXAMPLES = r"""
- name: Plan a cleanup (deletes nothing)
  hwcloud.ims.ims_image_cleanup:
    region: cn-north-4
    project_id: "{{ project_id }}"
  register: plan

- name: Delete killed and stuck images, and active ones older than 180 days but the 2 newest of each family
  hwcloud.ims.ims_image_cleanup:
    dry_run: false
    stale_min_age_days: 180
    keep_newest: 2
    stale_name_pattern: "^(web|db)-"
    max_deletions: 100
"""

RETURN = r"""
dry_run:
  description: Whether the run only planned (O(dry_run) or check mode).
  returned: always
  type: bool
candidates:
  description:
    - The images chosen for deletion, each with the reason it was chosen, ordered by name, then id (the order they are
      deleted in).
  returned: always
  type: list
  elements: dict
  sample:
    - id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
      name: web-2024-06-01
      status: killed
      created_at: "2024-06-01T10:00:00Z"
      reason: killed for more than 6 h
spared:
  description:
    - Near-candidates that were kept, each with the reason it was spared, ordered by name, then id; the candidates
      spared by their re-check right before deletion follow, in the order they were re-checked.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0328c25e-c840-4496-81ac-c4e01b214b1f
      name: db-base
      status: killed
      created_at: "2024-06-01T10:00:00Z"
      reason: protected
deleted:
  description: The images deleted (C(id), C(name)).
  returned: always
  type: list
  elements: dict
failures:
  description:
    - The images whose deletion failed (C(id), C(name), C(error)). The module then fails, after trying every other
      candidate.
  returned: always
  type: list
  elements: dict
outcome:
  description:
    - How the run ended. V(planned) - a dry run (or check mode) made the plan and deleted nothing;
      V(cleaned) - every candidate was deleted or spared on its re-check; V(aborted) - more candidates than
      O(max_deletions), so nothing was deleted; V(failed) - some deletions failed (see RV(failures)), the others
      were made.
    - Not returned when the run failed before it could plan (no connection, bad options).
  returned: when the plan was made
  type: str
  choices: [planned, cleaned, aborted, failed]
  sample: planned
summary:
  description: The number of C(candidates), C(deleted), C(spared) and C(failed) images.
  returned: always
  type: dict
  sample: {candidates: 3, deleted: 3, spared: 2, failed: 0}
"""

import datetime
import re

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule
from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsError
from ansible_collections.hwcloud.ims.plugins.module_utils._cleanup import Policy, plan, plan_order, recheck, shared_reason
from ansible_collections.hwcloud.ims.plugins.module_utils._tags import tag_filter_problem, tag_filter_warning


class ImsImageCleanup(ImsModule):
    argument_spec = {
        "dry_run": {"type": "bool", "default": True},
        "killed_min_age_hours": {"type": "int", "default": 6},
        "stuck_min_age_hours": {"type": "int", "default": 24},
        "stale_min_age_days": {"type": "int"},
        "keep_newest": {"type": "int", "default": 3},
        "family_pattern": {"type": "str"},
        "stale_name_pattern": {"type": "str"},
        "stale_tag": {"type": "str"},
        "exclude_tag": {"type": "str", "default": "cleanup=keep"},
        "max_deletions": {"type": "int", "default": 25},
        "exclude_ids": {"type": "list", "elements": "str", "default": []},
        "spare_shared": {"type": "bool", "default": True},
    }

    def check_options(self):
        params = self.params
        problems = []
        if not params["project_id"]:
            problems.append("project_id is required (HW_PROJECT_ID): the cleanup only touches that project's images")
        for option, low in (("killed_min_age_hours", 0), ("stuck_min_age_hours", 1), ("stale_min_age_days", 0),
                            ("keep_newest", 0), ("max_deletions", 0)):
            if params[option] is not None and params[option] < low:
                problems.append("%s must be %d or more; got %d" % (option, low, params[option]))
        for option in ("family_pattern", "stale_name_pattern"):
            if params[option]:
                try:
                    re.compile(params[option])
                except re.error as exc:
                    problems.append("%s must be a Python regular expression; %r is not: %s" % (option, params[option], exc))
        if params["stale_tag"] == "":
            problems.append("stale_tag must not be empty; leave it out to consider every tag")
        for option in ("stale_tag", "exclude_tag"):
            if params[option]:
                problem = tag_filter_problem(option, params[option], takes_a_list=False)
                if problem:
                    problems.append(problem)
                elif tag_filter_warning(option, params[option]):
                    self.module.warn(tag_filter_warning(option, params[option]))
        return problems

    def run(self):
        params = self.params
        policy = Policy(params["project_id"], params["killed_min_age_hours"], params["stuck_min_age_hours"],
                        params["stale_min_age_days"], params["keep_newest"], params["family_pattern"],
                        params["stale_name_pattern"], params["exclude_tag"], params["exclude_ids"])
        dry_run = params["dry_run"] or self.module.check_mode
        self.result.update(dry_run=dry_run, candidates=[], spared=[], deleted=[], failures=[])
        images = {}
        for status in policy.statuses:
            tag = params["stale_tag"] if status == "active" else None
            for image in self.client.own_images(status=status, tag=tag):
                images[image["id"]] = image
        candidates, spared = plan(list(images.values()), datetime.datetime.now(datetime.timezone.utc), policy)
        if params["spare_shared"]:
            candidates, spared = self.spare_shared(candidates, spared, images)
        self.result.update(candidates=candidates, spared=spared)
        self.summarize()
        if len(candidates) > params["max_deletions"]:
            self.result["outcome"] = "aborted"
            raise ImsError("the cleanup would delete %d images, more than max_deletions (%d); nothing was deleted. "
                           "Check the plan in candidates, then raise max_deletions or narrow the selection"
                           % (len(candidates), params["max_deletions"]))
        if dry_run:
            self.result["outcome"] = "planned"
            return
        for candidate in candidates:
            self.delete(candidate, policy)
        self.summarize()
        failed = self.result["failures"]
        self.result["outcome"] = "failed" if failed else "cleaned"
        if failed:
            raise ImsError("%d of %d deletions failed: %s; the other %d images were deleted" % (
                len(failed), len(candidates),
                "; ".join("%s (%s): %s" % (item["id"], item["name"], item["error"]) for item in failed),
                len(self.result["deleted"])))

    def spare_shared(self, candidates, spared, images):
        """The plan with the candidates a member accepted moved to the spared (one read of members each)."""
        kept, shared = [], []
        for candidate in candidates:
            reason = shared_reason(self.client.members_of(images[candidate["id"]]))
            if reason:
                shared.append(dict(candidate, reason=reason))
            else:
                kept.append(candidate)
        return kept, sorted(spared + shared, key=plan_order)

    def delete(self, candidate, policy):
        try:
            image = self.client.get_image(candidate["id"])
            keep = recheck(image, candidate, policy)
            if keep is None and image is not None and self.params["spare_shared"]:
                reason = shared_reason(self.client.members_of(image))
                keep = reason and "changed since it was listed: %s" % reason
            if keep:
                self.result["spared"].append(dict(candidate, reason=keep))
                return
            self.client.delete_image(candidate["id"])
        except ImsError as exc:
            self.result["failures"].append({"id": candidate["id"], "name": candidate["name"], "error": str(exc)})
            return
        self.result["deleted"].append({"id": candidate["id"], "name": candidate["name"]})
        self.result["changed"] = True

    def summarize(self):
        self.result["summary"] = {key: len(self.result[key]) for key in ("candidates", "deleted", "spared")}
        self.result["summary"]["failed"] = len(self.result["failures"])


def main():
    ImsImageCleanup().execute()


if __name__ == "__main__":
    main()
