"""IAM's state: AK/SK accounts, users, and the tokens it issued.

docs/dev/ims-api.md, "auth and signing". Tokens are kept in the image store's state, so
that ``--state`` persists them with the images (one file, one format).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from ..defaults import (DEFAULT_ACCESS_KEY, DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_PROJECT_ID,
                        DEFAULT_SECRET_KEY, DEFAULT_TOKEN_TTL, DEFAULT_USER)


@dataclass(frozen=True)
class Account:
    access_key: str
    secret_key: str = field(repr=False)
    project_id: str


@dataclass(frozen=True)
class User:
    name: str
    password: str = field(repr=False)
    domain: str
    projects: tuple  # the first is the user's own project (used when scoping by name)


DEFAULT_ACCOUNT = Account(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID)


class IamBackend:
    """Accounts by access key, users, and the tokens (issued, looked up, expired)."""

    def __init__(self, store, clock, accounts=None, users=None, token_ttl: int = DEFAULT_TOKEN_TTL):
        self.store = store  # holds the tokens (and their lock, and their persistence)
        self.clock = clock
        self.accounts = list(accounts or [DEFAULT_ACCOUNT])
        if users:
            self.users = list(users)
        else:  # the default user reaches every account's project (its own: the first)
            projects = tuple(dict.fromkeys(a.project_id for a in self.accounts))
            self.users = [User(DEFAULT_USER, DEFAULT_PASSWORD, DEFAULT_DOMAIN, projects)]
        self.by_access_key = {account.access_key: account for account in self.accounts}
        self.token_ttl = token_ttl

    def find_user(self, name, password, domain) -> User | None:
        for user in self.users:
            if user.name == name and user.domain == domain and \
                    hmac.compare_digest(user.password.encode(), password.encode()):
                return user
        return None

    def issue_token(self, user: User, project_id: str, project_name: str) -> tuple:
        """A new token of ``user`` for the project: (token, issued at, expires at)."""
        now = self.clock.now()
        expires = now + self.token_ttl
        token = "MII" + secrets.token_urlsafe(96)
        self.store.add_token(token, {"project_id": project_id, "project_name": project_name,
                                     "user": user.name, "domain": user.domain, "methods": ["password"],
                                     "issued_at": now, "expires_at": expires})
        return token, now, expires

    def user_of(self, record: dict) -> User | None:
        """The user a token record was issued to (by name and domain; a record of an older state has no domain)."""
        for user in self.users:
            if user.name == record.get("user") and record.get("domain", user.domain) == user.domain:
                return user
        return None

    def live_token(self, token: str) -> dict | None:
        """The record of a token that exists and has not expired, or None."""
        record = self.token(token) if token else None
        if record is None or self.clock.now() >= record["expires_at"]:
            return None
        return record

    def token(self, token: str) -> dict | None:
        """The record of a token (``project_id``, ``expires_at``...), or None."""
        with self.store.lock:
            return self.store.tokens.get(token)

    def expire_tokens(self) -> int:
        """Every token issued so far expires now; how many there are."""
        return self.store.expire_tokens(self.clock.now())


def domain_id(user: User) -> str:
    return hashlib.md5(("domain:" + user.domain).encode()).hexdigest()


def user_id(user: User) -> str:
    return hashlib.md5(("user:%s:%s" % (user.domain, user.name)).encode()).hexdigest()
