"""Every column of the project, declared once: name, type, nullability, meaning, derivation.

Everything else is derived from this module, so a column cannot be documented
one way and stored another:

* the Arrow schemas of the Parquet datasets (`newsdesk.store.ARTICLE_SCHEMA`,
  ``CRAWL_LOG_SCHEMA``, ``REVISION_SCHEMA``: `arrow_schema`);
* the item check (a test asserts `newsdesk.items.Article`'s fields are `ITEM_COLUMNS`);
* the ``COMMENT ON TABLE/COLUMN`` statements of the built DuckDB database
  (`comment_statements`, run by `newsdesk.build`), visible in ``duckdb_tables()``
  and ``duckdb_columns()`` from any client;
* the export data dictionary (`newsdesk.analyst.dictionary`) and ``docs/fields.md``,
  which is generated: ``python -m newsdesk.columns --write-docs`` (a test checks
  that the committed file is up to date);
* Dagster's column schemas (`dagster_project.assets`).

`DATASETS` are the Parquet datasets the crawler writes; `TABLES` are the tables
and views the SQL build (``newsdesk/sql/*.sql``) makes from them. A table column
that is a dataset column refers to it (`same_as`) instead of repeating it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow as pa

#: Version of the Parquet schemas, stored in each file's metadata. 2: the
#: ``edition`` partition level and ``video_duration_s`` (see `newsdesk.migrate`).
SCHEMA_VERSION = "2"

TS = pa.timestamp("us", tz="UTC")
STRINGS = pa.list_(pa.string())
LAYERS = pa.map_(pa.string(), pa.string())


@dataclass(frozen=True)
class Column:
    """One column: what it holds, what it means and how it is derived.

    ``arrow`` is ``None`` for columns that exist only in DuckDB (build-derived).
    ``stored`` says where a dataset column lives: ``file`` (a column of the part
    files) or ``partition`` (a hive folder level only, never inside the files,
    so readers see one column with one source); a column that exists only in
    a DuckDB table (computed by the SQL) says ``table``.
    """

    name: str
    arrow: pa.DataType | None
    meaning: str
    derivation: str
    nullable: bool = True
    stored: str = "file"

    @property
    def doc_type(self) -> str:
        """The type as docs/fields.md writes it (``?`` marks a nullable scalar)."""
        base = _doc_type(self.arrow) if self.arrow is not None else "computed"
        scalar = not (
            self.arrow is not None and (pa.types.is_list(self.arrow) or pa.types.is_map(self.arrow))
        )
        return f"{base}?" if self.nullable and scalar else base


def _doc_type(kind: pa.DataType) -> str:
    if pa.types.is_string(kind):
        return "string"
    if pa.types.is_integer(kind):
        return "int"
    if pa.types.is_timestamp(kind):
        return "timestamp UTC"
    if pa.types.is_date(kind):
        return "date"
    if pa.types.is_floating(kind):
        return "number"
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_list(kind):
        return f"list<{_doc_type(kind.value_type)}>"
    if pa.types.is_map(kind):
        return f"map<{_doc_type(kind.key_type)},{_doc_type(kind.item_type)}>"
    return str(kind)


@dataclass(frozen=True)
class Dataset:
    """A table: a Parquet dataset or a DuckDB table/view, with its columns in order."""

    name: str
    meaning: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(
    name: str,
    arrow: pa.DataType | None,
    meaning: str,
    derivation: str,
    *,
    nullable: bool = True,
    stored: str = "file",
) -> Column:
    return Column(name, arrow, meaning, derivation, nullable, stored)


# -- the Parquet datasets -------------------------------------------------------

ARTICLES = Dataset(
    "articles",
    "One row per article (the latest version of it), from every edition of the site.",
    (
        _c(
            "article_id",
            pa.string(),
            "Stable identifier of the article (the same URL always gives the same id), "
            "unique across editions.",
            "`edition.article_id_for(url)`: sha1 of the canonical URL's path, 16 hex chars "
            "(`newsdesk.urls.article_id_for`); editions other than English hash "
            '`f"{edition}:{path}"` (`newsdesk.urls.edition_article_id`) so ids never collide',
            nullable=False,
        ),
        _c(
            "post_id",
            pa.string(),
            "The site's own numeric post id, when the page exposes it.",
            "metadata `postid` → meta `name=postid`",
        ),
        _c(
            "url",
            pa.string(),
            "Canonical address of the article on the edition's site.",
            "metadata `url` → `link[rel=canonical]` → `og:url` → the fetched URL; then "
            "`newsdesk.urls.canonicalize_url` (tracking params such as `utm_*` and the fragment "
            "dropped; case and colons kept)",
            nullable=False,
        ),
        _c(
            "edition",
            pa.string(),
            "Language edition of the site the article comes from (en, ar, es).",
            "the edition whose host served the page (`newsdesk.editions.for_url`, or the "
            "crawl's `--edition`); stored only as the `edition=` hive partition level",
            nullable=False,
            stored="partition",
        ),
        _c(
            "section",
            pa.string(),
            "Site section the article is filed under, as a URL slug (politics, opinion, tv...).",
            "from the URL path via `newsdesk.urls.section_from_path`: `/news/politics/<slug>` → "
            "`politics`. Video URLs `/videos/<slug>`: the last segment of the breadcrumb's last "
            "link (`/videos/tv` → `tv`), else metadata `classes` `category` value slugified "
            "(lower case, `&`→`-`, spaces→`-`)",
        ),
        _c(
            "section_group",
            pa.string(),
            "Top-level part of the site: news, articles (opinion, analysis...) or videos.",
            "from the URL path via `newsdesk.urls.section_from_path`: `/news/politics/<slug>` → "
            "`news`; video URLs `/videos/<slug>` → `videos`",
        ),
        _c(
            "content_type",
            pa.string(),
            "'video' for pages under /videos/, otherwise 'article'.",
            "`video` when section_group is `videos`, else `article`",
        ),
        _c(
            "title",
            pa.string(),
            "Headline.",
            "metadata `title` → `og:title` → `h1.article-title` → `<title>` without the "
            "` | Al Mayadeen English` suffix",
            nullable=False,
        ),
        _c(
            "subtitle",
            pa.string(),
            "Standfirst / summary shown under the headline.",
            "metadata `description` → `og:description` → `meta[name=description]` → "
            "`div.lg_para` text",
        ),
        _c(
            "authors",
            STRINGS,
            "Bylined authors in byline order (often the desk, 'Al Mayadeen English').",
            'metadata `author` → meta `name=author` → `li.author` text. "By " prefix removed, '
            "split on `,` and ` and `, trimmed, empty and exact duplicate names dropped, "
            "first-seen order",
        ),
        _c(
            "tags",
            STRINGS,
            "Topic keywords the site attached to the article, in the order shown.",
            "metadata `keywords` (comma separated) → meta `name=keywords` → `div.tags li a` "
            "texts. Trimmed, empties and exact duplicates dropped, first-seen order",
        ),
        _c(
            "source",
            pa.string(),
            "Credited source line ('Source: Agencies'), null when the page credits none.",
            "`li.source` text after `Source:`, trimmed; null when absent",
        ),
        _c(
            "region",
            pa.string(),
            "Country or region the site classified the article under.",
            "metadata `classes` entry with mapping `country`",
        ),
        _c(
            "coverage",
            pa.string(),
            "Ongoing coverage / dossier the article belongs to (e.g. 'Russia & NATO').",
            "metadata `classes` entry with mapping `coverage` → `div.coverage-box h4` text",
        ),
        _c(
            "published_at",
            TS,
            "Publication time, UTC.",
            "metadata `published_time` → `article:published_time` (ISO 8601 with offset, "
            "converted to UTC) → `li.date .time` display text read as Asia/Beirut wall time "
            "(forms `5 Apr 2023 15:23` and `2024-01-15 12:24`), converted to UTC. An ambiguous "
            "wall time (the hour repeated when DST ends) is read as its first occurrence (fold=0)",
            nullable=False,
        ),
        _c(
            "updated_at",
            TS,
            "Last update time, UTC, when the site reports one later than publication.",
            "metadata `last_updated` → `article:modified_time`; null when absent or not later "
            "than published_at",
        ),
        _c(
            "read_time_min",
            pa.int32(),
            "Reading time the site displays, in minutes.",
            'the integer of `li.read-time` ("2 Min Read" → 2)',
        ),
        _c(
            "word_count",
            pa.int32(),
            "Number of words in the body text.",
            "number of whitespace-separated words in `body` (computed, so it is the same "
            "whatever layer the body came from)",
        ),
        _c(
            "video_duration_s",
            pa.int32(),
            "Length of the article's video in seconds, null when the page declares none.",
            "metadata `video_duration` (whole seconds: a number, or `HH:MM:SS` / `MM:SS`, or an "
            "ISO 8601 duration such as `PT3M5S`); null when absent or unreadable. Not part of "
            "the content hash while null, so articles stored before the column existed keep "
            "their hash",
        ),
        _c(
            "body",
            pa.string(),
            "Article text: paragraphs separated by a blank line, without related-link blocks.",
            "the `p` elements of `div.p-content`, each text collapsed, joined by `\\n\\n`; left "
            "out: empty paragraphs, paragraphs starting with `Read more:`, anything inside "
            "`div.related-news`, and paragraphs equal to the subtitle (the lead copied as "
            "first/last paragraph). Unclosed `<p>` tags are handled by the HTML parser",
        ),
        _c(
            "image_url",
            pa.string(),
            "Lead image address.",
            "metadata `thumbnail` → `og:image` → `figure.main-image img[src]`, made absolute "
            "against the page URL (query kept)",
        ),
        _c(
            "image_caption",
            pa.string(),
            "Lead image caption including the photo credit.",
            "`figure.main-image figcaption` text, credit included: "
            "`NATO Secretary-General Jens Stoltenberg. (AP)`",
        ),
        _c(
            "links",
            STRINGS,
            "Other Al Mayadeen articles linked from the body.",
            "every `a[href]` inside `div.p-content` (Read more and related-news links included) "
            "that is on the page's host and is an article URL (`newsdesk.urls.is_article_url`), "
            "canonicalized, duplicates dropped, first-seen order",
        ),
        _c(
            "field_layers",
            LAYERS,
            "Provenance: for each field, which part of the page it was read from.",
            "field → layer that gave it",
        ),
        _c(
            "crawled_at",
            TS,
            "When the page was fetched by the crawler, UTC.",
            "when the page was fetched",
        ),
        _c(
            "content_hash",
            pa.string(),
            "Fingerprint of the content fields; changes whenever the article is edited.",
            "`newsdesk.hashing.content_hash` over the content fields",
        ),
        _c(
            "year",
            pa.int32(),
            "Publication year (UTC), a partition key of the dataset.",
            "the `year=YYYY` partition of the Parquet dataset, i.e. the UTC year of published_at",
            nullable=False,
            stored="partition",
        ),
        _c(
            "month",
            pa.int32(),
            "Publication month 1-12 (UTC), a partition key of the dataset.",
            "the `month=M` partition of the Parquet dataset, i.e. the UTC month of published_at",
            nullable=False,
            stored="partition",
        ),
    ),
)

#: The hive partition levels of the articles dataset, outermost first.
ARTICLE_PARTITIONS: tuple[str, ...] = ("edition", "year", "month")

CRAWL_LOG = Dataset(
    "crawl_log",
    "Every fetched URL of every crawl and what became of it (failures carry a reason).",
    (
        _c(
            "run_id",
            pa.string(),
            "The crawl run that fetched the URL.",
            "the run's id (UTC start time and a random suffix)",
            nullable=False,
        ),
        _c(
            "url",
            pa.string(),
            "The URL fetched (after redirects).",
            "the response URL",
            nullable=False,
        ),
        _c(
            "outcome",
            pa.string(),
            "What the page was: article, listing, sitemap, page (another page) or failed.",
            "set by the spider and pipelines for each response",
            nullable=False,
        ),
        _c(
            "fetched_at",
            TS,
            "When the URL was fetched, UTC.",
            "the response's fetch time",
            nullable=False,
        ),
        _c(
            "http_status",
            pa.int32(),
            "HTTP status of the response, null when none came.",
            "the response status",
        ),
        _c(
            "reason",
            pa.string(),
            "Why nothing usable came from the URL (failed rows), e.g. http_404, no_title.",
            "the failure classification of the spider, middlewares and pipelines",
        ),
        _c(
            "detail",
            pa.string(),
            "More about the failure (an error message).",
            "the exception or validation message",
        ),
        _c(
            "article_id",
            pa.string(),
            "The article extracted from the URL (article rows).",
            "the article's `article_id`",
        ),
    ),
)

ARTICLE_REVISIONS = Dataset(
    "article_revisions",
    "Earlier versions of edited articles: which fields changed and their previous values.",
    (
        _c(
            "article_id",
            pa.string(),
            "The edited article.",
            "the article's `article_id`",
            nullable=False,
        ),
        _c(
            "revision",
            pa.int32(),
            "1 for the first replaced version, then 2, 3...",
            "one more than the article's previous revisions",
            nullable=False,
        ),
        _c(
            "content_hash",
            pa.string(),
            "Content hash of the replaced version.",
            "the replaced row's `content_hash`",
            nullable=False,
        ),
        _c(
            "changed_fields",
            STRINGS,
            "Content fields that differ in the new version.",
            "the content fields whose values differ",
        ),
        _c(
            "previous_values",
            pa.string(),
            "The replaced version's values of the changed fields, as a JSON object.",
            "JSON of the old values (timestamps ISO 8601 UTC)",
        ),
        _c(
            "seen_at",
            TS,
            "When the replaced version had been crawled, UTC.",
            "the replaced row's `crawled_at`",
        ),
        _c(
            "replaced_at",
            TS,
            "When the new version replaced it, UTC.",
            "the commit time",
            nullable=False,
        ),
    ),
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (ARTICLES, CRAWL_LOG, ARTICLE_REVISIONS)}

#: Fields of `newsdesk.items.Article`: every articles column but the year/month partitions.
ITEM_COLUMNS: tuple[str, ...] = tuple(n for n in ARTICLES.names if n not in ("year", "month"))


def file_columns(dataset: Dataset) -> list[Column]:
    """The columns stored inside the dataset's Parquet files (partition levels excluded)."""
    return [c for c in dataset.columns if c.stored == "file"]


