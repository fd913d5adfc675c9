"""IAM agencies (README "Regions"): what an account lets a service do in its name.

Every account has the agency ``ims_admin_agency`` (the one IMS's cross-region copy names by
default); the control surface seeds more (``POST /_emulator/agencies``). An account is known by
its default region's project id (its ``home``). There is no API route for them: the image calls
that take an ``agency_name`` ask ``exists()``.
"""

from __future__ import annotations

import threading

DEFAULT_AGENCY = "ims_admin_agency"
AGENCY_KEYS = frozenset({"name", "project_id", "description", "duration", "trust_domain_name"})


class Agencies:
    """The seeded agencies of each account, beside the default one every account has."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seeded: dict = {}  # home -> {name: agency}

    def reset(self) -> None:
        with self.lock:
            self.seeded.clear()

    def exists(self, home: str, name: str) -> bool:
        if name == DEFAULT_AGENCY:
            return True
        with self.lock:
            return name in self.seeded.get(home, {})

    def of(self, home: str) -> list:
        """The account's agencies, the default one first."""
        with self.lock:
            seeded = [dict(a) for a in self.seeded.get(home, {}).values() if a["name"] != DEFAULT_AGENCY]
        return [default_agency()] + sorted(seeded, key=lambda a: a["name"])

    def add(self, home: str, agency: dict) -> dict:
        """Seed one agency (made by ``check``) of the account ``home``."""
        with self.lock:
            self.seeded.setdefault(home, {})[agency["name"]] = dict(agency)
        return dict(agency)

    @staticmethod
    def check(spec: dict) -> dict:
        """The agency a seed entry describes, defaults filled in; ValueError when it is wrong."""
        if not isinstance(spec, dict) or set(spec) - AGENCY_KEYS:
            raise ValueError("an agency is an object of %s" % ", ".join(sorted(AGENCY_KEYS)))
        name = spec.get("name")
        if not isinstance(name, str) or not name or len(name) > 64:
            raise ValueError("an agency needs a name of 1 to 64 characters")
        duration = spec.get("duration", "FOREVER")
        if duration != "FOREVER" and not (isinstance(duration, str) and duration.isdigit()):
            raise ValueError('duration is "FOREVER" or a number of days as a string')
        return {"name": name, "description": str(spec.get("description", "")), "duration": duration,
                "trust_domain_name": str(spec.get("trust_domain_name", "op_svc_ims"))}


def default_agency() -> dict:
    return {"name": DEFAULT_AGENCY, "description": "IMS administrator agency (the emulator's default)",
            "duration": "FOREVER", "trust_domain_name": "op_svc_ims"}
