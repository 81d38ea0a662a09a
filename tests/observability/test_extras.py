"""A missing optional dependency names the extra that installs it."""

from __future__ import annotations

import sys

import pytest


@pytest.mark.parametrize("name", ["SentryHook", "init_sentry", "install_scrubber"])
def test_sentry_names_without_sentry_sdk_say_which_extra_to_install(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # what `import` sees when it is absent
    monkeypatch.delitem(sys.modules, "musicgen.observability._sentry", raising=False)
    import musicgen.observability

    with pytest.raises(ModuleNotFoundError, match=r"pip install 'musicgen-sdk\[sentry\]'"):
        getattr(musicgen.observability, name)