def arrow_schema(dataset: Dataset, *, include_partitions: bool = False) -> pa.Schema:
    """The Arrow schema of the dataset's files (with its partition levels if asked)."""
    columns = dataset.columns if include_partitions else file_columns(dataset)
    fields = [
        pa.field(c.name, c.arrow, nullable=c.nullable) for c in columns if c.arrow is not None
    ]
    return pa.schema(
        fields,
        metadata={
            b"newsdesk.schema_version": SCHEMA_VERSION.encode(),
            b"newsdesk.dataset": dataset.name.encode(),
        },
    )


# -- the DuckDB tables (newsdesk/sql/*.sql) -------------------------------------


def same_as(dataset: Dataset, name: str, **changes: str) -> Column:
    """A table column that carries a dataset column (its meaning and derivation)."""
    # ``stored`` stays the dataset's (file or partition): where the value comes from.
    return replace(dataset.column(name), **changes)


def _t(name: str, meaning: str, derivation: str, kind: pa.DataType | None = None) -> Column:
    return Column(name, kind, meaning, derivation, True, "table")


_A = ARTICLES
_WEEK = _t(
    "week", "Monday of the ISO week (UTC).", "`date_trunc('week', published_at)`", pa.date32()
)
_ARTICLES_N = _t(
    "articles", "Number of distinct articles.", "`count(DISTINCT article_id)`", pa.int64()
)
_FIRST = _t(
    "first_seen", "Publication time of the earliest such article, UTC.", "`min(published_at)`", TS
)
_LAST = _t(
    "last_seen", "Publication time of the latest such article, UTC.", "`max(published_at)`", TS
)


