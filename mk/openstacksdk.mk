# openstacksdk against the emulator (issue 13): tests/emulator/test_openstacksdk.py drives the
# emulator with openstacksdk's image proxy, unmodified, from .venvs/openstacksdk (pinned in
# tests/requirements/openstacksdk.txt; never a dependency of the collection). The test builds
# that venv itself when it is missing or older than its requirements file, so plain pytest
# works from a fresh clone; `make openstacksdk-venv` builds it ahead (same stamp). The test is
# part of `make emulator-test`. Included by the Makefile.

SDK_VENV := $(ROOT)/.venvs/openstacksdk
SDK_STAMP := $(SDK_VENV)/.installed.stamp
SDK_REQUIREMENTS := tests/requirements/openstacksdk.txt

.PHONY: openstacksdk-venv openstacksdk-test

$(SDK_STAMP): $(SDK_REQUIREMENTS)
	$(call venv_recipe,$(SDK_VENV),$(SDK_REQUIREMENTS))

openstacksdk-venv: $(SDK_STAMP) ## Build .venvs/openstacksdk (openstacksdk 4.14.0, for test_openstacksdk.py)

openstacksdk-test: $(STAMP) $(SDK_STAMP) collection-path ## openstacksdk's image proxy against the emulator (pytest tests/emulator/test_openstacksdk.py)
	'$(VENV_PY)' -m pytest $(PYTEST_ARGS) tests/emulator/test_openstacksdk.py
