"""Code as a user writes it, checked by ``mypy --strict`` (``nox -s typing``, CI).

Nothing here is asserted by pytest except that it runs (``test_user_code.py``): the point is
that this reads like an application and type-checks without a cast or an ignore. Each
``assert_type`` pins what mypy infers for a public call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import httpx
from typing_extensions import assert_type

from musicgen import (
    AsyncMusicGenClient,
    Balance,
    Generation,
    GenerationFailedError,
    GenerationTimeoutError,
    InsufficientCreditsError,
    Lyrics,
    ModelCatalog,
    ModelInfo,
    MurekaOptions,
    MurekaProvider,
    MusicGenClient,
    MusicGenError,
    Operation,
    PollPolicy,
    Provider,
    ProviderBase,
    RetryPolicy,
    Stems,
    SubmissionUncertainError,
    SunoOptions,
    SunoProvider,
    TaskSpec,
    TaskStatus,
    Track,
    Upload,
    ValidationError,
)
from musicgen.cache import Cache, DiskCache, MemoryCache, TieredCache
from musicgen.observability import Event, LoggingHook, MetricsHook, MetricsSnapshot

log = logging.getLogger("myapp")


# -- hooks: any callable taking one Event ---------------------------------------------------------


class SlowCallAlert:
    """A hook as a class: remembers calls slower than a threshold."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.slow: list[str] = []

    def __call__(self, event: Event) -> None:
        if event.duration is not None and event.duration > self.threshold:
            self.slow.append(event.name)


def log_failures(event: Event) -> None:
    """A hook as a function."""
    if event.error is not None:
        log.warning("%s failed on %s: %s", event.name, event.provider, event.error)


# -- clients: providers in a variable, hooks, cache, policies --------------------------------------


def build_client(
    base_url: str, cache_dir: Path, http: httpx.Client | None = None
) -> MusicGenClient:
    """The blocking client as an app configures it."""
    providers = [
        SunoProvider(api_key="suno-key", base_url=base_url),
        MurekaProvider(api_key="mureka-key", base_url=base_url),
    ]
    cache: Cache = TieredCache(MemoryCache(maxsize=50), DiskCache(cache_dir / "cache.sqlite3"))
    return MusicGenClient(
        providers=providers,
        default_provider="suno",
        http_client=http,
        retry=RetryPolicy(attempts=3, wait_initial=0, wait_max=0, wait_jitter=0),
        poll=PollPolicy(interval=0, timeout=60),
        hooks=[LoggingHook(), log_failures, SlowCallAlert(threshold=30.0), MetricsHook()],
        cache=cache,
    )


def providers_from_config(names: Sequence[str], base_url: str) -> list[Provider]:
    """Providers picked at run time, annotated with the protocol."""
    drivers: list[Provider] = []
    for name in names:
        if name == "suno":
            drivers.append(SunoProvider(api_key="suno-key", base_url=base_url))
        else:
            drivers.append(MurekaProvider(api_key="mureka-key", base_url=base_url))
    return drivers


def make_songs(client: MusicGenClient, out: Path) -> list[Path]:
    """Generate, look at the results, use the other endpoints, download."""
    song = client.generate(
        lyrics="[Verse]\nNeon rain on an empty street",
        style="synthwave, female vocals",
        title="Neon Rain",
        provider="suno",
        model="v4.5+",
        options=SunoOptions(negative_tags="metal", style_weight=0.6),
    )
    assert_type(song, Generation)
    assert_type(song.status, TaskStatus)
    assert_type(song.tracks, tuple[Track, ...])
    first = song.tracks[0]
    assert_type(first.duration, float | None)
    assert_type(first.audio_url, str | None)
    seconds = first.duration or 0.0

    mureka = client.generate(
        prompt="dream pop", lyrics="[Verse]\nla la", provider="mureka", options=MurekaOptions(n=1)
    )
    queued = client.submit("a calm lo-fi beat", provider="suno")
    finished = client.wait(queued, timeout=120)
    again = client.get(finished.task_id, provider="suno")
    assert_type(again, Generation)
    batch = client.generate_many(
        ["rain", {"provider": "mureka", "lyrics": "[Verse]\nla"}], provider="suno", concurrency=2
    )
    assert_type(batch, list[Generation | MusicGenError])

    longer = client.extend(
        song, at=seconds / 2, lyrics="[Verse]\nmore", style="synthwave", title="II"
    )
    assert_type(longer, Generation)
    stems = client.separate(longer)
    assert_type(stems, Stems)
    drafts = client.lyrics("a song about the sea", provider="suno")
    assert_type(drafts, tuple[Lyrics, ...])
    wav = client.convert(longer.tracks[0])
    assert_type(wav, Track)
    upload = client.upload(b"RIFF....", provider="suno", filename="take.wav")
    assert_type(upload, Upload)
    balance = client.balance("suno")
    assert_type(balance, Balance)
    video = client.suno.with_options(timeout=120).music_video(longer.tracks[0])
    print(video.url, mureka.model, upload.url, balance.amount, drafts[0].text, wav.wav_url)

    metrics = client.metrics()
    assert_type(metrics, MetricsSnapshot)
    paths = [client.download(track, out) for track in song.tracks]
    assert_type(paths, list[Path])
    return paths


