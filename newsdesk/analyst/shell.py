"""``newsdesk sql``: a small interactive SQL shell on the read-only database.

Statements end with ``;`` (a ``;`` inside quotes or comments does not count)
and may span lines. Lines starting with ``.`` are shell commands (``.help``).
On a terminal it prompts and keeps going after errors; with piped input it
reads a script, prints each result and exits non-zero if any statement failed.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO

import duckdb

from newsdesk.analyst.database import FORMATS, AnalystError, Result, render, run_query

PROMPT = "newsdesk> "
CONTINUE = "      ...> "

HELP = """\
End each SQL statement with ';' (statements may span lines). Shell commands:
  .tables            tables, views and table macros with a line on each
  .schema NAME       the columns of a table or view
  .format FORMAT     output format: table, csv, json or markdown
  .width N           cut table cells at N characters (0 = never)
  .help              this text
  .quit / .exit      leave (Ctrl-D works too)
Examples:
  SELECT section, count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC;
  SELECT * FROM search_articles('ceasefire') LIMIT 5;"""


def split_statements(text: str) -> tuple[list[str], str]:
    """Complete statements in ``text`` (without their ``;``) and the unfinished rest."""
    statements: list[str] = []
    start = 0
    i = 0
    quote: str | None = None
    n = len(text)
    while i < n:
        ch = text[i]
        if quote is not None:
            if ch == quote:
                if i + 1 < n and text[i + 1] == quote:  # doubled quote inside a literal
                    i += 1
                else:
                    quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "-" and text.startswith("--", i):
            end = text.find("\n", i)
            if end < 0:
                break
            i = end
        elif ch == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                break
            i = end + 1
        elif ch == ";":
            statement = text[start:i].strip()
            if statement:
                statements.append(statement)
            start = i + 1
        i += 1
    return statements, text[start:]


def _only_comments(text: str) -> bool:
    lines = [line.strip() for line in text.strip().splitlines()]
    return all(not line or line.startswith("--") for line in lines)


class Shell:
    """The read-eval-print loop over one connection."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        out: TextIO | None = None,
        err: TextIO | None = None,
        fmt: str = "table",
        max_width: int = 60,
    ) -> None:
        self.con = con
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.fmt = fmt
        self.max_width = max_width
        self.errors = 0
        self.done = False

    # --- commands -------------------------------------------------------------------

    def execute(self, sql: str) -> None:
        """Run one statement and print its result (or a one-line error)."""
        try:
            result = run_query(self.con, sql)
        except AnalystError as exc:
            self.errors += 1
            self.err.write(f"error: {exc}\n")
            return
        if result.columns:
            self.out.write(render(result, self.fmt, max_width=self.max_width) + "\n")
        else:
            self.out.write("ok\n")

    def dot_command(self, line: str) -> None:
        """Handle a ``.command`` line."""
        parts = line.split(maxsplit=1)
        command, arg = parts[0].lower(), (parts[1].strip() if len(parts) > 1 else "")
        if command in (".quit", ".exit", ".q"):
            self.done = True
        elif command == ".help":
            self.out.write(HELP + "\n")
        elif command == ".format":
            if arg not in FORMATS:
                self._fail(f".format takes one of {', '.join(FORMATS)}")
            else:
                self.fmt = arg
        elif command == ".width":
            if not arg.isdigit():
                self._fail(".width takes a whole number (0 = no limit)")
            else:
                self.max_width = int(arg)
        elif command == ".tables":
            self._print(
                "SELECT name, kind, comment FROM ("
                " SELECT table_name AS name, 'table' AS kind, coalesce(comment, '') AS comment"
                "  FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
                "  AND database_name = current_database()"  # a lake: not its catalog's tables
                " UNION ALL SELECT view_name, 'view', coalesce(comment, '') FROM duckdb_views()"
                "  WHERE schema_name = 'main' AND NOT internal AND NOT temporary"
                "  AND database_name = current_database()"
                " UNION ALL SELECT DISTINCT function_name, 'table macro', ''"
                "  FROM duckdb_functions() WHERE schema_name = 'main' AND NOT internal"
                "  AND function_type = 'table_macro' AND database_name = current_database()"
                ") ORDER BY kind, name",
                {},
            )
        elif command == ".schema":
            if not arg:
                self._fail(".schema takes a table or view name, e.g. .schema articles")
                return
            self._print(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE schema_name = 'main' AND table_name = $name "
                "AND database_name = current_database() ORDER BY column_index",
                {"name": arg},
                empty=f"no table or view named {arg!r} (see .tables)",
            )
        else:
            self._fail(f"unknown command {command} (see .help)")

    def _print(self, sql: str, params: dict[str, str], empty: str | None = None) -> None:
        try:
            cursor = self.con.execute(sql, params)
            result = Result(
                columns=[d[0] for d in cursor.description],
                rows=cursor.fetchall(),
                types=[str(d[1]) for d in cursor.description],
            )
        except duckdb.Error as exc:
            self._fail(str(exc).splitlines()[0])
            return
        if not result.rows and empty:
            self._fail(empty)
            return
        self.out.write(render(result, self.fmt, max_width=self.max_width) + "\n")

    def _fail(self, message: str) -> None:
        self.errors += 1
        self.err.write(f"error: {message}\n")

    # --- loops ----------------------------------------------------------------------

    def feed(self, lines: Iterator[str]) -> None:
        """Execute everything in ``lines`` (a script); the unfinished tail runs at the end."""
        buffer = ""
        for raw in lines:
            line = raw.rstrip("\n")
            if not buffer.strip() and line.strip().startswith("."):
                self.dot_command(line.strip())
                if self.done:
                    return
                continue
            buffer += line + "\n"
            statements, buffer = split_statements(buffer)
            for statement in statements:
                self.execute(statement)
        if buffer.strip() and not _only_comments(buffer):
            self.execute(buffer.strip())

    def interact(self) -> None:
        """Prompt on a terminal until ``.quit`` or end of input."""
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
        buffer = ""
        while not self.done:
            try:
                line = input(CONTINUE if buffer.strip() else PROMPT)
            except EOFError:
                self.out.write("\n")
                break
            except KeyboardInterrupt:
                self.out.write("^C\n")
                buffer = ""
                continue
            if not buffer.strip() and line.strip().startswith("."):
                self.dot_command(line.strip())
                continue
            buffer += line + "\n"
            statements, buffer = split_statements(buffer)
            try:
                for statement in statements:
                    self.execute(statement)
            except KeyboardInterrupt:
                self.con.interrupt()
                self.err.write("interrupted\n")


def run_shell(
    con: duckdb.DuckDBPyConnection,
    *,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    fmt: str = "table",
    max_width: int = 60,
    banner: str = "",
) -> int:
    """Run the shell on ``stdin``; returns the exit code (1 if a piped statement failed)."""
    stdin = stdin or sys.stdin
    shell = Shell(con, out=out, err=err, fmt=fmt, max_width=max_width)
    if stdin.isatty():
        if banner:
            shell.out.write(banner + "\n")
        shell.interact()
        return 0
    shell.feed(iter(stdin))
    return 1 if shell.errors else 0
