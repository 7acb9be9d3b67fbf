"""Pure normalization functions shared by the page classes.

Every function here is total: a bad input returns ``None`` (or an empty list),
never raises, so a page class can turn a missing value into a reason instead of
a crash. Displayed times on the site are Asia/Beirut wall time (UTC+2, UTC+3 in
summer); every datetime returned here is timezone-aware UTC.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from newsdesk.editions.spec import DateRules, TextRules

BEIRUT = ZoneInfo("Asia/Beirut")

# dateparser has inputs on which it runs for seconds or hangs; nothing the site
# displays as a date is longer than this, so longer inputs are rejected up front.
MAX_DATE_INPUT_LEN = 64
# Raw input longer than this is not a date, whatever cleaning would leave of it:
# rejecting it first keeps every date call bounded (clean_text is linear in length).
MAX_RAW_DATE_INPUT_LEN = 1024
# Years outside this range are CMS placeholders ("0001-01-01") or garbage, not news.
PLAUSIBLE_YEARS = range(1990, 2101)

# The site's date forms (month names, the "5 Apr 2023 15:23" pattern), its
# byline rules and its time zone are an edition's (newsdesk/editions/<code>/
# spec.py). A function taking ``rules`` uses the English edition's for None.
# "2024-01-15 12:24" (the newer design's form, every edition); the time is
# optional for cards.
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?", re.ASCII)
_HAS_DIGIT = re.compile(r"\d")
_WS = re.compile(r"\s+")
_URL_LIKE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)", re.IGNORECASE)
_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
_READ_TIME = re.compile(r"(?<!\d)(\d{1,4})\s*min", re.IGNORECASE)
_BARE_INT = re.compile(r"^\s*(\d{1,4})\s*$")


def clean_text(s: object, *, unescape: bool = True) -> str | None:
    """HTML-unescape, collapse all whitespace to single spaces and trim.

    Returns ``None`` for an empty result or a non-string input. Pass
    ``unescape=False`` for text an HTML parser already decoded, so a literal
    ``&amp;lt;`` in the source does not turn into ``<``.
    """
    if not isinstance(s, str):
        return None
    if unescape:
        s = html.unescape(s)
    s = _WS.sub(" ", s).strip()
    return s or None


def _default_dates() -> DateRules:
    global _EN_DATES
    if _EN_DATES is None:
        from newsdesk import editions

        _EN_DATES = editions.get(editions.DEFAULT_EDITION).dates
    return _EN_DATES


def _default_text() -> TextRules:
    global _EN_TEXT
    if _EN_TEXT is None:
        from newsdesk import editions

        _EN_TEXT = editions.get(editions.DEFAULT_EDITION).text
    return _EN_TEXT


# The English edition's rules, looked up once (the registry imports this module's
# importers, so they cannot be read at import time).
_EN_DATES: DateRules | None = None
_EN_TEXT: TextRules | None = None


@functools.lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return BEIRUT if name == "Asia/Beirut" else ZoneInfo(name)


def _to_utc(naive_local: datetime, zone: ZoneInfo = BEIRUT) -> datetime:
    # fold=0: an ambiguous wall time (the repeated hour when DST ends) is its
    # first occurrence; a nonexistent one (the spring-forward gap) is read with
    # the pre-transition offset, which lands after the gap, as zoneinfo does.
    return naive_local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def parse_iso_utc(s: object) -> datetime | None:
    """ISO 8601 -> aware UTC datetime.

    An offset in the string is honoured (``2024-07-30T23:15:00+03:00``, ``Z``);
    a naive string is read as Asia/Beirut wall time; a bare date as local
    midnight. Anything unparseable -> ``None``.
    """
    text = _date_text(s)
    if text is None or len(text) > MAX_DATE_INPUT_LEN:
        return None
    try:
        value = datetime.fromisoformat(text)
        utc = _to_utc(value) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return utc if utc.year in PLAUSIBLE_YEARS else None


def _date_text(s: object) -> str | None:
    """Cleaned text of a date candidate, or None when it is too long to be one."""
    if isinstance(s, str) and len(s) > MAX_RAW_DATE_INPUT_LEN:
        return None
    return clean_text(s)


def _prepared(text: str, rules: DateRules) -> str:
    """The displayed text with the edition's digits made ASCII and dual month names cut."""
    if rules.digit_map:
        text = text.translate(rules.digit_map)
    if rules.dual_month_separator:
        # "4 حزيران/يونيو 2024": the two names of one month; keep the first.
        sep = re.escape(rules.dual_month_separator)
        text = re.sub(rf"\s*{sep}\s*[^\s\d]+", "", text)
    return text


