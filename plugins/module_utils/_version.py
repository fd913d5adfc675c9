# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's version, sent in the User-Agent. Keep in step with galaxy.yml."""

from __future__ import annotations

COLLECTION_VERSION = "0.2.0"
