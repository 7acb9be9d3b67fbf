"""Content hash of an article: what changes when an article is edited."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from newsdesk.items import CONTENT_FIELDS, HASH_IF_SET


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def content_hash(fields: dict[str, Any]) -> str:
    """sha256 (32 hex chars) over the content fields of an article dict.

    Fields of `HASH_IF_SET` are left out while None: the hash of an article
    without them is the one it had before they existed.
    """
    payload = {
        name: _jsonable(fields.get(name))
        for name in CONTENT_FIELDS
        if not (name in HASH_IF_SET and fields.get(name) is None)
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]
