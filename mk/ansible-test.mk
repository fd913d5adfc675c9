# ansible-test sanity and units on every ansible-core line the collection supports
# (meta/runtime.yml: >=2.18.0). Included by the Makefile.
#
#   line  controller venv       Python  pinned in
#   2.18  .venvs/core-2.18      3.11    tests/requirements/core-2.18.txt
#   2.19  .venv                 3.11    requirements-dev.txt (the tools of every target)
#   2.20  .venvs/core-2.20      3.12    tests/requirements/core-2.20.txt
#
# `make sanity` / `make units` run every line of CORE_LINES; `make sanity-2.20` etc.
# one line. `make sanity CORE_LINES=2.19` runs fewer. ansible-core 2.20 needs a
# Python 3.12 controller: python3.12 on PATH if it runs (pyenv shims of a version
# that is not selected do not), else the newest pyenv 3.12.x; PYTHON312=/path/to/python3.12
# overrides. Without one, the 2.20 targets fail and say so: a gate never skips a line.
#
# Each venv is (re)installed only when its requirements file changes (stamp file).
# ansible-test itself builds, and caches under ~/.ansible/test/venv, one venv per
# sanity test, Python and requirements; it bootstraps pip into them with a get-pip
# script that it would download from a host CI cannot reach, so each run first
# writes an offline stand-in for the pip version that line asks for
# (.ci/get_pip_standin.py).

CORE_LINES_SUPPORTED := 2.18 2.19 2.20
CORE_LINES ?= $(CORE_LINES_SUPPORTED)
ifneq ($(filter-out $(CORE_LINES_SUPPORTED),$(CORE_LINES)),)
  $(error CORE_LINES may only list $(CORE_LINES_SUPPORTED); got "$(CORE_LINES)")
endif
PYTHON312 ?=
UNITS_ARGS ?=
comma := ,

VENVS := $(ROOT)/.venvs

# Per line: controller venv, its stamp, its requirements file, and the Python
# version ansible-test runs with (`--python`; it must be the venv's own version,
# or ansible-test looks for pythonX.Y on PATH and finds pyenv shims).
CORE_VENV_2.19 := $(VENV)
CORE_STAMP_2.19 := $(STAMP)
CORE_PY_2.19 := $(SANITY_PYTHON)

CORE_VENV_2.18 := $(VENVS)/core-2.18
CORE_STAMP_2.18 := $(CORE_VENV_2.18)/.installed.stamp
CORE_REQS_2.18 := tests/requirements/core-2.18.txt
CORE_PY_2.18 := $(SANITY_PYTHON)

CORE_VENV_2.20 := $(VENVS)/core-2.20
CORE_STAMP_2.20 := $(CORE_VENV_2.20)/.installed.stamp
CORE_REQS_2.20 := tests/requirements/core-2.20.txt
CORE_PY_2.20 := 3.12

# ansible-test needs a real directory named ansible_collections/<ns>/<name> (it
# resolves symlinks), so each line runs on its own fresh copy of the work tree,
# build/ansible-test/core-<line>/ansible_collections/hwcloud/ims.
# ANSIBLE_TEST_CONTENT_ROOT pins it to that copy: otherwise it walks up to this
# repository's .git, asks git for the files under build/ (ignored, so none) and
# skips every test. The copy is refreshed on every run, except its tests/output
# (ansible-test's results and its delegation venv, kept to save ~30 s a run; per
# line, since each line's venv holds that line's ansible-core).
ANSIBLE_TEST_ROOT := $(BUILD)/ansible-test
ansible_test_copy = $(ANSIBLE_TEST_ROOT)/core-$(1)/ansible_collections/hwcloud/ims

# $(call ansible_test,LINE,COMMAND ARGS...): refresh LINE's copy, write the get-pip
# stand-in, and run `ansible-test COMMAND --venv --python X.Y ARGS` there with
# LINE's ansible-test. The work tree's collection path and interpreter settings
# (PYTHONPATH etc., exported by the Makefile for the other targets) are dropped:
# the copy is the collection under test.
define ansible_test
	@v=$$('$(CORE_VENV_$(1))/bin/python' -c 'import sys; print("Python %d.%d" % sys.version_info[:2])' 2>/dev/null) \
	  || v='no working Python'; \
	if [ "$$v" != 'Python $(CORE_PY_$(1))' ]; then \
	  echo "ERROR: $(CORE_VENV_$(1)) has $$v; ansible-core $(1) is tested here with Python $(CORE_PY_$(1))." >&2; \
	  echo "Delete that venv (rm -rf '$(CORE_VENV_$(1))') and re-run, or set SANITY_PYTHON / PYTHON to match." >&2; \
	  exit 1; \
	fi
	mkdir -p '$(call ansible_test_copy,$(1))/tests'
	find '$(call ansible_test_copy,$(1))' -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
	find '$(call ansible_test_copy,$(1))/tests' -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
	tar -C '$(ROOT)' -cf - \
	  --anchored --exclude=./.venv --exclude=./.venvs --exclude=./build --exclude=./.git \
	  --exclude=./tests/output --exclude=./.ansible \
	  --no-anchored --exclude=__pycache__ --exclude=.pytest_cache --exclude='*.pyc' \
	  --exclude='*.tar.gz' \
	  . | tar -C '$(call ansible_test_copy,$(1))' -xf -
	'$(CORE_VENV_$(1))/bin/python' .ci/get_pip_standin.py '$(CORE_PY_$(1))'
	cd '$(call ansible_test_copy,$(1))' && \
	  env -u PYTHONPATH -u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_PYTHON_INTERPRETER \
	  PATH='$(CORE_VENV_$(1))/bin':"$$PATH" ANSIBLE_TEST_CONTENT_ROOT='$(call ansible_test_copy,$(1))' \
	  '$(CORE_VENV_$(1))/bin/ansible-test' $(word 1,$(2)) --venv --python '$(CORE_PY_$(1))' $(wordlist 2,$(words $(2)),$(2))
