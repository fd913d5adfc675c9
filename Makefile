# Build and test tooling of the hwcloud.ims collection. `make help` lists the targets.
#
# Every target installs what it needs itself (the .venv stamp and the venvs of
# mk/*.mk), so `make check` and `make test` work on a fresh clone. What that needs:
# Python 3.11 with pip and venv (PYTHON, the .venv and ansible-core 2.18/2.19), and
# for ansible-core 2.20 a Python 3.12 (python3.12 on PATH, pyenv's newest 3.12, or
# PYTHON312=/path/to/python3.12: see mk/ansible-test.mk); GNU make, bash and tar.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# Targets run one after the other, so `make test` stops at the first failure
# even under `make -j`.
.NOTPARALLEL:
MAKEFLAGS += --no-builtin-rules

ROOT := $(CURDIR)
PYTHON ?= python3
# The Python ansible-test runs with on the ansible-core 2.18 and 2.19 lines (2.20:
# 3.12); without --python it picks up pyenv shims of interpreters that are not
# installed and fails. ansible-test's targets and their lines: mk/ansible-test.mk.
SANITY_PYTHON ?= 3.11
PYTEST_ARGS ?= -ra
PYTEST_WORKERS ?= 2
SANITY_ARGS ?=
LINT_ARGS ?=

VENV := $(ROOT)/.venv
VENV_BIN := $(VENV)/bin
VENV_PY := $(VENV_BIN)/python
STAMP := $(VENV)/.installed.stamp

BUILD := $(ROOT)/build
# Collection search path for Python (PYTHONPATH, and pytest.ini's pythonpath) and ansible
# (ANSIBLE_COLLECTIONS_PATH): build/collections/ansible_collections/hwcloud/ims is a
# symlink to this work tree, so tests always see the current files, with nothing copied.
COLLECTIONS := $(BUILD)/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/hwcloud/ims
TMP := $(BUILD)/tmp
DIST := $(BUILD)/dist
# The version of the collection: galaxy.yml's (hacking/check_version.py checks that
# plugins/module_utils/_version.py says the same), and the tarball `make dist` builds.
VERSION_GALAXY := $(shell sed -n 's/^version:[[:space:]]*//p' galaxy.yml)
TARBALL := $(DIST)/hwcloud-ims-$(VERSION_GALAXY).tar.gz

# Environment of everything run below: venv tools first on PATH, the collection
# loadable from the work tree, private Ansible temp folders, and modules run by
# the venv's Python (it has requests) on the implicit localhost. PYTHONPATH holds
# what pytest.ini's pythonpath gives the tests (the collection, tests/ for the
# support package, tests/emulator for harness), for the scripts run below outside
# pytest (tests/bench/run_bench.py); pytest itself needs none of it.
export PATH := $(VENV_BIN):$(PATH)
export PYTHONPATH := $(COLLECTIONS):$(ROOT)/tests:$(ROOT)/tests/emulator
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_LOCAL_TEMP := $(TMP)/ansible-local
export ANSIBLE_REMOTE_TMP := $(TMP)/ansible-remote
export ANSIBLE_PYTHON_INTERPRETER := $(VENV_PY)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
unexport VIRTUAL_ENV PYTHONHOME

.PHONY: help venv collection-path check unit emulator-unit answer-shapes emulator-test journeys integration sanity lint \
        changelog-lint changelog release-notes docs-lint doc-paths version-check dist installed-test test demo clean distclean

help: ## List the targets
	@echo 'Targets of the hwcloud.ims Makefile:'
	@grep -hE '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) \
	  | awk 'BEGIN {FS = ":.*## "}; {printf "  %-15s %s\n", $$1, $$2}'
	@echo 'Variables: PYTHON=$(PYTHON) SANITY_PYTHON=$(SANITY_PYTHON) CORE_LINES="$(CORE_LINES)" PYTHON312=$(PYTHON312) UNITS_ARGS="$(UNITS_ARGS)" PYTEST_ARGS="$(PYTEST_ARGS)" PYTEST_WORKERS=$(PYTEST_WORKERS) JOURNEY_WORKERS=$(JOURNEY_WORKERS) SANITY_ARGS="$(SANITY_ARGS)" LINT_ARGS="$(LINT_ARGS)"'

venv: $(STAMP) collection-path ## Create .venv with requirements-dev.txt and the build/collections symlink

