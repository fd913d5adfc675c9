# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Row 8 of the benchmark: the hwcloud.ims.image lookup with most_recent among 5,000 images.

``ansible localhost -m debug -a "msg={{ lookup('hwcloud.ims.image', name=..., most_recent=true) }}"``
against an emulator holding 5,000 images of that name (each a second older than the one before):
the requests it makes (one: sorted newest first, ``limit=1``) and its wall time against
``ansible localhost -m debug -a msg=x`` (at most 1.2x), medians of interleaved rounds as in row 6.
"""

from __future__ import annotations

from harness import Emulator

from benchlib import QUICK, REPEAT, Failed, adhoc_result, base_env, log, median, seconds, timed

from support.runner import ANSIBLE

IMAGES = 500 if QUICK else 5000
NAME = "bench-lookup"
SECTION = "8 lookup, most_recent among %d images" % IMAGES
TARGET = 1.2
# Two commands of about 1 s each: a median of 7 rounds (5 with BENCH_QUICK), the first round a warm-up.
ROUNDS = 2 * REPEAT + 1


def bench_lookup(table, results):
    with Emulator.start() as emu:
        ids = emu.seed(images=[{"name": NAME, "age_seconds": index} for index in range(IMAGES)])
        env = base_env(emu.env())
        lookup = [ANSIBLE, "localhost", "-m", "ansible.builtin.debug", "-a",
                  "msg={{ lookup('hwcloud.ims.image', name='%s', most_recent=true) }}" % NAME]
        debug = [ANSIBLE, "localhost", "-m", "ansible.builtin.debug", "-a", "msg=x"]
        commands = {"lookup": lookup, "debug": debug}
        samples = {kind: [] for kind in commands}
        requests, queries = [], []
        for rep in range(ROUNDS + 1):
            order = list(commands)[rep % 2:] + list(commands)[:rep % 2]
            for kind in order:
                emu.reset_stats()
                took, completed = timed(commands[kind], env)
                if kind == "lookup":
                    status, result = adhoc_result(completed.stdout)
                    if status != "SUCCESS" or result.get("msg") != ids[0]:
                        raise Failed("the lookup did not give the newest image %s: %s %r" % (ids[0], status, result))
                    stats = emu.stats()
                    requests.append(stats["total"])
                    queries.extend(entry["query"] for entry in stats["log"])
                if rep:
                    samples[kind].append(took)
    lookup_s, debug_s = median(samples["lookup"]), median(samples["debug"])
    ratio = lookup_s / debug_s
    one = all(count == 1 for count in requests) and all("limit=1" in query for query in queries)
    table.add(SECTION, "requests per lookup (limit=1, newest first)", " ".join(sorted({str(c) for c in requests})),
              "1", one)
    table.add(SECTION, "lookup wall time / `ansible -m debug -a msg=x`",
              "%s / %s = %.2fx" % (seconds(lookup_s), seconds(debug_s), ratio), "<= %.1fx" % TARGET, ratio <= TARGET)
    results["lookup"] = {"images": IMAGES, "requests": requests, "queries": sorted(set(queries)), "lookup_s": lookup_s,
                         "debug_s": debug_s, "ratio": ratio, "samples": samples}
    log("lookup: %s requests; %.2f s against debug %.2f s (%.2fx)" % (requests, lookup_s, debug_s, ratio))