def _fast_wall_time(text: str, rules: DateRules) -> datetime | None:
    """The site's two known forms as naive wall time (midnight when no time is shown)."""
    m = rules.day_month_year.fullmatch(text)
    if m:
        month = rules.month_names.get(m.group(2).lower())
        if month is None or m.group(3) is None:
            return None  # a yearless form ("23 Julio 19:20"): see parse_yearless_date
        day, year = int(m.group(1)), int(m.group(3))
    else:
        m = _YMD.fullmatch(text)
        if not m:
            return None
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    hour, minute = m.group(4), m.group(5)
    try:
        if hour is None:
            return datetime(year, month, day)
        return datetime(year, month, day, int(hour), int(minute))
    except ValueError:  # 31 Feb, hour 25, ...
        return None


@functools.lru_cache(maxsize=8)
def _dateparser(languages: tuple[str, ...], locales: tuple[str, ...], zone: str) -> Any:
    # One parser per edition for the whole process: building one per call is
    # what makes dateparser slow. Languages (and locales) are fixed so it never
    # runs language detection, only absolute dates are accepted (no "2 hours
    # ago" relative to the clock), and it returns naive wall time that we
    # localize with zoneinfo ourselves, so ambiguous/nonexistent times get the
    # same treatment as on the fast paths.
    return DateDataParser(
        languages=list(languages) or None,
        locales=list(locales) or None,
        settings={
            "TIMEZONE": zone,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "REQUIRE_PARTS": ["day", "month", "year"],
            "PARSERS": ["absolute-time"],
        },
    )


def _dateparser_wall_time(text: str, rules: DateRules) -> datetime | None:
    if len(text) > MAX_DATE_INPUT_LEN or not _HAS_DIGIT.search(text):
        return None
    try:
        parser = _dateparser(rules.dateparser_languages, rules.dateparser_locales, rules.timezone)
        value = parser.get_date_data(text).date_obj
    except Exception:  # dateparser raises assorted errors on odd input; the contract is None
        return None
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(_zone(rules.timezone)).replace(tzinfo=None)
    return value


def _wall_time(text: str, rules: DateRules) -> datetime | None:
    text = _prepared(text, rules)
    return _fast_wall_time(text, rules) or _dateparser_wall_time(text, rules)


def parse_display_date(s: object, rules: DateRules | None = None) -> datetime | None:
    """A displayed wall time (Beirut) -> aware UTC datetime, or ``None``.

    ``rules`` are the edition's date rules (None: English). Fast paths for
    ``5 Apr 2023 15:23`` and ``2024-01-15 12:24``; any other form goes to one
    shared dateparser instance per edition (English: English and Spanish, a
    day, month and year required). Inputs longer than ``MAX_DATE_INPUT_LEN``
    characters or without a digit are rejected without calling dateparser.
    """
    rules = rules or _default_dates()
    text = _date_text(s)
    if text is None:
        return None
    wall = _wall_time(text, rules)
    if wall is None or wall.year not in PLAUSIBLE_YEARS:
        return None
    try:
        return _to_utc(wall, _zone(rules.timezone))
    except (OverflowError, ValueError):
        return None


def parse_display_day(s: object, rules: DateRules | None = None) -> date | None:
    """A displayed calendar day (``24 Aug 2025``, ``2025-08-24``, or any form
    ``parse_display_date`` reads) -> the local ``date``, or ``None``."""
    rules = rules or _default_dates()
    text = _date_text(s)
    if text is None:
        return None
    wall = _wall_time(text, rules)
    return wall.date() if wall is not None and wall.year in PLAUSIBLE_YEARS else None


def infer_year(
    month: int, day: int, hour: int, minute: int, not_after: datetime, zone: str = "Asia/Beirut"
) -> datetime | None:
    """A yearless wall time ("23 Julio 19:20") as UTC: the latest one not after ``not_after``.

    For editions whose visible date shows no year (``DateRules.yearless``): a
    page fetched on 2 January that shows "30 Diciembre" is from the previous
    year. ``None`` when no such date exists in the two candidate years (29 Feb).
    """
    tz = _zone(zone)
    limit = not_after if not_after.tzinfo else not_after.replace(tzinfo=UTC)
    local_year = limit.astimezone(tz).year
    for year in (local_year, local_year - 1):
        try:
            candidate = _to_utc(datetime(year, month, day, hour, minute), tz)
        except ValueError:
            continue
        if candidate <= limit:
            return candidate
    return None


