"""The English site's selectors, as data: when its markup changes, this is what changes.

A redesign adds a new `Selectors` value (and a dated `ParserVersion` in
``spec.py``) beside this one, so archived pages keep their own.
"""

from __future__ import annotations

from newsdesk.editions.spec import ArticleSelectors, ListingSelectors, Selectors

SELECTORS_2020 = Selectors(
    article=ArticleSelectors(
        # metadata layer
        metadata_script="script#tawsiyat-metadata",
        # meta layer: every <meta> is read once into a dict keyed by its property/name
        meta_tags="meta[content]",
        canonical_link='link[rel="canonical"][href]',
        # page layer
        title="h1.article-title",
        html_title="title",
        breadcrumb_links="ol.breadcrumb li a[href]",
        author="li.author",
        source="li.source",
        display_date="li.date .time",
        read_time="li.read-time",
        lead="div.lg_para",
        main_image="figure.main-image img[src]",
        main_image_caption="figure.main-image figcaption",
        body="div.p-content",
        body_paragraphs="p",
        body_excluded_boxes="div.related-news",
        body_links="a[href]",
        tags="div.tags li a",
        coverage="div.coverage-box h4",
    ),
    listing=ListingSelectors(
        card="div.white-card",
        card_link="a[href]",
        card_title="h4",
        card_category="a.category-meta",
        card_date="div.time p",
        card_category_class="category-meta",
        next_page="a.loadmorebtn[href]",
        menu_group="nav.main-menu li.has-sub",
        menu_group_link="a[href]",
        menu_section_link="ul.sub-menu li a[href]",
    ),
)
