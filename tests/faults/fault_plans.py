# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Random fault plans for the emulator, one per seed (random.Random(seed): the same seed, the same plan).

A plan mixes, each with its own odds: 500/503 answers on reads, single faults on writes (500/503
before the work, 500 or a dropped connection *after* the work - it took effect but the client cannot
know - a dropped connection before it, extra latency), 429 bursts with and without ``Retry-After``,
dropped reads, slow requests, and IAM password authentication whose token expires mid-run (a short
``--token-ttl`` or ``/_emulator/tokens/expire`` while the playbook runs). About one seed in seven
also gets a burst longer than ``retries`` on purpose: that run must fail cleanly.

Each rule carries a ``kind`` for the report; :func:`emulator_plan` strips it before the plan is sent.
"""

from __future__ import annotations

import random

# The routes of the API, as the emulator's path regular expressions.
LIST = "/v2/images"
IMAGE = "/v2/images/[^/]+"
FILE = "/v2/images/[^/]+/file"
TAG = "/v2/images/[^/]+/tags/.+"
MEMBERS = "/v2/images/[^/]+/members"
MEMBER = "/v2/images/[^/]+/members/[^/]+"
ANY = "/v2/images.*"
TOKENS = "/v3/auth/tokens"
# The native API of the native scenario: the create from a server (and its /v2.1 twin), both job reads.
NATIVE_CREATE = "/v2(\\.1)?/cloudimages/action"
SHOW_JOB = "/v1/[^/]+/jobs/[^/]+"
SHOW_JOB_PROGRESS = "/v1/cloudimages/job/[^/]+"
NATIVE_ANY = "/v2/images.*|/v2(\\.1)?/cloudimages.*|/v1/.+"
# The copy scenario's routes: its ims_endpoint has a {region} placeholder, so every IMS path has its region's
# prefix (the source's, cn-north-4, or a destination's). The copy POSTs (to another region, within one) and the
# export POST go to the source region, like the job reads; the copies are read and updated in the destinations.
COPY_REGIONS = ("cn-east-3", "cn-south-1")
_ANY_REGION = "/[a-z]+-[a-z]+-[0-9]+"
_DESTINATION = "/(%s)" % "|".join(COPY_REGIONS)
COPY_POST = _ANY_REGION + "/v1/cloudimages/[^/]+/(cross_region_copy|copy)"
EXPORT_POST = _ANY_REGION + "/v1/cloudimages/[^/]+/file"
COPY_JOB = _ANY_REGION + SHOW_JOB
COPY_JOB_PROGRESS = _ANY_REGION + SHOW_JOB_PROGRESS
DESTINATION_LIST = _DESTINATION + LIST
DESTINATION_IMAGE = _DESTINATION + IMAGE
COPY_ANY = _ANY_REGION + "(/v2/images.*|/v2(\\.1)?/cloudimages.*|/v1/.+)"
# The share scenario's routes: the batch member API (POST shares, DELETE stops sharing, PUT is a consumer's
# answer), each starting a job read like the others, the owner's native members read, and Glance's member routes
# (a consumer's single-image accept and its membership reads).
SHARE_BATCH = "/v1/cloudimages/members"
NATIVE_MEMBERS = "/v1/[^/]+/cloudimages/[^/]+/members"
SHARE_ANY = "/v2/images.*|/v1/.+"

# Tokens of the short-lived kind (auth "password-ttl") expire this many seconds after they are issued.
SHORT_TOKEN_TTL = 2

# The seeds of the short run (make test-faults-short, part of make test; also pytest tests/faults
# without FAULT_SEEDS or FAULT_SEED_START), chosen so that a few cases take every branch of a case:
#   1  lifecycle, AK/SK: reaches the intended state under 5xx, 429 and lost answers of writes;
#   2  cleanup, AK/SK: the same for the cleanup role;
#   12 native (an image made from a server, its job waited for), AK/SK: the create's connection is
#      dropped after the work (rate 0.95), so the module must find the image the create made (or,
#      while IMS does not list it yet, fail cleanly or adopt it once listed) and never make a second;
#   14 cleanup, password login whose token expires mid-run: its first DELETE gets a 503 burst one
#      longer than the retries, so that deletion fails while the others are tried, the run fails
#      cleanly, and it converges when run again.
#   40 copy (an image copied to two regions in the guide's loop, then exported), AK/SK: the copy POST's
#      answer is a 500 after the work (rate 0.94), so that copy must be found in its destination and never
#      sent again, and the export's connection is dropped after the work (0.94), so the export sent again is
#      refused as under way (IMG.0148) and its one object comes when the first's job ends.
# Seeds 1 to 4, the earlier short run, never exhaust the retries. Of seeds 1 to 40 (scenario_of: the
# multiples of 3 are native since the native scenario came; the plans of the others did not change),
# 11, 13, 14, 18, 23, 30, 31 and 36 do: 11, 13, 23 and 31 are lifecycle cases, 11 and 13 failing on an
# early listing, 18, 30 and 36 native ones, so 14 adds the cleanup role's failure after deletions were done.
# Since the copy scenario came, the multiples of 5 that are not multiples of 3 (5, 10, 20, 25, 35, 40) are copy
# cases (they were lifecycle and cleanup ones, none exhausting; the other seeds' plans did not change); of them
# 20 and 35 fail cleanly (a copy POST faulted before the work, unknown to the client, is never sent again) and
# converge; none exhausts the retries.
# Since the share scenario came, the multiples of 8 that are neither of 3 nor of 5 (8, 16, 32 of 1 to 40; they were
# cleanup cases, none exhausting; the other seeds' plans did not change) are share cases. None of those three
# faults the owner's batch POST after the work almost surely, so the short run takes seed 136:
#   136 share (images shared with two projects, each consumer accepting with its own credentials), AK/SK: the
#      owner's batch POST gets a 500 after the work (rate 0.91), so its members must be read back and the batch
#      never sent again, and the consumer's batch PUT too by chance (0.31); about 12 s.
# test_faults.py checks that these plans still mix the scenarios with an exhausting burst, a native create, a copy
# and a share batch faulted after their work (test_the_short_seeds_plan_every_branch) and that the run's cases did
# take every branch (test_the_cases_took_every_branch): when make_plan changes, pick them again.
SHORT_SEEDS = (1, 2, 12, 14, 40, 136)

# The writes of a lifecycle or cleanup run: (method, path).
WRITES = (("POST", LIST), ("PATCH", IMAGE), ("DELETE", IMAGE), ("PUT", FILE), ("POST", MEMBERS),
          ("DELETE", MEMBER), ("PUT", TAG), ("DELETE", TAG))
READS = (("GET", LIST), ("GET", IMAGE), ("GET", MEMBERS))
# Those of a native run (an image made from a server, waited for, re-run, deleted).
NATIVE_WRITES = (("POST", NATIVE_CREATE), ("DELETE", IMAGE))
NATIVE_READS = (("GET", LIST), ("GET", IMAGE), ("GET", SHOW_JOB), ("GET", SHOW_JOB_PROGRESS))
# The odds of a fault on each write route of a native run: the create always has one (by its rate), drawn
# from NATIVE_CREATE_FAULTS, where the faults after the work (the create took effect, the client cannot
# know) weigh most; the delete has the odds and faults of the other scenarios' writes.
NATIVE_WRITE_ODDS = {"POST": 1.0, "DELETE": 0.45}
# Those of a copy run (an image copied to COPY_REGIONS, its tags set there, and exported to OBS): the copy POSTs
# always have one fault (of NATIVE_CREATE_FAULTS, by its rate; one rule for both copies, so at most one of them
# is faulted), the export POST and the destinations' PATCH the other writes' odds and faults.
COPY_WRITES = (("POST", COPY_POST), ("POST", EXPORT_POST), ("PATCH", DESTINATION_IMAGE))
COPY_READS = (("GET", DESTINATION_LIST), ("GET", DESTINATION_IMAGE), ("GET", COPY_JOB), ("GET", COPY_JOB_PROGRESS))
COPY_WRITE_ODDS = {COPY_POST: 1.0, EXPORT_POST: 0.6, DESTINATION_IMAGE: 0.45}
# Those of a share run (images shared with two projects, a stranger purged; the consumers' batch and
# single accepts): the owner's batch POST always has one fault (of NATIVE_CREATE_FAULTS, by its rate), the consumer's
# batch PUT and the owner's batch DELETE (of purge_members) often, drawn from the same faults; Glance's member PUT
# (the second consumer's accept) has the other writes' odds and faults.
SHARE_WRITES = (("POST", SHARE_BATCH), ("PUT", SHARE_BATCH), ("DELETE", SHARE_BATCH), ("PUT", MEMBER))
SHARE_READS = (("GET", IMAGE), ("GET", NATIVE_MEMBERS), ("GET", MEMBER), ("GET", SHOW_JOB), ("GET", SHOW_JOB_PROGRESS))
SHARE_WRITE_ODDS = {("POST", SHARE_BATCH): 1.0, ("PUT", SHARE_BATCH): 0.7, ("DELETE", SHARE_BATCH): 0.7,
                    ("PUT", MEMBER): 0.45}
SHARE_LABELS = {("POST", SHARE_BATCH): "share-", ("PUT", SHARE_BATCH): "accept-", ("DELETE", SHARE_BATCH): "unshare-"}

# How a write fails once, and its odds (weights).
WRITE_FAULTS = (
    ("5xx-before", 3, lambda rng: {"status": rng.choice((500, 503))}),
    ("5xx-after", 3, lambda rng: {"status": 500, "after": True}),
    ("drop-before", 2, lambda rng: {"drop": True}),
    ("drop-after", 3, lambda rng: {"drop": True, "after": True}),
    ("latency", 2, lambda rng: {"latency": round(rng.uniform(0.2, 0.8), 2)}),
)

NATIVE_CREATE_FAULTS = (
    ("5xx-before", 2, WRITE_FAULTS[0][2]),
    ("5xx-after", 4, WRITE_FAULTS[1][2]),
    ("drop-before", 1, WRITE_FAULTS[2][2]),
    ("drop-after", 4, WRITE_FAULTS[3][2]),
    ("latency", 1, WRITE_FAULTS[4][2]),
)

AUTH_MODES = (("aksk", 6), ("password-expire", 2), ("password-ttl", 2))


def _weighted(rng, choices):
    total = sum(weight for _name, weight, *_rest in choices)
    pick = rng.uniform(0, total)
    for choice in choices:
        pick -= choice[1]
        if pick <= 0:
            return choice
    return choices[-1]


def scenario_of(seed):
    """The scenario of a seed: ``native`` for a multiple of 3, else ``copy`` for a multiple of 5, else ``share``
    for a multiple of 8, else ``lifecycle`` (odd) or ``cleanup`` (even)."""
    if seed % 3 == 0:
        return "native"
    if seed % 5 == 0:
        return "copy"
    if seed % 8 == 0:
        return "share"
    return "lifecycle" if seed % 2 else "cleanup"


def make_plan(seed, retries, scenario="lifecycle"):
    """The faults of ``seed`` for ``scenario``: ``{"seed", "auth", "exhaust", "latency", "rules": [{..., "kind"}]}``.

    A ``native`` plan draws the same kinds of fault, on the native routes (NATIVE_WRITES, NATIVE_READS); a ``copy``
    plan on the copy routes (COPY_WRITES, COPY_READS, with their region prefixes); a ``share`` plan on the sharing
    routes (SHARE_WRITES, SHARE_READS).
    """
    native = scenario == "native"
    copying = scenario == "copy"
    sharing = scenario == "share"
    anywhere = NATIVE_ANY if native else COPY_ANY if copying else SHARE_ANY if sharing else ANY
    rng = random.Random("%s:%d" % (scenario, seed))
    auth = _weighted(rng, AUTH_MODES)[0]
    rules = []
    exhaust = rng.random() < 0.15
    if exhaust:
        # A burst one longer than the retries, after a random number of untouched requests.
        # (Never on a native run's job reads: the waiter looks again after a read that spent its retries.
        # Nor on a share run's: there a burst on the owner's first read of each image's members, or on a batch
        # DELETE, which the module never sends again.)
        method, path, most_skipped = rng.choice(
            (("GET", COPY_ANY, 8), ("PATCH", DESTINATION_IMAGE, 0), ("GET", DESTINATION_LIST, 2)) if copying
            else (("GET", ANY, 8), ("DELETE", SHARE_BATCH, 0), ("GET", NATIVE_MEMBERS, 2)) if sharing
            else (("GET", ANY, 8), ("DELETE", IMAGE, 0), ("GET", LIST, 2)))
        status = rng.choice((429, 503)) if method == "GET" else 503
        rules.append({"kind": "exhaust-%d" % status, "method": method, "path": path,
                      "sequence": [None] * rng.randint(0, most_skipped) + [status] * (retries + 1)})
    # 429 bursts shorter than the retries (room for one more fault), with or without Retry-After (1 s).
    for _burst in range(rng.randint(1, 2)):
        with_retry_after = rng.random() < 0.5
        fault = {"status": 429, "retry_after": 1} if with_retry_after else 429
        rules.append({"kind": "429-retry-after" if with_retry_after else "429",
                      "path": anywhere, "sequence": [None] * rng.randint(0, 15) + [fault] * rng.randint(1, max(1, retries - 1))})
    # At most one fault on each write route, fired by chance.
    for method, path in NATIVE_WRITES if native else COPY_WRITES if copying else SHARE_WRITES if sharing else WRITES:
        odds = (NATIVE_WRITE_ODDS[method] if native else COPY_WRITE_ODDS[path] if copying
                else SHARE_WRITE_ODDS[method, path] if sharing else 0.45)
        if rng.random() < odds:
            faults = (NATIVE_CREATE_FAULTS if (native and method == "POST") or path in (COPY_POST, SHARE_BATCH)
                      else WRITE_FAULTS)
            kind, _weight, make = _weighted(rng, faults)
            label = ("native-create-" if native and method == "POST" else "copy-" if path == COPY_POST
                     else "export-" if path == EXPORT_POST else SHARE_LABELS.get((method, path), "write-"))
            rule = {"kind": label + kind, "method": method, "path": path, "times": 1,
                    "rate": round(rng.uniform(0.3, 1.0), 2)}
            rule.update(make(rng))
            rules.append(rule)
    # Server errors and dropped connections on reads, by rate (retried).
    for method, path in NATIVE_READS if native else COPY_READS if copying else SHARE_READS if sharing else READS:
        if rng.random() < 0.7:
            rules.append({"kind": "read-5xx", "method": method, "path": path,
                          "rate": round(rng.uniform(0.05, 0.25), 2), "status": rng.choice((500, 503))})
    if rng.random() < 0.5:
        rules.append({"kind": "read-drop", "method": "GET", "path": anywhere,
                      "rate": round(rng.uniform(0.03, 0.1), 2), "drop": True})
    if rng.random() < 0.5:
        rules.append({"kind": "slow", "path": anywhere, "rate": 0.1, "latency": round(rng.uniform(0.1, 0.5), 2)})
    if auth != "aksk" and rng.random() < 0.5:
        rules.append({"kind": "iam-5xx", "method": "POST", "path": TOKENS, "rate": 0.3, "status": 503})
    return {"seed": seed, "auth": auth, "exhaust": exhaust,
            "latency": rng.choice((0, 0, 0.01, 0.03)), "rules": rules}


def emulator_plan(plan):
    """The plan as the emulator takes it (without our ``kind`` labels)."""
    return {"seed": plan["seed"], "latency": plan["latency"],
            "rules": [{key: value for key, value in rule.items() if key != "kind"} for rule in plan["rules"]]}


def injected_by_kind(plan, answered):
    """{kind: faults injected} from the plan and the emulator's ``GET /_emulator/faults``."""
    counts = {}
    for rule, state in zip(plan["rules"], answered["rules"]):
        if state.get("injected"):
            counts[rule["kind"]] = counts.get(rule["kind"], 0) + state["injected"]
    return counts
