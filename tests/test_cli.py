"""CLI misuse: one readable line, no traceback, non-zero exit."""

from __future__ import annotations

import pytest

from newsdesk.cli import main


def _run(capsys, argv):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    err = capsys.readouterr().err
    return code, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["crawl", "--sections", "politcs"], "unknown section"),
        (["crawl", "--since", "yesterday-ish"], "--since"),
        (["crawl", "--month", "2025-13"], "--month"),
        (["crawl", "--max-articles", "0"], "at least 1"),
        (["crawl", "--discovery", "rss"], "invalid choice"),
        (["crawl", "--base-url", "ftp://example.org"], "http(s)"),
        (["crawl", "--base-url", "http://127.0.0.1:1"], "cannot reach"),
        (["mirror", "serve", "--port", "99999"], "port"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_misuse_is_one_line_without_traceback(capsys, tmp_path, argv, message):
    code, err = _run(capsys, [*argv, "--warehouse", str(tmp_path)] if argv[0] == "crawl" else argv)
    assert code != 0
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unwritable_warehouse_is_a_clear_error(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, err = _run(capsys, ["crawl", "--warehouse", str(blocker / "wh")])
    assert code == 1
    assert "not writable" in err
    assert len(err.strip().splitlines()) == 1


def test_build_without_data_is_a_clear_error(capsys, tmp_path):
    code, err = _run(capsys, ["build", "--warehouse", str(tmp_path)])
    assert code == 1
    assert "run `newsdesk crawl` first" in err


@pytest.mark.parametrize("command", ["crawl", "demo", "build", "mirror"])
def test_every_subcommand_has_help(capsys, command):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage:" in capsys.readouterr().out
