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
import traceback

from .control.responses import ControlSurface
from .control.urls import URL_PATHS as CONTROL_URL_PATHS
from .core.body import BodyReader
from .core.clock import Clock
from .core.exceptions import ErrorAnswer, api_not_found, internal_error
from .core.request import ANSWERED, Exchange, RequestContext
from .core.routing import Router
from .defaults import DEFAULT_QUOTA, DEFAULT_TOKEN_TTL
from .iam.auth import Authenticator
from .iam.models import IamBackend
from .iam.responses import IamResponses
from .iam.urls import URL_PATHS as IAM_URL_PATHS
from .ims.catalogue import public_catalogue
from .ims.exceptions import bad_request
from .ims.jobs import DEFAULT_JOB_SECONDS, JobBoard
from .ims.models import ImageStore
from .ims.native import NativeResponses
from .ims.native_urls import URL_PATHS as NATIVE_URL_PATHS
from .ims.resources import CloudResources
from .ims.responses import ImsResponses
from .ims.urls import URL_PATHS as IMS_URL_PATHS


class EmulatorApp:
    """The whole emulator: configuration, state, and how one API request is processed."""

    def __init__(self, accounts=None, users=None, state_file=None, token_ttl=DEFAULT_TOKEN_TTL,
                 quota=DEFAULT_QUOTA, public_images=True, verbose=False, capture=None,
                 job_seconds=DEFAULT_JOB_SECONDS):
        self.public_images = public_images
        self.verbose = verbose
        self.clock = Clock()
        if state_file:
            files_dir = state_file + ".d"
            os.makedirs(files_dir, exist_ok=True)
            self._temp_dir = None
        else:
            files_dir = self._temp_dir = tempfile.mkdtemp(prefix="ims-emulator-")
        self.store = ImageStore(self.clock, files_dir, state_file, quota)
        if not self.store.load():
            self.store.reset(self.starting_images())
        self.iam = IamBackend(self.store, self.clock, accounts, users, token_ttl)
        self.accounts = self.iam.accounts
        self.auth = Authenticator(self.iam, self.clock)
        self.router = Router()
        self.iam_responses = IamResponses(self.iam)
        self.router.bind(IAM_URL_PATHS, self.iam_responses)
        self.ims = ImsResponses(self.store, self.clock)
        self.router.bind(IMS_URL_PATHS, self.ims)
        # The native API: images made from the fake servers, volumes, backups and OBS objects, by jobs.
        self.resources = CloudResources()
        self.jobs = JobBoard(self.store, self.clock, job_seconds)
        self.native = NativeResponses(self.store, self.clock, self.resources, self.jobs)
        self.router.bind(NATIVE_URL_PATHS, self.native)
        self.ims.delete_observers.append(self.native)
        self.store.pending_images = self.jobs.pending_images  # images jobs will store count towards the quota
        self.request_hooks = []  # hook(ctx) -> an outcome that replaces the request, or None
        self.observers = []  # observer(Exchange), once a request is answered
        self.control = ControlSurface(self, CONTROL_URL_PATHS, capture)  # installs its hooks

    def set_origin(self, base_url: str) -> None:
        """The emulator's own scheme://host:port (the server's URL line), for links of requests without Host."""
        self.ims.default_origin = base_url
        self.iam_responses.default_origin = base_url

    def starting_images(self) -> list:
        return public_catalogue() if self.public_images else []

    def reset_state(self) -> None:
        """Back to the starting images, no members, tokens, jobs or fake resources, the starting quota,
        the clock unshifted."""
        self.store.reset(self.starting_images())
        self.store.quotas.reset()
        self.jobs.reset()
        self.resources.reset()
        self.clock.offset = 0.0

    def close(self) -> None:
        if self._temp_dir:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    # -- one API request ---------------------------------------------------------------
    def serve(self, method, raw_path, raw_query, headers, rfile, request_id):
        """Answer one API request read from ``rfile``: (outcome, reader).

        The outcome is a Response or DROP; ``reader`` is None when the body could not be
        read at all (a bad Content-Length): the connection must then be closed.
        """
        route, params = self.router.resolve(method, raw_path)
        ctx = reader = None
        try:
            reader = BodyReader(rfile, headers)
        except ErrorAnswer as exc:
            outcome = exc.response(request_id)
        else:
            ctx = RequestContext(method, raw_path, raw_query, headers, request_id, reader, route, params,
                                 bad_request)
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
            if ctx.route is None:
                raise api_not_found()
            if ctx.route.authenticated:
                ctx.project = self.auth.authenticate(ctx)
            self.jobs.advance()  # every request sees the jobs as the clock has moved them
            return ctx.route.handler(ctx)
        except ErrorAnswer as exc:
            return exc.response(ctx.request_id)
        # A bug of the emulator: say so, never crash.
        except Exception:  # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
            return internal_error().response(ctx.request_id)
