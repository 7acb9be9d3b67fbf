"""``newsdesk report``: one self-contained HTML file with charts of the coverage and the crawls.

The page needs no network: charts are inline SVG drawn here in Python
(`newsdesk.analyst.charts`), styles are inline, there is no JavaScript, and a
Content-Security-Policy forbids loading anything. Sections: key figures,
the editions side by side (articles per week per edition, each edition's key
figures, top tags and latest titles, written in its own language and direction:
Arabic right to left), top headlines per week (per day for short windows) with section
and link, a drill-down per section and per tag (``<details>``), articles per day by
section, top tags over time (partial first/last weeks flagged), source groups with their
raw spellings (the ``source_groups`` view) and authors, crawl health (outcomes, failures
by reason per distinct URL, runs, field coverage by extraction layer).

The queries added for the stories are SQL files in ``newsdesk/sql/report/``, loaded by
name (`report_sql`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from string import Template
from typing import Any

import duckdb

from newsdesk import editions
from newsdesk.analyst import charts
from newsdesk.analyst.database import AnalystError, one_line, temp_name
from newsdesk.analyst.filters import ArticleFilters

TEMPLATE = Path(__file__).with_name("report_template.html")
#: The report's own queries, loaded by name (`report_sql`); not run by `newsdesk build`.
REPORT_SQL_DIR = Path(__file__).resolve().parent.parent / "sql" / "report"

#: Daily columns up to this many days, weekly beyond (a bar must stay visible).
MAX_DAILY_BUCKETS = 120
TOP_SECTIONS = 9
TOP_TAGS = 14
TOP_SOURCES = 10
TOP_AUTHORS = 10
#: Per edition, in the side-by-side columns.
EDITION_TOP_TAGS = 6
EDITION_LATEST = 4
#: Headlines per period, per day up to this many days in the window, per week beyond.
HEADLINES_PER_PERIOD = 5
HEADLINES_DAILY_MAX_DAYS = 14
HEADLINE_PERIODS = 26
#: Drill-down: headlines listed per section / tag, tags per section, tags drilled into.
DRILL_HEADLINES = 8
DRILL_TAGS = 6
DRILL_TOP_TAGS = 14

#: Fields whose coverage and extraction layer the report shows, and how "present" is tested.
COVERAGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "text"),
    ("published_at", "value"),
    ("section", "text"),
    ("body", "text"),
    ("subtitle", "text"),
    ("authors", "list"),
    ("tags", "list"),
    ("image_url", "text"),
    ("image_caption", "text"),
    ("post_id", "text"),
    ("source", "text"),
    ("region", "text"),
    ("coverage", "text"),
    ("read_time_min", "value"),
    ("updated_at", "value"),
    ("links", "list"),
)
LAYER_COLORS: dict[str, str] = {
    "metadata": "#4e79a7",
    "meta": "#76b7b2",
    "page": "#f28e2b",
    "url": "#b07aa1",
    "not recorded": "#9aa3ae",
    "missing": "#eceef1",
}
OUTCOME_COLORS: dict[str, str] = {
    "article": "#59a14f",
    "listing": "#4e79a7",
    "sitemap": "#76b7b2",
    "page": "#bab0ac",
    "skipped": "#edc948",
    "failed": "#e15759",
}


@dataclass
class EditionFigures:
    """One edition's column in the side-by-side comparison."""

    code: str
    articles: int
    first: dt.datetime | None
    last: dt.datetime | None
    sections: int
    sources: int
    tags: int = 0
    authors: int = 0
    top_tags: list[tuple[str, int]] = field(default_factory=list)
    latest: list[tuple[str, dt.date]] = field(default_factory=list)