def parse_yearless_date(s: object, rules: DateRules, not_after: datetime) -> datetime | None:
    """A displayed date without a year (``23 Julio 19:20``) -> aware UTC, or ``None``.

    Read with the edition's ``day_month_year`` pattern (whose year group is
    optional on yearless editions); the year is the one that makes it the
    latest such time not after ``not_after`` (`infer_year`). A text that shows
    a year, or no known month, gives ``None`` (`parse_display_date` reads those).
    """
    text = _date_text(s)
    if text is None or len(text) > MAX_DATE_INPUT_LEN:
        return None
    m = rules.day_month_year.fullmatch(_prepared(text, rules))
    if m is None or m.group(3) is not None:
        return None
    month = rules.month_names.get(m.group(2).lower())
    if month is None:
        return None
    hour, minute = (int(m.group(4)), int(m.group(5))) if m.group(4) is not None else (0, 0)
    if hour > 23 or minute > 59:
        return None
    return infer_year(month, int(m.group(1)), hour, minute, not_after, rules.timezone)


def month_end(year: int, month: int, zone: str = "Asia/Beirut") -> datetime | None:
    """The last instant of a calendar month in ``zone``, as UTC (None: no such month)."""
    if not 1 <= month <= 12:
        return None
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    try:
        return _to_utc(datetime(nxt[0], nxt[1], 1), _zone(zone)) - timedelta(microseconds=1)
    except (OverflowError, ValueError):
        return None


def _is_junk_name(name: str, rules: TextRules) -> bool:
    return (
        not name
        or name.lower() in rules.author_junk_words
        or name.isdigit()
        or _PUNCT_ONLY.match(name) is not None
        or _URL_LIKE.match(name) is not None
        or _EMAIL_LIKE.match(name) is not None
    )


def split_authors(s: object, rules: TextRules | None = None) -> list[str]:
    """``"By A, B and C"`` -> ``["A", "B", "C"]``.

    With the edition's text ``rules`` (None: English): the prefix (``By``) is
    removed, names are split on the separators (commas and `` and ``),
    trimmed; empty names, lone punctuation, connecting words (``By``), URLs,
    e-mail addresses and bare numbers are dropped, as are exact duplicates
    (first-seen order kept).
    """
    rules = rules or _default_text()
    text = clean_text(s)
    if text is None:
        return []
    prefix, edge = rules.author_prefix, rules.author_edge
    names: list[str] = []
    seen: set[str] = set()
    for part in rules.author_split.split(prefix.sub("", text)):
        name = prefix.sub("", edge.sub("", part.strip()))
        if _is_junk_name(name, rules) or name in seen:
            continue
        seen.add(name)
        names.append(name)
    return names


def clean_tags(values: str | Iterable[object] | None) -> list[str]:
    """Tags trimmed and whitespace-collapsed, empties and exact duplicates dropped.

    ``values`` is either a comma-separated string (the ``keywords`` form) or an
    iterable of tag texts (the page form, where a comma inside a tag is kept).
    First-seen order is kept.
    """
    if values is None:
        return []
    items: Iterable[object] = values.split(",") if isinstance(values, str) else values
    tags: list[str] = []
    seen: set[str] = set()
    try:
        for item in items:
            tag = clean_text(item)
            if tag is None or tag in seen:
                continue
            seen.add(tag)
            tags.append(tag)
    except TypeError:  # not iterable
        return []
    return tags


def parse_read_time(s: object) -> int | None:
    """``"2 Min Read"`` -> ``2``; a bare number is accepted too. Otherwise ``None``."""
    if isinstance(s, int) and not isinstance(s, bool):
        return s if s >= 0 else None
    text = clean_text(s)
    if text is None:
        return None
    m = _READ_TIME.search(text) or _BARE_INT.match(text)
    return int(m.group(1)) if m else None


_CLOCK = re.compile(r"^(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})$")
_ISO_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$", re.IGNORECASE)


def parse_duration_s(value: object) -> int | None:
    """A video duration in whole seconds, or ``None`` when absent or unreadable.

    The site's metadata writes ``"00:03:12"``; ``"3:12"``, a bare number of
    seconds and ISO 8601 (``"PT3M12S"``, the schema.org form) are read too.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value) if value >= 0 else None
    text = clean_text(value)
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = (int(g) if g else 0 for g in clock.groups())
        return hours * 3600 + minutes * 60 + seconds
    iso = _ISO_DURATION.match(text)
    if iso and any(iso.groups()):
        hours, minutes = (int(g) if g else 0 for g in iso.groups()[:2])
        return hours * 3600 + minutes * 60 + int(float(iso.group(3) or 0))
    return None


def slugify_section(label: object) -> str:
    """A section label as the site slugs it: lower case, ``&`` -> ``-``, spaces -> ``-``.

    ``"Arts&Culture"`` -> ``"arts-culture"``, ``"Video Features"`` ->
    ``"video-features"``. Runs of ``-`` are kept, as in the site's own slugs
    (``Russia & NATO`` -> ``russia---nato``). A non-string or empty label -> ``""``.
    """
    text = clean_text(label)
    if text is None:
        return ""
    return text.lower().replace("&", "-").replace(" ", "-")
