"""A crawl on a real terminal: Ctrl-C exits 130, log lines print above the progress line.

The installed ``newsdesk`` script runs under a pseudo-terminal (so it sees a
tty, as in an interactive shell) against the offline replica, and gets a
real SIGINT mid-crawl.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as ds

from newsdesk.replica.server import ReplicaServer

NEWSDESK = str(Path(sys.executable).with_name("newsdesk"))
LOG_LINE = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[\w.]+\] (?:INFO|WARNING|ERROR):")
PAGES = re.compile(rb"pages\s+(\d+)")
CLEAR_LINE = b"\x1b[2K"


def _read(fd: int, timeout: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the child closed its end
        return b""


def test_ctrl_c_mid_crawl_exits_130_and_logs_never_tear_the_progress_line(tmp_path):
    warehouse = tmp_path / "wh"
    with ReplicaServer(n_articles=1500, slow_seconds=0.5) as server:
        master, slave = pty.openpty()
        env = {**os.environ, "COLUMNS": "160"}
        env.pop("NEWSDESK_BASE_URL", None)
        proc = subprocess.Popen(
            [
                NEWSDESK,
                "crawl",
                "--base-url",
                server.base_url,
                "--warehouse",
                str(warehouse),
                "--log-level",
                "INFO",
            ],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            close_fds=True,
        )
        os.close(slave)
        output = b""
        interrupted_at = None
        deadline = time.monotonic() + 180
        try:
            while time.monotonic() < deadline:
                output += _read(master, 0.2)
                pages = [int(n) for n in PAGES.findall(output)]
                if interrupted_at is None and pages and max(pages) >= 60:
                    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
                    interrupted_at = max(pages)
                if proc.poll() is not None:
                    break
            while chunk := _read(master, 0.5):
                output += chunk
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
            os.close(master)
        total_requests = len(server.requests)

    text = output.decode("utf-8", "replace")
    assert interrupted_at is not None, text[-2000:]
    assert code == 130, text[-2000:]
    assert "Received SIGINT" in text and "shutdown in" in text
    assert "crawl interrupted; run the same command to resume" in text
    assert "Traceback" not in text
    # It really stopped early, and kept what it had fetched.
    assert total_requests < 1500
    assert ds.dataset(warehouse / "articles", partitioning="hive").count_rows() > 0

    # Every log line starts on a line of its own: after a newline, or after
    # rich cleared the progress line. The old "\r" redraw left log text glued
    # to the end of the progress line.
    output = output.replace(b"\x1b[?25l", b"").replace(b"\x1b[?25h", b"")  # cursor hide/show
    starts = [m.start() for m in LOG_LINE.finditer(output)]
    assert len(starts) >= 3, text[-2000:]
    for start in starts:
        before = output[max(0, start - len(CLEAR_LINE)) : start]
        assert start == 0 or before.endswith(b"\n") or before == CLEAR_LINE, output[
            max(0, start - 200) : start + 80
        ]
    # And no printed line mixes the progress figures with a log record.
    for line in re.split(rb"[\r\n]", output):
        assert not (LOG_LINE.search(line) and b"pages/s" in line), line
