# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Secrets kept out of every message: the forms in which a server could echo them.

Private to this collection: the API may change without notice.
"""

from __future__ import annotations

import json

from urllib.parse import quote

MASK = "********"


def secret_forms(secret):
    """``secret`` as is, JSON-escaped (also twice, ASCII-only or not) and URL-encoded."""
    escaped = json.dumps(secret)[1:-1]
    return {secret, escaped, json.dumps(secret, ensure_ascii=False)[1:-1], json.dumps(escaped)[1:-1],
            quote(secret, safe=""), quote(secret, safe="").replace("%20", "+")}


class Redactor:
    """The secrets of one client (keys, passwords, tokens it was given or got), and their removal from text."""

    def __init__(self, secrets=()):
        self._forms = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret):
        if secret:
            self._forms = sorted(set(self._forms) | secret_forms(secret), key=len, reverse=True)

    def __call__(self, text):
        """``text`` with every form of every secret replaced by ``********``."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text
