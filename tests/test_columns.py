"""The single column declaration (newsdesk/columns.py) and everything derived from it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyarrow as pa

from newsdesk import columns
from newsdesk.analyst.dictionary import column_doc
from newsdesk.build import SQL_DIR, sql_files
from newsdesk.items import CONTENT_FIELDS, Article
from newsdesk.store import ARTICLE_PARTITIONING, ARTICLE_SCHEMA, CRAWL_LOG_SCHEMA, REVISION_SCHEMA

ROOT = Path(__file__).resolve().parents[1]


def test_article_item_fields_are_the_declared_columns():
    # Same names (the dataclass lists its required fields first, so order differs).
    fields = [f.name for f in dataclasses.fields(Article)]
    assert sorted(fields) == sorted(columns.ITEM_COLUMNS)
    assert len(fields) == len(columns.ITEM_COLUMNS)
    assert set(CONTENT_FIELDS) <= set(columns.ITEM_COLUMNS)


def test_arrow_schemas_come_from_the_declaration():
    declared = columns.file_columns(columns.ARTICLES)
    assert ARTICLE_SCHEMA.names == [c.name for c in declared]
    # The partition levels are never file columns: one source for each.
    assert not {"edition", "year", "month"} & set(ARTICLE_SCHEMA.names)
    assert ARTICLE_PARTITIONING.names == list(columns.ARTICLE_PARTITIONS)
    assert ARTICLE_SCHEMA.field("video_duration_s").type == pa.int32()
    assert not ARTICLE_SCHEMA.field("article_id").nullable
    assert CRAWL_LOG_SCHEMA.names == columns.CRAWL_LOG.names
    assert REVISION_SCHEMA.names == columns.ARTICLE_REVISIONS.names
    assert ARTICLE_SCHEMA.metadata[b"newsdesk.schema_version"] == columns.SCHEMA_VERSION.encode()


def test_every_column_has_a_meaning_and_a_derivation():
    for table in [*columns.DATASETS.values(), *columns.TABLES.values()]:
        assert table.meaning.strip(), table.name
        assert len(set(table.names)) == len(table.names), table.name
        for column in table.columns:
            assert column.meaning.strip(), (table.name, column.name)
            assert column.derivation.strip(), (table.name, column.name)


def test_every_sql_file_table_is_declared():
    created = set()
    for path in sql_files(SQL_DIR):
        for word in ("TABLE", "VIEW"):
            marker = f"CREATE OR REPLACE {word} "
            for line in path.read_text().splitlines():
                if line.startswith(marker):
                    created.add(line.removeprefix(marker).split()[0])
    created.discard("fts_main_articles.terms")  # the fts extension's own index
    assert created == set(columns.TABLES)


def test_docs_fields_md_is_generated_and_up_to_date():
    committed = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    assert committed == columns.render_docs(), (
        "docs/fields.md is stale: run .venv/bin/python -m newsdesk.columns --write-docs"
    )
    assert columns.main(["--check-docs", "--path", str(ROOT / "docs" / "fields.md")]) == 0


def test_export_dictionary_reads_the_declaration():
    doc = column_doc("video_duration_s")
    assert doc.documented_type == "int?"
    assert "video_duration" in doc.derivation
    assert column_doc("edition").meaning.startswith("Language edition")


def test_comment_statements_quote_and_cover_every_column():
    statements = columns.comment_statements({"articles": "TABLE", "tag_weekly": "VIEW"})
    assert statements[0].startswith('COMMENT ON TABLE "articles" IS ')
    assert any(s.startswith('COMMENT ON VIEW "tag_weekly"') for s in statements)
    n = len(columns.TABLES["articles"].columns) + len(columns.TABLES["tag_weekly"].columns) + 2
    assert len(statements) == n
    # A quote in a meaning is doubled, never closes the literal.
    assert "''video''" in " ".join(statements)


def test_article_ids_are_unique_across_editions_and_english_ids_unchanged():
    import dataclasses as dc

    from newsdesk import editions
    from newsdesk.urls import article_id_for, edition_article_id, edition_id_rule

    english = editions.get("en")
    url = "https://english.almayadeen.net/news/politics/some-story"
    # English keeps the id it always had (the hash of the path).
    assert english.article_id_for(url) == article_id_for(url)
    # Another edition with the same path gets another id, by default or by its rule.
    other = dc.replace(english, code="xx")
    assert other.article_id_for(url) == edition_article_id("xx", url) != article_id_for(url)
    ruled = dc.replace(english, code="yy", id_rule=edition_id_rule("yy"))
    assert ruled.article_id_for(url) not in {other.article_id_for(url), article_id_for(url)}
    assert len(ruled.article_id_for(url)) == 16


def test_dagster_column_schemas_carry_the_declared_meanings():
    from dagster_project.assets import table_definitions, table_specs

    specs = {spec.key.path[-1]: spec for spec in table_specs(table_definitions())}
    schema = specs["articles"].metadata["dagster/column_schema"]
    described = {c.name: c.description for c in schema.columns}
    assert described == {c.name: c.meaning for c in columns.TABLES["articles"].columns}
