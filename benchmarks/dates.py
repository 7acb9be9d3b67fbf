"""Benchmark 5: date normalization throughput, and the worst case on adversarial inputs.

Throughput (one pinned core, dates/s over distinct strings) of the two paths a
page's dates take:

* display dates, ``newsdesk.normalize.parse_display_date``: the site's two forms
  (``5 Apr 2023 15:23``, ``2024-01-15 12:24``) take the regex fast path; any
  other form goes to one shared ``dateparser`` instance;
* metadata dates, ``newsdesk.normalize.parse_iso_utc`` (``2024-07-30T23:15:00+03:00``).

Baselines in the same run: ``datetime.strptime`` / ``datetime.fromisoformat``
(the floor: parsing only, no time zone handling, no validation) and
``dateparser.parse`` called the plain way (what one would write without the fast
path: a new parse with default settings per call).

Adversarial inputs: each bad string is timed call by call (the median of 5
calls of the same string, so one scheduler hiccup does not count as the string's
cost); the worst case is the slowest string. Then random strings (up to 64
characters, built from digits, month names, separators and garbage) are fuzzed
through ``parse_display_date``.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from benchmarks.common import (
    Section,
    Table,
    Target,
    fmt,
    fmt_ms,
    fmt_ratio,
    median,
    pinned_to_one_core,
)

WORST_CASE_TARGET_S = 0.010  # "milliseconds": 10 ms per call at most
LONG_LIMIT = 1_000_000  # inputs up to this many characters count for the target
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_FULL = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def sample_instants(n: int, seed: int = 3) -> list[datetime]:
    """``n`` random minutes in 2014-2025 (naive, read as Beirut wall time)."""
    rng = random.Random(seed)
    start = datetime(2014, 1, 1)
    span = 12 * 365 * 24 * 60
    return [start + timedelta(minutes=rng.randrange(span)) for _ in range(n)]


def inputs(n: int) -> dict[str, list[str]]:
    """Date strings of each form, ``n`` of each, all distinct."""
    when = sample_instants(n)
    return {
        "display `5 Apr 2023 15:23`": [
            f"{t.day} {MONTH_ABBR[t.month - 1]} {t.year} {t.hour:02d}:{t.minute:02d}" for t in when
        ],
        "display `2024-01-15 12:24`": [t.strftime("%Y-%m-%d %H:%M") for t in when],
        "display, other form `April 5, 2023 3:23 PM` (dateparser)": [
            f"{MONTH_FULL[t.month - 1]} {t.day}, {t.year} {(t.hour % 12) or 12}:{t.minute:02d} "
            f"{'AM' if t.hour < 12 else 'PM'}"
            for t in when
        ],
        "metadata ISO `2024-07-30T23:15:00+03:00`": [
            t.strftime("%Y-%m-%dT%H:%M:00+03:00") for t in when
        ],
    }


def _rate(fn: Callable[[str], object], values: list[str]) -> float:
    t0 = time.perf_counter()
    for value in values:
        fn(value)
    return len(values) / (time.perf_counter() - t0)


def throughput(n: int) -> Table:
    """dates/s of each path and its baselines."""
    import dateparser

    from newsdesk.normalize import parse_display_date, parse_iso_utc

    def strptime_dmy(s: str) -> object:
        return datetime.strptime(s, "%d %b %Y %H:%M")

    def strptime_ymd(s: str) -> object:
        return datetime.strptime(s, "%Y-%m-%d %H:%M")

    def strptime_us(s: str) -> object:
        return datetime.strptime(s, "%B %d, %Y %I:%M %p")

    forms = inputs(n)
    plans: dict[str, tuple[Callable[[str], object], list[tuple[str, Callable[[str], object]]]]] = {
        "display `5 Apr 2023 15:23`": (
            parse_display_date,
            [("datetime.strptime", strptime_dmy), ("dateparser.parse", dateparser.parse)],
        ),
        "display `2024-01-15 12:24`": (
            parse_display_date,
            [("datetime.strptime", strptime_ymd), ("dateparser.parse", dateparser.parse)],
        ),
        "display, other form `April 5, 2023 3:23 PM` (dateparser)": (
            parse_display_date,
            [("datetime.strptime", strptime_us), ("dateparser.parse", dateparser.parse)],
        ),
        "metadata ISO `2024-07-30T23:15:00+03:00`": (
            parse_iso_utc,
            [
                ("datetime.fromisoformat", datetime.fromisoformat),
                ("dateparser.parse", dateparser.parse),
            ],
        ),
    }
    table = Table(
        f"Throughput, one core ({n:,} distinct strings per form; dateparser.parse on "
        f"{max(1, n // 10):,})",
        [
            "form",
            "newsdesk (dates/s)",
            "floor",
            "floor / newsdesk",
            "dateparser.parse",
            "newsdesk / dateparser",
        ],
    )
    with pinned_to_one_core():
        for form, (ours_fn, baselines) in plans.items():
            values = forms[form]
            ours_fn(values[0])
            ours = _rate(ours_fn, values)
            (floor_name, floor_fn), (_dp_name, dp_fn) = baselines
            floor = _rate(floor_fn, values)
            dp_fn(values[0])
            dp = _rate(dp_fn, values[: max(1, n // 10)])  # slow: a tenth is enough
            table.rows.append(
                [
                    form,
                    fmt(ours),
                    f"{floor_name}: {fmt(floor)}",
                    fmt_ratio(floor / ours),
                    fmt(dp),
                    fmt_ratio(ours / dp),
                ]
            )
    return table


def adversarial_inputs() -> dict[str, str]:
    """Named bad strings: long, digit-heavy, nested, out of range, odd scripts."""
    cases: dict[str, str] = {}
    for size in (64, 1_000, 100_000, 1_000_000, 10_000_000):
        cases[f"{size:,} digits"] = "1" * size
        cases[f"{size:,} chars of '5 Apr 2023 '"] = ("5 Apr 2023 " * (size // 11 + 1))[:size]
        cases[f"{size:,} chars of whitespace around a date"] = (
            " " * (size // 2) + "5 Apr 2023 15:23" + " " * (size // 2)
        )[: max(size, 16)]
        cases[f"{size:,} chars of '&amp;'"] = ("&amp;" * (size // 5 + 1))[:size]
    cases.update(
        {
            "64 chars, digits and spaces": ("1 " * 32)[:64],
            "64 chars, '2024-' repeated": ("2024-" * 13)[:64],
            "64 chars, '12:' repeated": ("12:" * 22)[:64],
            "64 chars, alternating digits/letters": ("1a" * 32)[:64],
            "64 chars, month names": ("Apr May Jun " * 6)[:64],
            "63 chars, 'Apr 5 2023' nested in parentheses": ("(" * 24 + "Apr 5 2023" + ")" * 29)[
                :63
            ],
            "nested brackets": "[[[[[[[[5 Apr 2023 15:23]]]]]]]]",
            "31 Feb 2024 25:61": "31 Feb 2024 25:61",
            "0001-01-01 00:00 (before UTC minimum after the shift)": "0001-01-01 00:00",
            "9999-12-31 23:59": "9999-12-31 23:59",
            "year 99999": "5 Apr 99999 15:23",
            "Arabic-Indic digits": "٥ أبريل ٢٠٢٣ ١٥:٢٣",
            "relative 'in 3 days'": "in 3 days 2023",
            "epoch-like 1700000000": "1700000000",
            "ISO with +99:99 offset": "2024-07-30T23:15:00+99:99",
            "ISO year 0": "0000-07-30T23:15:00+03:00",
            "ISO, 64 chars of fractions": "2024-07-30T23:15:00." + "9" * 44,
            "control characters": "5\x00Apr\x012023\x0215:23",
            "NUL x 64": "\x00" * 64,
            "emoji and digits": "🕐5🕑Apr🕒2023🕓15:23🕔" * 2,
            "RTL marks": "\u200f5 Apr 2023\u200e 15:23\u202e",
        }
    )
    return cases


def _outcome(fn: Callable[[str], object], value: str) -> str:
    """What a call returned, or the exception it raised (the functions must not raise)."""
    try:
        result = fn(value)
    except Exception as exc:
        return f"RAISES {type(exc).__name__}: {exc}"
    if isinstance(result, datetime):
        return result.astimezone(UTC).isoformat()
    return repr(result)


def _per_call(fn: Callable[[str], object], value: str, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        with contextlib.suppress(Exception):  # reported by _outcome; the cost still counts
            fn(value)
        times.append(time.perf_counter() - t0)
    return median(times)


def fuzz_strings(n: int, seed: int = 5) -> list[str]:
    """Random strings up to 64 characters mixing date-like pieces and garbage."""
    rng = random.Random(seed)
    pieces = [
        *[str(d) for d in range(32)],
        "2023",
        "2024",
        "1999",
        "0000",
        "99999",
        *MONTH_ABBR,
        *MONTH_FULL,
        "am",
        "pm",
        "T",
        "Z",
        "+03:00",
        ":",
        "-",
        "/",
        ".",
        ",",
        " ",
        "  ",
        "(",
        ")",
        "[",
        "]",
        "de",
        "of",
        "the",
        "ago",
        "next",
        "last",
        "week",
        "día",
        "enero",
        "&amp;",
        "\u00a0",
        "x",
        "??",
    ]
    out = []
    for _ in range(n):
        text = ""
        while len(text) < rng.randint(1, 64):
            text += rng.choice(pieces)
        out.append(text[:64])
    return out


def adversarial(fuzz_cases: int) -> tuple[Table, Table, float, str, float, list[str]]:
    """Per-call cost of every bad string through both paths, and a fuzz run."""
    from newsdesk.normalize import parse_display_date, parse_iso_utc

    table = Table(
        "Adversarial inputs: cost per call (median of 5 calls of the same string)",
        ["input", "length", "parse_display_date", "parse_iso_utc", "display result", "ISO result"],
    )
    raised: list[str] = []
    worst = 0.0
    worst_name = ""
    with pinned_to_one_core():
        for name, value in adversarial_inputs().items():
            display = _per_call(parse_display_date, value)
            iso = _per_call(parse_iso_utc, value)
            outcomes = (_outcome(parse_display_date, value), _outcome(parse_iso_utc, value))
            table.rows.append([name, fmt(len(value)), fmt_ms(display), fmt_ms(iso), *outcomes])
            for fn_name, outcome in zip(
                ("parse_display_date", "parse_iso_utc"), outcomes, strict=True
            ):
                if outcome.startswith("RAISES"):
                    raised.append(f"{fn_name}({value!r}) {outcome}")
            if len(value) <= LONG_LIMIT and max(display, iso) > worst:
                worst, worst_name = max(display, iso), name
        strings = fuzz_strings(fuzz_cases)
        costs = []
        for value in strings:
            t0 = time.perf_counter()
            outcome = _outcome(parse_display_date, value)
            costs.append((time.perf_counter() - t0, value))
            if outcome.startswith("RAISES"):
                raised.append(f"parse_display_date({value!r}) {outcome}")
        costs.sort()
        slowest = costs[-10:]
        confirmed = [(_per_call(parse_display_date, v), v) for _t, v in slowest]
        confirmed.sort()
    fuzz_worst, fuzz_value = confirmed[-1]
    fuzz = Table(
        f"Fuzz: {fuzz_cases:,} random strings (up to 64 characters) through parse_display_date",
        ["statistic", "value"],
    )
    values = [c for c, _v in costs]
    parsed = sum(
        1 for _c, v in costs if not _outcome(parse_display_date, v).startswith(("None", "R"))
    )
    fuzz.rows += [
        ["median per call", fmt_ms(median(values))],
        ["99th percentile", fmt_ms(values[int(0.99 * (len(values) - 1))])],
        ["slowest (re-timed, median of 5)", f"{fmt_ms(fuzz_worst)}: {fuzz_value!r}"],
        ["strings that parsed to a date", f"{parsed:,}"],
    ]
    return table, fuzz, worst, worst_name, fuzz_worst, raised


def run(n: int, fuzz_cases: int) -> Section:
    """Throughput, adversarial worst case and fuzzing."""
    t_start = time.perf_counter()
    speed = throughput(n)
    bad, fuzz, worst, worst_name, fuzz_worst, raised = adversarial(fuzz_cases)
    section = Section(
        key="dates",
        title="5. Normalization hot spots: dates",
        method=__doc__.split("\n\n", 1)[1].strip() if __doc__ else "",
        tables=[speed, bad, fuzz],
    )
    bound = max(worst, fuzz_worst)
    section.targets = [
        Target(
            f"worst case per call, bad strings up to {LONG_LIMIT:,} chars and fuzz",
            f"<= {fmt_ms(WORST_CASE_TARGET_S)}",
            f"{fmt_ms(bound)} ({worst_name if worst >= fuzz_worst else 'fuzz'})",
            bound <= WORST_CASE_TARGET_S,
        ),
        Target(
            "bad strings never raise (normalize's contract: total functions)",
            "no exception",
            f"{len(raised)} raised" if raised else "none raised",
            not raised,
        ),
    ]
    if raised:
        section.notes.append(
            "Contract violations (normalize promises to return None, never raise): "
            + "; ".join(raised[:10])
            + "."
        )
    section.duration_s = time.perf_counter() - t_start
    return section
