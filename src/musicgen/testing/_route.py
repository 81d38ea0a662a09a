"""The route table: every emulated endpoint, declared once, read by dispatch and faults alike."""

from __future__ import annotations

import abc
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx

from ._fault import OPERATIONS
from ._wire import authorized

Handler = Callable[[httpx.Request, re.Match[str]], httpx.Response]
"""Answers one routed request; the match carries the path's named groups."""

ANY_METHOD = "*"


@dataclass(frozen=True)
class Route:
    """One emulated endpoint.

    Attributes:
        provider: Who serves it; faults select it by this name.
        method: HTTP method, upper case, or ``"*"`` for any.
        path: The URL path: a string matches only itself, a pattern must fullmatch.
        handler: Answers the request.
        operation: ``"submit"``, ``"status"``, ``"balance"``, ``"audio"`` or None; faults
            select it by this name, and ``"submit"`` routes of added providers are counted.
        fallback: Tried only after every other route: a provider's answer to unknown paths.
        endpoint: The endpoint's own name (``"extend"``, ``"wav"``...): ``Fault(endpoint=...)``
            selects it, so one endpoint can fail while the others of its kind work.
    """

    provider: str
    method: str
    path: str | re.Pattern[str]
    handler: Handler
    operation: str | None = None
    fallback: bool = False
    endpoint: str | None = None
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Validate the declaration and compile an exact path into a pattern."""
        if not self.provider or not self.method:
            raise ValueError("provider and method must not be empty")
        if self.operation is not None and self.operation not in OPERATIONS:
            raise ValueError(
                f"unknown operation {self.operation!r}; use one of {sorted(OPERATIONS)} or None"
            )
        if isinstance(self.path, str):
            if not self.path.startswith("/"):
                raise ValueError(f"path must start with '/', got {self.path!r}")
            pattern = re.compile(re.escape(self.path))
        else:
            pattern = self.path
        object.__setattr__(self, "method", self.method.upper())
        object.__setattr__(self, "pattern", pattern)

    def match(self, method: str, path: str) -> re.Match[str] | None:
        """Return the path match when this route serves the request, else None."""
        if self.method not in (ANY_METHOD, method):
            return None
        return self.pattern.fullmatch(path)

    def describe(self) -> str:
        """Name the route in messages, e.g. ``POST /v1/song/generate (mureka)``."""
        path = self.path if isinstance(self.path, str) else f"re:{self.path.pattern}"
        return f"{self.method} {path} ({self.provider})"


class RouteTable:
    """Routes in the order they are tried: first match wins, fallbacks last.

    Not thread-safe by itself: the emulator reads and changes it under its lock.
    """

    def __init__(self) -> None:
        self._routes: list[Route] = []
        self._fallbacks: list[Route] = []

    def __iter__(self) -> Iterator[Route]:
        yield from self._routes
        yield from self._fallbacks

    def add(self, route: Route, *, shadowed_by: re.Pattern[str] | None = None) -> None:
        """Append a route after the others of its kind (plain or fallback).

        Args:
            route: The route to add.
            shadowed_by: A path pattern served before the whole table (media files); an exact
                path it matches could never be reached.

        Raises:
            ValueError: The route repeats a plain route's method and path, or its exact path
                is already served by an earlier plain route or by ``shadowed_by``.
        """
        if not route.fallback:
            for other in self._routes:
                if self._blocks(other, route):
                    raise ValueError(f"{route.describe()} is already routed: {other.describe()}")
        if isinstance(route.path, str) and shadowed_by and shadowed_by.fullmatch(route.path):
            raise ValueError(f"{route.describe()} is a media path, served by the emulator itself")
        (self._fallbacks if route.fallback else self._routes).append(route)

    @staticmethod
    def _blocks(earlier: Route, route: Route) -> bool:
        """Tell whether ``earlier`` would answer every request meant for ``route``."""
        if earlier.method not in (ANY_METHOD, route.method):
            return False
        if isinstance(route.path, str):
            return earlier.pattern.fullmatch(route.path) is not None
        return earlier.pattern.pattern == route.pattern.pattern

    def find(self, method: str, path: str) -> tuple[Route, re.Match[str]] | None:
        """Return the first route serving the request and its path match, or None."""
        for route in self:
            match = route.match(method, path)
            if match is not None:
                return route, match
        return None

    def operations(self) -> dict[str, set[str]]:
        """Map every provider with a route to the operations its routes declare."""
        return self._names(lambda route: route.operation)

    def endpoints(self) -> dict[str, set[str]]:
        """Map every provider with a route to the endpoint names its routes declare."""
        return self._names(lambda route: route.endpoint)

    def _names(self, name_of: Callable[[Route], str | None]) -> dict[str, set[str]]:
        served: dict[str, set[str]] = {}
        for route in self:
            names = served.setdefault(route.provider, set())
            name = name_of(route)
            if name is not None:
                names.add(name)
        return served


class BearerService(abc.ABC):
    """What an emulated provider shares: its routes check the Bearer token before answering.

    Subclasses set ``provider`` and ``_api_key`` and say how they refuse a bad key.
    """

    provider: str
    _api_key: str | None

    @abc.abstractmethod
    def unauthorized(self) -> httpx.Response:
        """The provider's answer to a missing or wrong key."""

    def bearer_route(
        self,
        method: str,
        path: str | re.Pattern[str],
        handler: Handler,
        operation: str | None = None,
        *,
        fallback: bool = False,
        endpoint: str | None = None,
    ) -> Route:
        """A route of this provider whose handler runs only with the right Bearer token."""

        def guarded(request: httpx.Request, match: re.Match[str]) -> httpx.Response:
            if not authorized(request, self._api_key):
                return self.unauthorized()
            return handler(request, match)

        return Route(
            self.provider, method, path, guarded, operation, fallback=fallback, endpoint=endpoint
        )
