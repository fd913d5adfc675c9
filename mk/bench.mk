# The performance benchmark (docs/performance.md): tests/bench/run_bench.py against local IMS
# emulators. Prints a table of every figure with its target and PASS/MISS, and writes
# the samples, the machine and its load to build/bench/results.json. About 5 minutes on
# a quiet 2-core machine; BENCH_QUICK=1 runs a smaller check of the benchmark itself, and
# BENCH_ONLY (listing, unchanged, cleanup, forks, peer, native, copies, lookup, publish; comma-separated) a choice of rows.
# What the rows mean, and the figures of a reference run: docs/performance.md.

# Row 5 (tests/bench/peer.py) runs openstack.cloud from .venvs/peer (tests/requirements/peer.txt)
# against the pinned Glance of mk/glance.mk; BENCH_ONLY=peer runs that row alone.

PEER_VENV := $(ROOT)/.venvs/peer
PEER_STAMP := $(PEER_VENV)/.installed.stamp
PEER_REQS := tests/requirements/peer.txt

.PHONY: bench peer-venv

$(PEER_STAMP): $(PEER_REQS)
	$(call venv_recipe,$(PEER_VENV),$(PEER_REQS))

peer-venv: $(PEER_STAMP) ## Install the benchmark's peer (ansible with openstack.cloud, openstacksdk) into .venvs/peer

bench: $(STAMP) collection-path glance-venv $(PEER_STAMP) ## Run the performance benchmark (BENCH_QUICK=1: a smaller check; BENCH_ONLY=peer: one row), table + build/bench/results.json
	PYTHONPATH='$(PYTHONPATH):$(ROOT)/tests/glance' GLANCE_VENV='$(GLANCE_VENV)' PEER_VENV='$(PEER_VENV)' \
	  '$(VENV_PY)' tests/bench/run_bench.py
