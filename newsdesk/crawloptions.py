"""The crawl options, declared once: `CrawlOptions`.

Each option is one dataclass field whose metadata says what it means and where
it is offered. Everything else derives from that declaration:

* ``newsdesk crawl``'s arguments (`add_arguments` with surface ``cli``);
* the Dagster Pipes child's arguments (surface ``pipes``) and the command line
  Dagster starts it with (`to_argv`): one set of flags, so they cannot drift;
* the Dagster run config of the crawl assets (`dagster_config_fields`, surfaces
  ``month`` and ``latest``): the edition and the month come from the partition,
  the site, warehouse and log level from the resource.

Values are validated in one place, `newsdesk.crawl.validate_options`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Literal

from newsdesk import editions
from newsdesk.crawlconfig import DISCOVERY_MODES

#: Where an option is offered: ``newsdesk crawl``, the Pipes child, and the run
#: config of Dagster's monthly and latest crawl assets.
Surface = Literal["cli", "pipes", "month", "latest"]
EVERYWHERE: frozenset[str] = frozenset({"cli", "pipes", "month", "latest"})
COMMAND_LINE: frozenset[str] = frozenset({"cli", "pipes"})
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _option(
    help: str,
    *,
    surfaces: frozenset[str] = EVERYWHERE,
    metavar: str | None = None,
    choices: Sequence[str] | None = None,
    kind: str = "text",
) -> dict[str, Any]:
    """The metadata of a declared option: its help, surfaces and kind.

    ``kind``: ``text``, ``count`` (a positive integer), ``flag`` (a boolean
    switch) or ``list`` (comma separated on a command line, a list in Dagster).
    """
    return {
        "help": help,
        "surfaces": surfaces,
        "metavar": metavar,
        "choices": tuple(choices) if choices is not None else None,
        "kind": kind,
    }


def edition_codes() -> tuple[str, ...]:
    """The registered editions' codes (registry order)."""
    return tuple(e.code for e in editions.all_editions())


@dataclass
class CrawlOptions:
    """What to crawl and where to write it: the single declaration of every crawl option."""

    edition: str = field(
        default="en",
        metadata=_option(
            "which edition's site (default en)",
            surfaces=COMMAND_LINE,
            choices=(),  # filled from the registry when arguments are built
        ),
    )
    base_url: str | None = field(
        default=None,
        metadata=_option(
            "site to crawl (default: $NEWSDESK_BASE_URL or the edition's live site)",
            surfaces=COMMAND_LINE,
            metavar="URL",
        ),
    )
    warehouse: str | None = field(
        default=None,
        metadata=_option(
            "warehouse root (default: $NEWSDESK_WAREHOUSE or ./warehouse)",
            surfaces=COMMAND_LINE,
            metavar="DIR",
        ),
    )
    sections: list[str] | None = field(
        default=None,
        metadata=_option(
            "section slugs or groups of the edition's menu (English: news, articles, videos); "
            "default all",
            metavar="LIST",
            kind="list",
        ),
    )
    discovery: str = field(
        default="both",
        metadata=_option(
            "how to find articles: section listings (new articles, fast), sitemaps (also edits) "
            "or both (default)",
            surfaces=frozenset({"cli", "pipes", "latest"}),
            choices=DISCOVERY_MODES,
        ),
    )
    since: str | None = field(
        default=None,
        metadata=_option(
            "only articles published from this date (2025-07-01) or ISO time on",
            surfaces=frozenset({"cli", "pipes", "latest"}),
            metavar="DATE",
        ),
    )
    month: str | None = field(
        default=None,
        metadata=_option(
            "crawl one month's sitemap file (the site files articles by Beirut publication "
            "month); implies --discovery sitemaps",
            surfaces=COMMAND_LINE,
            metavar="YYYY-MM",
        ),
    )
    max_articles: int | None = field(
        default=None, metadata=_option("stop after N articles", metavar="N", kind="count")
    )
    full: bool = field(
        default=False,
        metadata=_option(
            "fetch every article again (default: only new ones, and changed ones per sitemap)",
            kind="flag",
        ),
    )
    log_level: str = field(
        default="WARNING",
        metadata=_option(
            "Scrapy log level (default WARNING)",
            surfaces=COMMAND_LINE,
            choices=LOG_LEVELS,
        ),
    )
    # Not options: how this process runs the crawl.
    settings: dict[str, Any] = field(default_factory=dict)
    progress: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace, *, progress: bool) -> CrawlOptions:
        """Options from arguments parsed by a parser that `add_arguments` built."""
        values: dict[str, Any] = {}
        for f in declared():
            if not hasattr(args, f.name):
                continue
            value = getattr(args, f.name)
            if f.metadata["kind"] == "list" and isinstance(value, str):
                value = [s for s in value.split(",") if s.strip()] or None
            if f.name == "log_level" and isinstance(value, str):
                value = value.upper()
            values[f.name] = value
        return cls(**values, progress=progress)


