# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared client against the emulator, over a real TCP connection: what only a real server shows.

Everything else the client does over HTTP (paging, retries and their waits, error mapping,
authentication, redaction) is tested against scripted HTTP in
tests/unit/plugins/module_utils/test_client_transport.py.
"""

from __future__ import annotations

from ansible_collections.hwcloud.ims.plugins.module_utils._client import ImsClient


def test_one_connection_is_reused_for_a_whole_listing(emu):
    emu.seed(count=50)
    account = emu.default_account
    client = ImsClient.from_options({"ims_endpoint": emu.base_url, "project_id": account["project_id"],
                                     "access_key": account["access_key"], "secret_key": account["secret_key"]})
    list(client.iter_images([("owner", account["project_id"])], page_size=5))
    pools = client.transport.session.get_adapter(emu.base_url).poolmanager.pools
    assert emu.stats()["by_route"].get("GET /v2/images") == 11
    # Eleven requests, one pool, one TCP connection.
    assert [pools[key].num_connections for key in pools.keys()] == [1]