#: The ``articles`` table's column order (newsdesk/sql/010_articles.sql).
_ARTICLES_TABLE_ORDER = [
    "article_id",
    "post_id",
    "url",
    "edition",
    "section_group",
    "section",
    "content_type",
    "title",
    "subtitle",
    "authors",
    "tags",
    "source",
    "region",
    "coverage",
    "published_at",
    "updated_at",
    "published_date",
    "read_time_min",
    "word_count",
    "video_duration_s",
    "body",
    "image_url",
    "image_caption",
    "links",
    "field_layers",
    "crawled_at",
    "content_hash",
    "year",
    "month",
]


def _articles_table() -> Dataset:
    published_date = _t(
        "published_date",
        "Publication day (UTC calendar day).",
        "`CAST(published_at AS DATE)`: the UTC calendar day of published_at "
        "(added by the DuckDB build, newsdesk/sql/010_articles.sql)",
        pa.date32(),
    )
    columns = [
        published_date if name == "published_date" else same_as(_A, name)
        for name in _ARTICLES_TABLE_ORDER
    ]
    return Dataset("articles", _A.meaning, tuple(columns))


def _exploded(name: str, item: str, meaning: str, item_meaning: str) -> Dataset:
    return Dataset(
        name,
        meaning,
        (
            same_as(_A, "article_id"),
            _t(item, item_meaning, f"one row per element of `articles.{item}s`", pa.string()),
            _t(
                "position",
                f"Position of the {item} in the article (1 = first).",
                "`WITH ORDINALITY`",
                pa.int64(),
            ),
            same_as(_A, "published_at"),
            same_as(_A, "section_group"),
            same_as(_A, "section"),
        ),
    )


