"""Fault injection (README "Faults"): the plan the control surface sets, and its effect.

``FaultInjector`` is a request hook of ``EmulatorApp``: it runs before authentication and
any action, and either answers in the request's place, or adds per-request hooks: one that
replaces the answer once the real work is done (``after``), one the upload action calls
once the body is in (``upload_fail``), or one a native create calls as it starts its job, which
gives the job its failure (``job_fail``). The API actions never read the plan.
"""

from __future__ import annotations

import functools
import random
import re
import threading
import time
from dataclasses import dataclass

from ..core.exceptions import gateway_fault_error
from ..core.request import ANSWERED, JOB_STARTED, UPLOAD_RECEIVED
from ..core.responses import DROP
from ..core.util import is_int


@dataclass
class Fault:
    status: int | None = None
    retry_after: float | None = None
    latency: float = 0.0
    drop: bool = False
    after: bool = False
    upload_fail: bool = False
    echo: bool = False  # the error message echoes the whole request, secrets included
    job_fail: dict | None = None  # the native create's job fails: {"error_code", "fail_reason", "phase"}

    FIELDS = ("status", "retry_after", "latency", "drop", "after", "upload_fail", "echo", "job_fail")

    @classmethod
    def parse(cls, spec) -> "Fault":
        if is_int(spec):
            spec = {"status": spec}
        if not isinstance(spec, dict):
            raise ValueError("a fault is an HTTP status or an object")
        fault = cls()
        status = spec.get("status")
        if status is not None and not (is_int(status) and 100 <= status <= 599):
            raise ValueError("status must be an HTTP status code")
        fault.status = status
        for name in ("retry_after", "latency"):
            value = spec.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or value < 0):
                raise ValueError("%s must be a non-negative number" % name)
        fault.retry_after = spec.get("retry_after")
        fault.latency = float(spec.get("latency") or 0)
        for name in ("drop", "after", "upload_fail", "echo"):
            value = spec.get(name, False)
            if not isinstance(value, bool):
                raise ValueError("%s must be true or false" % name)
            setattr(fault, name, value)
        fault.job_fail = parse_job_fail(spec.get("job_fail"))
        return fault

    @property
    def answers(self) -> bool:
        """Whether this fault replaces the answer (an error or a dropped connection)."""
        return self.drop or self.status is not None


def parse_job_fail(spec) -> dict | None:
    """``job_fail``: true, or ``{"error_code", "fail_reason", "phase": "RUNNING"|"INIT"}`` (each optional)."""
    if spec is None or spec is False:
        return None
    if spec is True:
        spec = {}
    if not isinstance(spec, dict) or set(spec) - {"error_code", "fail_reason", "phase"}:
        raise ValueError('job_fail is true or {"error_code", "fail_reason", "phase"}')
    failure = {"error_code": spec.get("error_code", "IMG.0014"),
               "fail_reason": spec.get("fail_reason", "The job failed (injected fault)."),
               "phase": spec.get("phase", "RUNNING")}
    if not all(isinstance(failure[k], str) and failure[k] for k in ("error_code", "fail_reason")):
        raise ValueError("job_fail error_code and fail_reason must be non-empty strings")
    if failure["phase"] not in ("INIT", "RUNNING"):
        raise ValueError("job_fail phase must be INIT or RUNNING")
    return failure


