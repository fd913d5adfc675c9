"""Fixtures of the emulator's tests; the helpers they use are in emulator_client.py."""

import pytest

from emulator_client import A, B, USER_A, USER_B, V, Client
from support.fixtures import emulator_fixtures

# --------------------------------------------------------------------------------------
# Fixtures.

# One emulator for most tests (accounts A (default), B and the vectors' account), and that
# emulator reset for each test: its starting images, no faults, zero counts, the clock unshifted.
shared_emu, emu = emulator_fixtures("shared_emu", "emu", accounts=[A, B, V], users=[USER_A, USER_B])


@pytest.fixture
def client(emu):
    c = Client(emu)
    yield c
    c.session.close()


@pytest.fixture
def client_b(emu):
    c = Client(emu, account=B)
    yield c
    c.session.close()
