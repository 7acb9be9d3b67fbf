"""The Arabic site's selectors, as data: the same CMS template as English.

What differs is inside the body: the Arabic pages put their related links in a
``div.dual-related`` box (besides the English ``div.related-news``), and their
paragraphs are never body text.
"""

from __future__ import annotations

from newsdesk.editions.en.selectors import SELECTORS_2020 as _EN
from newsdesk.editions.spec import ArticleSelectors, Selectors

_A = _EN.article

SELECTORS_2020 = Selectors(
    article=ArticleSelectors(
        metadata_script=_A.metadata_script,
        meta_tags=_A.meta_tags,
        canonical_link=_A.canonical_link,
        title=_A.title,
        html_title=_A.html_title,
        breadcrumb_links=_A.breadcrumb_links,
        author=_A.author,
        source=_A.source,
        display_date=_A.display_date,
        read_time=_A.read_time,
        lead=_A.lead,
        main_image=_A.main_image,
        main_image_caption=_A.main_image_caption,
        body=_A.body,
        body_paragraphs=_A.body_paragraphs,
        # The Arabic related box; the English one too, in case the template shares it.
        body_excluded_boxes="div.dual-related, div.related-news",
        body_links=_A.body_links,
        tags=_A.tags,
        coverage=_A.coverage,
    ),
    # Cards, load-more ("المزيد") and menu are the English template's.
    listing=_EN.listing,
)
