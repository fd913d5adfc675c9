# The official Huawei Cloud SDK (huaweicloudsdkims) as a test oracle against the emulator
# (tests/support/hwsdk.py; issue 14): its calls, unmodified, must work against the emulator.
# It lives in .venvs/huaweicloudsdk, pinned in tests/requirements/huaweicloudsdk.txt, never
# a dependency of the collection. The tests build the venv themselves when it is missing or
# older than its requirements file, so plain pytest works from a fresh clone; the tests are
# part of `make emulator-test`. Included by the Makefile.

HWSDK_VENV := $(ROOT)/.venvs/huaweicloudsdk
HWSDK_STAMP := $(HWSDK_VENV)/.installed.stamp
HWSDK_REQUIREMENTS := tests/requirements/huaweicloudsdk.txt

.PHONY: hwsdk-venv hwsdk-test

$(HWSDK_STAMP): $(HWSDK_REQUIREMENTS)
	$(call venv_recipe,$(HWSDK_VENV),$(HWSDK_REQUIREMENTS))

hwsdk-venv: $(HWSDK_STAMP) ## Build .venvs/huaweicloudsdk (huaweicloudsdkims 3.1.219, for the SDK oracle tests)

hwsdk-test: $(STAMP) $(HWSDK_STAMP) collection-path ## The official SDK against the emulator (pytest tests/emulator/test_hwsdk_*.py)
	'$(VENV_PY)' -m pytest $(PYTEST_ARGS) tests/emulator/test_hwsdk_*.py
