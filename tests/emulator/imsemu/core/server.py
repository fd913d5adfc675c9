"""The HTTP plumbing: ``EmulatorHTTPServer`` puts an ``EmulatorApp`` on HTTP/1.1 (or HTTPS).

It reads requests, hands API requests to ``app.serve()`` and control calls (``/_emulator/...``)
to ``app.control.handle()``, and writes the answers: X-Request-Id on each, the rest of a
request body drained first, dropped connections, and http.server's own errors in the
gateway's shape. It knows no service.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import sys
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .body import CHUNK, BodyEndedEarly, BodyReader
from .exceptions import ErrorAnswer
from .responses import DROP, Response

TLS_HANDSHAKE_TIMEOUT = 10  # seconds a client has to complete the TLS handshake
MAX_CONTROL_BODY = 256 * 1024 * 1024  # seeding many images at once
DRAIN_LIMIT = 256 * 1024 * 1024  # unread body we still read (and drop) before answering


class RequestHandler(BaseHTTPRequestHandler):
    """One connection: every method goes to ``_dispatch``, then to the API or the control surface."""

    protocol_version = "HTTP/1.1"
    server_version = "ims-emulator/1.0"
    sys_version = ""
    timeout = 120  # seconds of silence before a kept-alive connection is closed

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            # The TLS handshake happens here, in the connection's own thread (not in
            # accept()), so a client that never finishes it cannot stall the server.
            self.request.settimeout(TLS_HANDSHAKE_TIMEOUT)
            self.request.do_handshake()
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def app(self):
        return self.server.app

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _dispatch(self):
        target = self.path
        authority = None
        if target.startswith(("http://", "https://")):  # absolute-form request target (a client's proxy)
            rest = target.split("://", 1)[1]
            authority = rest.split("/", 1)[0]
            target = rest[rest.find("/"):] if "/" in rest else "/"
        raw_path, _mark, raw_query = target.partition("?")
        if is_control_path(raw_path):
            self._control(raw_path, raw_query)
        else:
            self._api(raw_path, raw_query, authority)

    def _control(self, raw_path, raw_query):
        request_id = uuid.uuid4().hex
        try:
            reader = BodyReader(self.rfile, self.headers)
            body = reader.read_all(MAX_CONTROL_BODY)
            response = self.app.control.handle(self.command, raw_path, body, raw_query)
        except ErrorAnswer as exc:
            response = Response.json(exc.status, {"error": exc.message})
            self.close_connection = True
        except BodyEndedEarly as exc:
            response = Response.json(400, {"error": str(exc)})
            self.close_connection = True
        except Exception:  # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
            response = Response.json(500, {"error": "internal error of the emulator"})
        self._send(response, request_id, None)
        self._log_line(raw_path, response.status)

    def _api(self, raw_path, raw_query, authority=None):
        request_id = uuid.uuid4().hex
        outcome, reader = self.app.serve(self.command, raw_path, raw_query, self.headers, self.rfile, request_id,
                                         authority)
        if reader is None:  # the body could not be read: nothing more can be read on this connection
            self.close_connection = True
        status = 0 if outcome is DROP else outcome.status
        if outcome is DROP:
            self._drop()
        else:
            self._send(outcome, request_id, reader)
        self._log_line(raw_path, status)

    def _send(self, response: Response, request_id: str, reader: BodyReader | None):
        # Read what is left of the request body first, so the client sees the answer.
        if reader is not None and not reader.complete:
            if reader.truncated or not reader.drain(DRAIN_LIMIT):
                self.close_connection = True
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            self.send_header("X-Request-Id", request_id)
            if response.file_path is not None:
                handle = open(response.file_path, "rb")
                length = os.fstat(handle.fileno()).st_size
            else:
                handle = None
                length = len(response.body)
            if response.status != 204 and response.status >= 200:
                self.send_header("Content-Length", str(length))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command == "HEAD":
                return
            if handle is not None:
                with handle:
                    shutil.copyfileobj(handle, self.wfile, CHUNK)
            elif response.body:
                self.wfile.write(response.body)
        except (ConnectionError, BrokenPipeError, socket.timeout):
            self.close_connection = True

    def _drop(self):
        """Close the connection without answering."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send_error(self, code, message=None, explain=None):
        """Errors of http.server itself (malformed request line, headers...): gateway JSON."""
        request_id = uuid.uuid4().hex
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # an unparseable request line: answer in HTTP/1.1
            self.request_version = "HTTP/1.1"
        body = json.dumps({"error_code": "APIGW.0201", "error_msg": message or "Bad request",
                           "request_id": request_id}).encode()
        try:
            self.send_response(code, message)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("X-Request-Id", request_id)
            self.send_header("Connection", "close")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(body)
        except OSError:
            pass

    def log_request(self, code="-", size="-"):
        pass  # one line per request comes from _log_line (with --verbose)

    def log_message(self, format, *args):  # noqa: A002 - the signature of http.server
        if self.app.verbose:
            sys.stderr.write("%s\n" % (format % args))

    def _log_line(self, raw_path, status):
        if self.app.verbose:
            sys.stderr.write("%s %s %s\n" % (self.command, raw_path, status))
            sys.stderr.flush()


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app, tls_context: ssl.SSLContext | None = None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, RequestHandler)
        self.app = app
        self.scheme = "http"
        if tls_context is not None:
            self.socket = tls_context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
            self.scheme = "https"
        app.set_origin(self.base_url)

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout, ssl.SSLError)):
            return  # the client went away, or refused the certificate during the handshake
        super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1" if host == "0.0.0.0" else "::1"
        if ":" in host:
            host = "[%s]" % host
        return "%s://%s:%d" % (self.scheme, host, port)


def is_control_path(raw_path: str) -> bool:
    """``/_emulator/...``, or ``/<region>/_emulator/...`` (a region's control calls)."""
    head, _sep, rest = raw_path[1:].partition("/")
    return head == "_emulator" or ("-" in head and (rest == "_emulator" or rest.startswith("_emulator/")))


def tls_server_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    """The server side TLS context of --tls-cert/--tls-key (TLS 1.2 or later)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context
