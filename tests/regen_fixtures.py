"""Regenerate the expected output of every article-page fixture of every edition.

Usage, from the repository root::

    .venv/bin/python tests/regen_fixtures.py          # rewrite every *.expected.json
    .venv/bin/python tests/regen_fixtures.py --check  # only report what would change (exit 1)

A fixture case is ``newsdesk/editions/<code>/fixtures/<name>.html`` plus
``<name>.expected.json``, parsed with that edition. The JSON's ``url`` (where the
page was fetched from), ``description`` and optional ``fetched_at`` (ISO 8601:
when the page was fetched, which a yearless displayed date is read against) are
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
from newsdesk.pages.article import ArticlePage, NotAnArticle  # noqa: E402

# Each edition's page fixtures live with the edition; FIXTURES is the English one's.
EDITIONS_DIR = ROOT / "newsdesk" / "editions"
FIXTURES = EDITIONS_DIR / "en" / "fixtures"
# Not compared: when the page was fetched is not a property of the page.
SKIPPED_FIELDS = frozenset({"crawled_at"})


def fixtures_dir(edition: str | Path = "en") -> Path:
    """The fixture folder of an edition (a folder given as such is returned as it is)."""
    if isinstance(edition, Path):
        return edition
    return EDITIONS_DIR / edition / "fixtures"


def fixture_editions() -> list[str]:
    """Codes of the registered editions that have a fixture folder."""
    return [e.code for e in editions.all_editions() if fixtures_dir(e.code).is_dir()]


def case_names(edition: str | Path = "en") -> list[str]:
    """Every fixture case of an edition, by name, sorted."""
    folder = fixtures_dir(edition)
    return sorted(p.name.removesuffix(".expected.json") for p in folder.glob("*.expected.json"))


def load_case(name: str, edition: str | Path = "en") -> dict[str, Any]:
    """The ``.expected.json`` of a case."""
    path = fixtures_dir(edition) / f"{name}.expected.json"
    return json.loads(path.read_text(encoding="utf-8"))


def fetched_at(case: dict[str, Any]) -> datetime | None:
    """A case's fetch time (``fetched_at``), aware; None when the case gives none."""
    text = case.get("fetched_at")
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_case(name: str, edition: str = "en") -> ArticlePage:
    """The page of a case, parsed by its edition's parser for its fetch time.

    An English case without a fetch time is parsed as the generic page of its
    URL (as before editions had fixtures of their own).
    """
    case = load_case(name, edition)
    html = (fixtures_dir(edition) / f"{name}.html").read_bytes()
    when = fetched_at(case)
    if edition == "en" and when is None:
        return ArticlePage(case["url"], html)
    return editions.get(edition).article_page(case["url"], html, when)


def jsonable(value: Any) -> Any:
    """Timestamps as ISO 8601 strings (UTC as ``Z``); other values as they are."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def extract(name: str, edition: str = "en") -> dict[str, Any]:
    """What the current code makes of a case: ``expected`` fields or ``not_article``."""
    page = parse_case(name, edition)
    try:
        article = page.to_article()
    except NotAnArticle as exc:
        return {"not_article": {"reason": exc.reason}}
    fields = {k: jsonable(v) for k, v in article.to_dict().items() if k not in SKIPPED_FIELDS}
    return {"expected": fields}


def regenerate(name: str, edition: str = "en") -> tuple[str, str]:
    """(old text, new text) of a case's ``.expected.json``."""
    path = fixtures_dir(edition) / f"{name}.expected.json"
    old = path.read_text(encoding="utf-8")
    case = json.loads(old)
    new_case = {"url": case["url"], "description": case.get("description", "")}
    if "fetched_at" in case:
        new_case["fetched_at"] = case["fetched_at"]
    new_case.update(extract(name, edition))
    return old, json.dumps(new_case, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on a change")
    args = parser.parse_args(argv)

    orphans: list[str] = []
    changed: list[str] = []
    total = 0
    for code in fixture_editions():
        folder = fixtures_dir(code)
        for p in sorted(folder.glob("*.html")):
            if not p.with_suffix(".expected.json").exists():
                orphans.append(f"{code}/{p.stem}")
                print(
                    f"missing {code}/{p.stem}.expected.json: write one with the page's url",
                    file=sys.stderr,
                )
        for name in case_names(code):
            total += 1
            old, new = regenerate(name, code)
            if old != new:
                changed.append(f"{code}/{name}")
                if not args.check:
                    (folder / f"{name}.expected.json").write_text(new, encoding="utf-8")
    verb = "would change" if args.check else "rewritten"
    print(f"{total} cases, {len(changed)} {verb}: {', '.join(changed) or '-'}")
    return 1 if (args.check and changed) or orphans else 0


if __name__ == "__main__":
    sys.exit(main())
