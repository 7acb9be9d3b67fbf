"""The Spanish edition: espanol.almayadeen.net (see ``spec.py``)."""

from newsdesk.editions.es.spec import EDITION

__all__ = ["EDITION"]
