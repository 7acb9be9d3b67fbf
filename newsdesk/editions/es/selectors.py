"""The Spanish site's selectors, as data (modeled: the network's shared template).

The Spanish pages use the same metadata script, meta tags and body markup as
the other editions; the meta list adds ``li.views`` ("20 Visualizaciones"),
which no selector reads, and has no read-time item. A redesign adds a new
`Selectors` value (and a dated `ParserVersion` in ``spec.py``) beside this one.
"""

from __future__ import annotations

import dataclasses

from newsdesk.editions.en.selectors import SELECTORS_2020 as SHARED_TEMPLATE

# The article markup is the network's shared template (the English site's selectors);
# only the menu differs: every top menu item is a group with a sub-menu (Noticias)
# or a section itself (Televisión, Coberturas), and sections are /<slug> links (see
# pages.py). The author's name is shown twice (photo alt and text); the selector
# reads the text and the page class folds a doubled name.
SELECTORS_2024 = dataclasses.replace(
    SHARED_TEMPLATE,
    listing=dataclasses.replace(
        SHARED_TEMPLATE.listing,
        menu_group="nav.main-menu > ul > li",
        menu_section_link="a[href]",
    ),
)
