"""An offline, deterministic replica of Al Mayadeen English, served on loopback.

``generate_site`` builds every page (in the markup of ``/work/shared/reference``)
and the ground truth the crawler must reproduce; ``ReplicaServer`` serves a site
from a background thread for tests; ``serve_forever`` runs one in the foreground
(``python -m newsdesk.replica --port 8123``).
"""

from __future__ import annotations

from newsdesk.replica.generator import Resource, Site, generate_site
from newsdesk.replica.server import ReplicaServer, RequestLog, serve_forever

__all__ = ["ReplicaServer", "RequestLog", "Resource", "Site", "generate_site", "serve_forever"]
