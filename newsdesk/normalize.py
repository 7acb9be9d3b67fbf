"""Pure normalization functions shared by the page classes.

Every function here is total: a bad input returns ``None`` (or an empty list),
never raises, so a page class can turn a missing value into a reason instead of
a crash. Displayed times on the site are Asia/Beirut wall time (UTC+2, UTC+3 in
summer); every datetime returned here is timezone-aware UTC.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

BEIRUT = ZoneInfo("Asia/Beirut")

# dateparser has inputs on which it runs for seconds or hangs; nothing the site
# displays as a date is longer than this, so longer inputs are rejected up front.
MAX_DATE_INPUT_LEN = 64
# Raw input longer than this is not a date, whatever cleaning would leave of it:
# rejecting it first keeps every date call bounded (clean_text is linear in length).
MAX_RAW_DATE_INPUT_LEN = 1024
# Years outside this range are CMS placeholders ("0001-01-01") or garbage, not news.
PLAUSIBLE_YEARS = range(1990, 2101)

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# English month names and their 3-letter abbreviations (plus "sept").
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
# "5 Apr 2023 15:23" (the seed's form); the time is optional for listing cards.
_DAY_MON_YEAR = re.compile(
    r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2}))?",
    re.ASCII,
)
# "2024-01-15 12:24" (the newer design's form); the time is optional for cards.
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?", re.ASCII)
_HAS_DIGIT = re.compile(r"\d")
_WS = re.compile(r"\s+")

# One parser for the whole process: building one per call is what makes
# dateparser slow. Languages are fixed so it never runs language detection, only
# absolute dates are accepted (no "2 hours ago" relative to the clock), and it
# returns naive Beirut wall time that we localize with zoneinfo ourselves, so
# ambiguous/nonexistent times get the same treatment as on the fast paths.
_DATEPARSER = DateDataParser(
    languages=["en", "es"],
    settings={
        "TIMEZONE": "Asia/Beirut",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": ["day", "month", "year"],
        "PARSERS": ["absolute-time"],
    },
)

_BY_PREFIX = re.compile(r"^by\s+", re.IGNORECASE)
# A conjunction left at either end of a part: the Oxford comma ("A, B, and C").
_EDGE_AND = re.compile(r"^and\s+|\s+and$", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(r"\s*,\s*|\s+and\s+", re.IGNORECASE)
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


def _to_utc(naive_local: datetime) -> datetime:
    # fold=0: an ambiguous wall time (the repeated hour when DST ends) is its
    # first occurrence; a nonexistent one (the spring-forward gap) is read with
    # the pre-transition offset, which lands after the gap, as zoneinfo does.
    return naive_local.replace(tzinfo=BEIRUT, fold=0).astimezone(UTC)


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


def _fast_wall_time(text: str) -> datetime | None:
    """The site's two known forms as naive wall time (midnight when no time is shown)."""
    m = _DAY_MON_YEAR.fullmatch(text)
    if m:
        month = _MONTHS.get(m.group(2).lower())
        if month is None:
            return None
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


def _dateparser_wall_time(text: str) -> datetime | None:
    if len(text) > MAX_DATE_INPUT_LEN or not _HAS_DIGIT.search(text):
        return None
    try:
        value = _DATEPARSER.get_date_data(text).date_obj
    except Exception:  # dateparser raises assorted errors on odd input; the contract is None
        return None
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(BEIRUT).replace(tzinfo=None)
    return value


def parse_display_date(s: object) -> datetime | None:
    """A displayed Beirut wall time -> aware UTC datetime, or ``None``.

    Fast paths for ``5 Apr 2023 15:23`` and ``2024-01-15 12:24``; any other form
    goes to one shared dateparser instance (English and Spanish, a day, month
    and year required). Inputs longer than ``MAX_DATE_INPUT_LEN`` characters or
    without a digit are rejected without calling dateparser.
    """
    text = _date_text(s)
    if text is None:
        return None
    wall = _fast_wall_time(text) or _dateparser_wall_time(text)
    if wall is None or wall.year not in PLAUSIBLE_YEARS:
        return None
    try:
        return _to_utc(wall)
    except (OverflowError, ValueError):
        return None


def parse_display_day(s: object) -> date | None:
    """A displayed calendar day (``24 Aug 2025``, ``2025-08-24``, or any form
    ``parse_display_date`` reads) -> the Beirut-local ``date``, or ``None``."""
    text = _date_text(s)
    if text is None:
        return None
    wall = _fast_wall_time(text) or _dateparser_wall_time(text)
    return wall.date() if wall is not None and wall.year in PLAUSIBLE_YEARS else None


def _is_junk_name(name: str) -> bool:
    return (
        not name
        or name.lower() in ("by", "and")
        or name.isdigit()
        or _PUNCT_ONLY.match(name) is not None
        or _URL_LIKE.match(name) is not None
        or _EMAIL_LIKE.match(name) is not None
    )


def split_authors(s: object) -> list[str]:
    """``"By A, B and C"`` -> ``["A", "B", "C"]``.

    The ``By`` prefix is removed, names are split on commas and `` and ``,
    trimmed; empty names, lone punctuation, ``By``, URLs, e-mail addresses and
    bare numbers are dropped, as are exact duplicates (first-seen order kept).
    """
    text = clean_text(s)
    if text is None:
        return []
    names: list[str] = []
    seen: set[str] = set()
    for part in _AUTHOR_SPLIT.split(_BY_PREFIX.sub("", text)):
        name = _BY_PREFIX.sub("", _EDGE_AND.sub("", part.strip()))
        if _is_junk_name(name) or name in seen:
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
