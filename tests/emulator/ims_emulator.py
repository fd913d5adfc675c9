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

import os
import sys

# Run by path from any folder (python3 tests/emulator/ims_emulator.py, or harness.py's
# subprocess): the package is found beside this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

# pylint: disable=wrong-import-position,unused-import
from imsemu.app import EmulatorApp  # noqa: E402,F401
from imsemu.cli import main, parse_args  # noqa: E402,F401
from imsemu.core.signing import SignatureVerifier, check_signing_vectors  # noqa: E402,F401
from imsemu.defaults import (  # noqa: E402,F401
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
