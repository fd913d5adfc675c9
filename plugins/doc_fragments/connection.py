# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  region:
    description:
      - The Huawei Cloud region, for example V(cn-north-4) or V(ap-southeast-1).
      - Gives the endpoints C(https://ims.REGION.CLOUD) and C(https://iam.REGION.CLOUD), where CLOUD is O(cloud),
        unless O(ims_endpoint) and O(iam_endpoint) are set. Fills in their C({region}) placeholder when they have one.
      - Required unless O(ims_endpoint) is set.
      - A region whose endpoint host name does not exist (a misspelling such as V(cn-nort-4)) fails at once, without
        retries, with a message naming O(region), its value and the host it gave. A host name of O(ims_endpoint) or
        O(iam_endpoint) that does not resolve is retried like any connection that could not be made.
      - If not set, the environment variable E(HW_REGION_NAME) is used.
    type: str
  project_id:
    description:
      - The project whose images are managed.
      - With O(access_key) and O(secret_key) and no O(project_id), the project is the one IAM names like O(region)
        (each region has a project of its name). The module asks C(GET /v3/projects?name=REGION) at O(iam_endpoint),
        else the IAM endpoint of O(region), once, before its first IMS request, as the official SDK does. If IAM
        names no project of that name, or several, the task fails before any IMS request and names O(project_id).
        Without O(region), O(project_id) is required with AK/SK.
      - With O(user_name) and O(password) it scopes the token
        (when not set, the token is scoped to the project named like O(region), and the project is the one IAM's
        answer names).
      - With O(auth_token) and no project, the project is asked of IAM once, when the task needs it
        (C(GET /v3/auth/tokens) at O(iam_endpoint), else the IAM endpoint of O(region)), and sent as C(X-Project-Id)
        from then on.
      - A task that needs the project (the lookup of an image by name, images shared with the project, members)
        fails before any write when it cannot be learned; it never looks an image up without its owner, which could
        miss it and create it twice. A listing of M(hwcloud.ims.ims_image_info) without its C(members) option needs
        no project.
      - If not set, the environment variable E(HW_PROJECT_ID) is used.
    type: str
  access_key:
    description:
      - The access key (AK) used to sign every request (C(SDK-HMAC-SHA256)). Goes with O(secret_key).
      - AK/SK signing is used whenever O(access_key) and O(secret_key) are set, before O(auth_token) and O(password).
      - An authentication failure (HTTP 401) names the kind of credentials used, the access key shortened to its first
        4 and last 2 characters, whether each option came from the task or its environment variable, and the
        credentials given but ignored; never a secret.
      - If not set, the environment variable E(HW_ACCESS_KEY) is used.
    type: str
  secret_key:
    description:
      - The secret key (SK) that goes with O(access_key). Never shown in output or logs.
      - If not set, the environment variable E(HW_SECRET_KEY) is used.
    type: str
  security_token:
    description:
      - The security token of temporary AK/SK credentials, sent as C(X-Security-Token).
      - If not set, the environment variable E(HW_SECURITY_TOKEN) is used.
    type: str
  auth_token:
    description:
      - A ready IAM token, sent as C(X-Auth-Token). Used when no AK/SK is set.
      - Without O(project_id), IAM is asked once for the token's project when the task needs it (see O(project_id)).
      - If not set, the environment variable E(HW_AUTH_TOKEN) is used.
    type: str
  user_name:
    description:
      - An IAM user name; with O(password) and O(domain_name) the module gets a token from IAM first.
      - Used when neither AK/SK nor O(auth_token) is set.
      - If not set, the environment variable E(HW_USER_NAME) is used.
    type: str
  password:
    description:
      - The password of O(user_name). Never shown in output or logs.
      - If not set, the environment variable E(HW_USER_PASSWORD) is used.
    type: str
  domain_name:
    description:
      - The account (domain) name that O(user_name) belongs to.
      - If not set, the environment variable E(HW_DOMAIN_NAME) is used.
    type: str
  ims_endpoint:
    description:
      - The IMS endpoint URL, instead of the one derived from O(region). Also how the local emulator is reached.
      - May hold the placeholder C({region}), replaced by O(region), so that one setting serves every region, for
        example V(https://ims.{region}.example.com) or, for the emulator's regions, V(http://127.0.0.1:8080/{region}).
        No other placeholder is accepted.
      - If not set, the environment variable E(HW_IMS_ENDPOINT) is used.
    type: str
  iam_endpoint:
    description:
      - The IAM endpoint URL for O(password) authentication, and where the project of an O(auth_token) given without
        O(project_id) is asked for (and the region's project of AK/SK given without O(project_id)), instead of the one
        derived from O(region).
      - May hold the placeholder C({region}), as O(ims_endpoint) may.
      - If not set, the environment variable E(HW_IAM_ENDPOINT) is used.
    type: str
  cloud:
    description:
      - The domain of the endpoints derived from O(region), C(https://ims.REGION.CLOUD) and C(https://iam.REGION.CLOUD),
        for Huawei Cloud Stack and other deployments with their own domain. Like the Terraform provider's C(cloud).
      - When not set, V(myhuaweicloud.com), and V(myhuaweicloud.eu) for the C(eu-west-1xx) regions.
      - A domain name only, such as V(myhuaweicloud.com), with no scheme and no path. Not used for an endpoint given in
        O(ims_endpoint) or O(iam_endpoint).
      - If not set, the environment variable E(HW_CLOUD) is used.
    type: str
    version_added: 0.2.0
  validate_certs:
    description:
      - Whether to verify the TLS certificates of the endpoints (IMS and IAM). Only set to V(false) for a test endpoint.
      - With V(false) the certificate is not checked at all and O(ca_bundle) is ignored.
      - A certificate that fails verification fails the module at once, naming the endpoint; it is never retried.
    type: bool
    default: true
  ca_bundle:
    description:
      - A PEM file of the CA certificates that the certificates of the endpoints (IMS and IAM) must chain to,
        instead of the CAs trusted by default, for example the CA of a TLS-inspecting corporate proxy or of a
        private endpoint. Give the whole bundle you trust, since it replaces the default CAs.
      - When not set, the default CAs of the Python library C(requests) are trusted (usually those of C(certifi)),
        or the file named by the environment variable E(REQUESTS_CA_BUNDLE) (or E(CURL_CA_BUNDLE)) when it is set.
      - A file that does not exist or cannot be read fails the module before any request is sent.
      - Ignored when O(validate_certs=false).
      - If not set, the environment variable E(HW_CA_BUNDLE) is used.
    type: path
    version_added: 0.2.0
  timeout:
    description:
      - Seconds to wait for a connection and for each answer of the API.
    type: float
    default: 30
  retries:
    description:
      - How many times a call is sent again after throttling (HTTP 429), a server error (5xx) or a connection
        failure, waiting with capped exponential backoff and jitter, or as long as C(Retry-After) says.
      - Calls whose effect is unknown after a failure (creating an image, a patch) are only repeated on 429
        and when the connection could not be made at all.
    type: int
    default: 5
requirements:
  - requests
notes:
  - Set the connection options once for every module of this collection with
    C(module_defaults) and C(group/hwcloud.ims.ims).
"""
