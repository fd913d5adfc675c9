# The journeys against a real OpenStack Glance (tests/glance; docs/dev/glance.md). Included
# by the Makefile.
#
#   make glance-test    install the pinned Glance into .venvs/glance (once; again when
#                       tests/requirements/glance.txt changes), then run tests/glance:
#                       each pytest worker serves its own Glance on loopback (sqlite, the
#                       file store, no Keystone, one process and one thread) and stops and
#                       removes it at the end, whatever the outcome
#   make glance-venv    only the install (about a minute on a fresh clone)
#
# The venv is Glance's own, never the collection's: the collection is tested against it
# from outside, over HTTP, as against IMS.

GLANCE_VENV := $(ROOT)/.venvs/glance
GLANCE_STAMP := $(GLANCE_VENV)/.installed.stamp
GLANCE_REQS := tests/requirements/glance.txt

.PHONY: glance-venv glance-test

$(GLANCE_STAMP): $(GLANCE_REQS)
	$(call venv_recipe,$(GLANCE_VENV),$(GLANCE_REQS))

glance-venv: $(GLANCE_STAMP) ## Install the pinned OpenStack Glance into .venvs/glance

glance-test: $(STAMP) collection-path $(GLANCE_STAMP) ## Run the journeys against a real OpenStack Glance on loopback (tests/glance)
	GLANCE_VENV='$(GLANCE_VENV)' '$(VENV_PY)' -m pytest $(PYTEST_ARGS) \
	  $(if $(filter-out 0 1,$(PYTEST_WORKERS)),-n '$(PYTEST_WORKERS)') tests/glance
