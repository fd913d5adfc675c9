#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ims_image_info
short_description: List and look up images of Huawei Cloud IMS
version_added: 0.1.0
description:
  - Lists images of the Huawei Cloud Image Management Service (IMS) through its OpenStack-native (Glance v2)
    API, or looks one up by O(id).
  - Every filter of the IMS list API is an option, applied by the server. The module follows the C(next) links
    until every matching image is read (or O(max_results) are), with few requests thanks to a large O(page_size).
  - Finding nothing is not an error; RV(images) is then an empty list.
  - A filter that cannot match anything is refused before any request, naming the option - a wildcard in an
    exact-match option, a O(platform) in the wrong case, a O(tag) with a comma, or an O(imagetype) that contradicts
    O(visibility). One that can match but probably does not mean what was meant (an unknown O(platform), a O(tag)
    without C(=)) is sent, with a warning.
author:
  - hwcloud.ims contributors (@hwcloud-ims)
extends_documentation_fragment:
  - hwcloud.ims.connection
  - hwcloud.ims.attributes
  - hwcloud.ims.attributes.INFO_MODULE
options:
  id:
    description:
      - The id of one image. Alone, the image is read directly; with other filters, it is one more filter.
      - An id that does not exist (or that the project cannot see) gives an empty RV(images).
    type: str
  name:
    description:
      - The image name, matched exactly (not as a pattern).
      - A wildcard (C(*), C(?)) is refused, since it would only find an image with that very name; to match a
        pattern, leave O(name) out and filter RV(images) client-side, for example with the C(selectattr) filter and
        the C(match) test (see the examples). The same holds for O(owner), O(platform), O(container_format),
        O(support_kvm_gpu_type), O(support_xen_gpu_type) and the values of O(filters).
    type: str
  status:
    description:
      - The image status.
    type: str
    choices: [queued, saving, active, killed, deleted]
  imagetype:
    description:
      - The IMS image type (C(__imagetype)) - V(gold) for public images, V(private), V(shared), V(market).
      - Each type has one visibility - V(gold) and V(market) images are V(public), V(private) ones V(private), V(shared)
        ones V(shared) - so an O(imagetype) with another O(visibility) is refused, since nothing could match.
      - An IMS property - upstream Glance's images do not carry it, and Glance reads it as a property filter that
        matches no image. To list the project's own images on both IMS and Glance, set O(owner) to the project id
        instead of O(imagetype=private); for the images shared with the project, O(visibility=shared).
    type: str
    choices: [gold, private, shared, market]
  visibility:
    description:
      - Whether the image is public, private, or shared with this project.
    type: str
    choices: [public, private, shared]
  member_status:
    description:
      - For images shared with this project, the status of its membership. Needs O(visibility=shared).
      - A share is per region, so is its status - see the examples for a member's flow across regions, and
        U(https://github.com/hwcloud-ims/hwcloud.ims/blob/main/docs/copy-export-share.md) for both sides.
    type: str
    choices: [accepted, rejected, pending]
  protected:
    description:
      - Only protected images (V(true)) or only unprotected ones (V(false)).
    type: bool
  owner:
    description:
      - The project id that owns the image. Your own images are those with O(owner) set to your O(project_id), on
        IMS and upstream Glance alike.
      - V(self) is the project of the credentials (O(project_id), else learned from IAM once), as the Terraform
        provider's owner shortcut.
    type: str
  isregistered:
    description:
      - Whether the image is registered and usable (C(__isregistered)). IMS only lists registered images to
        ordinary users.
    type: bool
  container_format:
    description:
      - The container format, V(bare) for every IMS image.
    type: str
  disk_format:
    description:
      - The disk format.
    type: str
    choices: [vhd, zvhd, zvhd2, raw, qcow2, iso]
  min_ram:
    description:
      - Images whose minimum memory (MB) is exactly this.
    type: int
  min_disk:
    description:
      - Images whose minimum disk (GB) is exactly this.
    type: int
  os_bit:
    description:
      - The operating system bits (C(__os_bit)).
    type: str
    choices: ['32', '64']
  os_type:
    description:
      - The operating system type (C(__os_type)), case-sensitive.
    type: str
    choices: [Linux, Windows, Other]
  platform:
    description:
      - The image platform (C(__platform)), for example V(Ubuntu), V(CentOS), V(EulerOS), V(Windows), V(Debian),
        V(SUSE), V(RedHat), V(Oracle Linux), V(Fedora), V(CoreOS), V(OpenSUSE), V(Other). Matched exactly.
      - One of those in another case or spacing (V(ubuntu), V(oracle-linux)) is refused, naming the right spelling.
        Another value is sent with a warning, since IMS may have added platforms since it documented these.
    type: str
  tag:
    description:
      - A tag the image carries, in the C(key=value) form IMS uses (an old C(key.value) tag is also found as C(key=value)),
        or a list of tags, meaning images that carry all of them (sent as one C(tag) parameter each).
      - Each tag is matched whole and exactly. A tag with a comma is refused (give a list instead), as is one with a
        wildcard. A tag without C(=) is sent with a warning - it is not refused, since IMS can store a bare key as a
        tag, but it matches only that bare tag, never the C(key=value) tags of that key.
    type: raw
  created_at:
    description:
      - Filter on the creation time, as C(OP:TIME). OP is one of V(gt), V(gte), V(lt), V(lte), V(eq), V(neq);
        TIME is UTC, as C(YYYY-MM-DDThh:mm:ssZ) or C(YYYY-MM-DD hh:mm:ss).
      - For example V(lt:2018-10-28T10:00:00Z) for images created before that time.
    type: str
  updated_at:
    description:
      - Filter on the time of the last update, as C(OP:TIME) like O(created_at).
    type: str
  support_kvm:
    description:
      - V(true) lists images that support KVM (C(__support_kvm)); V(false) lists images that do not.
      - IMS can only filter on V(true); V(false) is applied by the module to the images it reads.
    type: bool
  support_xen:
    description:
      - Like O(support_kvm), for Xen (C(__support_xen)).
    type: bool
  support_largememory:
    description:
      - Like O(support_kvm), for large-memory flavors (C(__support_largememory)).
    type: bool
  support_diskintensive:
    description:
      - Like O(support_kvm), for disk-intensive flavors (C(__support_diskintensive)).
    type: bool
  support_highperformance:
    description:
      - Like O(support_kvm), for high-performance flavors (C(__support_highperformance)).
    type: bool
  support_xen_hana:
    description:
      - Like O(support_kvm), for HANA flavors on Xen (C(__support_xen_hana)).
    type: bool
  support_kvm_infiniband:
    description:
      - Like O(support_kvm), for InfiniBand NICs on KVM (C(__support_kvm_infiniband)).
    type: bool
  support_xen_gpu_type:
    description:
      - The GPU type supported on Xen (C(__support_xen_gpu_type)), matched exactly.
    type: str
  support_kvm_gpu_type:
    description:
      - The GPU type supported on KVM (C(__support_kvm_gpu_type)), matched exactly.
    type: str
  filters:
    description:
      - Further IMS list parameters by their API names, for example C(__os_version) or C(virtual_env_type),
        each matched exactly by the server. Booleans are sent as C(true)/C(false).
      - A parameter that one of the options above already sets, or a paging parameter, is refused. Values follow the
        rules of the option of the same parameter (C(__platform) those of O(platform), C(tag) those of O(tag) for one
        tag, C(visibility) and C(__imagetype) the pair rule of O(imagetype)), and none may hold a wildcard.
    type: dict
    default: {}
  sort_key:
    description:
      - The field to sort by.
    type: str
    choices: [name, container_format, disk_format, status, id, size, created_at]
    default: created_at
  sort_dir:
    description:
      - The sort direction.
    type: str
    choices: [asc, desc]
    default: desc
  page_size:
    description:
      - How many images to ask for in each request. Larger pages mean fewer requests.
    type: int
    default: 1000
  max_results:
    description:
      - Stop after this many images. By default every matching image is returned.
    type: int
  marker:
    description:
      - Start after the image with this id, as in the listing with the same filters and sorting.
    type: str
  members:
    description:
      - Add RV(images[].members) to each image this project owns (whose owner is O(project_id)) - each member project
        and its membership status. One more request per owned image; none for the images of other projects, which
        get no RV(images[].members) (a member sees its own status with M(hwcloud.ims.ims_image_member_info)).
      - Needs the project, to know which images are the project's own - O(project_id), else learned from IAM once
        (see O(project_id)); the task fails before any listing when it cannot be learned.
      - An image that is not C(shared) has no members on upstream Glance, which refuses to list them (403); such an
        image gets an empty RV(images[].members) there.
    type: bool
    default: false
    version_added: 0.2.0
  name_regex:
    description:
      - Only images whose name matches this Python regular expression, searched anywhere in the name (C(re.search))
        unless anchored with C(^) or C($), as Terraform's C(name_regex) of C(huaweicloud_images_image).
      - Applied by the module to the images it reads (IMS has no pattern filter), so give server-side filters too
        to read fewer pages. With O(most_recent), the listing stops at the first match, newest first.
      - A pattern that does not compile is refused before any request. Cannot be used with O(name).
    type: str
    version_added: 0.2.0
  most_recent:
    description:
      - Only the newest matching image by C(created_at) - RV(images) holds at most one image.
      - With server-side filters only, one request (sorted newest first, C(limit=1)). With O(name_regex) or a
        C(support_*) option set to V(false), pages newest first until the first match.
      - Needs O(sort_key) and O(sort_dir) at their defaults.
      - The P(hwcloud.ims.image#lookup) lookup gives the same selection as an id, in a template.
    type: bool
    default: false
    version_added: 0.2.0
notes:
  - Fields of RV(images) that IMS adds (their names start with C(__)) are strings, as IMS returns them,
    including C(__image_size) and C(__isregistered).
seealso:
  - name: IMS API, querying images (OpenStack native)
    description: The list API and its filters.
    link: https://support.huaweicloud.com/intl/en-us/api-ims/ims_03_0702.html
  - module: hwcloud.ims.ims_image_member
    description: Accept or reject the images shared with this project, one or many at once.
  - name: Copying, exporting and sharing images
    description: The owner's and the member's side of a share, in one region and across regions.
    link: https://github.com/hwcloud-ims/hwcloud.ims/blob/main/docs/copy-export-share.md
"""

EXAMPLES = r"""
- name: Public Ubuntu images
  hwcloud.ims.ims_image_info:
    region: cn-north-4
    imagetype: gold
    visibility: public
    protected: true
    platform: Ubuntu
  register: public_ubuntu

- name: Own private images that failed to upload
  hwcloud.ims.ims_image_info:
    owner: "{{ lookup('ansible.builtin.env', 'HW_PROJECT_ID') }}"
    imagetype: private
    status: killed
  register: killed

- name: One image by id (an empty list when it does not exist)
  hwcloud.ims.ims_image_info:
    id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
  register: one

- name: Private images created before 2025, tagged team=web, oldest first
  hwcloud.ims.ims_image_info:
    imagetype: private
    tag: team=web
    created_at: lt:2025-01-01T00:00:00Z
    sort_key: created_at
    sort_dir: asc

- name: Images that carry both tags (a list means all of them)
  hwcloud.ims.ims_image_info:
    imagetype: private
    tag:
      - team=web
      - env=prod

- name: Names by pattern - IMS matches name exactly, so filter client-side
  hwcloud.ims.ims_image_info:
    imagetype: gold
    visibility: public
    platform: Ubuntu
  register: gold_ubuntu
- name: Show the Ubuntu 22 images
  ansible.builtin.debug:
    msg: "{{ gold_ubuntu.images | selectattr('name', 'match', 'Ubuntu 22') | map(attribute='name') }}"

- name: The newest Ubuntu 22.04 public image (one request per page, stopping at the first match)
  hwcloud.ims.ims_image_info:
    imagetype: gold
    visibility: public
    platform: Ubuntu
    name_regex: '^Ubuntu 22\.04'
    most_recent: true
  register: newest_ubuntu

- name: Shared images waiting to be accepted
  hwcloud.ims.ims_image_info:
    visibility: shared
    imagetype: shared
    member_status: pending

# A member's whole flow across regions. A share is per region: an image copied to three regions and
# shared there is three shares, each with the member's project of that region. With an access key and
# no project_id, each task learns this account's project for its region from IAM.
- name: In each region, the images shared with this account and not answered yet
  hwcloud.ims.ims_image_info:
    region: "{{ item }}"
    visibility: shared
    member_status: pending
  loop: [ap-southeast-1, ap-southeast-3, eu-west-101]
  register: pending

- name: Accept them, one batch request per region that has any
  hwcloud.ims.ims_image_member:
    region: "{{ item.item }}"
    images: "{{ item.images | map(attribute='id') }}"
    status: accepted
  loop: "{{ pending.results }}"
  loop_control:
    label: "{{ item.item }}"
  when: item.images | length > 0

- name: In each region, what this account can launch from now on
  hwcloud.ims.ims_image_info:
    region: "{{ item }}"
    visibility: shared
    member_status: accepted
  loop: [ap-southeast-1, ap-southeast-3, eu-west-101]
  register: accepted

- name: Own images, each with its members and whether they accepted the share
  hwcloud.ims.ims_image_info:
    owner: "{{ lookup('ansible.builtin.env', 'HW_PROJECT_ID') }}"
    imagetype: private
    members: true
  register: own

- name: Any other IMS parameter, by its API name
  hwcloud.ims.ims_image_info:
    filters:
      virtual_env_type: DataImage
      __os_version: Ubuntu 22.04 server 64bit

- name: Credentials once for every module of the collection
  module_defaults:
    group/hwcloud.ims.ims:
      region: ap-southeast-1
      project_id: "{{ hw_project_id }}"
      access_key: "{{ hw_access_key }}"
      secret_key: "{{ hw_secret_key }}"
  block:
    - name: The ten newest images
      hwcloud.ims.ims_image_info:
        max_results: 10
"""

RETURN = r"""
images:
  description:
    - The images found, each as IMS returns it (every field of the IMS image, including the C(__) ones).
    - Empty when nothing matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The image id.
      type: str
      sample: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
    name:
      description: The image name.
      type: str
      sample: web-server-2024-06
    status:
      description: One of V(queued), V(saving), V(active), V(killed), V(deleted).
      type: str
      sample: active
    visibility:
      description: V(public), V(private) or V(shared).
      type: str
      sample: private
    owner:
      description: The project id that owns the image.
      type: str
      sample: b912fb4a4c464b568ecfca1071b21b10
    protected:
      description: Whether the image is protected from deletion.
      type: bool
      sample: false
    tags:
      description: The image tags.
      type: list
      elements: str
      sample: ["team=web"]
    min_disk:
      description: Minimum disk in GB.
      type: int
      sample: 40
    min_ram:
      description: Minimum memory in MB.
      type: int
      sample: 1024
    disk_format:
      description: The disk format.
      type: str
      sample: zvhd2
    container_format:
      description: The container format.
      type: str
      sample: bare
    created_at:
      description: Creation time (UTC).
      type: str
      sample: "2018-09-06T14:03:27Z"
    updated_at:
      description: Time of the last update (UTC).
      type: str
      sample: "2018-09-06T15:17:33Z"
    __imagetype:
      description: The IMS image type, V(gold), V(private), V(shared) or V(market).
      type: str
      sample: private
    __os_version:
      description: The operating system version.
      type: str
      sample: Ubuntu 22.04 server 64bit
    __image_size:
      description: The size of the image file in bytes, as a string.
      type: str
      sample: "2147483648"
    members:
      description:
        - The member projects of an image this project owns, each with its membership status.
        - Only with O(members=true), and only on the images this project owns.
      returned: when O(members=true), on the images of this project
      type: list
      elements: dict
      version_added: 0.2.0
      sample:
        - member_id: 5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b
          image_id: 4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba86
          status: accepted
          created_at: "2024-06-01T10:00:00Z"
          updated_at: "2024-06-02T08:30:00Z"
"""

from ansible_collections.hwcloud.ims.plugins.module_utils._base import ImsModule
from ansible_collections.hwcloud.ims.plugins.module_utils._select import SELECTION_SPEC, listing, matches, selection_problems
from ansible_collections.hwcloud.ims.plugins.module_utils._sharing import member_view


class ImsImageInfo(ImsModule):
    argument_spec = dict(SELECTION_SPEC, **{
        "id": {"type": "str"},
        "sort_key": {"type": "str", "default": "created_at",
                     "choices": ["name", "container_format", "disk_format", "status", "id", "size", "created_at"]},
        "sort_dir": {"type": "str", "default": "desc", "choices": ["asc", "desc"]},
        "page_size": {"type": "int", "default": 1000},
        "max_results": {"type": "int"},
        "marker": {"type": "str"},
        "members": {"type": "bool", "default": False},
    })

    def check_options(self):
        problems = []
        if not 1 <= self.params["page_size"] <= 10000:
            problems.append("page_size must be from 1 to 10000; got %d" % self.params["page_size"])
        if self.params["max_results"] is not None and self.params["max_results"] < 1:
            problems.append("max_results must be 1 or more; got %d" % self.params["max_results"])
        if self.params["most_recent"] and (self.params["sort_key"], self.params["sort_dir"]) != ("created_at", "desc"):
            problems.append("most_recent picks the newest image by created_at; leave sort_key and sort_dir at their "
                            "defaults (created_at, desc) with it")
        warnings = []
        found, self.query, self.excluded_flags, self.regex = selection_problems(self.params, warnings)
        problems += found
        for warning in warnings:
            self.module.warn(warning)
        return problems

    def run(self):
        # members: true needs the project (which images are its own): given, else learned from IAM, before any listing.
        project_id = self.client.project_id if self.params["members"] else None
        self.result["images"] = self.find()
        if self.params["members"]:
            for image in self.result["images"]:
                if image.get("owner") == project_id:
                    image["members"] = [member_view(member, image["id"]) for member in self.client.members_of(image)]

    def find(self):
        image_id = self.params["id"]
        if image_id and not self.query and not self.params["marker"]:
            image = self.client.get_image(image_id)
            return [image] if image and matches(image, self.excluded_flags, self.regex) else []
        params = [("id", image_id)] if image_id else []
        params += [("sort_key", self.params["sort_key"]), ("sort_dir", self.params["sort_dir"])]
        if self.params["marker"]:
            params.append(("marker", self.params["marker"]))
        return listing(self.client, self.query, self.excluded_flags, self.regex, self.params["most_recent"], params,
                       page_size=self.params["page_size"], max_results=self.params["max_results"])


def main():
    ImsImageInfo().execute()


if __name__ == "__main__":
    main()
