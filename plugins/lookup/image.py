# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: image
short_description: The id of the one image, or the newest, that a selection of Huawei Cloud IMS names
version_added: 0.2.0
description:
  - Selects one image of the Huawei Cloud Image Management Service (IMS) and returns its id (or its record, with
    O(output=record)), in a template, as Terraform's C(huaweicloud_images_image) data source does.
  - Takes every filter of M(hwcloud.ims.ims_image_info), with the same meaning and the same refusals, plus
    O(name_regex) and O(most_recent). Each term is an exact image name; with no term the keyword options alone
    select. One id (or record) per term, or one when there is no term.
  - Fails when no image matches, and when several do without O(most_recent) - the message names the selection and
    the first two images found.
  - "The requests: with server-side filters only, one (sorted newest first, with C(limit=1) for O(most_recent),
    C(limit=2) without it, to tell one match from several). With O(name_regex) or a C(support_*) option set to
    V(false), which IMS cannot apply, the listing is read newest first and stops at the page that decides the answer."
  - Runs on the controller with the collection's client, no module started. The connection options and their
    C(HW_*) environment variables are those of the modules; C(module_defaults) does not reach a lookup, so set
    the variables or give the options as keywords.
author:
  - hwcloud.ims contributors (@hwcloud-ims)
extends_documentation_fragment:
  - hwcloud.ims.connection
