"""The IMS emulator as a package, organised like moto's services.

``tests/emulator/ims_emulator.py`` is its launcher (the command line users run); README.md
beside it documents what the emulator does, and its "Layout" section this package:

* ``core``: what every service shares: error answers (``ErrorAnswer``), ``Response``, the
  request context and body reader, routing, the clock, AK/SK signatures, the HTTP server;
* ``ims``: the image service: ``exceptions`` (its error answers), ``images`` and ``models``
  (the image store and its rules), ``listing`` (filters, sorting, paging), ``responses`` (one
  method per API action) and ``urls`` (URL pattern -> that method);
* ``iam``: accounts, users, tokens and authentication, with its own ``responses``/``urls``;
* ``control``: the test-only control surface under ``/_emulator/`` (reset, seeding, faults,
  clock, statistics, capture, token expiry), which reaches the API only through hooks;
* ``app``: ``EmulatorApp``, the whole in-process application; ``cli``: the command line.

Standard library only. Inside the package every import is relative.
"""
