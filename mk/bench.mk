# The performance benchmark (docs/performance.md): tests/bench/run_bench.py against local IMS
# emulators. Prints a table of every figure with its target and PASS/MISS, and writes
# the samples, the machine and its load to build/bench/results.json. About 5 minutes on
# a quiet 2-core machine; BENCH_QUICK=1 runs a smaller check of the benchmark itself.
# What the rows mean, and the figures of a reference run: docs/performance.md.

.PHONY: bench

bench: $(STAMP) collection-path ## Run the performance benchmark (BENCH_QUICK=1: a smaller check), table + build/bench/results.json
	'$(VENV_PY)' tests/bench/run_bench.py