def _counted(name: str, key: Column, meaning: str, count: Column = _ARTICLES_N) -> Dataset:
    return Dataset(name, meaning, (key, count, _FIRST, _LAST))


TABLES: dict[str, Dataset] = {
    t.name: t
    for t in (
        _articles_table(),
        _exploded(
            "article_tags",
            "tag",
            "Article x tag, with the tag's position on the page.",
            "A tag of the article.",
        ),
        _exploded(
            "article_authors",
            "author",
            "Article x author, with the author's position in the byline.",
            "An author of the article.",
        ),
        _counted(
            "tags",
            _t("tag", "A tag, as the site writes it.", "`article_tags.tag`", pa.string()),
            "Tags with how many articles carry them and when they were first and last seen.",
        ),
        _counted(
            "authors",
            _t("author", "An author name, as bylined.", "`article_authors.author`", pa.string()),
            "Authors with how many articles they signed and when.",
        ),
        _counted(
            "sources",
            same_as(_A, "source"),
            "Credited sources; articles without a Source line are not counted.",
            _t("articles", "Number of articles crediting the source.", "`count(*)`", pa.int64()),
        ),
        Dataset(
            "sections",
            "Sections with their article counts and date range.",
            (
                same_as(_A, "section_group"),
                same_as(_A, "section"),
                _t("articles", "Number of articles.", "`count(*)`", pa.int64()),
                _FIRST,
                _LAST,
            ),
        ),
        Dataset(
            "daily_section_counts",
            "Articles per UTC publication day and section (only days with articles).",
            (
                _t("day", "UTC publication day.", "`articles.published_date`", pa.date32()),
                same_as(_A, "section_group"),
                same_as(_A, "section"),
                _t("articles", "Number of articles.", "`count(*)`", pa.int64()),
            ),
        ),
        Dataset(
            "crawl_log",
            CRAWL_LOG.meaning,
            tuple(
                same_as(CRAWL_LOG, n)
                for n in (
                    "run_id",
                    "url",
                    "outcome",
                    "http_status",
                    "reason",
                    "detail",
                    "article_id",
                    "fetched_at",
                )
            ),
        ),
        Dataset(
            "crawl_runs",
            "One row per crawl run: when it ran and what it did (the summary the CLI prints).",
            (
                _t("run_id", "The crawl run.", "`crawl_runs/<run_id>.json`", pa.string()),
                _t(
                    "base_url",
                    "The address crawled (the live site or a replica).",
                    "the crawl's `--base-url`",
                    pa.string(),
                ),
                _t("started_at", "When the crawl started, UTC.", "the run summary", TS),
                _t("finished_at", "When the crawl finished, UTC.", "the run summary", TS),
                _t(
                    "duration_s",
                    "Wall time of the crawl in seconds.",
                    "the run summary",
                    pa.float64(),
                ),
                _t(
                    "finish_reason",
                    "Why the crawl stopped (finished, shutdown, blocked...).",
                    "Scrapy's finish reason",
                    pa.string(),
                ),
                _t("pages_fetched", "Responses received.", "the run summary", pa.int64()),
                _t("requests", "Requests sent.", "the run summary", pa.int64()),
                _t(
                    "articles_new",
                    "Articles stored for the first time.",
                    "the run summary",
                    pa.int64(),
                ),
                _t(
                    "articles_updated",
                    "Stored articles that changed (edits).",
                    "the run summary",
                    pa.int64(),
                ),
                _t(
                    "articles_unchanged",
                    "Articles fetched again without a change.",
                    "the run summary",
                    pa.int64(),
                ),
                _t(
                    "revisions",
                    "Earlier versions written to article_revisions.",
                    "the run summary",
                    pa.int64(),
                ),
                _t(
                    "blocked",
                    "True when the site's bot protection stopped the crawl.",
                    "the run summary",
                    pa.bool_(),
                ),
                _t(
                    "edition",
                    "The edition crawled (`en`, `ar`, `es`...).",
                    "the run summary; for a summary written before runs recorded it: the "
                    "edition whose host the base URL is, else the edition of the articles "
                    "the run's crawl log names, else `en` (before editions every crawl was "
                    "of the English site)",
                    pa.string(),
                ),
                _t(
                    "drift",
                    "Markup drift the crawl noticed: short messages on modeled selectors that "
                    "stopped matching (a listing's card selector matched nothing, a field came "
                    "only from layers below its expected one); empty when none.",
                    "the run summary (`newsdesk.drift`); empty for summaries written before "
                    "the drift alarm",
                    pa.list_(pa.string()),
                ),
            ),
        ),
        Dataset(
            "article_revisions",
            ARTICLE_REVISIONS.meaning,
            tuple(same_as(ARTICLE_REVISIONS, n) for n in ARTICLE_REVISIONS.names),
        ),
        Dataset(
            "tag_weekly",
            "View: articles per tag per ISO week (only weeks with articles).",
            (_WEEK, _t("tag", "A tag.", "`article_tags.tag`", pa.string()), _ARTICLES_N),
        ),
        Dataset(
            "section_weekly",
            "View: articles per section per ISO week.",
            (
                _WEEK,
                same_as(_A, "section_group"),
                same_as(_A, "section"),
                _t("articles", "Number of articles.", "`count(*)`", pa.int64()),
            ),
        ),
        Dataset(
            "top_sources_by_section",
            "View: credited sources ranked within each section.",
            (
                same_as(_A, "section_group"),
                same_as(_A, "section"),
                same_as(_A, "source"),
                _t(
                    "articles",
                    "Articles of the section crediting the source.",
                    "`count(*)`",
                    pa.int64(),
                ),
                _t(
                    "share",
                    "Fraction of the section's source-crediting articles that credit this source.",
                    "articles / sum over the section, 4 decimals",
                    pa.float64(),
                ),
                _t(
                    "rank",
                    "1 for the section's most credited source.",
                    "`row_number()` by articles, then source",
                    pa.int32(),
                ),
            ),
        ),
        Dataset(
            "author_monthly",
            "View: articles per author per month (an article with two authors counts for each).",
            (
                _t(
                    "month",
                    "First day of the UTC publication month.",
                    "`date_trunc('month', published_at)`",
                    pa.date32(),
                ),
                _t("author", "An author.", "`article_authors.author`", pa.string()),
                _ARTICLES_N,
            ),
        ),
        Dataset(
            "crawl_failures",
            "View: crawl failures by run and reason, how often, with one example URL.",
            (
                same_as(CRAWL_LOG, "run_id"),
                _t(
                    "reason",
                    "Failure reason ('unknown' when none was recorded).",
                    "`coalesce(reason, 'unknown')`",
                    pa.string(),
                ),
                _t("pages", "Failed URLs with that reason in the run.", "`count(*)`", pa.int64()),
                _t("example_url", "One of those URLs.", "`min(url)`", pa.string()),
                _t("first_at", "First such failure, UTC.", "`min(fetched_at)`", TS),
                _t("last_at", "Last such failure, UTC.", "`max(fetched_at)`", TS),
            ),
        ),
        Dataset(
            "crawl_failed_urls",
            "View: one row per URL that failed in any crawl (a dead link fetched again in "
            "every run counts once), with its latest reason and whether it recovered.",
            (
                same_as(CRAWL_LOG, "url"),
                _t(
                    "reason",
                    "The URL's latest failure reason ('unknown' when none was recorded).",
                    "`arg_max(coalesce(reason, 'unknown'), fetched_at)` over its failures",
                    pa.string(),
                ),
                _t(
                    "fetches", "Failed fetches of the URL, over all runs.", "`count(*)`", pa.int64()
                ),
                _t(
                    "runs",
                    "Crawl runs in which the URL failed.",
                    "`count(DISTINCT run_id)`",
                    pa.int64(),
                ),
                _t("first_at", "First failure of the URL, UTC.", "`min(fetched_at)`", TS),
                _t("last_at", "Last failure of the URL, UTC.", "`max(fetched_at)`", TS),
                _t(
                    "recovered",
                    "True when a later fetch of the URL did not fail.",
                    "a crawl_log row of the URL with outcome <> 'failed' after `last_at`",
                    pa.bool_(),
                ),
            ),
        ),
        Dataset(
            "source_groups",
            "View: every credited source (raw, as written) with its group: the network's "
            "own desks ('Al Mayadeen Net', 'Al Mayadeen English', ...) are 'Al Mayadeen'; "
            "other spellings differing only in case, spacing or dots are one group.",
            (
                same_as(ARTICLES, "source"),
                _t(
                    "source_group",
                    "The group: 'Al Mayadeen' for the network's own desks, otherwise the "
                    "group's most used spelling.",
                    "by `source_group_key(source)`; ties: no outer spaces, not all capitals, "
                    "sort order",
                    pa.string(),
                ),
                _t(
                    "group_key",
                    "The rule's key: 'al mayadeen', or the source lower-cased without spaces "
                    "and dots.",
                    "`source_group_key(source)`",
                    pa.string(),
                ),
                _t("articles", "Articles crediting this raw source.", "`count(*)`", pa.int64()),
            ),
        ),
    )
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# The per-edition copies of the text behind each full-text index (`newsdesk build`).
SEARCH_TEXT_PREFIX = "articles_text_"
SEARCH_TEXT_MEANING = (
    "The text one edition's full-text index was built from (the edition is the name's "
    "suffix); emptied once indexed: search with search_articles() / search_articles_in()."
)


def comment_statements(kinds: dict[str, str]) -> list[str]:
    """``COMMENT ON`` statements for the declared tables present in the database.

    ``kinds`` maps each table or view name in the database to ``TABLE`` or ``VIEW``
    (from ``duckdb_tables()`` / ``duckdb_views()``); declared tables the build did
    not make are skipped here and caught by the tests.
    """
    statements = []
    for name, table in TABLES.items():
        kind = kinds.get(name)
        if kind is None:
            continue
        statements.append(f'COMMENT ON {kind} "{name}" IS {_quote(table.meaning)}')
        for column in table.columns:
            statements.append(
                f'COMMENT ON COLUMN "{name}"."{column.name}" IS {_quote(column.meaning)}'
            )
    for name, kind in kinds.items():
        if name.startswith(SEARCH_TEXT_PREFIX) and kind == "TABLE":
            statements.append(f'COMMENT ON TABLE "{name}" IS {_quote(SEARCH_TEXT_MEANING)}')
    return statements


# -- docs/fields.md ----------------------------------------------------------------

DOCS_PATH = Path("docs") / "fields.md"

_PREAMBLE = """\
# The article contract: how every column is derived

<!-- Generated from newsdesk/columns.py by `python -m newsdesk.columns --write-docs`:
     edit that, not this. -->

This is the contract between the page classes (`newsdesk/pages/`), the offline
replica's ground truth (`newsdesk/replica/`) and the dataset's data dictionary.
Layers, most reliable first: **metadata** = the `script#tawsiyat-metadata` JSON;
**meta** = `<meta>`/`<link>` tags in `<head>`; **page** = the visible page;
**url** = derived from the canonical URL. Each field takes the first layer that
yields a non-empty value; `field_layers` records which one did.

Text values are HTML-unescaped, whitespace collapsed to single spaces, trimmed;
an empty string becomes null (lists: an empty list).

The dataset is `articles/edition=<code>/year=YYYY/month=M/part-0.parquet`:
`edition`, `year` and `month` are hive partition levels only (not columns inside
the files), read by DuckDB, pyarrow and pandas as columns.
"""

_EPILOGUE = """
A page is **not an article** (nothing written, logged with a reason instead) when
its metadata `type` is `page` (listings, static pages), when it has no
`h1.article-title`/`og:title`/metadata title (`reason=no_title`), or when no
publication date can be read (`reason=no_published_at`).
"""


def _cell(text: str) -> str:
    """A markdown table cell: a literal pipe escaped."""
    return text.replace("|", "\\|")


def _row(column: Column) -> str:
    cells = (column.name, column.doc_type, _cell(column.meaning), _cell(column.derivation))
    return "| " + " | ".join(cells) + " |"


def render_docs() -> str:
    """The text of docs/fields.md, from the declaration."""
    lines = [_PREAMBLE, "| column | type | meaning | rule |", "|---|---|---|---|"]
    for column in ARTICLES.columns:
        lines.append(_row(column))
    lines.append(_EPILOGUE)
    lines.append("## Other datasets and tables\n")
    for dataset in (CRAWL_LOG, ARTICLE_REVISIONS):
        lines.append(f"### `{dataset.name}` (Parquet)\n\n{dataset.meaning}\n")
        lines.append("| column | type | meaning | rule |\n|---|---|---|---|")
        for column in dataset.columns:
            lines.append(_row(column))
        lines.append("")
    lines.append(
        "The DuckDB tables and views built by `newsdesk build` (`newsdesk/sql/*.sql`) carry "
        "each column's meaning as a comment: `SELECT table_name, column_name, comment FROM "
        "duckdb_columns()`.\n"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m newsdesk.columns [--write-docs | --check-docs]`` from the repo root."""
    parser = argparse.ArgumentParser(
        prog="python -m newsdesk.columns", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--write-docs", action="store_true", help="write docs/fields.md")
    parser.add_argument(
        "--check-docs", action="store_true", help="exit 1 if docs/fields.md is stale"
    )
    parser.add_argument("--path", type=Path, default=DOCS_PATH, help="where docs/fields.md is")
    args = parser.parse_args(argv)
    text = render_docs()
    if args.write_docs:
        args.path.write_text(text, encoding="utf-8")
        print(f"wrote {args.path}")
        return 0
    if args.check_docs:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
        if current != text:
            print(
                f"{args.path} is stale: run python -m newsdesk.columns --write-docs",
                file=sys.stderr,
            )
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
