"""IAM's state: AK/SK accounts, users, their projects per region, agencies, and the tokens it issued.

docs/dev/ims-api.md, "auth and signing". IAM is global: a token is valid in every region's
URL, but is scoped to one project, and a project belongs to one region. Each account (and user)
has one project per region, named like the region (Huawei's default projects); the default
region's is the configured ``project_id``. Tokens persist with ``--state`` (``state.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field

from ..defaults import (DEFAULT_ACCESS_KEY, DEFAULT_DOMAIN, DEFAULT_PASSWORD, DEFAULT_PROJECT_ID, DEFAULT_REGION,
                        DEFAULT_SECRET_KEY, DEFAULT_TOKEN_TTL, DEFAULT_USER)
from .agencies import Agencies


@dataclass(frozen=True)
class Account:
    access_key: str
    secret_key: str = field(repr=False)
    project_id: str  # its project in the default region
    region_projects: tuple = ()  # ((region, project id), ...): configured projects of other regions


@dataclass(frozen=True)
class User:
    name: str
    password: str = field(repr=False)
    domain: str
    projects: tuple  # the first is the user's own project (used when scoping by name)


DEFAULT_ACCOUNT = Account(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_PROJECT_ID)


@dataclass(frozen=True)
class Project:
    id: str
    region: str  # its name too
    home: str  # the account's project in the default region (identifies the account)


def derived_project_id(home: str, region: str) -> str:
    """The stable id of the account's project in ``region`` (not the default region)."""
    return hashlib.md5(("project:%s:%s" % (home, region)).encode()).hexdigest()


class IamBackend:
    """Accounts by access key, users, projects per region, agencies, and the tokens."""

    def __init__(self, clock, accounts=None, users=None, token_ttl: int = DEFAULT_TOKEN_TTL,
                 regions=(DEFAULT_REGION,), lock=None, persist=None):
        """``regions``: the region names, the default first; ``persist()`` is called after each token change."""
        self.clock = clock
        self.lock = lock or threading.RLock()
        self.persist = persist or (lambda: None)
        self.tokens: dict = {}  # token -> {"project_id", "project_name", "user", ... "expires_at"}
        self.regions = tuple(regions)
        self.default_region = self.regions[0]
        self.accounts = list(accounts or [DEFAULT_ACCOUNT])
        if users:
            self.users = list(users)
        else:  # the default user reaches every account's project (its own: the first)
            projects = tuple(dict.fromkeys(a.project_id for a in self.accounts))
            self.users = [User(DEFAULT_USER, DEFAULT_PASSWORD, DEFAULT_DOMAIN, projects)]
        self.by_access_key = {account.access_key: account for account in self.accounts}
        self.token_ttl = token_ttl
        self.agencies = Agencies()
        configured = {(a.project_id, region): pid for a in self.accounts for region, pid in a.region_projects}
        homes = dict.fromkeys([a.project_id for a in self.accounts] + [p for u in self.users for p in u.projects])
        self.projects = {}  # project id -> Project
        self._by_home = {}  # (home, region) -> Project
        for home in homes:
            for region in self.regions:
                pid = home if region == self.default_region else \
                    configured.get((home, region)) or derived_project_id(home, region)
                self.projects[pid] = self._by_home[(home, region)] = Project(pid, region, home)

    # -- projects ------------------------------------------------------------------------
    def project_in(self, home: str, region: str) -> Project | None:
        """The project in ``region`` of the account whose default project is ``home``."""
        return self._by_home.get((home, region))

    def home_of(self, project_id: str) -> str | None:
        project = self.projects.get(project_id)
        return project.home if project is not None else None

    def projects_of(self, homes) -> list:
        """Every project of these accounts, in every region (the regions' order)."""
        return [self._by_home[(home, region)] for home in homes for region in self.regions
                if (home, region) in self._by_home]

    def domain_of(self, home: str) -> str:
        """The domain id of an account: its first user's domain, else one derived from the project."""
        for user in self.users:
            if user.projects and user.projects[0] == home:
                return domain_id(user)
        return hashlib.md5(("domain:account:" + home).encode()).hexdigest()

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
        self.add_token(token, {"project_id": project_id, "project_name": project_name,
                               "user": user.name, "domain": user.domain, "methods": ["password"],
                               "issued_at": now, "expires_at": expires})
        return token, now, expires

    def add_token(self, token: str, record: dict) -> None:
        with self.lock:
            self.tokens[token] = record
            self.persist()

    def restore_tokens(self, tokens: dict) -> None:
        with self.lock:
            self.tokens = dict(tokens)

    def clear_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

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
        with self.lock:
            return self.tokens.get(token)

    def expire_tokens(self) -> int:
        """Every token issued so far expires now; how many there are."""
        now = self.clock.now()
        with self.lock:
            for record in self.tokens.values():
                record["expires_at"] = min(record["expires_at"], now)
            self.persist()
            return len(self.tokens)


def domain_id(user: User) -> str:
    return hashlib.md5(("domain:" + user.domain).encode()).hexdigest()


def user_id(user: User) -> str:
    return hashlib.md5(("user:%s:%s" % (user.domain, user.name)).encode()).hexdigest()
