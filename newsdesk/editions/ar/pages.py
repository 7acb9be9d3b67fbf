"""The Arabic edition's dated page classes.

The generic `ArticlePage` reads everything through the edition's selectors and
rules (direction marks, the Arabic byline, Levantine dates, read-also lines and
``div.dual-related`` boxes are all data in ``spec.py`` / ``selectors.py``), so
the first version needs no code of its own.
"""

from __future__ import annotations

from newsdesk.pages.article import ArticlePage


class ArabicArticlePage_2020(ArticlePage):
    """Arabic article pages as modeled since 2020 (``reference/ar/``)."""
