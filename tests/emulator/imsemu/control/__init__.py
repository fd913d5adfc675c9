"""The test-only control surface under ``/_emulator/`` (README "The control surface").

It is never authenticated, counted or faulted, and it reaches the API only through the
hooks ``EmulatorApp`` offers: request hooks (faults), per-request hooks (the upload fault,
an answer replaced after the work) and observers (statistics, --capture).
"""