def handle_errors(client: MusicGenClient) -> Generation | None:
    """Every failure a caller tells apart."""
    try:
        return client.generate("a calm tune", provider="suno", timeout=30)
    except ValidationError as error:
        log.error("bad input in %s: %s", error.field, error)
    except InsufficientCreditsError as error:
        log.error("top up %s: %s", error.provider, error.message)
    except SubmissionUncertainError as error:
        log.error("may have started, not resent: %s", error)
    except GenerationTimeoutError as error:
        if error.task_id is not None:
            return client.wait(error.task_id, provider=error.provider)
    except GenerationFailedError as error:
        log.error("task %s failed: %s", error.task_id, error)
    except MusicGenError as error:
        log.error("%s: %s", type(error).__name__, error)
    return None


# -- the async client ---------------------------------------------------------------------------


async def make_songs_async(client: AsyncMusicGenClient, prompts: Sequence[str]) -> list[str]:
    """Several generations at once."""
    songs = await asyncio.gather(*(client.generate(p, provider="suno") for p in prompts))
    assert_type(songs, list[Generation])
    stems = await client.separate(songs[0], mode="vocals")
    assert_type(stems, Stems)
    balance = await client.suno.balance()
    assert_type(balance, Balance)
    return [song.task_id for song in songs]


def build_async_client(base_url: str, http: httpx.AsyncClient) -> AsyncMusicGenClient:
    """The async client, providers in a variable."""
    providers = [SunoProvider(api_key="k", base_url=base_url), MurekaProvider(api_key="k")]
    return AsyncMusicGenClient(providers=providers, http_client=http, poll=PollPolicy(interval=0))


# -- a custom provider --------------------------------------------------------------------------


@attrs.frozen
class Remix:
    """A task result: the fields of a ``musicgen.TaskSnapshot``, plus the audio."""

    task_id: str
    provider: str
    status: TaskStatus
    provider_status: str
    error: str | None = None
    audio_url: str | None = None


class AcmeProvider(ProviderBase):
    """A third party's remix API."""

    name = "acme"
    catalog = ModelCatalog("acme", default="remix-1", models=[ModelInfo("remix-1")])
    env_vars = ("ACME_API_KEY",)
    default_base_url = "https://api.acme.test"

    def remix(self, source_url: str, *, style: str) -> Operation[Remix]:
        request = self.http_request("POST", "/v1/remix", json={"url": source_url, "style": style})
        task = TaskSpec(read=self.remix_status, result_type=Remix)
        return self.operation("remix", request, self._remix, paid=True, task=task)

    def remix_status(self, task_id: str) -> Operation[Remix]:
        request = self.http_request("GET", f"/v1/remix/{task_id}")
        task = TaskSpec(read=self.remix_status, task_id=task_id, result_type=Remix)
        return self.operation("remix_status", request, self._remix, task=task)

    def _remix(self, response: httpx.Response) -> Remix:
        body: Any = self.unwrap(response)
        status = {"done": TaskStatus.SUCCEEDED}.get(body["status"], TaskStatus.RUNNING)
        return Remix(body["id"], self.name, status, body["status"], audio_url=body.get("url"))


def run_custom(http: httpx.Client, suno_url: str, acme_url: str) -> str | None:
    """A custom provider beside the built-in ones, in one list."""
    acme = AcmeProvider(api_key="acme-key", base_url=acme_url)
    providers = [SunoProvider(api_key="k", base_url=suno_url), acme]
    poll = PollPolicy(interval=0)
    with MusicGenClient(providers=providers, http_client=http, poll=poll) as client:
        remix = client.run(acme.remix("https://example.com/a.mp3", style="dub"), timeout=60)
        assert_type(remix, Remix)
        queued = client.run(acme.remix("https://example.com/b.mp3", style="dub"), wait=False)
        assert_type(queued, Remix)
        return remix.audio_url
