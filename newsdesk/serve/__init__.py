"""``newsdesk serve``: a read-only web page to browse and search the articles.

A small Starlette app (`newsdesk.serve.app`) rendering Jinja2 templates over the
warehouse's DuckDB file, served by uvicorn on 127.0.0.1 (`newsdesk.serve.commands`).
"""

from __future__ import annotations

from newsdesk.serve.app import create_app

__all__ = ["create_app"]
