"""Every endpoint of the built-in drivers is emulated and reachable from both clients.

An endpoint is a public driver method returning an ``Operation``. Adding one means a route in
the emulator and a line in each namespace; these tests name whatever was forgotten.
"""

from __future__ import annotations

import inspect

import pytest

from musicgen import MurekaProvider, SunoProvider
from musicgen._namespaces import (
    AsyncMurekaCalls,
    AsyncSunoCalls,
    MurekaCalls,
    SunoCalls,
    endpoints_of,
)
from musicgen.testing import Emulator

# generate takes a GenerationRequest: client.generate and client.submit are its sugar.
NOT_IN_NAMESPACES = {"generate"}
# Endpoints that share another's path and method, so one emulated route serves both.
SHARED_ROUTES = {"isolate_stem": "separate"}
# The bases hold the helpers that build operations, not endpoints.
BASES = {"ProviderBase", "SunoBase", "MurekaBase"}

DRIVERS = {"suno": SunoProvider, "mureka": MurekaProvider}
NAMESPACES = {"suno": (SunoCalls, AsyncSunoCalls), "mureka": (MurekaCalls, AsyncMurekaCalls)}


def endpoints(driver: type) -> set[str]:
    found = set()
    for name, member in inspect.getmembers(driver, inspect.isfunction):
        returns = str(member.__annotations__.get("return", ""))
        owner = member.__qualname__.split(".")[0]
        if not name.startswith("_") and returns.startswith("Operation[") and owner not in BASES:
            found.add(name)
    return found


@pytest.mark.parametrize("provider", sorted(DRIVERS))
def test_the_drivers_have_the_endpoints_of_the_reference(provider: str) -> None:
    # A floor, not a census: guards the discovery below against matching nothing.
    assert len(endpoints(DRIVERS[provider])) >= 20


@pytest.mark.parametrize("provider", sorted(DRIVERS))
def test_every_driver_endpoint_is_emulated(provider: str) -> None:
    emulated = Emulator().endpoints()[provider]
    routed = {SHARED_ROUTES.get(name, name) for name in endpoints(DRIVERS[provider])}
    assert routed - emulated == set()


@pytest.mark.parametrize("provider", sorted(DRIVERS))
@pytest.mark.parametrize("kind", [0, 1], ids=["sync", "async"])
def test_every_driver_endpoint_is_in_the_clients_namespace(provider: str, kind: int) -> None:
    namespace = NAMESPACES[provider][kind]
    missing = {
        name
        for name in endpoints(DRIVERS[provider]) - NOT_IN_NAMESPACES
        if name not in endpoints_of(namespace)
    }
    assert missing == set()
