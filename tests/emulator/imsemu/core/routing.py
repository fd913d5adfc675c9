"""Routing: URL patterns bound to the functions that answer them (moto's ``urls.py`` idea).

A service's ``urls.py`` lists ``UrlPath`` entries whose ``function`` is a plain function
reference (an unbound method of the service's responses class); ``Router`` binds them to the
service's responses object. Nothing is looked up by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote


@dataclass(frozen=True)
class UrlPath:
    """One API route as a service declares it."""

    method: str
    regex: str  # must match the whole raw path
    name: str  # the route's name in statistics ("GET /v2/images/{id}")
    function: object  # function(responses, ctx) -> Response or DROP
    authenticated: bool = True
    streams_body: bool = False  # the action reads the body itself, as a stream (an upload)


@dataclass(frozen=True)
class Route:
    """A ``UrlPath`` compiled and bound: ``handler(ctx)`` answers the request."""

    method: str
    pattern: re.Pattern
    name: str
    function: object
    handler: object
    authenticated: bool = True
    streams_body: bool = False


class Router:
    """Finds the route of a request: the first of the same method whose pattern matches."""

    def __init__(self):
        self.routes = []

    def bind(self, url_paths, responses) -> None:
        """Add a service's routes, their functions bound to its ``responses`` object."""
        for path in url_paths:
            self.routes.append(Route(path.method, re.compile(path.regex), path.name, path.function,
                                     path.function.__get__(responses), path.authenticated,
                                     path.streams_body))

    def resolve(self, method: str, raw_path: str):
        """(route, params) for a request, or (None, {})."""
        for route in self.routes:
            if route.method == method:
                match = route.pattern.fullmatch(raw_path)
                if match:
                    return route, {k: unquote(v) for k, v in match.groupdict().items()}
        return None, {}
