"""The Spanish site's selectors, as data (modeled: the network's shared template).

The Spanish pages use the same metadata script, meta tags and body markup as
the other editions; the meta list adds ``li.views`` ("20 Visualizaciones"),
which no selector reads, and has no read-time item. A redesign adds a new
`Selectors` value (and a dated `ParserVersion` in ``spec.py``) beside this one.
"""

from __future__ import annotations

from newsdesk.editions.spec import ArticleSelectors, ListingSelectors, Selectors

SELECTORS_2024 = Selectors(
    article=ArticleSelectors(
        metadata_script="script#tawsiyat-metadata",
        meta_tags="meta[content]",
        canonical_link='link[rel="canonical"][href]',
        title="h1.article-title",
        html_title="title",
        breadcrumb_links="ol.breadcrumb li a[href]",
        # The author's name is shown twice: as the photo's alt text and as text;
        # the text is the span (the page class also folds a doubled name).
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
        # Every top menu item: a group with a sub-menu (Noticias) or a section
        # itself (Televisión, Coberturas). Sections are /<slug> links (see pages.py).
        menu_group="nav.main-menu > ul > li",
        menu_group_link="a[href]",
        menu_section_link="a[href]",
    ),
)
