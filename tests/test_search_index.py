"""The tantivy search index (newsdesk.search_index): stemming per edition, in-place updates."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.search_index import SearchIndex, analyzer


def article(article_id: str, title: str, body: str, subtitle: str | None = None) -> dict:
    return {"article_id": article_id, "title": title, "subtitle": subtitle, "body": body}


# The forms of tests/test_search_editions.py: the body says "المفاوض" (the
# negotiator), the query "المفاوضات" (the negotiations).
AR_NEGOTIATOR = article(
    "ar-negotiator", "وصل المفاوض إلى القاهرة", "قال المفاوض إن الجولة المقبلة."
)
AR_PALESTINIAN = article("ar-palestinian", "الموقف الفلسطيني", "أكد المسؤول الفلسطيني رفض الخطة.")
AR_OTHER = article("ar-other", "الطقس", "أمطار غزيرة في بيروت.")


@pytest.fixture
def arabic(tmp_path: Path) -> SearchIndex:
    index = SearchIndex(tmp_path / "ar", "ar")
    assert index.upsert([AR_NEGOTIATOR, AR_PALESTINIAN, AR_OTHER]) == 3
    return index


def test_arabic_word_found_through_another_form(arabic: SearchIndex) -> None:
    assert "المفاوضات" not in AR_NEGOTIATOR["body"] + AR_NEGOTIATOR["title"]
    hits = arabic.search("المفاوضات")
    assert [a for a, _s in hits] == ["ar-negotiator"]
    assert hits[0][1] > 0
    assert [a for a, _s in arabic.search("الفلسطينيون")] == ["ar-palestinian"]
    # The stemmer, not a substring match: an unrelated word finds nothing.
    assert arabic.search("cairo") == []


def test_upsert_replaces_and_delete_removes(arabic: SearchIndex) -> None:
    edited = article("ar-negotiator", "الطقس في القاهرة", "أمطار.")
    arabic.upsert([edited])
    assert arabic.count() == 3
    assert arabic.search("المفاوضات") == []
    assert {a for a, _s in arabic.search("الطقس")} == {"ar-negotiator", "ar-other"}
    arabic.delete(["ar-other", "not-there"])
    assert arabic.count() == 2
    assert [a for a, _s in arabic.search("الطقس")] == ["ar-negotiator"]


def test_reopened_index_keeps_its_articles_and_stemmer(arabic: SearchIndex) -> None:
    again = SearchIndex(arabic.path, "ar")
    assert again.count() == 3
    assert [a for a, _s in again.search("المفاوضات")] == ["ar-negotiator"]
    assert arabic.size_bytes() > 0


def test_each_edition_uses_its_language(tmp_path: Path) -> None:
    english = SearchIndex(tmp_path / "en", "en")
    english.upsert([article("en-talks", "Negotiators meet in Cairo", "The negotiations resumed.")])
    assert english.terms("The negotiations") == ["negoti"]  # stop word dropped, stemmed
    assert [a for a, _s in english.search("negotiation")] == ["en-talks"]
    spanish = SearchIndex(tmp_path / "es", "es")
    spanish.upsert(
        [
            article("es-talks", "Se reanudan las negociaciones", "El negociador llegó."),
            article("es-other", "El tiempo", "Lluvias en Beirut."),
        ]
    )
    assert [a for a, _s in spanish.search("negociación")] == ["es-talks"]
    # An edition no spec describes is not stemmed: only the exact word matches.
    plain = SearchIndex(tmp_path / "xx", "xx")
    plain.upsert([article("xx-talks", "Cairo", "Cairo negotiations.")])
    assert [a for a, _s in plain.search("negotiations")] == ["xx-talks"]
    assert plain.search("negotiation") == []


def test_ranking_and_limit(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "en", "en")
    index.upsert(
        [
            article("once", "Gaza", "A report on the weather."),
            article("thrice", "Gaza talks", "Gaza ceasefire talks in Gaza."),
            article("none", "Beirut", "Rain."),
        ]
    )
    hits = index.search("gaza", limit=5)
    assert [a for a, _s in hits] == ["thrice", "once"]
    assert hits[0][1] > hits[1][1]
    assert [a for a, _s in index.search("gaza", limit=1)] == ["thrice"]
    assert index.search("gaza", limit=0) == []


def test_query_text_is_words_not_syntax(arabic: SearchIndex) -> None:
    # Query-parser operators would fail or change the meaning; here they are no words.
    assert arabic.search('"المفاوضات" AND (title:x OR -y') == [
        (a, s) for a, s in arabic.search("المفاوضات")
    ]
    assert arabic.search("  ...  ") == []


def test_unknown_stemmer_is_refused() -> None:
    with pytest.raises(ValueError, match="klingon"):
        analyzer("klingon")