# $(call venv_recipe,VENV,REQUIREMENTS): the recipe of a venv's stamp file: create VENV
# with $(PYTHON) unless it exists, install REQUIREMENTS into it, touch the stamp. A stamp
# depends on its requirements files, so a venv is reinstalled only when they change.
define venv_recipe
@if [ ! -x '$(1)/bin/python' ]; then \
  echo ">>> creating $(1) with $(PYTHON) ($$($(PYTHON) --version 2>&1))"; \
  mkdir -p '$(dir $(1))'; \
  $(PYTHON) -m venv '$(1)'; \
fi
'$(1)/bin/python' -m pip install --quiet --disable-pip-version-check -r '$(2)'
@touch '$@'
endef

$(STAMP): requirements-dev.txt requirements.txt
	$(call venv_recipe,$(VENV),requirements-dev.txt)

# Cheap and idempotent, so it runs every time (build/ may have been cleaned
# while .venv stayed).
# The link is relative (build/collections/ansible_collections/hwcloud/ims -> ../../../..), so a
# moved or copied clone runs its own files, never those of the tree it came from; an old
# absolute link is replaced on the next run of any target.
collection-path:
	@mkdir -p '$(dir $(COLLECTION_LINK))' '$(ANSIBLE_LOCAL_TEMP)' '$(ANSIBLE_REMOTE_TMP)'
	@ln -sfn ../../../.. '$(COLLECTION_LINK)'

# The edit-test loop: the gates that take seconds, each on its own, none starting an
# emulator or an ansible process. What each runs and how long: TESTING.md.
check: unit emulator-unit answer-shapes version-check lint docs-lint doc-paths changelog-lint ## The quick gates (about a minute): unit tests, emulator unit tests, answer shapes, version, lint, docs-lint, doc-paths, changelog-lint

unit: $(STAMP) collection-path ## Run the unit tests (pytest tests/unit)
	'$(VENV_PY)' -m pytest $(PYTEST_ARGS) tests/unit

# The emulator's in-process tests (no emulator process, no HTTP).
emulator-unit: $(STAMP) collection-path ## Run the emulator's in-process tests (pytest tests/emulator/unit)
	'$(VENV_PY)' -m pytest $(PYTEST_ARGS) tests/emulator/unit

# Every module in process against the emulator in process, with each JSON answer broken in
# every way a broken gateway could (null, another type, dropped, the wrong body).
answer-shapes: $(STAMP) collection-path ## Run the answer-shape test of every module (pytest tests/mutations)
	'$(VENV_PY)' -m pytest $(PYTEST_ARGS) tests/mutations

emulator-test: $(STAMP) collection-path ## Run the emulator's own tests (pytest tests/emulator)
	'$(VENV_PY)' -m pytest $(PYTEST_ARGS) --ignore=tests/emulator/unit tests/emulator

# The journeys spend their time in ansible processes and in the emulator's jobs, so they run on
# JOURNEY_WORKERS pytest-xdist workers (each with its own emulator; 3 on 2 cores: 9 min 17 s for
# 531 tests, against 11 min with 2); 1 runs them in order.
JOURNEY_WORKERS ?= 3
journeys: $(STAMP) collection-path ## Run the journeys: ansible and ansible-playbook against the emulator (pytest tests/journeys)
	'$(VENV_PY)' -m pytest $(PYTEST_ARGS) $(if $(filter-out 0 1,$(JOURNEY_WORKERS)),-n '$(JOURNEY_WORKERS)') tests/journeys

# The earlier name of `journeys` (tests/journeys was tests/integration).
integration: journeys

# sanity (ansible-test sanity) and units (ansible-test units), each on every
# ansible-core line, and their per-line targets: see mk/ansible-test.mk.

lint: $(STAMP) collection-path ## Run ansible-lint --offline --profile production
	ansible-lint --offline --profile production $(LINT_ARGS)

# CHANGELOG.md is generated from changelogs/changelog.yaml; the check regenerates it
# into build/tmp and fails when the committed file differs (edited by hand, or a
# release without `make changelog`).
changelog-lint: $(STAMP) collection-path ## Check the fragments, changelog.yaml, and that CHANGELOG.md is up to date
	antsibull-changelog lint
	antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
	mkdir -p '$(TMP)'
	antsibull-changelog generate --output '$(TMP)/CHANGELOG.md'
	diff -u CHANGELOG.md '$(TMP)/CHANGELOG.md' \
	  || { echo 'CHANGELOG.md is out of date: run make changelog' >&2; exit 1; }

