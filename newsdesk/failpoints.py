"""Named fault points, so tests can kill or starve a real writer at an exact instant.

``NEWSDESK_FAILPOINTS="commit.apply=kill,stage=enospc@3"`` makes the named
points act: ``kill`` sends SIGKILL to this process, ``enospc`` raises
``OSError(ENOSPC)`` (as a full disk would), ``@N`` fires on the N-th pass only.
Unset (the normal case), a fault point costs one dictionary lookup.
"""

from __future__ import annotations

import errno
import os
import signal

ENV = "NEWSDESK_FAILPOINTS"
_passes: dict[str, int] = {}


def _actions() -> dict[str, str]:
    spec = os.environ.get(ENV, "")
    actions: dict[str, str] = {}
    for item in spec.split(","):
        name, _, action = item.strip().partition("=")
        if name and action:
            actions[name] = action
    return actions


def failpoint(name: str, path: object = None) -> None:
    """Act as ``NEWSDESK_FAILPOINTS`` says for ``name``; do nothing when it is not set."""
    if ENV not in os.environ:
        return
    spec = _actions().get(name)
    if spec is None:
        return
    action, _, nth = spec.partition("@")
    _passes[name] = _passes.get(name, 0) + 1
    if nth and _passes[name] != int(nth):
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path) if path else None)