def declared(surface: str | None = None) -> list[Any]:
    """The declared options (dataclass fields), those offered on ``surface`` if given."""
    return [
        f
        for f in fields(CrawlOptions)
        if f.metadata and (surface is None or surface in f.metadata["surfaces"])
    ]


def flag(name: str) -> str:
    """The command-line flag of an option: ``max_articles`` -> ``--max-articles``."""
    return "--" + name.replace("_", "-")


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_arguments(
    parser: argparse.ArgumentParser,
    surface: str,
    *,
    help_overrides: dict[str, str] | None = None,
    extra_choices: dict[str, Sequence[str]] | None = None,
    skip: Sequence[str] = (),
) -> None:
    """Add the options offered on ``surface`` (``cli`` or ``pipes``) to ``parser``.

    ``help_overrides`` and ``extra_choices`` let a surface say more about an
    option (``newsdesk crawl --edition all``) without declaring it again.
    """
    overrides = help_overrides or {}
    extras = extra_choices or {}
    for f in declared(surface):
        if f.name in skip:
            continue
        meta = f.metadata
        help_text = overrides.get(f.name, meta["help"])
        kwargs: dict[str, Any] = {"default": f.default if f.default is not MISSING else None}
        if meta["kind"] == "flag":
            parser.add_argument(flag(f.name), action="store_true", help=help_text)
            continue
        if meta["kind"] == "count":
            kwargs["type"] = positive_int
        choices = meta["choices"]
        if f.name == "edition":
            choices = edition_codes()
        if f.name == "log_level":
            kwargs["type"] = str.upper
        if choices is not None:
            kwargs["choices"] = [*choices, *extras.get(f.name, ())]
        elif meta["metavar"]:
            kwargs["metavar"] = meta["metavar"]
        parser.add_argument(flag(f.name), help=help_text, **kwargs)


def to_argv(options: CrawlOptions, surface: str = "pipes") -> list[str]:
    """The command-line arguments that reproduce ``options`` on ``surface``.

    Only values that differ from the declared default are written, so a command
    line stays short and readable in the Dagster UI.
    """
    argv: list[str] = []
    for f in declared(surface):
        value = getattr(options, f.name)
        if value == f.default or value is None:
            continue
        kind = f.metadata["kind"]
        if kind == "flag":
            if value:
                argv.append(flag(f.name))
        elif kind == "list":
            argv += [flag(f.name), ",".join(value)]
        else:
            argv += [flag(f.name), str(value)]
    return argv


def dagster_config_fields(surface: str) -> dict[str, tuple[Any, Any]]:
    """``{name: (annotation, pydantic Field)}`` of the options offered on a Dagster surface.

    For ``pydantic.create_model(..., __base__=dagster.Config)``: the run config of a
    crawl asset, with each option's help as its description in the launchpad.
    """
    from pydantic import Field

    result: dict[str, tuple[Any, Any]] = {}
    for f in declared(surface):
        meta = f.metadata
        kind = meta["kind"]
        annotation: Any
        if kind == "flag":
            annotation = bool
        elif kind == "count":
            annotation = int | None
        elif kind == "list":
            annotation = list[str] | None
        elif meta["choices"]:
            annotation = Literal[tuple(meta["choices"])]  # type: ignore[valid-type]
        else:
            annotation = str | None
        result[f.name] = (annotation, Field(default=f.default, description=meta["help"]))
    return result
