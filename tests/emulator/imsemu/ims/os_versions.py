"""The ``os_version`` values IMS accepts: the catalogue of ``GET /v1/cloudimages/os_version``.

docs/dev/ims-api.md, "The native list, the quota and the os_version catalogue" (the SDK's
ListOsVersionsRequest and OsVersionInfo). The one list of valid ``os_version`` values: a
create that takes one (from a volume, from an OBS file, a quick import) checks it with
``is_known_os_version`` (IMS answers IMG.0056 for another). Each entry's platform, type and
bit are what ``images.os_fields`` derives from it, so an image made with any of them gets
the same ``__platform``, ``__os_type`` and ``__os_bit`` the catalogue shows. README "The
os_version catalogue".
"""

from __future__ import annotations

from .images import os_fields

OS_VERSION_TAGS = ("bms", "uefi", "arm", "x86")  # the values of the ``tag`` query

# (os_version, the tags besides its architecture (bms: bare metal servers, uefi: UEFI boot)).
# "with ARM" names an arm image, as IMS does; every other one is x86.
OS_VERSIONS = (
    ("CentOS 6.10 32bit", ()),
    ("CentOS 6.10 64bit", ()),
    ("CentOS 7.6 64bit", ("bms", "uefi")),
    ("CentOS 7.9 64bit", ("bms", "uefi")),
    ("CentOS 8.2 64bit", ("uefi",)),
    ("CentOS 7.6 64bit with ARM", ("uefi",)),
    ("Ubuntu 18.04 server 64bit", ("bms", "uefi")),
    ("Ubuntu 20.04 server 64bit", ("bms", "uefi")),
    ("Ubuntu 22.04 server 64bit", ("uefi",)),
    ("Ubuntu 18.04 server 64bit with ARM", ("uefi",)),
    ("Debian GNU/Linux 10.0.0 64bit", ()),
    ("Debian GNU/Linux 11.1.0 64bit", ("uefi",)),
    ("Debian GNU/Linux 9.0.0 32bit", ()),
    ("EulerOS 2.5 64bit", ("bms", "uefi")),
    ("EulerOS 2.8 64bit with ARM", ("bms", "uefi")),
    ("Huawei Cloud EulerOS 2.0 64bit", ("uefi",)),
    ("Huawei Cloud EulerOS 2.0 64bit with ARM", ("uefi",)),
    ("Redhat Linux Enterprise 7.6 64bit", ("bms",)),
    ("Redhat Linux Enterprise 8.4 64bit", ("bms", "uefi")),
    ("SUSE Linux Enterprise Server 12 SP5 64bit", ("bms",)),
    ("SUSE Linux Enterprise Server 15 SP1 64bit", ("bms", "uefi")),
    ("OpenSUSE 15.0 64bit", ()),
    ("Oracle Linux Server release 7.6 64bit", ("bms",)),
    ("Fedora 31 64bit", ()),
    ("CoreOS 2079.4.0 64bit", ()),
    ("Windows Server 2012 R2 Standard 64bit", ("bms",)),
    ("Windows Server 2016 Datacenter 64bit English", ("bms", "uefi")),
    ("Windows Server 2019 Datacenter 64bit English", ("bms", "uefi")),
    ("Windows Server 2022 Datacenter 64bit English", ("uefi",)),
    ("Windows 10 64bit", ()),
    ("Other Linux(32 bit)", ()),
    ("Other Linux(64 bit)", ()),
    ("Other(64 bit)", ()),
)


def tags_of(os_version: str, extra_tags) -> frozenset:
    """Every tag of a catalogue entry: its own and its architecture's."""
    return frozenset(extra_tags) | {"arm" if os_version.endswith("with ARM") else "x86"}


def os_version_info(os_version: str) -> dict:
    """One entry as IMS shows it (OsVersionInfo): ``os_bit`` an integer, ``os_version_key`` the
    same as ``os_version``."""
    os_type, platform, bit = os_fields(os_version)
    return {"platform": platform, "os_version_key": os_version, "os_version": os_version,
            "os_bit": int(bit), "os_type": os_type}


def list_os_versions(tag: str | None = None) -> list:
    """``[{platform, version_list: [OsVersionInfo]}]``, one entry per platform in the
    catalogue's order; with ``tag`` only the versions that have it."""
    by_platform: dict = {}
    for os_version, extra_tags in OS_VERSIONS:
        if tag is None or tag in tags_of(os_version, extra_tags):
            info = os_version_info(os_version)
            by_platform.setdefault(info["platform"], []).append(info)
    return [{"platform": platform, "version_list": versions} for platform, versions in by_platform.items()]


KNOWN_OS_VERSIONS = frozenset(os_version for os_version, _tags in OS_VERSIONS)


def is_known_os_version(os_version) -> bool:
    """Whether IMS accepts ``os_version`` (exactly as the catalogue spells it)."""
    return isinstance(os_version, str) and os_version in KNOWN_OS_VERSIONS
