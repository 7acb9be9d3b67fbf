"""Command-line conventions, run as a user would: the installed ``newsdesk`` script.

Strict filter values (exit 2 with the nearest suggestion), "no matches" on
stderr, empty exports refused unless ``--allow-empty``, ``| head`` without a
traceback, exit 2 for every usage error, 130 for Ctrl-C, ``--version``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdesk.warehouse import Warehouse
from tests.test_analyst import HOSTILE_TAG, make_sample_warehouse

NEWSDESK = str(Path(sys.executable).with_name("newsdesk"))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return make_sample_warehouse(tmp_path_factory.mktemp("conventions") / "wh", n_filler=60)


def newsdesk(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the console script; never raises on a non-zero exit."""
    return subprocess.run(
        [NEWSDESK, *argv], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


def wh(warehouse: Warehouse) -> list[str]:
    return ["--warehouse", str(warehouse.root)]


@pytest.mark.parametrize(
    ("option", "typo", "message"),
    [
        ("--section", "politic", "unknown section 'politic' — did you mean politics?"),
        ("--section", "NEWZ", "unknown section 'NEWZ' — did you mean news?"),
        ("--tag", "gazza", "unknown tag 'gazza' — did you mean Gaza?"),
        ("--author", "omar salah", "unknown author 'omar salah' — did you mean Omar Saleh?"),
        ("--source", "Reuter", "unknown source 'Reuter' — did you mean Reuters?"),
        ("--edition", "english", "unknown edition 'english' (known: en)"),
        ("--source", "'; DROP TABLE articles; --", "unknown source"),
    ],
)
def test_unknown_filter_values_are_usage_errors(warehouse, tmp_path, option, typo, message):
    for argv in (
        ["search", "minister", option, typo],
        ["export", "--out", str(tmp_path / "bundle"), option, typo],
    ):
        result = newsdesk(*argv, *wh(warehouse))
        assert result.returncode == 2, result
        assert result.stderr == f"newsdesk: error: {message}\n" or (
            message in result.stderr and len(result.stderr.splitlines()) == 1
        )
        assert result.stdout == ""
    assert not (tmp_path / "bundle").exists()


def test_known_values_pass_whatever_their_case(warehouse, tmp_path):
    result = newsdesk(
        "search",
        "clove",
        "--section",
        "ECONOMY",
        "--tag",
        "zanzibar",
        "--edition",
        "EN",
        "--format",
        "json",
        *wh(warehouse),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["title"].startswith("Zanzibar clove")
    # A value that looks like SQL is just a value, and this one is in the data.
    result = newsdesk("search", "the", "--tag", HOSTILE_TAG, *wh(warehouse))
    assert result.returncode == 0 and "unknown" not in result.stderr
    # A menu section with no article in the data is a real section: no matches, not a typo.
    result = newsdesk("search", "minister", "--section", "blog", *wh(warehouse))
    assert (result.returncode, result.stdout) == (0, "")
    assert "no matches" in result.stderr


def test_zero_hits_search_and_query_say_no_matches(warehouse):
    result = newsdesk("search", "zanzibar", "--section", "tv", *wh(warehouse))
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr.startswith("no matches")
    result = newsdesk("search", "zanzibar", "--section", "tv", "--format", "json", *wh(warehouse))
    assert (result.returncode, json.loads(result.stdout)) == (0, [])
    assert "no matches" in result.stderr
    result = newsdesk("query", "SELECT title FROM articles WHERE false", *wh(warehouse))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "no matches\n")
    result = newsdesk("query", "SELECT 1 AS n", *wh(warehouse))
    assert result.returncode == 0 and result.stderr == ""


def test_empty_export_is_an_error_unless_allowed(warehouse, tmp_path):
    out = tmp_path / "empty"
    args = ["export", "--out", str(out), "--section", "tv", "--tag", "Zanzibar", *wh(warehouse)]
    result = newsdesk(*args)
    assert result.returncode == 1
    assert "no matches" in result.stderr and "--allow-empty" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not out.exists() and not list(tmp_path.glob(".*partial"))
    result = newsdesk(*args, "--allow-empty")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["row_count"] == 0


def test_query_into_head_ends_quietly(warehouse):
    # A real pipe into a real `head`: the reader leaves after one line while
    # newsdesk still has most of the (large) CSV to write.
    script = (
        f'"{NEWSDESK}" query "SELECT * FROM articles, range(20)" --format csv '
        f'--warehouse "{warehouse.root}" | head -n 1; echo "status=${{PIPESTATUS[0]}}" >&2'
    )
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.stdout.startswith("article_id,")
    assert len(result.stdout.splitlines()) == 1
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr
    assert "Exception ignored" not in result.stderr
    assert result.stderr.strip() == "status=141"


def test_version():
    from importlib.metadata import version

    result = newsdesk("--version")
    assert (result.returncode, result.stdout) == (0, f"newsdesk {version('newsdesk')}\n")


@pytest.mark.parametrize(
    "argv",
    [
        ["crawl", "--since", "yesterday-ish"],
        ["crawl", "--sections", "politcs"],
        ["crawl", "--month", "2025-13"],
        ["crawl", "--base-url", "ftp://example.org"],
        ["crawl", "--max-articles", "0"],
        ["reparse", "--since", "someday"],
        ["search", "x", "--since", "yesterday"],
        ["search", "x", "--since", "2025-08-01", "--until", "2025-07-01"],
        ["export", "--out", "x", "--search", "  "],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2_everywhere(tmp_path, argv):
    result = newsdesk(*argv, *(["--warehouse", str(tmp_path)] if argv[0] != "frobnicate" else []))
    assert result.returncode == 2, result
    assert "error:" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_runtime_failures_stay_exit_1(tmp_path):
    result = newsdesk("crawl", "--base-url", "http://127.0.0.1:1", "--warehouse", str(tmp_path))
    assert result.returncode == 1 and "cannot reach" in result.stderr


def _wait_until_busy(proc: subprocess.Popen[str], cpu_seconds: float, timeout: float = 60) -> None:
    """Wait until ``proc`` has used ``cpu_seconds`` of CPU: its query is then running.

    (A SIGINT that lands while Python still imports modules would be an
    import-time KeyboardInterrupt, not what this test is about.)
    """
    ticks = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / ticks >= cpu_seconds:  # utime + stime
            return
        time.sleep(0.1)
    raise AssertionError("the query never got going")


def test_ctrl_c_during_a_query_exits_130(warehouse):
    proc = subprocess.Popen(
        [
            NEWSDESK,
            "query",
            "SELECT sum(hash(i)) FROM range(1000000000000) AS t(i)",
            *wh(warehouse),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_busy(proc, cpu_seconds=4.0)
        # One Ctrl-C is enough (DuckDB alone sometimes lets the query run on).
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert (out, err) == ("", "newsdesk: interrupted\n")
