# The fault-injection suite (tests/faults): an image made from a server as an IMS job (seeds
# that are multiples of 3), else an image copied to two regions and exported (multiples of 5),
# else images shared in one batch and accepted by two consumers (multiples of 8),
# else the lifecycle playbook (odd seeds) or the cleanup role (even seeds) (fault_plans.scenario_of), against an emulator injecting random 500/503, 429 bursts with
# and without Retry-After, latency, dropped connections and expiring IAM tokens; one case
# per seed, its plan drawn from random.Random(seed). Included by the Makefile.
#
#   make test-faults                      FAULT_SEEDS seeds from FAULT_SEED_START
#   make test-faults FAULT_SEED_START=17 FAULT_SEEDS=1   re-run one seed
#   make test-faults-short                the short run: the seeds of fault_plans.SHORT_SEEDS
#                                         (1, 2, 12, 14, 40 and 136), chosen so that its few cases take every
#                                         branch, the retries exhausted included (documented there)
#
# Report: build/faults/report.json (seeds, outcomes, faults injected by kind, requests),
# summed up at the end of the output.

FAULT_SEEDS ?= 40
FAULT_SEED_START ?= 1

.PHONY: test-faults test-faults-short

test-faults: $(STAMP) collection-path ## Run the fault-injection suite over FAULT_SEEDS random seeds (long)
	FAULT_SEEDS='$(FAULT_SEEDS)' FAULT_SEED_START='$(FAULT_SEED_START)' \
	  '$(VENV_PY)' -m pytest $(PYTEST_ARGS) tests/faults

test-faults-short: $(STAMP) collection-path ## Run the fault-injection suite over a few seeds (part of make test)
	FAULT_SEEDS= FAULT_SEED_START= '$(VENV_PY)' -m pytest $(PYTEST_ARGS) tests/faults
