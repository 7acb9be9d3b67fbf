"""The English edition: english.almayadeen.net (see ``spec.py``)."""

from newsdesk.editions.en.spec import EDITION

__all__ = ["EDITION"]
