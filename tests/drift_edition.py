"""Toy editions for the drift alarm's tests: the English site as modeled, with one selector broken.

The English replica serves them (the markup is the English site's), so a crawl
meets exactly what a redesign would do to the selector that changed:

* ``zd``: the card selector names a class the listings no longer use;
* ``zm``: the metadata script's selector names an id the pages no longer use,
  so the headline fields come from the meta tags instead.

A crawl's subprocess registers them through ``NEWSDESK_EDITIONS=tests.drift_edition,
tests.drift_edition_metadata`` (the registry takes one ``EDITION`` per module).
"""

from __future__ import annotations

import dataclasses

from newsdesk.editions.en.spec import EDITION as ENGLISH
from newsdesk.editions.spec import Edition, Selectors

_VERSION = ENGLISH.parsers[-1]
_SELECTORS = _VERSION.selectors


def _edition(code: str, selectors: Selectors) -> Edition:
    return dataclasses.replace(
        ENGLISH,
        code=code,
        name=f"Drift toy {code}",
        host=f"{code}.drift.example",
        host_aliases=frozenset({f"{code}.drift.example"}),
        parsers=(dataclasses.replace(_VERSION, selectors=selectors),),
    )


BROKEN_CARDS = _edition(
    "zd",
    dataclasses.replace(
        _SELECTORS, listing=dataclasses.replace(_SELECTORS.listing, card="div.card-2026")
    ),
)
BROKEN_METADATA = _edition(
    "zm",
    dataclasses.replace(
        _SELECTORS,
        article=dataclasses.replace(_SELECTORS.article, metadata_script="script#metadata-2026"),
    ),
)
EDITION = BROKEN_CARDS