endef

# $(call core_venv,LINE,PYTHON-FINDER): the recipe of LINE's stamp. PYTHON-FINDER is
# shell code that sets $$py to the interpreter to build the venv with (or exits).
# An existing venv is reused when its Python still runs and has the right version.
define core_venv
	@if ! '$(CORE_VENV_$(1))/bin/python' -c 'import sys; sys.exit(sys.version_info[:2] != ($(subst .,$(comma) ,$(CORE_PY_$(1)))))' >/dev/null 2>&1; then \
	  $(2); \
	  echo ">>> creating $(CORE_VENV_$(1)) for ansible-core $(1) with $$py ($$("$$py" --version 2>&1))"; \
	  rm -rf '$(CORE_VENV_$(1))'; \
	  "$$py" -m venv '$(CORE_VENV_$(1))'; \
	fi
	'$(CORE_VENV_$(1))/bin/python' -m pip install --quiet --disable-pip-version-check -r '$(CORE_REQS_$(1))'
	@touch '$@'
endef

# Sets $$py to the first of the candidates that runs and is Python X.Y, or fails
# saying what to set. $(call find_python,X.Y,CANDIDATES,HOW-TO-FIX)
find_python = py=; for c in $(2); do \
	    if "$$c" -c 'import sys; sys.exit(sys.version_info[:2] != ($(subst .,$(comma) ,$(1))))' >/dev/null 2>&1; then \
	      py=$$c; break; \
	    fi; \
	  done; \
	  if [ -z "$$py" ]; then \
	    echo "ERROR: no working Python $(1) found (tried: $$(echo $(2)))." >&2; \
	    echo "$(strip $(3))" >&2; \
	    exit 1; \
	  fi

# Python 3.12 for ansible-core 2.20: PYTHON312 if set (and only it), else
# python3.12 on PATH, else the newest pyenv 3.12.x.
# pyenv's root: PYENV_ROOT, else what `pyenv root` says, else ~/.pyenv.
PYTHON312_CANDIDATES = $(if $(PYTHON312),'$(PYTHON312)',python3.12 \
	  $$(root=$${PYENV_ROOT:-$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv")}; \
	     ls -d "$$root"/versions/3.12*/bin/python3.12 2>/dev/null | sort -urV || true))

$(CORE_STAMP_2.18): $(CORE_REQS_2.18)
	$(call core_venv,2.18,$(call find_python,$(CORE_PY_2.18),'$(PYTHON)',\
	  ansible-core 2.18 is tested with the Python of PYTHON ($(PYTHON)); set PYTHON=python$(CORE_PY_2.18)$(comma) or run with CORE_LINES without 2.18.))

$(CORE_STAMP_2.20): $(CORE_REQS_2.20)
	$(call core_venv,2.20,$(call find_python,3.12,$(PYTHON312_CANDIDATES),\
	  ansible-core 2.20 needs Python 3.12: set PYTHON312=/path/to/python3.12$(comma) or leave 2.20 out: make ... CORE_LINES='2.18 2.19'.))

.PHONY: sanity units $(foreach line,$(CORE_LINES_SUPPORTED),sanity-$(line) units-$(line)) \
        distclean-venvs

sanity: $(addprefix sanity-,$(CORE_LINES)) ## Run ansible-test sanity on every ansible-core line of CORE_LINES
units: $(addprefix units-,$(CORE_LINES)) ## Run ansible-test units on every ansible-core line of CORE_LINES

sanity-2.18: $(CORE_STAMP_2.18) ## ansible-test sanity on ansible-core 2.18 (Python 3.11)
	$(call ansible_test,2.18,sanity $(SANITY_ARGS))
sanity-2.19: $(CORE_STAMP_2.19) ## ansible-test sanity on ansible-core 2.19 (Python 3.11, .venv)
	$(call ansible_test,2.19,sanity $(SANITY_ARGS))
sanity-2.20: $(CORE_STAMP_2.20) ## ansible-test sanity on ansible-core 2.20 (Python 3.12)
	$(call ansible_test,2.20,sanity $(SANITY_ARGS))

units-2.18: $(CORE_STAMP_2.18) ## ansible-test units on ansible-core 2.18 (Python 3.11)
	$(call ansible_test,2.18,units $(UNITS_ARGS))
units-2.19: $(CORE_STAMP_2.19) ## ansible-test units on ansible-core 2.19 (Python 3.11, .venv)
	$(call ansible_test,2.19,units $(UNITS_ARGS))
units-2.20: $(CORE_STAMP_2.20) ## ansible-test units on ansible-core 2.20 (Python 3.12)
	$(call ansible_test,2.20,units $(UNITS_ARGS))

# `make distclean` also removes the venvs of the other ansible-core lines.
distclean: distclean-venvs
distclean-venvs:
	rm -rf $(foreach line,$(CORE_LINES_SUPPORTED),$(if $(filter $(VENVS)/%,$(CORE_VENV_$(line))),'$(CORE_VENV_$(line))'))