changelog: $(STAMP) collection-path ## Regenerate CHANGELOG.md from changelogs/changelog.yaml
	antsibull-changelog generate

# A release: the fragments of changelogs/fragments/ become the release VERSION
# (default: galaxy.yml's version) in changelog.yaml and CHANGELOG.md.
release-notes: $(STAMP) collection-path ## Turn the fragments into the release notes of VERSION (default galaxy.yml's)
	antsibull-changelog release $(if $(VERSION),--version '$(VERSION)')

# Without this tree's collection on the paths: lint-collection-docs copies the collection to a
# temporary folder and asks ansible-doc there; with ANSIBLE_COLLECTIONS_PATH/PYTHONPATH set it
# finds the modules through build/collections instead, writes the temporary path into the
# edit-on-GitHub link, and fails when that random folder name ends in "_" (an RST reference).
docs-lint: $(STAMP) collection-path ## Check plugin documentation markup (antsibull-docs, and markup that ends too early)
	env -u ANSIBLE_COLLECTIONS_PATH -u PYTHONPATH antsibull-docs lint-collection-docs --plugin-docs .
	'$(VENV_PY)' hacking/docs_markup_check.py

doc-paths: ## Check that the Markdown pages link to and cite only files the tree has
	'$(PYTHON)' hacking/check_doc_paths.py

version-check: $(STAMP) ## Check that plugins/module_utils/_version.py has galaxy.yml's version
	'$(VENV_PY)' hacking/check_version.py

# The only recipe that builds the tarball; installed-test and ee install what it built.
dist: $(STAMP) collection-path ## Build the collection tarball into build/dist
	rm -rf '$(DIST)'
	mkdir -p '$(DIST)'
	ansible-galaxy collection build --force --output-path '$(DIST)' .
	test -f '$(TARBALL)'

# The collection as users get it: the built tarball, installed into a clean path (with
# nothing of the work tree on the paths), its docs found there, and an ad-hoc run of a
# module from it against a seeded emulator.
INSTALLED := $(BUILD)/installed
installed-test: $(STAMP) collection-path dist ## Install the tarball into a clean path, run a module from it
	rm -rf '$(INSTALLED)'
	mkdir -p '$(TMP)'
	ansible-galaxy collection install --force -p '$(INSTALLED)' '$(TARBALL)'
	PYTHONPATH= ANSIBLE_COLLECTIONS_PATH='$(INSTALLED)' ansible-doc hwcloud.ims.ims_image_info \
	  | head -n 1 | grep -F '$(INSTALLED)/ansible_collections/hwcloud/ims/plugins/modules/ims_image_info.py'
	PYTHONPATH= ANSIBLE_COLLECTIONS_PATH='$(INSTALLED)' '$(VENV_PY)' tests/emulator/run_with_emulator.py --seed-demo -- \
	  ansible localhost -m hwcloud.ims.ims_image_info -a 'imagetype=private status=killed' > '$(TMP)/installed-adhoc.txt'
	cat '$(TMP)/installed-adhoc.txt'
	grep -q '"name": "demo-web-broken-build"' '$(TMP)/installed-adhoc.txt'

# More targets live in mk/*.mk, one file per concern.
include $(sort $(wildcard mk/*.mk))

# The quick gates first, then the slow ones; the first failure stops the run.
test: check emulator-test journeys glance-test test-faults-short sanity units docs ee installed-test ## Run every check: check, then the slow gates (stops at the first failure)

demo: $(STAMP) collection-path ## Run demo/demo.yml against a fresh, seeded in-memory emulator
	ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
	  '$(VENV_PY)' tests/emulator/run_with_emulator.py --seed-demo -- ansible-playbook demo/demo.yml

clean: ## Remove build/, test output, caches and built tarballs (keeps .venv)
	rm -rf '$(BUILD)' tests/output .ansible .pytest_cache
	find . -path ./.venv -prune -o -path ./.venvs -prune -o -path ./.git -prune -o \
	  \( -name __pycache__ -o -name .pytest_cache \) -type d -print0 | xargs -0 rm -rf
	rm -f hwcloud-ims-*.tar.gz

distclean: clean ## clean, and remove .venv and every tool venv under .venvs (Glance, the SDKs, the peer, ansible-core lines)
	rm -rf '$(VENV)' '$(ROOT)/.venvs'
