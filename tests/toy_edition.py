"""A toy fourth edition, defined only for the tests: one module, registered by one line.

It is the English site's markup under another code and host, so the English
replica serves it; everything edition-specific (id rule, partition, state,
lock, search index) must still come out as its own.
"""

from __future__ import annotations

import dataclasses

from newsdesk.editions.en.spec import EDITION as ENGLISH

EDITION = dataclasses.replace(
    ENGLISH,
    code="zz",
    name="Toy edition",
    host="toy.example",
    host_aliases=frozenset({"toy.example"}),
)
