"""``EmulatorApp``: the whole emulator in process, without any socket.

It holds the configuration and the state (clock, image store, IAM), routes an API request
to its action, authenticates it, and offers the hooks through which the control surface
(``control/``) works: request hooks (run before anything else; one may answer in the
request's place), per-request hooks (``RequestContext.add_hook``) and observers (they see
every answered request). ``core.server`` puts it on HTTP. (``harness.Emulator``, in the test
trees, is the handle of an emulator *process*; this is the application inside it.)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import traceback

from .control.responses import ControlSurface
from .control.urls import URL_PATHS as CONTROL_URL_PATHS
from .core.body import BodyReader
from .core.clock import Clock
from .core.exceptions import ErrorAnswer, GatewayErrorAnswer, api_not_found, internal_error
from .core.request import ANSWERED, Exchange, RequestContext
from .defaults import DEFAULT_QUOTA, DEFAULT_TOKEN_TTL
from .iam.auth import Authenticator
from .iam.models import IamBackend
from .iam.responses import IamResponses
from .ims.catalogue import public_catalogue
from .ims.exceptions import bad_request
from .ims.jobs import DEFAULT_JOB_SECONDS
from .regions import Regions
from .state import StateFile


class EmulatorApp:
    """The whole emulator: configuration, state, and how one API request is processed.

    The state is per region (``regions.py``: a ``Region`` bundles a store, jobs, resources and the
    services on them) but IAM's; ``store``, ``jobs``, ``resources``, ``ims``, ``native`` and
    ``router`` are the default region's.
    """

    def __init__(self, accounts=None, users=None, state_file=None, token_ttl=DEFAULT_TOKEN_TTL,
                 quota=DEFAULT_QUOTA, public_images=True, verbose=False, capture=None,
                 job_seconds=DEFAULT_JOB_SECONDS, regions=None):
        self.public_images = public_images
        self.verbose = verbose
        self.quota = quota
        self.job_seconds = job_seconds
        self.clock = Clock()
        self.lock = threading.RLock()  # every region's store and the tokens: one state, one file
        self.default_origin = "http://localhost"
        if state_file:
            self.files_dir = state_file + ".d"
            os.makedirs(self.files_dir, exist_ok=True)
            self._temp_dir = None
        else:
            self.files_dir = self._temp_dir = tempfile.mkdtemp(prefix="ims-emulator-")
        self.state = StateFile(state_file)
        self._loading = True  # no write while the state is being built
        self.regions = Regions(regions, self)
        self.iam = IamBackend(self.clock, accounts, users, token_ttl, self.regions.names, self.lock, self.save_state)
        self.accounts = self.iam.accounts
        self.auth = Authenticator(self.iam, self.clock)
        self.iam_responses = IamResponses(self.iam, self.auth)
        saved = self.state.read(self.regions.default_name)
        if saved is not None:
            self.iam.restore_tokens(saved["tokens"])
            self.regions.restore(saved["regions"])
        self.regions.default  # pylint: disable=pointless-statement  # built now (fresh: the starting images)
        self._loading = False
        if saved is None:
            self.save_state()
        self.request_hooks = []  # hook(ctx) -> an outcome that replaces the request, or None
        self.observers = []  # observer(Exchange), once a request is answered
        self.control = ControlSurface(self, CONTROL_URL_PATHS, capture)  # installs its hooks

    # The default region's parts, by their old names.
    store = property(lambda self: self.regions.default.store)
    jobs = property(lambda self: self.regions.default.jobs)
    resources = property(lambda self: self.regions.default.resources)
    ims = property(lambda self: self.regions.default.ims)
    native = property(lambda self: self.regions.default.native)
    router = property(lambda self: self.regions.default.router)

    def region(self, name=None):
        """The region ``name`` (None: the default); ValueError for a region the emulator does not have."""
        if name is None:
            return self.regions.default
        if name not in self.regions.known:
            raise ValueError(unknown_region_message(name, self.regions.names))
        return self.regions.get(name)

    def save_state(self) -> None:
        """Write the whole state (``--state``): the tokens and every region built so far."""
        if self.state.path and not self._loading:
            with self.lock:
                self.state.write(self.iam.tokens, {name: r.store for name, r in self.regions.built.items()})

    def set_origin(self, base_url: str) -> None:
        """The emulator's own scheme://host:port (the server's URL line), for links of requests without Host."""
        self.default_origin = base_url
        for region in self.regions.built.values():
            region.ims.default_origin = base_url
        self.iam_responses.default_origin = base_url

    def starting_images(self) -> list:
        return public_catalogue() if self.public_images else []

    def reset_state(self) -> None:
        """Every region back to its starting images, no members, jobs or fake resources, the starting quota;
        no tokens, no seeded agencies; the clock unshifted."""
        with self.lock:
            self._loading = True
            try:
                for region in self.regions.built.values():
                    region.reset(self.starting_images())
                self.iam.clear_tokens()
                self.iam.agencies.reset()
            finally:
                self._loading = False
            self.save_state()
        self.clock.offset = 0.0

    def close(self) -> None:
        if self._temp_dir:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    # -- one API request ---------------------------------------------------------------
    def serve(self, method, raw_path, raw_query, headers, rfile, request_id, authority=None):
        """Answer one API request read from ``rfile``: (outcome, reader).

        ``authority``: the host of an absolute-form target (a request sent through a proxy); one
        that names a region (``ims.cn-east-3.myhuaweicloud.com``) chooses it for a path without prefix.

        The outcome is a Response or DROP; ``reader`` is None when the body could not be
        read at all (a bad Content-Length): the connection must then be closed.
        """
        region, path, prefix = self.regions.split(raw_path)
        if authority and not prefix and region is not None:
            region = self.regions.of_host(authority) or region
        route, params = region.router.resolve(method, path) if region is not None else (None, {})
        ctx = reader = None
        try:
            reader = BodyReader(rfile, headers)
        except ErrorAnswer as exc:
            outcome = exc.response(request_id)
        else:
            ctx = RequestContext(method, raw_path, raw_query, headers, request_id, reader, route, params,
                                 bad_request)
            if region is not None:
                ctx.region, ctx.region_name, ctx.prefix = region, region.name, prefix
            else:
                ctx.region_name = path  # the unknown region's name
            outcome = self.process(ctx)
        exchange = Exchange(method, raw_path, raw_query, headers, request_id, route, ctx, outcome)
        for observer in self.observers:
            observer(exchange)
        return outcome, reader

    def process(self, ctx: RequestContext):
        """Answer one API request: a Response, or DROP."""
        for hook in self.request_hooks:
            outcome = hook(ctx)
            if outcome is not None:
                return outcome
        return ctx.run_hooks(ANSWERED, self.dispatch(ctx))

    def dispatch(self, ctx: RequestContext):
        """Authenticate the request and run its action; every error becomes its answer."""
        try:
            if ctx.region is None:
                raise GatewayErrorAnswer(404, "APIGW.0101", unknown_region_message(ctx.region_name, self.regions.names))
            if ctx.route is None:
                raise api_not_found()
            if ctx.route.authenticated:
                ctx.project = self.auth.authenticate(ctx)
            ctx.region.jobs.advance()  # every request sees the jobs as the clock has moved them
            return ctx.route.handler(ctx)
        except ErrorAnswer as exc:
            return exc.response(ctx.request_id)
        # A bug of the emulator: say so, never crash.
        except Exception:  # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
            return internal_error().response(ctx.request_id)


def unknown_region_message(name: str, names) -> str:
    return "The region %s is not one of the emulator's regions (%s)." % (name, ", ".join(names))
