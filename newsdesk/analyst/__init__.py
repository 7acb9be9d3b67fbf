"""The analyst interface: SQL, full-text search, documented exports and an HTML report.

Wire it into ``newsdesk.cli.build_parser`` with one call::

    analyst.register(sub)   # adds query, sql, search, export, report (+ COMMANDS)

Library entry points (usable without the CLI): `open_database`, `run_query`,
`search_articles`, `export_articles`, `write_report`.
"""

from __future__ import annotations

from newsdesk.analyst.commands import COMMANDS, register
from newsdesk.analyst.database import AnalystError, open_database, render, run_query
from newsdesk.analyst.export import ExportOptions, export_articles
from newsdesk.analyst.filters import ArticleFilters
from newsdesk.analyst.report import write_report
from newsdesk.analyst.search import search_articles

__all__ = [
    "COMMANDS",
    "AnalystError",
    "ArticleFilters",
    "ExportOptions",
    "export_articles",
    "open_database",
    "register",
    "render",
    "run_query",
    "search_articles",
    "write_report",
]