options:
  _terms:
    description:
      - Image names, each matched exactly (as O(name)). Leave out to select with the keyword options only.
    type: list
    elements: str
    required: false
  output:
    description:
      - V(id) returns the image id; V(record) the whole image as IMS returns it (as an element of
        M(hwcloud.ims.ims_image_info)'s RV(hwcloud.ims.ims_image_info#module:images)).
    type: str
    choices: [id, record]
    default: id
  name_regex:
    description:
      - Only images whose name matches this Python regular expression, searched anywhere in the name (C(re.search))
        unless anchored. Applied on the controller, newest first, stopping as soon as the answer is known.
      - Cannot be used with O(name) or with terms. A pattern that does not compile is refused before any request.
    type: str
  most_recent:
    description:
      - When several images match, the newest by C(created_at). Without it, several matches are an error.
    type: bool
    default: false
  page_size:
    description:
      - How many images each request asks for when a client-side filter (O(name_regex)) pages. From 1 to 10000.
    type: int
    default: 1000
  id:
    description: The image id; alone it is read directly (one request).
    type: str
  name:
    description: The image name, matched exactly. Cannot be used with terms.
    type: str
  owner:
    description:
      - The project id that owns the image, or V(self) for the project of the credentials (O(project_id), else
        learned from IAM once).
    type: str
  status:
    description: As O(hwcloud.ims.ims_image_info#module:status).
    type: str
    choices: [queued, saving, active, killed, deleted]
  imagetype:
    description: As O(hwcloud.ims.ims_image_info#module:imagetype) - V(gold) for public images.
    type: str
    choices: [gold, private, shared, market]
  visibility:
    description: As O(hwcloud.ims.ims_image_info#module:visibility).
    type: str
    choices: [public, private, shared]
  member_status:
    description: As O(hwcloud.ims.ims_image_info#module:member_status); needs O(visibility=shared).
    type: str
    choices: [accepted, rejected, pending]
  protected:
    description: As O(hwcloud.ims.ims_image_info#module:protected).
    type: bool
  isregistered:
    description: As O(hwcloud.ims.ims_image_info#module:isregistered).
    type: bool
  container_format:
    description: As O(hwcloud.ims.ims_image_info#module:container_format).
    type: str
  disk_format:
    description: As O(hwcloud.ims.ims_image_info#module:disk_format).
    type: str
    choices: [vhd, zvhd, zvhd2, raw, qcow2, iso]
  min_ram:
    description: As O(hwcloud.ims.ims_image_info#module:min_ram).
    type: int
  min_disk:
    description: As O(hwcloud.ims.ims_image_info#module:min_disk).
    type: int
  os_bit:
    description: As O(hwcloud.ims.ims_image_info#module:os_bit).
    type: str
    choices: ['32', '64']
  os_type:
    description: As O(hwcloud.ims.ims_image_info#module:os_type).
    type: str
    choices: [Linux, Windows, Other]
  platform:
    description: As O(hwcloud.ims.ims_image_info#module:platform), for example V(Ubuntu).
    type: str
  tag:
    description: As O(hwcloud.ims.ims_image_info#module:tag) - a C(key=value) tag or a list of them.
    type: raw
  created_at:
    description: As O(hwcloud.ims.ims_image_info#module:created_at), C(OP:TIME).
    type: str
  updated_at:
    description: As O(hwcloud.ims.ims_image_info#module:updated_at).
    type: str
  support_kvm:
    description: As O(hwcloud.ims.ims_image_info#module:support_kvm); V(false) is applied on the controller.
    type: bool
  support_xen:
    description: As O(hwcloud.ims.ims_image_info#module:support_xen).
    type: bool
  support_largememory:
    description: As O(hwcloud.ims.ims_image_info#module:support_largememory).
    type: bool
  support_diskintensive:
    description: As O(hwcloud.ims.ims_image_info#module:support_diskintensive).
    type: bool
  support_highperformance:
    description: As O(hwcloud.ims.ims_image_info#module:support_highperformance).
    type: bool
  support_xen_hana:
    description: As O(hwcloud.ims.ims_image_info#module:support_xen_hana).
    type: bool
  support_kvm_infiniband:
    description: As O(hwcloud.ims.ims_image_info#module:support_kvm_infiniband).
    type: bool
  support_xen_gpu_type:
    description: As O(hwcloud.ims.ims_image_info#module:support_xen_gpu_type).
    type: str
  support_kvm_gpu_type:
    description: As O(hwcloud.ims.ims_image_info#module:support_kvm_gpu_type).
    type: str
  filters:
    description: As O(hwcloud.ims.ims_image_info#module:filters) - further IMS parameters by their API names.
    type: dict
    default: {}
  region:
    env: [{name: HW_REGION_NAME}]
  project_id:
    env: [{name: HW_PROJECT_ID}]
  access_key:
    env: [{name: HW_ACCESS_KEY}]
  secret_key:
    env: [{name: HW_SECRET_KEY}]
  security_token:
    env: [{name: HW_SECURITY_TOKEN}]
  auth_token:
    env: [{name: HW_AUTH_TOKEN}]
  user_name:
    env: [{name: HW_USER_NAME}]
  password:
    env: [{name: HW_USER_PASSWORD}]
  domain_name:
    env: [{name: HW_DOMAIN_NAME}]
  ims_endpoint:
    env: [{name: HW_IMS_ENDPOINT}]
  iam_endpoint:
    env: [{name: HW_IAM_ENDPOINT}]
  cloud:
    env: [{name: HW_CLOUD}]
  ca_bundle:
    env: [{name: HW_CA_BUNDLE}]
notes:
  - An empty keyword or C(HW_*) variable counts as unset, as for the modules.
  - No secret is shown in any message, at any verbosity.
  - With several terms and O(output=record), use C(query) (or C(wantlist=true)) to get a list.
seealso:
  - module: hwcloud.ims.ims_image_info
    description: The same selection as a task, returning every matching image.
"""

EXAMPLES = r"""
- name: Launch from the newest public Ubuntu image
  ansible.builtin.debug:
    msg: "{{ lookup('hwcloud.ims.image', platform='Ubuntu', visibility='public', imagetype='gold', most_recent=true) }}"

- name: The newest of this project's web images, by pattern
  ansible.builtin.set_fact:
    web_image_id: "{{ lookup('hwcloud.ims.image', owner='self', name_regex='^web-[0-9]+$', most_recent=true) }}"

- name: The ids of two images by exact name (fails if either is missing or not unique)
  ansible.builtin.debug:
    msg: "{{ query('hwcloud.ims.image', 'web-2024-06', 'db-2024-06', owner='self') }}"

- name: The whole record of the newest active image tagged team=web
  ansible.builtin.debug:
    msg: "{{ lookup('hwcloud.ims.image', tag='team=web', status='active', most_recent=true, output='record') }}"
"""

RETURN = r"""
_raw:
  description:
    - One image id per term (one when there is no term); with O(output=record), the image as IMS returns it.
  type: list
  elements: raw
"""

import copy

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.lookup import LookupBase

from ansible_collections.hwcloud.ims.plugins.module_utils._base import check_text_types, connection_argument_spec
from ansible_collections.hwcloud.ims.plugins.module_utils._client import HAS_REQUESTS, ImsClient, ImsError
from ansible_collections.hwcloud.ims.plugins.module_utils._connection import connection_problems
from ansible_collections.hwcloud.ims.plugins.module_utils._redact import Redactor
from ansible_collections.hwcloud.ims.plugins.module_utils._select import SELECTION_SPEC, pick, selection_problems

LOOKUP_SPEC = {
    "output": {"type": "str", "default": "id", "choices": ["id", "record"]},
    "page_size": {"type": "int", "default": 1000},
    "id": {"type": "str"},
}


def _spec():
    spec = connection_argument_spec()
    spec.update(copy.deepcopy(SELECTION_SPEC))
    spec.update(LOOKUP_SPEC)
    return spec


def resolve_options(kwargs, terms):
    """(params, given names, warnings) of the keywords, validated as a module's arguments; AnsibleLookupError else."""
    spec = _spec()
    kwargs = dict(kwargs)
    result = ArgumentSpecValidator(spec).validate(kwargs)
    redact = Redactor(result._no_log_values)  # pylint: disable=protected-access
    problems = [str(error) for error in result.error_messages]
    params = result.validated_parameters
    given = frozenset(name for name, value in kwargs.items() if value is not None)
    warnings = []
    if not problems:
        problems += check_text_types(kwargs, spec) + connection_problems(params)
        if not 1 <= params["page_size"] <= 10000:
            problems.append("page_size must be from 1 to 10000; got %d" % params["page_size"])
        for term in terms:
            if not isinstance(term, str) or not term:
                problems.append("each term must be an image name (a non-empty string); got %r" % (term,))
        if terms and (params.get("name") or params.get("name_regex")):
            problems.append("terms are image names: give name or name_regex as a keyword, or terms, not both")
        for name in terms or [params.get("name")]:
            problems += [problem for problem in selection_problems(dict(params, name=name), warnings)[0]
                         if problem not in problems]
    if problems:
        raise AnsibleLookupError(redact("hwcloud.ims.image: %s" % "; ".join(problems)))
    return params, given, warnings


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        if not HAS_REQUESTS:
            raise AnsibleLookupError("hwcloud.ims.image needs the Python library requests on the controller")
        terms = list(terms or [])
        params, given, warnings = resolve_options(kwargs, terms)
        for warning in warnings:
            self._display.warning("hwcloud.ims.image: %s" % warning)
        client = None
        failure = None
        found = []
        try:
            client = ImsClient.from_options(params, given=given)
            for name in terms or [params.get("name")]:
                found.append(self._pick(client, dict(params, name=name)))
        except ImsError as exc:
            failure = "hwcloud.ims.image: %s" % (client.redact(str(exc)) if client is not None else str(exc))
        finally:
            if client is not None:
                client.close()
        if failure is not None:
            # Raised outside the except block: no chained exception (nor its arguments) at any verbosity.
            raise AnsibleLookupError(failure)
        if params["output"] == "id":
            return [image["id"] for image in found]
        return found

    @staticmethod
    def _pick(client, params):
        _problems, query, excluded, regex = selection_problems(params, None)
        return pick(client, query, excluded, regex, most_recent=params["most_recent"], image_id=params.get("id"),
                    page_size=params["page_size"])
