"""Normalization functions: text, dates (Beirut DST included), authors, tags, read time, URLs."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from newsdesk.normalize import (
    BEIRUT,
    clean_tags,
    clean_text,
    parse_display_date,
    parse_display_day,
    parse_iso_utc,
    parse_read_time,
    slugify_section,
    split_authors,
)
from newsdesk.urls import canonicalize_url


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- clean_text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  NATO &amp; Russia\n\t talks  ", "NATO & Russia talks"),
        ("China&#x27;s", "China's"),
        ("a\u00a0b", "a b"),
        ("", None),
        ("  \n ", None),
        ("&nbsp;", None),
        (None, None),
        (42, None),
    ],
)
def test_clean_text(raw: object, expected: str | None) -> None:
    assert clean_text(raw) == expected


def test_clean_text_without_unescape_keeps_entities_literal() -> None:
    assert clean_text("a &amp;lt; b", unescape=False) == "a &amp;lt; b"


# --- display dates -----------------------------------------------------------------


def test_beirut_zone_matches_the_assumed_rules() -> None:
    # The DST asserts below rely on these transitions of the installed tz database.
    assert datetime(2024, 1, 15, 12, tzinfo=BEIRUT).utcoffset() == timedelta(hours=2)
    assert datetime(2024, 7, 15, 12, tzinfo=BEIRUT).utcoffset() == timedelta(hours=3)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        # the seed's form, summer (UTC+3)
        ("5 Apr 2023 15:23", utc(2023, 4, 5, 12, 23)),
        # the newer form, winter (UTC+2)
        ("2024-01-15 12:24", utc(2024, 1, 15, 10, 24)),
        ("2024-07-30 23:15", utc(2024, 7, 30, 20, 15)),
        ("  5 Apr 2023   15:23 ", utc(2023, 4, 5, 12, 23)),
        ("05 April 2023 15:23", utc(2023, 4, 5, 12, 23)),
        ("1 Jan 2025 00:05", utc(2024, 12, 31, 22, 5)),
        # date only: local midnight
        ("5 Apr 2023", utc(2023, 4, 4, 21, 0)),
    ],
)
def test_display_forms(shown: str, expected: datetime) -> None:
    assert parse_display_date(shown) == expected


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        # 2024: spring forward Sun 31 Mar 00:00 (+02) -> 01:00 (+03), i.e. at 2024-03-30T22:00Z.
        ("30 Mar 2024 23:59", utc(2024, 3, 30, 21, 59)),
        ("31 Mar 2024 01:00", utc(2024, 3, 30, 22, 0)),
        # 00:30 does not exist that night: shifted forward to 01:30 (+03), as zoneinfo does.
        ("31 Mar 2024 00:30", utc(2024, 3, 30, 22, 30)),
        ("2024-03-31 00:00", utc(2024, 3, 30, 22, 0)),
        # 2024: fall back Sun 27 Oct 00:00 (+03) -> Sat 26 Oct 23:00 (+02), at 2024-10-26T21:00Z.
        ("26 Oct 2024 22:59", utc(2024, 10, 26, 19, 59)),
        # 23:00-23:59 on 26 Oct happens twice: the first occurrence (+03, fold=0).
        ("26 Oct 2024 23:00", utc(2024, 10, 26, 20, 0)),
        ("26 Oct 2024 23:30", utc(2024, 10, 26, 20, 30)),
        ("27 Oct 2024 00:00", utc(2024, 10, 26, 22, 0)),
        # 2023: spring forward Sun 26 Mar at 2023-03-25T22:00Z; fall back at 2023-10-28T21:00Z.
        ("25 Mar 2023 23:30", utc(2023, 3, 25, 21, 30)),
        ("26 Mar 2023 01:30", utc(2023, 3, 25, 22, 30)),
        ("28 Oct 2023 23:30", utc(2023, 10, 28, 20, 30)),
        # 2025: spring forward Sun 30 Mar at 2025-03-29T22:00Z; fall back at 2025-10-25T21:00Z.
        ("30 Mar 2025 00:30", utc(2025, 3, 29, 22, 30)),
        ("2025-10-25 23:30", utc(2025, 10, 25, 20, 30)),
        ("2025-10-26 00:30", utc(2025, 10, 25, 22, 30)),
    ],
)
def test_beirut_dst_boundaries(shown: str, expected: datetime) -> None:
    assert parse_display_date(shown) == expected


def test_dst_transition_instants_in_zoneinfo() -> None:
    # The instants the table above is built on.
    before = datetime(2024, 3, 30, 21, 59, tzinfo=UTC).astimezone(BEIRUT)
    after = datetime(2024, 3, 30, 22, 0, tzinfo=UTC).astimezone(BEIRUT)
    assert (before.hour, before.utcoffset()) == (23, timedelta(hours=2))
    assert (after.hour, after.utcoffset()) == (1, timedelta(hours=3))
    before = datetime(2024, 10, 26, 20, 59, tzinfo=UTC).astimezone(BEIRUT)
    after = datetime(2024, 10, 26, 21, 0, tzinfo=UTC).astimezone(BEIRUT)
    assert (before.hour, before.utcoffset()) == (23, timedelta(hours=3))
    assert (after.hour, after.utcoffset()) == (23, timedelta(hours=2))


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        # through dateparser: other English forms, Spanish with a year
        ("April 5, 2023 3:23 PM", utc(2023, 4, 5, 12, 23)),
        ("Wednesday, 5 April 2023 15:23", utc(2023, 4, 5, 12, 23)),
        ("23 julio 2023 19:20", utc(2023, 7, 23, 16, 20)),
        # an explicit zone is honoured
        ("5 Apr 2023 12:23 UTC", utc(2023, 4, 5, 12, 23)),
        # dateparser's own DST handling is not used: fold=0 here too
        ("October 26, 2024 11:30 PM", utc(2024, 10, 26, 20, 30)),
    ],
)
def test_other_forms_through_dateparser(shown: str, expected: datetime) -> None:
    assert parse_display_date(shown) == expected


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "",
        "   ",
        17,
        "yesterday",
        "2 hours ago",
        "Min Read",
        "23 Julio 19:20",  # the Spanish edition's form has no year
        "32 Jan 2024 10:00",
        "2024-02-30 10:00",
        "5 Apr 2023 25:61",
        "31 Foo 2023 12:00",
        "12:00",
        "2023",
        "1680700000",
    ],
)
def test_display_garbage_is_none(garbage: object) -> None:
    assert parse_display_date(garbage) is None


@pytest.mark.parametrize(
    "hostile",
    [
        "5 Apr 2023 15:23 " * 200,
        "1" * 100_000,
        "de " * 5000 + "2023",
        "x" * 1_000_000,
        "\x00" * 1000,
        "12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12",
    ],
)
def test_hostile_input_returns_none_fast(hostile: str) -> None:
    start = time.perf_counter()
    assert parse_display_date(hostile) is None
    assert parse_iso_utc(hostile) is None
    assert parse_display_day(hostile) is None
    # A generous sanity bound: these are rejected before dateparser runs.
    assert time.perf_counter() - start < 2.0


def test_parse_display_day() -> None:
    assert parse_display_day("24 Aug 2025") == date(2025, 8, 24)
    assert parse_display_day("2025-08-24") == date(2025, 8, 24)
    # a Beirut calendar day, not shifted to the UTC day
    assert parse_display_day("1 Jan 2025") == date(2025, 1, 1)
    assert parse_display_day("") is None
    assert parse_display_day("soon") is None


# --- ISO 8601 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-07-30T23:15:00+03:00", utc(2024, 7, 30, 20, 15)),
        ("2023-04-05T15:23:00+03:00", utc(2023, 4, 5, 12, 23)),
        ("2024-01-15T12:24:00+02:00", utc(2024, 1, 15, 10, 24)),
        ("2024-01-15T10:24:00Z", utc(2024, 1, 15, 10, 24)),
        ("2024-01-15T10:24:00+00:00", utc(2024, 1, 15, 10, 24)),
        ("2024-01-15T05:24:00-05:00", utc(2024, 1, 15, 10, 24)),
        ("2024-01-15T10:24:00.123456+00:00", datetime(2024, 1, 15, 10, 24, 0, 123456, UTC)),
        # naive: Beirut wall time
        ("2024-07-30T23:15:00", utc(2024, 7, 30, 20, 15)),
        ("2024-01-15 12:24", utc(2024, 1, 15, 10, 24)),
        ("2024-10-26T23:30:00", utc(2024, 10, 26, 20, 30)),
        # a bare date: Beirut midnight
        ("2025-09-04", utc(2025, 9, 3, 21, 0)),
        (" 2024-01-15T10:24:00Z ", utc(2024, 1, 15, 10, 24)),
    ],
)
def test_parse_iso_utc(raw: str, expected: datetime) -> None:
    value = parse_iso_utc(raw)
    assert value == expected
    assert value is not None and value.tzinfo is UTC


@pytest.mark.parametrize(
    "raw",
    [None, "", "not a date", "5 Apr 2023 15:23", "2024-13-01T00:00:00Z", "2024-01-15T25:00", 7],
)
def test_parse_iso_utc_garbage(raw: object) -> None:
    assert parse_iso_utc(raw) is None


def test_parse_iso_utc_keeps_the_instant() -> None:
    value = parse_iso_utc("2024-07-30T23:15:00+03:00")
    assert value == datetime(2024, 7, 30, 23, 15, tzinfo=timezone(timedelta(hours=3)))


# --- authors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Al Mayadeen English", ["Al Mayadeen English"]),
        ("Al Mayadeen English", ["Al Mayadeen English"]),
        ("By Hadi Hoteit and Mohammad Hammoud", ["Hadi Hoteit", "Mohammad Hammoud"]),
        (
            "By Ali Rizk, Hadi Hoteit and Mohammad Hammoud",
            ["Ali Rizk", "Hadi Hoteit", "Mohammad Hammoud"],
        ),
        ("by  Ali Rizk ,Hadi Hoteit", ["Ali Rizk", "Hadi Hoteit"]),
        # the Oxford comma
        (
            "By Ali Rizk, Hadi Hoteit, and Mohammad Hammoud",
            ["Ali Rizk", "Hadi Hoteit", "Mohammad Hammoud"],
        ),
        ("By Ali Rizk and", ["Ali Rizk"]),
        ("By Ali Rizk, Ali Rizk and Hadi Hoteit", ["Ali Rizk", "Hadi Hoteit"]),
        # names containing "and" inside a word are not split
        ("By Alexander Sandberg", ["Alexander Sandberg"]),
        # junk
        ("By", []),
        ("By , , and", []),
        ("By Ali Rizk, https://x.com/alirizk", ["Ali Rizk"]),
        ("By Ali Rizk, www.example.com", ["Ali Rizk"]),
        ("By Ali Rizk, desk@almayadeen.net", ["Ali Rizk"]),
        ("By Ali Rizk, 2024", ["Ali Rizk"]),
        ("By Ali Rizk, -, |", ["Ali Rizk"]),
        ("By Ali Rizk, By Hadi Hoteit", ["Ali Rizk", "Hadi Hoteit"]),
        ("", []),
        (None, []),
        (["not", "a", "string"], []),
    ],
)
def test_split_authors(raw: object, expected: list[str]) -> None:
    assert split_authors(raw) == expected


def test_split_authors_keeps_case_variants() -> None:
    # only exact duplicates are dropped
    assert split_authors("A Name and a name") == ["A Name", "a name"]


# --- tags ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nato,Finland,Russia", ["Nato", "Finland", "Russia"]),
        (" Nato , Finland,Nato,,  Russia  ,Finland ", ["Nato", "Finland", "Russia"]),
        (
            ["  Nato ", "Nato", "Finland\n", " Nato  Alliance", "Nato Alliance", " "],
            ["Nato", "Finland", "Nato Alliance"],
        ),
        (["Nato", "nato"], ["Nato", "nato"]),
        (["US &amp; Canada"], ["US & Canada"]),
        (["Syria, Lebanon"], ["Syria, Lebanon"]),  # a list item is one tag
        ("", []),
        ([], []),
        (None, []),
        (5, []),
        ([None, 3, "Oil"], ["Oil"]),
    ],
)
def test_clean_tags(raw: object, expected: list[str]) -> None:
    assert clean_tags(raw) == expected  # type: ignore[arg-type]


# --- read time and section slugs --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2 Min Read", 2),
        ("  12 min read ", 12),
        ("1 Min", 1),
        ("5mins", 5),
        ("3", 3),
        (4, 4),
        ("Min Read", None),
        ("", None),
        (None, None),
        ("9" * 5000 + " Min Read", None),
        (True, None),
        (-1, None),
    ],
)
def test_parse_read_time(raw: object, expected: int | None) -> None:
    assert parse_read_time(raw) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Politics", "politics"),
        ("Arts&Culture", "arts-culture"),
        ("Video Features", "video-features"),
        ("NewsFeed", "newsfeed"),
        ("TV", "tv"),
        (" Digital  Series ", "digital-series"),
        ("Russia & NATO", "russia---nato"),
        ("", ""),
        (None, ""),
    ],
)
def test_slugify_section(label: object, expected: str) -> None:
    assert slugify_section(label) == expected


# --- canonical URLs (newsdesk.urls, as the page classes use it) ---------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "https://english.almayadeen.net/news/politics/tehran:-local-residents"
            "?utm_source=homepage&utm_medium=card",
            "https://english.almayadeen.net/news/politics/tehran:-local-residents",
        ),
        (
            "HTTPS://English.AlMayadeen.net/news/politics/Exclusive:-Axis-Of#comments",
            "https://english.almayadeen.net/news/politics/Exclusive:-Axis-Of",
        ),
        (
            "https://english.almayadeen.net/news/politics?page=2&utm_campaign=x",
            "https://english.almayadeen.net/news/politics?page=2",
        ),
        ("https://english.almayadeen.net", "https://english.almayadeen.net/"),
    ],
)
def test_canonicalize_url(raw: str, expected: str) -> None:
    assert canonicalize_url(raw) == expected


def test_canonicalize_relative_url() -> None:
    assert (
        canonicalize_url("/videos/tv?fbclid=abc", base="https://english.almayadeen.net/news")
        == "https://english.almayadeen.net/videos/tv"
    )


# Found by the dates benchmark: inputs that raised or took long before.
@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00",  # a CMS "no date" placeholder
        "9999-12-31T23:59:59",
        "1" * 64,
        "&amp;" * 200_000,
        "5 Apr 2023 15:23" + " " * 2_000_000,
    ],
)
def test_hostile_dates_are_rejected_not_raised(value):
    assert parse_iso_utc(value) is None
    assert parse_display_date(value) is None
