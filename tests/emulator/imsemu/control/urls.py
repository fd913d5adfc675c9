"""The control surface's calls: (method, path) -> the ``ControlSurface`` method that answers it."""

from dataclasses import dataclass

from .responses import ControlSurface


@dataclass(frozen=True)
class ControlCall:
    function: object  # function(surface, body, region) -> the JSON answer (region: a regions.Region)
    takes_body: bool = False  # the call reads a JSON body (else the body is ignored)


URL_PATHS = {
    ("GET", "/_emulator/stats"): ControlCall(ControlSurface.get_stats),
    ("POST", "/_emulator/stats/reset"): ControlCall(ControlSurface.reset_stats),
    ("POST", "/_emulator/faults"): ControlCall(ControlSurface.set_faults, takes_body=True),
    ("DELETE", "/_emulator/faults"): ControlCall(ControlSurface.clear_faults),
    ("GET", "/_emulator/faults"): ControlCall(ControlSurface.get_faults),
    ("POST", "/_emulator/seed"): ControlCall(ControlSurface.seed, takes_body=True),
    ("GET", "/_emulator/images"): ControlCall(ControlSurface.images),
    ("POST", "/_emulator/reset"): ControlCall(ControlSurface.reset),
    ("POST", "/_emulator/clock"): ControlCall(ControlSurface.set_clock, takes_body=True),
    ("POST", "/_emulator/tokens/expire"): ControlCall(ControlSurface.expire_tokens),
    ("GET", "/_emulator/resources"): ControlCall(ControlSurface.resources),
    ("GET", "/_emulator/jobs"): ControlCall(ControlSurface.jobs),
    ("POST", "/_emulator/jobs/config"): ControlCall(ControlSurface.configure_jobs, takes_body=True),
    ("POST", "/_emulator/jobs/finish"): ControlCall(ControlSurface.finish_jobs, takes_body=True),
    ("GET", "/_emulator/quota"): ControlCall(ControlSurface.get_quota),
    ("POST", "/_emulator/quota"): ControlCall(ControlSurface.set_quota, takes_body=True),
    ("GET", "/_emulator/regions"): ControlCall(ControlSurface.get_regions),
    ("GET", "/_emulator/agencies"): ControlCall(ControlSurface.get_agencies),
    ("POST", "/_emulator/agencies"): ControlCall(ControlSurface.seed_agencies, takes_body=True),
}
