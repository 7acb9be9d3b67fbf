"""The ``zm`` drift toy edition (metadata script selector broken), as a registry module."""

from __future__ import annotations

from tests.drift_edition import BROKEN_METADATA as EDITION

__all__ = ["EDITION"]
