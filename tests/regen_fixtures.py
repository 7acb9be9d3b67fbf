"""Regenerate the expected output of every article-page fixture from the current code.

Usage, from the repository root::

    .venv/bin/python tests/regen_fixtures.py          # rewrite every *.expected.json
    .venv/bin/python tests/regen_fixtures.py --check  # only report what would change (exit 1)

A fixture case is ``newsdesk/editions/<code>/fixtures/<name>.html`` plus
``<name>.expected.json``, for every registered edition; a case is parsed with
its folder's edition (whatever host its URL names).
The JSON's ``url`` (where the page was fetched from) and ``description`` are
written by hand and kept; ``expected`` (every Article field, timestamps as ISO
strings) or ``not_article`` (the `NotAnArticle` reason) is rewritten. To add a
case, save the page as ``<name>.html``, write ``<name>.expected.json`` with just
``{"url": ..., "description": ...}``, run this script and review the diff: the
regenerated file is the new contract for that page, so read it field by field.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `newsdesk` importable
    sys.path.insert(0, str(ROOT))

from newsdesk import editions  # noqa: E402
from newsdesk.pages.article import NotAnArticle  # noqa: E402

EDITIONS_DIR = ROOT / "newsdesk" / "editions"


def fixtures_dir(code: str) -> Path:
    """Where an edition's page fixtures live: ``newsdesk/editions/<code>/fixtures``."""
    return EDITIONS_DIR / code / "fixtures"


# Each edition's page fixtures live with the edition; the defaults below are
# English's (tests/test_pages.py), the other editions pass their own folder.
FIXTURES = fixtures_dir("en")
# Not compared: when the page was fetched is not a property of the page.
SKIPPED_FIELDS = frozenset({"crawled_at"})


def case_names(fixtures: Path = FIXTURES) -> list[str]:
    """Every fixture case of a folder, by name, sorted."""
    return sorted(p.name.removesuffix(".expected.json") for p in fixtures.glob("*.expected.json"))


def load_case(name: str, fixtures: Path = FIXTURES) -> dict[str, Any]:
    """The ``.expected.json`` of a case."""
    return json.loads((fixtures / f"{name}.expected.json").read_text(encoding="utf-8"))


def jsonable(value: Any) -> Any:
    """Timestamps as ISO 8601 strings (UTC as ``Z``); other values as they are."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def extract(name: str, url: str, code: str = "en") -> dict[str, Any]:
    """What the current code makes of a case: ``expected`` fields or ``not_article``."""
    html = (fixtures_dir(code) / f"{name}.html").read_bytes()
    try:
        article = editions.get(code).article_page(url, html).to_article()
    except NotAnArticle as exc:
        return {"not_article": {"reason": exc.reason}}
    fields = {k: jsonable(v) for k, v in article.to_dict().items() if k not in SKIPPED_FIELDS}
    return {"expected": fields}


def regenerate(name: str, code: str = "en") -> tuple[str, str]:
    """(old text, new text) of a case's ``.expected.json``."""
    path = fixtures_dir(code) / f"{name}.expected.json"
    old = path.read_text(encoding="utf-8")
    case = json.loads(old)
    new_case = {"url": case["url"], "description": case.get("description", "")}
    new_case.update(extract(name, case["url"], code))
    return old, json.dumps(new_case, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on a change")
    args = parser.parse_args(argv)

    orphans: list[str] = []
    changed: list[str] = []
    total = 0
    for edition in editions.all_editions():
        folder = fixtures_dir(edition.code)
        if not folder.is_dir():
            continue  # an edition defined elsewhere (a test's) has no fixtures here
        for p in sorted(folder.glob("*.html")):
            if not p.with_suffix(".expected.json").exists():
                orphans.append(f"{edition.code}/{p.stem}")
        for name in case_names(folder):
            total += 1
            old, new = regenerate(name, edition.code)
            if old != new:
                changed.append(f"{edition.code}/{name}")
                if not args.check:
                    (folder / f"{name}.expected.json").write_text(new, encoding="utf-8")
    for stem in orphans:
        print(f"missing {stem}.expected.json: write one with the page's url", file=sys.stderr)
    verb = "would change" if args.check else "rewritten"
    print(f"{total} cases, {len(changed)} {verb}: {', '.join(changed) or '-'}")
    return 1 if (args.check and changed) or orphans else 0


if __name__ == "__main__":
    sys.exit(main())
