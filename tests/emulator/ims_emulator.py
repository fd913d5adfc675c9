"""A local emulator of Huawei Cloud IMS (the Glance v2 compatible image API) and IAM tokens.

    python3 tests/emulator/ims_emulator.py --port PORT [options]   (--help lists them)

README.md beside this file is its documentation and its specification. This file is the
launcher: the emulator itself is the ``imsemu`` package beside it (README "Layout"). It uses
the Python standard library only, so that it runs anywhere the collection is tested.

The names other code imports from here stay here: the defaults (``DEFAULT_ACCESS_KEY`` ...
``PUBLIC_OWNER``, imported by harness.py), ``check_signing_vectors(path=None)`` (README
"Authentication"), ``main()`` and ``parse_args()``.
"""

from __future__ import annotations

import sys

# Run by path from any folder (python3 tests/emulator/ims_emulator.py, or harness.py's
# subprocess), Python puts this file's folder first on sys.path, so the package beside it is
# found; imported (by harness.py), that folder is on the path already.
# pylint: disable=unused-import
from imsemu.app import EmulatorApp  # noqa: F401
from imsemu.cli import main, parse_args  # noqa: F401
from imsemu.core.signing import SignatureVerifier, check_signing_vectors  # noqa: F401
from imsemu.defaults import (  # noqa: F401
    DEFAULT_ACCESS_KEY,
    DEFAULT_DOMAIN,
    DEFAULT_PASSWORD,
    DEFAULT_PROJECT_ID,
    DEFAULT_QUOTA,
    DEFAULT_REGION,
    DEFAULT_SECRET_KEY,
    DEFAULT_TOKEN_TTL,
    DEFAULT_USER,
    PUBLIC_OWNER,
)

if __name__ == "__main__":
    sys.exit(main())
