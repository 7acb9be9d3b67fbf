"""The Arabic edition: www.almayadeen.net (see ``spec.py``)."""

from newsdesk.editions.ar.spec import EDITION

__all__ = ["EDITION"]
