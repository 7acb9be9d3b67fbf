"""Page classes: extract data from saved pages (no crawler needed).

Spiders navigate, page classes extract. Each module keeps its selectors as
named constants at the top.
"""

from newsdesk.pages.article import ArticlePage, NotAnArticle
from newsdesk.pages.listing import Card, ListingPage, SectionLink
from newsdesk.pages.sitemap import SitemapEntry, parse_sitemap, sitemap_month

__all__ = [
    "ArticlePage",
    "Card",
    "ListingPage",
    "NotAnArticle",
    "SectionLink",
    "SitemapEntry",
    "parse_sitemap",
    "sitemap_month",
]
