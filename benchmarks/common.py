"""Shared pieces: the result model, timing helpers, machine description, CPU pinning."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("scrapy", "twisted", "lxml", "trafilatura", "duckdb", "pyarrow", "dateparser")
# What the benchmarks measure (a change there changes the numbers).
PROJECT_CODE = ("newsdesk", "spiders", "pipelines", "pyproject.toml", "uv.lock")


# --------------------------------------------------------------------------- results


@dataclass
class Table:
    """A Markdown table: a title, column headers and rows of already formatted cells."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)
    note: str = ""


@dataclass
class Target:
    """A target from the issue and whether this run met it (``None``: not measured)."""

    name: str
    goal: str
    measured: str
    met: bool | None


@dataclass
class Section:
    """One benchmark's results: method, tables, targets, and notes (profiles, findings)."""

    key: str
    title: str
    method: str
    tables: list[Table] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duration_s: float = 0.0


# --------------------------------------------------------------------------- formatting


def fmt(value: float, digits: int = 3) -> str:
    """A number with ``digits`` significant digits (thousands separated when large)."""
    if value == 0:
        return "0"
    if abs(value) >= 10 ** (digits - 1):
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def fmt_ratio(value: float) -> str:
    """A ratio such as ``1.23x``."""
    return f"{value:.2f}x" if value < 100 else f"{value:,.0f}x"


def fmt_ms(seconds: float) -> str:
    """Seconds shown as milliseconds (or microseconds when tiny)."""
    if seconds < 0.001:
        return f"{seconds * 1e6:.1f} µs"
    return f"{fmt(seconds * 1000)} ms"


def fmt_bytes(n: float) -> str:
    """A byte count in KiB / MiB / GiB."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(n) >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n:.0f} B"


def fmt_pct(value: float) -> str:
    """A share in [0, 1] as a percentage."""
    return f"{value * 100:.1f}%"


# --------------------------------------------------------------------------- timing


def median(values: Sequence[float]) -> float:
    """The median (a single value is its own median)."""
    return float(statistics.median(values))


def time_call(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall times (seconds) of ``runs`` calls of ``fn``."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


@contextmanager
def pinned_to_one_core() -> Iterator[int]:
    """Run the block on a single CPU (``os.sched_setaffinity``); yields the CPU number.

    The last CPU the process may use is chosen; the previous affinity is restored.
    """
    before = os.sched_getaffinity(0)
    cpu = max(before)
    os.sched_setaffinity(0, {cpu})
    try:
        yield cpu
    finally:
        os.sched_setaffinity(0, before)


# --------------------------------------------------------------------------- machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def load_average() -> str:
    """The 1/5/15-minute load averages (other work on the machine skews timings)."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def code_version() -> str:
    """The commit measured, and whether project code had uncommitted changes."""
    import subprocess

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", *PROJECT_CODE)
    return f"{commit} (uncommitted changes in project code)" if dirty else commit


def machine_info() -> dict[str, str]:
    """Date, machine and software versions, for the report header."""
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": f"{os.cpu_count()} logical CPUs ({len(os.sched_getaffinity(0))} usable)",
        "memory": f"{_memory_bytes() / 2**30:.1f} GiB",
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "libraries": ", ".join(versions),
        "load": load_average(),
        "commit": code_version(),
        "executable": sys.executable,
    }