@dataclass
class ReportData:
    """Everything the report shows, queried once."""

    filters: ArticleFilters
    generated_at: dt.datetime
    database: Path
    articles: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)
    daily: list[tuple[dt.date, str, int]] = field(default_factory=list)
    tag_weeks: list[tuple[str, dt.date, int]] = field(default_factory=list)
    sources: list[tuple[str, int]] = field(default_factory=list)
    no_source: int = 0
    authors: list[tuple[str, int]] = field(default_factory=list)
    outcomes: list[tuple[str, int]] = field(default_factory=list)
    failures: list[tuple[str, int]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    coverage: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    editions: list[EditionFigures] = field(default_factory=list)
    edition_weeks: list[tuple[str, dt.date, int]] = field(default_factory=list)
    #: ``(first, last)`` day a week must lie in to be complete (window within the data).
    window: tuple[dt.date | None, dt.date | None] = (None, None)
    headline_period: str = "week"
    headlines: list[dict[str, Any]] = field(default_factory=list)
    section_drill: list[dict[str, Any]] = field(default_factory=list)
    tag_drill: list[dict[str, Any]] = field(default_factory=list)
    #: ``(group, group articles, raw source, articles)``, groups by size.
    source_groups: list[tuple[str, int, str, int]] = field(default_factory=list)
    #: Failures by reason: ``{"reason", "urls", "fetches", "recovered"}`` (distinct URLs).
    failure_urls: list[dict[str, Any]] = field(default_factory=list)
    crawl_totals: dict[str, int] = field(default_factory=dict)

    def is_partial(self, week: dt.date) -> bool:
        """A week (Monday) only partly inside the window (--since/--until within the data)."""
        first, last = self.window
        if first is None or last is None:
            return False
        return week < first or week + dt.timedelta(days=6) > last

    def week_name(self, week: dt.date) -> str:
        """Hover name of a weekly bucket, with the days in the window of a partial week."""
        name = f"week of {week.isoformat()}"
        first, last = self.window
        if first is None or last is None or not self.is_partial(week):
            return name
        start, end = max(week, first), min(week + dt.timedelta(days=6), last)
        days = (end - start).days + 1
        return f"{name} (partial: {days} of 7 days, {start:%-d %b}–{end:%-d %b})"


def report_sql(name: str, **values: str | int) -> str:
    """The report query ``newsdesk/sql/report/<name>.sql`` with its ``{placeholders}`` set.

    Values are the report's own table name, integers or fixed words, never user text
    (filter values are bound parameters of the temporary table's query).
    """
    sql = (REPORT_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    for key, value in values.items():
        sql = sql.replace("{" + key + "}", str(value))
    return sql


def _dicts(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def collect(con: duckdb.DuckDBPyConnection, filters: ArticleFilters, database: Path) -> ReportData:
    """Query the numbers behind every chart (filter values are bound parameters)."""
    data = ReportData(filters=filters, generated_at=dt.datetime.now(dt.UTC), database=database)
    table = temp_name("report_articles")
    where, params = filters.where("a")
    try:
        con.execute(
            f"CREATE TEMP TABLE {table} AS SELECT a.*, "
            "CAST(a.published_at AT TIME ZONE 'UTC' AS DATE) AS utc_day "
            f"FROM articles AS a WHERE {where}",
            params,
        )
        _collect_articles(con, table, data)
        _collect_editions(con, table, data)
        _collect_stories(con, table, data)
        _collect_crawls(con, data)
    except duckdb.Error as exc:
        raise AnalystError(f"report failed: {one_line(exc)}") from exc
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return data


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def _collect_articles(con: duckdb.DuckDBPyConnection, t: str, data: ReportData) -> None:
    row = con.execute(
        f"SELECT count(*), min(published_at), max(published_at), count(DISTINCT section), "
        f"count(DISTINCT source) FROM {t}"
    ).fetchone()
    assert row is not None
    data.articles, data.first, data.last = int(row[0]), row[1], row[2]
    data.counts["sections"], data.counts["sources"] = int(row[3]), int(row[4])
    for name, key in (("article_tags", "tags"), ("article_authors", "authors")):
        column = "tag" if key == "tags" else "author"
        value = con.execute(
            f"SELECT count(DISTINCT x.{column}) FROM {name} AS x "
            f"WHERE x.article_id IN (SELECT article_id FROM {t})"
        ).fetchone()
        data.counts[key] = int(value[0]) if value else 0
    data.daily = [
        (d, s, int(n))
        for d, s, n in _rows(
            con,
            f"SELECT utc_day, coalesce(section, '(none)'), count(*) FROM {t} "
            "GROUP BY ALL ORDER BY 1, 2",
        )
    ]
    data.tag_weeks = [
        (tag, week, int(n))
        for tag, week, n in _rows(
            con,
            f"""
            WITH x AS (
                SELECT tg.tag, CAST(date_trunc('week', a.utc_day) AS DATE) AS week, a.article_id
                FROM article_tags AS tg JOIN {t} AS a USING (article_id)
            ), top AS (
                SELECT tag FROM x GROUP BY tag
                ORDER BY count(DISTINCT article_id) DESC, tag LIMIT {TOP_TAGS}
            )
            SELECT tag, week, count(DISTINCT article_id) FROM x WHERE tag IN (SELECT tag FROM top)
            GROUP BY ALL ORDER BY 1, 2
            """,
        )
    ]
    data.sources = [
        (s, int(n))
        for s, n in _rows(
            con,
            f"SELECT source, count(*) FROM {t} WHERE source IS NOT NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1",
        )
    ]
    data.no_source = data.articles - sum(n for _, n in data.sources)
    data.authors = [
        (s, int(n))
        for s, n in _rows(
            con,
            f"SELECT x.author, count(DISTINCT x.article_id) FROM article_authors AS x "
            f"JOIN {t} AS a USING (article_id) GROUP BY 1 ORDER BY 2 DESC, 1 "
            f"LIMIT {TOP_AUTHORS + 1}",
        )
    ]
    data.counts["no_author"] = int(
        _rows(con, f"SELECT count(*) FROM {t} WHERE len(authors) = 0 OR authors IS NULL")[0][0]
    )
    selects = []
    for name, kind in COVERAGE_FIELDS:
        # An empty list or string (a video page's body) counts as missing.
        present = {
            "list": f"len({name}) > 0",
            "text": f"coalesce({name}, '') <> ''",
            "value": f"{name} IS NOT NULL",
        }[kind]
        selects.append(
            f"SELECT '{name}' AS field, CASE WHEN NOT coalesce({present}, false) THEN 'missing' "
            f"ELSE coalesce(field_layers['{name}'], 'not recorded') END AS layer, count(*) AS n "
            f"FROM {t} GROUP BY ALL"
        )
    layers: dict[str, dict[str, int]] = defaultdict(dict)
    for name, layer, n in _rows(con, " UNION ALL ".join(selects)):
        layers[name][layer] = int(n)
    data.coverage = [(name, layers.get(name, {})) for name, _ in COVERAGE_FIELDS]


def _edition_order(code: str) -> tuple[int, str]:
    """Registry order (English first), then editions the registry does not know."""
    codes = [edition.code for edition in editions.all_editions()]
    return (codes.index(code) if code in codes else len(codes), code)


def _collect_editions(con: duckdb.DuckDBPyConnection, t: str, data: ReportData) -> None:
    figures: dict[str, EditionFigures] = {}
    for code, n, first, last, sections, sources in _rows(
        con,
        f"SELECT coalesce(edition, '?'), count(*), min(published_at), max(published_at), "
        f"count(DISTINCT section), count(DISTINCT source) FROM {t} GROUP BY 1",
    ):
        figures[code] = EditionFigures(code, int(n), first, last, int(sections), int(sources))
    for name, column, key in (
        ("article_tags", "tag", "tags"),
        ("article_authors", "author", "authors"),
    ):
        for code, n in _rows(
            con,
            f"SELECT coalesce(a.edition, '?'), count(DISTINCT x.{column}) FROM {name} AS x "
            f"JOIN {t} AS a USING (article_id) GROUP BY 1",
        ):
            setattr(figures[code], key, int(n))
    for code, tag, n in _rows(
        con,
        f"""
        SELECT edition, tag, n FROM (
            SELECT coalesce(a.edition, '?') AS edition, x.tag, count(DISTINCT a.article_id) AS n,
                   row_number() OVER (
                       PARTITION BY coalesce(a.edition, '?')
                       ORDER BY count(DISTINCT a.article_id) DESC, x.tag
                   ) AS r
            FROM article_tags AS x JOIN {t} AS a USING (article_id) GROUP BY 1, 2
        ) WHERE r <= {EDITION_TOP_TAGS} ORDER BY edition, r
        """,
    ):
        figures[code].top_tags.append((str(tag), int(n)))
    for code, title, day in _rows(
        con,
        f"""
        SELECT edition, title, utc_day FROM (
            SELECT coalesce(edition, '?') AS edition, title, utc_day,
                   row_number() OVER (
                       PARTITION BY coalesce(edition, '?') ORDER BY published_at DESC, article_id
                   ) AS r
            FROM {t} WHERE coalesce(title, '') <> ''
        ) WHERE r <= {EDITION_LATEST} ORDER BY edition, r
        """,
    ):
        figures[code].latest.append((str(title), day))
    data.editions = [figures[code] for code in sorted(figures, key=_edition_order)]
    data.edition_weeks = [
        (code, week, int(n))
        for code, week, n in _rows(
            con,
            f"SELECT coalesce(edition, '?'), CAST(date_trunc('week', utc_day) AS DATE), count(*) "
            f"FROM {t} GROUP BY ALL ORDER BY 2, 1",
        )
    ]


def _collect_stories(con: duckdb.DuckDBPyConnection, t: str, data: ReportData) -> None:
    """Headlines per period, drill-downs per section and tag, source groups."""
    row = con.execute(report_sql("data_range")).fetchone()
    first, last = row if row else (None, None)
    since, until = data.filters.since, data.filters.until
    if first is not None and since is not None:
        first = max(first, since)
    if last is not None and until is not None:
        last = min(last, until)
    data.window = (first, last)
    short = (
        first is not None and last is not None and (last - first).days < HEADLINES_DAILY_MAX_DAYS
    )
    data.headline_period = "day" if short else "week"
    data.headlines = _dicts(
        con,
        report_sql(
            "headlines", articles=t, period=data.headline_period, per_period=HEADLINES_PER_PERIOD
        ),
    )
    data.section_drill = _dicts(
        con,
        report_sql("section_drilldown", articles=t, top_tags=DRILL_TAGS, headlines=DRILL_HEADLINES),
    )
    data.tag_drill = _dicts(
        con, report_sql("tag_drilldown", articles=t, top=DRILL_TOP_TAGS, headlines=DRILL_HEADLINES)
    )
    data.source_groups = [
        (g, int(gn), s, int(n))
        for g, gn, s, n in _rows(con, report_sql("source_groups", articles=t))
    ]


def _collect_crawls(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    data.failure_urls = _dicts(con, report_sql("failures"))
    totals = _dicts(con, report_sql("crawl_totals"))
    data.crawl_totals = {k: int(v or 0) for k, v in totals[0].items()} if totals else {}
    data.outcomes = [
        (o, int(n))
        for o, n in _rows(
            con,
            "SELECT coalesce(outcome, 'unknown'), count(*) FROM crawl_log GROUP BY 1 "
            "ORDER BY 2 DESC",
        )
    ]
    data.failures = [
        (r, int(n))
        for r, n in _rows(
            con,
            "SELECT coalesce(reason, 'unknown'), count(*) FROM crawl_log WHERE outcome = 'failed' "
            "GROUP BY 1 ORDER BY 2 DESC, 1",
        )
    ]
    cursor = con.execute(
        """
        SELECT r.run_id, r.base_url, r.started_at, r.duration_s, r.pages_fetched,
               r.articles_new, r.articles_updated, r.articles_unchanged, r.blocked,
               (SELECT count(*) FROM crawl_log AS l
                WHERE l.run_id = r.run_id AND l.outcome = 'failed') AS failures
        FROM crawl_runs AS r ORDER BY r.started_at DESC LIMIT 12
        """
    )
    names = [d[0] for d in cursor.description]
    data.runs = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- rendering ----------------------------------------------------------------------


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _day(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).date()
    return value.strftime("%-d %b %Y")


def _daily_chart(data: ReportData) -> tuple[str, str, str]:
    if not data.daily:
        return charts.empty_chart("No articles in this window"), "", "Articles per day"
    first, last = data.daily[0][0], data.daily[-1][0]
    weekly = (last - first).days + 1 > MAX_DAILY_BUCKETS
    if weekly:
        first = first - dt.timedelta(days=first.weekday())
    step = 7 if weekly else 1
    buckets: list[dt.date] = []
    day = first
    while day <= last:
        buckets.append(day)
        day += dt.timedelta(days=step)
    index = {b: i for i, b in enumerate(buckets)}
    totals: dict[str, int] = defaultdict(int)
    for _, section, n in data.daily:
        totals[section] += n
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    shown = ranked[:TOP_SECTIONS] if len(ranked) > TOP_SECTIONS + 1 else ranked
    colors = {s: charts.PALETTE[i % len(charts.PALETTE)] for i, s in enumerate(shown)}
    values: dict[str, list[int]] = {s: [0] * len(buckets) for s in [*shown, "other sections"]}
    for d, section, n in data.daily:
        bucket = d - dt.timedelta(days=d.weekday()) if weekly else d
        key = section if section in colors else "other sections"
        values[key][index[bucket]] += n
    series = [charts.Series(s, colors[s], values[s]) for s in shown]
    if any(values["other sections"]):
        series.append(charts.Series("other sections", charts.OTHER, values["other sections"]))
    labels: dict[int, str] = {}
    every = max(1, len(buckets) // 10)
    for i, b in enumerate(buckets):
        if weekly:
            marked = i % every == 0
        elif len(buckets) <= 45:
            marked = i == 0 or b.weekday() == 0
        else:
            marked = i == 0 or b.day in (1, 15)
        if marked and (not labels or i - max(labels) >= 4):  # labels must not collide
            with_year = i == 0 or (b.month == 1 and b.day <= 7)
            labels[i] = b.strftime("%-d %b %Y" if with_year else "%-d %b")
    names = [b.isoformat() if not weekly else data.week_name(b) for b in buckets]
    title = "Articles per week by section" if weekly else "Articles per day by section"
    chart = charts.stacked_columns(names, series, axis_labels=labels, label=title)
    legend_items = [(f"{s.name} · {sum(s.values)}", s.color) for s in series]
    return chart, charts.legend(legend_items), title


def _edition_lang(code: str) -> tuple[str, str, str]:
    """``(name, language, direction)`` of an edition; an unknown one gets ``dir=auto``."""
    try:
        edition = editions.get(code)
    except KeyError:
        return code, "", "auto"
    return edition.name, edition.language, edition.direction


def _text_attrs(code: str) -> str:
    """``dir``/``lang`` for text written in an edition's language (Arabic right to left)."""
    _, language, direction = _edition_lang(code)
    lang = f' lang="{escape(language)}"' if language else ""
    return f' dir="{escape(direction)}"{lang}'


def _editions_chart(data: ReportData) -> tuple[str, str]:
    """Stacked weekly columns, one colour per edition (a count, comparable across editions)."""
    if not data.edition_weeks:
        return charts.empty_chart("No articles in this window"), ""
    weeks = sorted({w for _, w, _ in data.edition_weeks})
    buckets = []
    week = weeks[0]
    while week <= weeks[-1]:
        buckets.append(week)
        week += dt.timedelta(days=7)
    position = {w: i for i, w in enumerate(buckets)}
    codes = [figures.code for figures in data.editions]
    values = {code: [0] * len(buckets) for code in codes}
    for code, w, n in data.edition_weeks:
        values[code][position[w]] += n
    series = [
        charts.Series(code, charts.PALETTE[i % len(charts.PALETTE)], values[code])
        for i, code in enumerate(codes)
    ]
    every = max(1, len(buckets) // 10)
    labels = {i: w.strftime("%-d %b %Y") for i, w in enumerate(buckets) if i % every == 0}
    chart = charts.stacked_columns(
        [data.week_name(w) for w in buckets],
        series,
        axis_labels=labels,
        label="Articles per week by edition",
        height=220,
    )
    # Codes only: a legend line is plain text, and an Arabic name inside it would
    # reorder the line (the columns below give each edition's name in its direction).
    items = [(f"{s.name} · {sum(s.values)}", s.color) for s in series]
    return chart, charts.legend(items)


def _editions_columns(data: ReportData) -> str:
    """One column per edition, side by side: key figures, top tags, latest titles.

    Labels stay English; the edition's own text (its name, tags, titles) carries
    the edition's ``lang`` and ``dir``, so Arabic is laid out right to left.
    """
    columns = []
    for figures in data.editions:
        name, _, _ = _edition_lang(figures.code)
        attrs = _text_attrs(figures.code)
        span = "–"
        if figures.first and figures.last:
            span = f"{_day(figures.first)} – {_day(figures.last)}"
        rows = [
            ("articles", _fmt_int(figures.articles)),
            ("published", span),
            ("sections", _fmt_int(figures.sections)),
            ("tags", _fmt_int(figures.tags)),
            ("authors", _fmt_int(figures.authors)),
            ("sources", _fmt_int(figures.sources)),
        ]
        table = "".join(
            f'<tr><th>{escape(k)}</th><td class="n">{escape(v)}</td></tr>' for k, v in rows
        )
        # The list items take the edition's direction, so an Arabic line starts on the
        # right; the counts and English dates inside are isolated as left to right.
        tags = (
            "".join(
                f'<li{attrs}><span class="ed-tag">{escape(tag)}</span> '
                f'<span class="muted" dir="ltr" lang="en">{_fmt_int(n)}</span></li>'
                for tag, n in figures.top_tags
            )
            or '<li class="muted">no tags</li>'
        )
        latest = "".join(
            f'<li{attrs}><span class="ed-title">{escape(title)}</span> '
            f'<span class="muted" dir="ltr" lang="en">{escape(_day(day))}</span></li>'
            for title, day in figures.latest
        )
        columns.append(
            f'<div class="edition" data-edition="{escape(figures.code)}">'
            f'<h3><span class="ed-name"{attrs}>{escape(name)}</span> '
            f'<span class="code">{escape(figures.code)}</span></h3>'
            f'<table class="runs ed-figures"><tbody>{table}</tbody></table>'
            f'<h4>Top tags</h4><ul class="ed-tags">{tags}</ul>'
            f'<h4>Latest titles</h4><ul class="ed-titles">{latest}</ul></div>'
        )
    return "".join(columns)


def _tags_chart(data: ReportData) -> str:
    if not data.tag_weeks:
        return charts.empty_chart("No tagged articles in this window")
    weeks = sorted({w for _, w, _ in data.tag_weeks})
    week = weeks[0]
    all_weeks = []
    while week <= weeks[-1]:
        all_weeks.append(week)
        week += dt.timedelta(days=7)
    totals: dict[str, int] = defaultdict(int)
    for tag, _, n in data.tag_weeks:
        totals[tag] += n
    tags = sorted(totals, key=lambda t: (-totals[t], t))
    grid = {t: [0] * len(all_weeks) for t in tags}
    position = {w: i for i, w in enumerate(all_weeks)}
    for tag, w, n in data.tag_weeks:
        grid[tag][position[w]] = n
    every = max(1, len(all_weeks) // 8)
    labels = {i: w.strftime("%-d %b") for i, w in enumerate(all_weeks) if i % every == 0}
    return charts.heatmap(
        tags,
        [data.week_name(w) for w in all_weeks],
        [grid[t] for t in tags],
        column_labels=labels,
        label="Top tags: articles per week",
    )


def _groups(data: ReportData) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """Source groups by size: ``(group, articles, [(raw source, articles), ...])``."""
    groups: dict[str, tuple[int, list[tuple[str, int]]]] = {}
    for group, group_n, source, n in data.source_groups:
        groups.setdefault(group, (group_n, []))[1].append((source, n))
    return [(g, n, variants) for g, (n, variants) in groups.items()]


def _sources_chart(data: ReportData) -> str:
    grouped = [(g, n) for g, n, _ in _groups(data)]
    items = grouped[:TOP_SOURCES]
    rest = sum(n for _, n in grouped[TOP_SOURCES:])
    if rest:
        items.append(("other sources", rest))
    if data.no_source:
        items.append(("no source line", data.no_source))
    return charts.hbars(
        items,
        data.articles,
        label="Source groups: share of articles",
        color=charts.PALETTE[1],
        muted=("other sources", "no source line"),
    )


def _authors_chart(data: ReportData) -> str:
    items = list(data.authors[:TOP_AUTHORS])
    if data.counts.get("no_author"):
        items.append(("no byline", data.counts["no_author"]))
    return charts.hbars(
        items,
        data.articles,
        label="Authors: share of articles",
        color=charts.PALETTE[0],
        muted=("no byline",),
    )


def _coverage_chart(data: ReportData) -> tuple[str, str]:
    order = list(LAYER_COLORS)
    rows = []
    notes = []
    for name, layers in data.coverage:
        parts = [(layer, layers.get(layer, 0)) for layer in order]
        parts += [(k, v) for k, v in layers.items() if k not in LAYER_COLORS]
        total = sum(layers.values())
        present = total - layers.get("missing", 0)
        rows.append((name, parts))
        notes.append(f"{present / total:.0%}" if total else "–")
    chart = charts.stacked_rows(rows, LAYER_COLORS, label="Field coverage", right_note=notes)
    return chart, charts.legend([(k, v) for k, v in LAYER_COLORS.items()])


def _outcomes_chart(data: ReportData) -> str:
    if not data.outcomes:
        return charts.empty_chart("No crawl log in this warehouse", width=560, height=90)
    total = sum(n for _, n in data.outcomes)
    return charts.hbars(
        data.outcomes,
        total,
        label="Outcome of every fetched page",
        colors=OUTCOME_COLORS,
    )


def _failures_chart(data: ReportData) -> str:
    if not data.outcomes:
        return charts.empty_chart("No crawl log yet", width=560, height=90)
    if not data.failure_urls:
        return charts.empty_chart("No failed pages: every fetch succeeded", width=560, height=90)
    items = [(str(f["reason"]), int(f["urls"])) for f in data.failure_urls]
    return charts.hbars(
        items[:12],
        sum(n for _, n in items),
        label="Failed URLs by reason (distinct URLs)",
        color=charts.PALETTE[2],
    )


def _failures_table(data: ReportData) -> str:
    """Per reason: distinct URLs, failed fetches, URLs a later fetch got."""
    if not data.failure_urls:
        return ""
    rows = "".join(
        f"<tr><td>{escape(str(f['reason']))}</td><td class=n>{_fmt_int(int(f['urls']))}</td>"
        f"<td class=n>{_fmt_int(int(f['fetches']))}</td>"
        f"<td class=n>{_fmt_int(int(f['recovered']))}</td></tr>"
        for f in data.failure_urls
    )
    return (
        '<table class="runs failures"><thead><tr><th>reason</th><th class=n>URLs</th>'
        "<th class=n>failed fetches</th><th class=n>recovered later</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _runs_table(data: ReportData) -> str:
    if not data.runs:
        return '<p class="muted">No crawl runs recorded in this warehouse.</p>'
    head = (
        "<tr><th>started (UTC)</th><th>site</th><th class=n>duration</th><th class=n>pages</th>"
        "<th class=n>new</th><th class=n>updated</th><th class=n>unchanged</th>"
        "<th class=n>failures</th><th>status</th></tr>"
    )
    rows = []
    for run in data.runs:
        started = run.get("started_at")
        started_text = (
            started.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
            if isinstance(started, dt.datetime)
            else "–"
        )
        status = (
            '<span class="pill bad">blocked</span>'
            if run.get("blocked")
            else '<span class="pill ok">ok</span>'
        )
        duration = run.get("duration_s")
        cells = [
            started_text,
            escape(str(run.get("base_url") or "–")),
            f"{duration:.0f} s" if isinstance(duration, int | float) else "–",
            *(_fmt_int(int(run.get(k) or 0)) for k in ("pages_fetched", "articles_new")),
            *(_fmt_int(int(run.get(k) or 0)) for k in ("articles_updated", "articles_unchanged")),
            _fmt_int(int(run.get("failures") or 0)),
        ]
        tds = "".join(f"<td{' class=n' if i >= 2 else ''}>{c}</td>" for i, c in enumerate(cells))
        rows.append(f"<tr>{tds}<td>{status}</td></tr>")
    return f'<table class="runs"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _link(title: str, url: str | None) -> str:
    """A headline linking to its article (http and https addresses only)."""
    text = escape(title or "(untitled)")
    if url and url.startswith(("https://", "http://")):
        return f'<a href="{escape(url)}" rel="noopener noreferrer">{text}</a>'
    return text


def _pill_partial(title: str) -> str:
    return f'<span class="pill partial" title="{escape(title)}">partial</span>'


def _partial_note(data: ReportData) -> str:
    """Which weeks of the weekly charts and tables are partial, and why."""
    first, last = data.window
    if first is None or last is None:
        return ""
    weeks = sorted(
        {first - dt.timedelta(days=first.weekday()), last - dt.timedelta(days=last.weekday())}
    )
    partial = [w for w in weeks if data.is_partial(w)]
    if not partial:
        return escape(f"Every week lies wholly inside the window ({_day(first)} – {_day(last)}).")
    names = "; ".join(data.week_name(w) for w in partial)
    return escape(
        f"Window {_day(first)} – {_day(last)}. Partial weeks, only partly inside it and so "
        f"not comparable with full ones: {names}. They are marked “partial” in the hover "
        "text of weekly charts and in the tables."
    )


def _headline_items(items: list[dict[str, Any]], with_section: bool = True) -> str:
    out = []
    for h in items:
        meta = [escape(_day(h.get("day") or h.get("utc_day")))]
        if with_section:
            meta.insert(0, f'<span class="sec">{escape(str(h.get("section") or "(none)"))}</span>')
        attrs = _text_attrs(str(h.get("edition") or "?"))
        out.append(
            f'<li><span class="hl"{attrs}>{_link(str(h.get("title") or ""), h.get("url"))}</span> '
            f'<span class="muted">{" · ".join(meta)}</span></li>'
        )
    return "".join(out)


def _headlines_html(data: ReportData) -> str:
    if not data.headlines:
        return '<p class="muted">No articles in this window.</p>'
    periods: dict[dt.date, list[dict[str, Any]]] = {}
    for h in data.headlines:
        periods.setdefault(h["period"], []).append(h)
    blocks = []
    for i, (period, items) in enumerate(periods.items()):
        if i == HEADLINE_PERIODS:
            blocks.append(
                f'<p class="muted">{len(periods) - HEADLINE_PERIODS} earlier periods not shown: '
                "narrow the window with --since/--until.</p>"
            )
            break
        weekly = data.headline_period == "week"
        name = f"Week of {_day(period)}" if weekly else period.strftime("%a %-d %b %Y")
        flag = _pill_partial(data.week_name(period)) if weekly and data.is_partial(period) else ""
        n = int(items[0]["period_articles"])
        rows = "".join(
            f'<li><span class="hl"{_text_attrs(str(h["edition"]))}>'
            f"{_link(str(h['title']), h['url'])}</span> "
            f'<span class="muted"><span class="sec">{escape(str(h["section"]))}</span> · '
            f"{escape(_day(h['utc_day']))}"
            + (f" · {escape(', '.join(map(str, h['tags'][:4])))}" if h["tags"] else "")
            + "</span></li>"
            for h in items
        )
        blocks.append(
            f'<div class="period" data-period="{period.isoformat()}"'
            f"{' data-partial' if flag else ''}><h3>{escape(name)} "
            f'<span class="count">{_fmt_int(n)} articles</span> {flag}</h3>'
            f'<ol class="headlines">{rows}</ol></div>'
        )
    return "".join(blocks)


def _counts_line(items: list[dict[str, Any]]) -> str:
    return ", ".join(f"{escape(str(x['name']))} ({_fmt_int(int(x['n']))})" for x in items)


def _section_drill_html(data: ReportData) -> str:
    if not data.section_drill:
        return '<p class="muted">No articles in this window.</p>'
    out = []
    for d in data.section_drill:
        tags = _counts_line(d["top_tags"]) or "no tags"
        shown = len(d["headlines"])
        out.append(
            f'<details class="drill" data-section="{escape(str(d["section"]))}">'
            f"<summary><b>{escape(str(d['section']))}</b> "
            f'<span class="count">{_fmt_int(int(d["articles"]))} articles</span> '
            f'<span class="muted">{escape(_day(d["first_day"]))} – {escape(_day(d["last_day"]))}'
            f"</span></summary>"
            f'<p class="sub">Top tags: {tags}. '
            f"Latest {shown} of {_fmt_int(int(d['articles']))}:</p>"
            f'<ol class="headlines">{_headline_items(d["headlines"], with_section=False)}</ol>'
            "</details>"
        )
    return "".join(out)


def _tag_drill_html(data: ReportData) -> str:
    if not data.tag_drill:
        return '<p class="muted">No tagged articles in this window.</p>'
    out = []
    for d in data.tag_drill:
        shown = len(d["headlines"])
        out.append(
            f'<details class="drill" data-tag="{escape(str(d["tag"]))}">'
            f"<summary><b>{escape(str(d['tag']))}</b> "
            f'<span class="count">{_fmt_int(int(d["articles"]))} articles</span> '
            f'<span class="muted">{escape(_day(d["first_day"]))} – {escape(_day(d["last_day"]))}'
            f"</span></summary>"
            f'<p class="sub">In sections: {_counts_line(d["sections"])}. '
            f"Latest {shown} of {_fmt_int(int(d['articles']))}:</p>"
            f'<ol class="headlines">{_headline_items(d["headlines"])}</ol>'
            "</details>"
        )
    return "".join(out)


def _source_variants_html(data: ReportData) -> str:
    groups = _groups(data)
    if not groups:
        return '<p class="muted">No credited sources in this window.</p>'
    rows = []
    for group, n, variants in groups:
        spelled = ", ".join(f"“{escape(s)}” ({_fmt_int(v)})" for s, v in variants)
        rows.append(
            f'<tr data-group="{escape(group)}"><td>{escape(group)}</td>'
            f"<td class=n>{_fmt_int(n)}</td><td>{spelled}</td></tr>"
        )
    return (
        '<table class="runs source-groups"><thead><tr><th>group</th><th class=n>articles</th>'
        f"<th>raw sources (articles)</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _kpis(data: ReportData) -> str:
    fetched = sum(n for _, n in data.outcomes)
    urls = data.crawl_totals.get("urls", 0)
    failed = data.crawl_totals.get("failed_urls", 0)
    fetches = data.crawl_totals.get("failed_fetches", 0)
    cards = [
        ("articles", _fmt_int(data.articles), f"{_day(data.first)} – {_day(data.last)}"),
        ("sections", _fmt_int(data.counts.get("sections", 0)), "with articles"),
        ("tags", _fmt_int(data.counts.get("tags", 0)), "distinct"),
        ("authors", _fmt_int(data.counts.get("authors", 0)), "distinct bylines"),
        ("sources", _fmt_int(data.counts.get("sources", 0)), "credited"),
        (
            "pages fetched",
            _fmt_int(fetched),
            f"{len(data.runs)} crawl run{'s' if len(data.runs) != 1 else ''}",
        ),
        (
            "failure rate",
            f"{failed / urls:.1%}" if urls else "–",
            f"{_fmt_int(failed)} of {_fmt_int(urls)} URLs ({_fmt_int(fetches)} failed fetches)",
        ),
    ]
    return "".join(
        f'<div class="kpi"><div class="kpi-value">{escape(v)}</div>'
        f'<div class="kpi-label">{escape(k)}</div><div class="kpi-note">{escape(n)}</div></div>'
        for k, v, n in cards
    )


def render_html(data: ReportData) -> str:
    """The report page for ``data``."""
    daily, daily_legend, daily_title = _daily_chart(data)
    coverage, coverage_legend = _coverage_chart(data)
    since, until = data.filters.since, data.filters.until
    if since or until:
        window = f"published {_day(since) if since else 'from the start'} – "
        window += _day(until) if until else "the latest article"
    else:
        window = "all articles in the warehouse"
    editions_chart, editions_legend = _editions_chart(data)
    # One edition in the data: that site's name; several: the network's.
    shown = [figures.code for figures in data.editions] or [editions.DEFAULT_EDITION]
    site = _edition_lang(shown[0])[0] if len(shown) == 1 else "Al Mayadeen network"
    values = {
        "title": escape(f"{site} — coverage report"),
        "editions_chart": editions_chart,
        "editions_legend": editions_legend,
        "editions_columns": _editions_columns(data),
        "window": escape(window),
        "generated": escape(data.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        "database": escape(str(data.database)),
        "kpis": _kpis(data),
        "daily_title": escape(daily_title),
        "daily_sub": (
            "Weeks from Monday, by UTC publication day"
            if "week" in daily_title
            else "UTC publication days"
        ),
        "daily_chart": daily,
        "daily_legend": daily_legend,
        "tags_chart": _tags_chart(data),
        "sources_chart": _sources_chart(data),
        "authors_chart": _authors_chart(data),
        "authors_note": escape(
            "Share of articles bylined to each author (an article with several authors "
            "counts for each of them)."
        ),
        "outcomes_chart": _outcomes_chart(data),
        "failures_chart": _failures_chart(data),
        "failures_table": _failures_table(data),
        "runs_table": _runs_table(data),
        "headlines_title": escape(
            "Top headlines per day" if data.headline_period == "day" else "Top headlines per week"
        ),
        "headlines": _headlines_html(data),
        "section_drill": _section_drill_html(data),
        "tag_drill": _tag_drill_html(data),
        "source_variants": _source_variants_html(data),
        "partial_note": _partial_note(data),
        "coverage_chart": coverage,
        "coverage_legend": coverage_legend,
    }
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values)


def write_report(
    con: duckdb.DuckDBPyConnection, out: Path, filters: ArticleFilters, database: Path
) -> ReportData:
    """Collect, render and write the report to ``out`` atomically (replacing it)."""
    try:
        filters.check()
    except ValueError as exc:
        raise AnalystError(str(exc)) from exc
    data = collect(con, filters, database)
    page = render_html(data)
    out = Path(out)
    tmp = out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        raise AnalystError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return data
