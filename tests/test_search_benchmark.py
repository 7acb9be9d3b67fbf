"""The search benchmark (benchmarks/search.py) at tiny scale: every engine, every relevance row.

Timings are not asserted (they depend on the machine); what is: the report lists
each engine, each relevance expectation of the search tests with a verdict per
engine, and each engine's update is visible to its searches.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import search
from benchmarks.report import render_table


def test_search_comparison_at_tiny_scale(tmp_path: Path) -> None:
    section = search.run((300,), runs=1, workdir=tmp_path, months=2)
    size_table, ranking, relevance = section.tables
    assert [row[0] for row in size_table.rows] == [search.ENGINE_LABELS[e] for e in search.ENGINES]
    # The marker word of the 25 changed articles is found by every engine after its update.
    assert [row[-1] for row in size_table.rows] == ["yes"] * len(search.ENGINES)
    assert [row[1] for row in ranking.rows] == list(search.ENGINES[1:])
    assert relevance.headers[3:6] == list(search.ENGINES)
    assert [(row[0], row[1]) for row in relevance.rows] == [
        (code, words) for code, words, _expected, _source in search.RELEVANCE_CASES
    ]
    # A verdict per engine and case: the expected articles, or what was found instead.
    for row in relevance.rows:
        assert all(cell == "same" or cell.startswith("**differs**") for cell in row[3:6]), row
    # Every engine stems Arabic: the test's Arabic forms are found, as today.
    arabic = [row for row in relevance.rows if row[0] == "ar" and row[1] == "المفاوضات"]
    assert arabic[0][3:6] == ["same", "same", "same"]
    assert {t.name.rsplit(": ", 1)[1] for t in section.targets} == set(search.ENGINES)
    assert "Incremental search" in section.title and render_table(relevance)