class FaultRule:
    def __init__(self, spec: dict):
        if not isinstance(spec, dict):
            raise ValueError("a rule is an object")
        self.spec = spec
        self.method = spec.get("method")
        if self.method is not None and not isinstance(self.method, str):
            raise ValueError("method must be a string")
        path = spec.get("path")
        if path is not None and not isinstance(path, str):
            raise ValueError("path must be a string")
        try:
            self.path = re.compile(path) if path is not None else None
        except re.error as exc:
            raise ValueError("path is not a regular expression: %s" % exc) from None
        self.rate = spec.get("rate", 1)
        if isinstance(self.rate, bool) or not isinstance(self.rate, (int, float)) or not 0 <= self.rate <= 1:
            raise ValueError("rate must be a number from 0 to 1")
        self.times = spec.get("times")
        if self.times is not None and not (is_int(self.times) and self.times >= 0):
            raise ValueError("times must be a non-negative integer")
        sequence = spec.get("sequence")
        if sequence is not None and not isinstance(sequence, list):
            raise ValueError("sequence must be a list")
        self.sequence = None if sequence is None else \
            [None if entry is None else Fault.parse(entry) for entry in sequence]
        self.fault = Fault.parse({k: v for k, v in spec.items() if k in Fault.FIELDS})
        self.position = 0
        self.injected = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or self.path.fullmatch(path) is not None

    def fire(self, rng: random.Random) -> Fault | None:
        """The fault for one matching request, or None if the rule does not fire."""
        if self.times is not None and self.injected >= self.times:
            return None
        if self.sequence is not None:
            if self.position >= len(self.sequence):
                return None
            fault = self.sequence[self.position]
            self.position += 1
        elif self.rate >= 1 or rng.random() < self.rate:
            fault = self.fault
        else:
            fault = None
        if fault is not None:
            self.injected += 1
        return fault


class FaultPlan:
    """The fault plan of the control surface (README "Faults")."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.seed = None
            self.latency = 0.0
            self.rules = []
            self.rng = random.Random()

    def set(self, plan) -> None:
        if not isinstance(plan, dict):
            raise ValueError("the plan is an object")
        latency = plan.get("latency", 0) or 0
        if isinstance(latency, bool) or not isinstance(latency, (int, float)) or latency < 0:
            raise ValueError("latency must be a non-negative number")
        rules = plan.get("rules", [])
        if not isinstance(rules, list):
            raise ValueError("rules must be a list")
        parsed = [FaultRule(rule) for rule in rules]
        with self.lock:
            self.seed = plan.get("seed")
            self.latency = float(latency)
            self.rules = parsed
            self.rng = random.Random(self.seed)

    def pick(self, method: str, path: str) -> Fault | None:
        """The fault of the first matching rule that fires."""
        with self.lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    fault = rule.fire(self.rng)
                    if fault is not None:
                        return fault
        return None

    def describe(self) -> dict:
        with self.lock:
            rules = [dict(rule.spec, injected=rule.injected) for rule in self.rules]
            return {"seed": self.seed, "latency": self.latency, "rules": rules}


def fault_answer(fault: Fault, ctx):
    """What a fault answers in the request's place: DROP, or a gateway-shaped error."""
    if fault.drop:
        return DROP
    error = gateway_fault_error(fault.status)
    if fault.echo:
        error.message = "%s Request: %s" % (error.message, ctx.echo())
    if fault.retry_after is not None:
        value = fault.retry_after
        error.headers.append(("Retry-After", str(int(value)) if float(value).is_integer() else str(value)))
    return error.response(ctx.request_id)


def upload_fault_answer(fault: Fault, ctx, _outcome=None):
    """The upload itself fails (the action kills the image): DROP, or the fault's status (500)."""
    if fault.drop:
        return DROP
    return gateway_fault_error(fault.status or 500).response(ctx.request_id)


class FaultInjector:
    """The request hook that applies a ``FaultPlan`` to every API request."""

    def __init__(self, plan: FaultPlan, sleep=time.sleep):
        self.plan = plan
        self.sleep = sleep

    def __call__(self, ctx):
        """An outcome that replaces the request, or None to let it go on."""
        plan_latency = self.plan.latency
        if plan_latency:
            self.sleep(plan_latency)
        fault = self.plan.pick(ctx.method, ctx.raw_path)
        if fault is None:
            return None
        if fault.latency:
            self.sleep(fault.latency)
        if fault.upload_fail and ctx.route is not None and ctx.route.streams_body:
            ctx.add_hook(UPLOAD_RECEIVED, functools.partial(upload_fault_answer, fault))
            return None
        if fault.job_fail is not None:  # the request goes on; the job it starts (if any) will fail
            ctx.add_hook(JOB_STARTED, lambda _request, _outcome: dict(fault.job_fail))
        if not fault.answers:
            return None
        if not fault.after:
            return fault_answer(fault, ctx)
        ctx.add_hook(ANSWERED, lambda request, _outcome: fault_answer(fault, request))
        return None
