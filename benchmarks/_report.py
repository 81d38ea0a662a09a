"""Result values, statistics, the printed table and the JSON report."""

from __future__ import annotations

import datetime as _dt
import math
import os
import platform
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Measure",
    "Row",
    "at_most",
    "format_table",
    "format_value",
    "loadavg",
    "machine_info",
    "percentile",
    "ratio_of",
]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation; ``values`` must not be empty."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass(frozen=True)
class Measure:
    """One side of a comparison: a headline value and how much it varied.

    Attributes:
        value: The headline number (see ``stat``).
        stat: What ``value`` is: ``"median"``, ``"mean"``, ``"p95"`` or ``"single"``.
        low: Lower bound of the spread, or None.
        high: Upper bound of the spread, or None.
        spread: What ``low``/``high`` are: ``"IQR"`` or ``"min-max"``.
        n: How many samples ``value`` summarises.
        samples: The raw samples (kept when there are few, for reanalysis).
    """

    value: float
    stat: str = "median"
    low: float | None = None
    high: float | None = None
    spread: str = "IQR"
    n: int = 1
    samples: tuple[float, ...] = ()

    @classmethod
    def median_iqr(cls, values: Sequence[float]) -> Measure:
        """Median with interquartile range; the default for timed rounds."""
        return cls(
            value=statistics.median(values),
            stat="median",
            low=percentile(values, 25),
            high=percentile(values, 75),
            spread="IQR",
            n=len(values),
            samples=tuple(values) if len(values) <= 50 else (),
        )

    @classmethod
    def of(cls, values: Sequence[float], stat: str) -> Measure:
        """``mean`` or ``p95`` (or ``median``) of ``values``, with min-max as the spread."""
        if stat == "mean":
            value = statistics.fmean(values)
        elif stat == "p95":
            value = percentile(values, 95)
        else:
            value = statistics.median(values)
        return cls(
            value=value,
            stat=stat,
            low=min(values),
            high=max(values),
            spread="min-max",
            n=len(values),
        )

    @classmethod
    def single(cls, value: float) -> Measure:
        """A value measured once."""
        return cls(value=value, stat="single", spread="", n=1)


@dataclass(frozen=True)
class Row:
    """One line of the results table.

    Attributes:
        scenario: The scenario name (``overhead``, ...).
        variant: What this line measures, e.g. ``"sync, no hooks: s per 50 generations"``.
        unit: Unit of ``sdk``/``baseline``: ``s``, ``ms``, ``req``, ``%``, ``B`` or ``""``.
        sdk: The SDK's measure, or None for a check that is only yes/no.
        baseline: The baseline's measure, if there is one.
        baseline_name: What the baseline is, e.g. ``"hand-written httpx"``.
        ratio: ``sdk / baseline`` of the headline values.
        ratio_range: Min and max of the per-round ratios, when rounds were paired.
        target: The target in words, e.g. ``"ratio <= 1.10"``; empty when informational.
        met: Whether the target was met; None when there is no target or it was skipped.
        text: Shown instead of the SDK value (for yes/no checks and skips).
        note: Anything a reader needs to interpret the row.
    """

    scenario: str
    variant: str
    unit: str = ""
    sdk: Measure | None = None
    baseline: Measure | None = None
    baseline_name: str = ""
    ratio: float | None = None
    ratio_range: tuple[float, float] | None = None
    target: str = ""
    met: bool | None = None
    text: str | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def ratio_of(sdk: Sequence[float], baseline: Sequence[float]) -> tuple[float, tuple[float, float]]:
    """Ratio of medians, plus the min and max of the per-round (paired) ratios."""
    paired = [s / b for s, b in zip(sdk, baseline, strict=True) if b > 0]
    ratio = statistics.median(sdk) / statistics.median(baseline)
    return ratio, (min(paired), max(paired)) if paired else (ratio, ratio)


def at_most(value: float | None, limit: float) -> bool | None:
    """Whether ``value <= limit`` (None when there is no value)."""
    return None if value is None else value <= limit


def format_value(value: float | None, unit: str) -> str:
    """A short human form of ``value`` in ``unit`` (bytes are scaled)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "B":
        for scale, name in ((1 << 20, "MiB"), (1 << 10, "KiB")):
            if abs(value) >= scale:
                return f"{value / scale:.1f} {name}"
        return f"{value:.0f} B"
    if unit == "s" and abs(value) < 1:
        return f"{value * 1000:.1f} ms"
    if unit == "%":
        return f"{value:.1f}%"
    digits = 2 if abs(value) < 100 else 1 if abs(value) < 1000 else 0
    return f"{value:.{digits}f} {unit}".rstrip()


def _met_text(row: Row) -> str:
    if row.met is None:
        return "-" if not row.target else "skipped"
    return "yes" if row.met else "NO (missed)"


def format_table(rows: Sequence[Row]) -> str:
    """The results as an aligned text table."""
    header = ("scenario", "variant", "SDK", "baseline", "ratio", "ratio range", "target", "met")
    lines: list[tuple[str, ...]] = [header]
    for row in rows:
        sdk = row.text if row.text is not None else format_value(_val(row.sdk), row.unit)
        base = format_value(_val(row.baseline), row.unit) if row.baseline else "-"
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
        span = f"{row.ratio_range[0]:.2f}-{row.ratio_range[1]:.2f}" if row.ratio_range else "-"
        lines.append(
            (row.scenario, row.variant, sdk, base, ratio, span, row.target or "-", _met_text(row))
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for index, line in enumerate(lines):
        out.append(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
        if index == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def _val(measure: Measure | None) -> float | None:
    return None if measure is None else measure.value


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on (the load average matters on a shared machine)."""
    import httpx

    import musicgen

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "loadavg_start": loadavg(),
        "musicgen": musicgen.__version__,
        "httpx": httpx.__version__,
        "started_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def loadavg() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, if the platform has them."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):  # not on every platform
        return None
