# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Time and chance as the collection sees them: the one seam that tests replace.

Private to this collection: the API may change without notice. Every wait, deadline and
jitter of the client and the modules goes through these three functions, looked up at call
time (``_clock.sleep(...)``, never ``from ._clock import sleep``), so a test that replaces
them with a fake clock controls every wait of a module run.
"""

from __future__ import annotations

import random as _random
import time as _time


def sleep(seconds):
    """Wait ``seconds``."""
    _time.sleep(seconds)


def monotonic():
    """Seconds on a clock that never goes back, for deadlines."""
    return _time.monotonic()


def random():
    """A float in [0, 1), for jitter."""
    return _random.random()
