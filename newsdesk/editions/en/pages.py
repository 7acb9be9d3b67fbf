"""The English edition's dated page classes.

The generic `ArticlePage` reads everything through the edition's selectors and
rules, so the first version needs no code of its own; a redesign that needs
more than new selectors overrides field methods in a new dated subclass here.
"""

from __future__ import annotations

from newsdesk.pages.article import ArticlePage


class EnglishArticlePage_2020(ArticlePage):
    """English article pages as modeled since 2020 (seed design and the 2024 dates)."""
