"""Crawl option parsing and the back-off policy: pure functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsdesk.crawlconfig import (
    ALL_SECTIONS,
    is_loopback,
    parse_sections,
    parse_since,
    resolve_base_url,
)
from newsdesk.middlewares import backoff_delay


def test_menu_has_17_sections():
    assert len(ALL_SECTIONS) == 17


def test_sections_accept_slugs_and_groups():
    assert parse_sections("politics, Opinion") == {"politics", "opinion"}
    assert parse_sections("videos") == {
        "newsfeed",
        "video-features",
        "explainers",
        "tv",
        "digital-series",
    }
    assert parse_sections(None) == frozenset()


def test_unknown_section_is_named_in_the_error():
    with pytest.raises(ValueError, match="politcs"):
        parse_sections("politcs")


def test_since_forms():
    assert parse_since("2025-07-01") == datetime(2025, 7, 1, tzinfo=UTC)
    assert parse_since("2025-07-01T03:00:00+03:00") == datetime(2025, 7, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="--since"):
        parse_since("last tuesday-ish; DROP TABLE")


def test_base_url_defaults_to_live_site_and_rejects_garbage(monkeypatch):
    monkeypatch.delenv("NEWSDESK_BASE_URL", raising=False)
    assert resolve_base_url() == "https://english.almayadeen.net"
    monkeypatch.setenv("NEWSDESK_BASE_URL", "http://127.0.0.1:8765/")
    assert resolve_base_url() == "http://127.0.0.1:8765"
    with pytest.raises(ValueError):
        resolve_base_url("ftp://example.org")


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("https://english.almayadeen.net", False),
        ("http://10.0.0.5", False),
    ],
)
def test_fast_profile_only_for_loopback(url, loopback):
    assert is_loopback(url) is loopback


def test_backoff_grows_exponentially_and_is_capped():
    assert [backoff_delay(n, 2.0, 60.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    assert backoff_delay(10, 2.0, 60.0) == 60.0


def test_backoff_honours_retry_after():
    assert backoff_delay(1, 2.0, 60.0, "30") == 30.0
    assert backoff_delay(1, 2.0, 60.0, "9999") == 60.0
    assert backoff_delay(3, 2.0, 60.0, "not a date") == 8.0
