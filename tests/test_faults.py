"""Injected faults: kills, Ctrl-C, a full disk, damaged files, a second writer.

Each test breaks a real crawl (a subprocess writing a real warehouse from the
replica), runs the same command again, and checks the dataset: every article
present, none twice, nothing half-written left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from newsdesk.replica.server import ReplicaServer
from newsdesk.state import CrawlState
from newsdesk.store import JOURNAL_NAME, ArticleStore, WarehouseBusy, WriterLock, journal_name
from newsdesk.warehouse import Warehouse

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parent.parent
NEWSDESK = str(Path(sys.executable).parent / "newsdesk")
SCRAPY = str(Path(sys.executable).parent / "scrapy")

# A crawl with chosen settings, in its own process (the CLI has no --setting flag).
CHILD = """
import json, sys
from newsdesk.crawl import CrawlError, CrawlOptions, run_crawl
options = CrawlOptions(**json.loads(sys.argv[1]))
try:
    run_crawl(options)
except CrawlError as exc:
    print(f"newsdesk: error: {exc}", file=sys.stderr)
    sys.exit(1)
"""


def _child(server: ReplicaServer, wh: Warehouse, env: dict[str, str] | None = None, **kw: Any):
    options = {"base_url": server.base_url, "warehouse": str(wh.root), **kw}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(options)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300):
    return subprocess.run(
        [NEWSDESK, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _crawl_cli(
    server: ReplicaServer, wh: Warehouse, *extra: str, env: dict[str, str] | None = None
):
    return _cli(
        "crawl",
        "--base-url",
        server.base_url,
        "--warehouse",
        str(wh.root),
        "--no-progress",
        *extra,
        env=env,
    )


def _ids(wh: Warehouse) -> list[str]:
    ids: list[str] = []
    for path in ArticleStore(wh).part_files():
        ids.extend(pq.read_table(path, columns=["article_id"])["article_id"].to_pylist())
    return ids


def _truth(server: ReplicaServer) -> set[str]:
    return {a.article_id for a in server.site.ground_truth}


def assert_complete(wh: Warehouse, truth: set[str]) -> None:
    """Every article present, none twice, nothing half-written left behind."""
    ids = _ids(wh)
    print(f"after the rerun: {len(ids)} rows, {len(set(ids))} distinct, {len(truth)} expected")
    assert len(ids) == len(set(ids)), "an article is stored twice"
    assert set(ids) == truth, f"{len(truth - set(ids))} missing, {len(set(ids) - truth)} extra"
    leftovers = [
        p
        for p in wh.root.rglob("*")
        if p.name.endswith((".tmp", ".open")) or p.name == JOURNAL_NAME
    ]
    assert leftovers == []


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr
    return lines[-1]


def _wait_for(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _part_stamps(wh: Warehouse) -> dict[Path, int]:
    stamps = {}
    for path in ArticleStore(wh).part_files():
        with contextlib.suppress(OSError):
            stamps[path] = path.stat().st_mtime_ns
    return stamps


def _lock_held(wh: Warehouse) -> bool:
    try:
        WriterLock(wh).acquire().release()
    except WarehouseBusy:
        return True
    return False


def test_kills_at_random_moments_then_a_final_run_give_the_complete_dataset(tmp_path):
    seed = int(os.environ.get("NEWSDESK_FAULT_SEED") or random.SystemRandom().randrange(10**6))
    print(f"random kill moments: NEWSDESK_FAULT_SEED={seed}")
    rng = random.Random(seed)
    wh = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=21, n_articles=2500) as server:
        started = time.monotonic()
        for attempt in range(10):
            proc = _child(server, wh, settings={"NEWSDESK_FLUSH_EVERY": rng.choice([50, 200])})
            time.sleep(rng.uniform(0.5, 9.0))
            if rng.random() < 0.3:
                # Right after a commit lands: wait for the next part file write.
                before = _part_stamps(wh)
                deadline = time.monotonic() + 20
                while _part_stamps(wh) == before and proc.poll() is None:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.005)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            print(f"kill {attempt + 1}: {len(set(_ids(wh)))} articles stored")
        final = _crawl_cli(server, wh)
        print(f"ten kills and a final run in {time.monotonic() - started:.0f} s")
        truth = _truth(server)
    assert final.returncode == 0, final.stderr
    assert_complete(wh, truth)


@pytest.mark.parametrize("point", ["commit.apply=kill@1", "commit.apply=kill@3", "stage=kill@4"])
def test_kill_during_a_commit_is_rolled_forward_or_back(tmp_path, point):
    wh = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=22, n_articles=150) as server:
        proc = _child(
            server, wh, env={"NEWSDESK_FAILPOINTS": point}, settings={"NEWSDESK_FLUSH_EVERY": 20}
        )
        proc.wait(timeout=120)
        assert proc.returncode == -signal.SIGKILL
        if point.startswith("commit.apply"):
            assert (wh.root / journal_name("en")).exists(), "the kill should land mid-commit"
        again = _crawl_cli(server, wh)
        truth = _truth(server)
    assert again.returncode == 0, again.stderr
    assert_complete(wh, truth)


def test_an_article_moved_to_another_month_is_never_in_two_partitions(tmp_path):
    from datetime import UTC, datetime

    from tests.factories import make_article

    wh = Warehouse(tmp_path)
    store = ArticleStore(wh)
    store.merge([make_article("a", datetime(2025, 7, 10, tzinfo=UTC))], store.load_index())
    code = (
        "import sys; from datetime import UTC, datetime; "
        "from newsdesk.store import ArticleStore; from newsdesk.warehouse import Warehouse; "
        "from tests.factories import make_article; s = ArticleStore(Warehouse.at(sys.argv[1])); "
        "s.merge([make_article('a', datetime(2025, 8, 2, tzinfo=UTC))], s.load_index())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "NEWSDESK_FAILPOINTS": "commit.apply=kill@1"},
    )
    assert proc.returncode == -signal.SIGKILL
    assert (wh.root / JOURNAL_NAME).exists()
    assert len(_ids(wh)) == 2, "the kill should leave the article in both months"
    # The next build finishes the commit before reading (no writer runs).
    from newsdesk.build import build_database
    from newsdesk.store import recover

    build_database(wh)
    assert len(_ids(wh)) == 1
    assert not (wh.root / JOURNAL_NAME).exists()
    recover(wh.root)  # idempotent
    moved = make_article("a", datetime(2025, 8, 2, tzinfo=UTC))
    assert store.load_index()[moved.article_id].month == 8
    assert len(_ids(wh)) == 1


def test_ctrl_c_stops_gracefully_exits_130_and_the_rerun_completes(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=23, n_articles=600, slow_seconds=0.05) as server:
        proc = subprocess.Popen(
            [
                NEWSDESK,
                "crawl",
                "--base-url",
                server.base_url,
                "--warehouse",
                str(wh.root),
                "--no-progress",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for(lambda: len(server.requests) > 150)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert "Traceback" not in err
        kept = set(_ids(wh))
        assert kept, "what was fetched before Ctrl-C is kept"
        again = _crawl_cli(server, wh)
        truth = _truth(server)
    assert again.returncode == 0, again.stderr
    assert_complete(wh, truth)


@pytest.mark.parametrize("point", ["stage=enospc@3", "journal=enospc@1", "archive.write=enospc@40"])
def test_a_full_disk_stops_the_crawl_changes_nothing_and_the_rerun_completes(tmp_path, point):
    wh = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=24, n_articles=200) as server:
        first = _crawl_cli(server, wh, "--max-articles", "40")
        assert first.returncode == 0, first.stderr
        before = sorted(_ids(wh))
        before_files = {p: p.read_bytes() for p in ArticleStore(wh).part_files()}
        served = len(server.requests)
        full = _crawl_cli(server, wh, env={"NEWSDESK_FAILPOINTS": point})
        line = _one_line(full.stderr)
        assert full.returncode == 1
        assert "No space left on device" in line and "run the same command again" in line
        if not point.startswith("archive"):
            # Stopped at once: a commit comes every 1,000 articles on loopback, so the
            # failing one is the final commit and nothing more is fetched after it.
            assert sorted(_ids(wh)) == before
            assert {p: p.read_bytes() for p in ArticleStore(wh).part_files()} == before_files
        else:
            assert len(server.requests) - served < 80, "the crawl went on fetching"
            ids = _ids(wh)
            assert len(ids) == len(set(ids))
        again = _crawl_cli(server, wh)
        truth = _truth(server)
    assert again.returncode == 0, again.stderr
    assert_complete(wh, truth)


def test_a_damaged_part_file_is_quarantined_and_its_articles_come_back(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=25, n_articles=200) as server:
        assert _crawl_cli(server, wh).returncode == 0
        truth = _truth(server)
        article_paths = {"/" + a.url.split("/", 3)[3] for a in server.site.ground_truth}
        biggest = max(ArticleStore(wh).part_files(), key=lambda p: p.stat().st_size)
        data = bytearray(biggest.read_bytes())
        # Damage the middle of the file (a column chunk), leaving the footer intact.
        middle = len(data) // 2
        data[middle : middle + 64] = bytes(64)
        biggest.write_bytes(bytes(data))
        served = len(server.requests)
        again = _crawl_cli(server, wh, "--log-level", "WARNING")
        requests_again = server.requests[served:]
    assert again.returncode == 0, again.stderr
    assert "moved to" in again.stderr and "quarantine" in again.stderr
    quarantined = list((wh.quarantine / "articles").rglob("*.damaged"))
    assert len(quarantined) == 1
    assert_complete(wh, truth)
    # Re-derived from the raw archive: its articles were not fetched again.
    assert not {path for _m, path, _s in requests_again} & article_paths


def test_a_truncated_part_file_is_quarantined_and_its_articles_come_back(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=26, n_articles=120) as server:
        assert _crawl_cli(server, wh).returncode == 0
        truth = _truth(server)
        victim = ArticleStore(wh).part_files()[0]
        victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
        again = _crawl_cli(server, wh)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert_complete(wh, truth)


@pytest.mark.parametrize(
    "content",
    [
        '{"version": 1, "listings_complete": ["politics"]}',
        "{not json",
        '{"version": 1, "sitemaps": {"x": 5}}',
    ],
)
def test_an_invalid_state_file_is_rebuilt_from_the_dataset(tmp_path, content):
    wh = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=27, n_articles=80) as server:
        assert _crawl_cli(server, wh, "--max-articles", "30").returncode == 0
        CrawlState.path_for(wh).write_text(content)
        again = _crawl_cli(server, wh)
        truth = _truth(server)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert "invalid" in again.stderr
    assert list((wh.quarantine / "state").iterdir())
    CrawlState.read(wh)  # valid again
    assert_complete(wh, truth)


SLOW = {"CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_DELAY": 0.05}


def test_scrapy_crawl_and_newsdesk_crawl_on_one_warehouse(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=28, n_articles=300, slow_seconds=0.05) as server:
        # newsdesk crawl's own code path (run_crawl), slowed so the other writer
        # surely starts while it runs.
        first = _child(server, wh, settings=SLOW)
        _wait_for(lambda: _lock_held(wh))
        second = subprocess.run(
            [
                SCRAPY,
                "crawl",
                "almayadeen",
                "-a",
                f"base_url={server.base_url}",
                "-s",
                f"NEWSDESK_WAREHOUSE={wh.root}",
                "-s",
                "LOG_LEVEL=ERROR",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert first.poll() is None, "the first crawl ended before the second started"
        assert second.returncode == 1
        assert "another crawl or reparse is writing" in second.stderr
        _out, err = first.communicate(timeout=300)
        assert first.returncode == 0, err
        # And the other way round: scrapy crawl writes, newsdesk crawl is refused.
        third = subprocess.Popen(
            [
                SCRAPY,
                "crawl",
                "almayadeen",
                "-a",
                f"base_url={server.base_url}",
                "-a",
                "full=1",
                "-s",
                f"NEWSDESK_WAREHOUSE={wh.root}",
                "-s",
                "LOG_LEVEL=ERROR",
                *(arg for key, value in SLOW.items() for arg in ("-s", f"{key}={value}")),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for(lambda: _lock_held(wh))
        fourth = _crawl_cli(server, wh)
        assert third.poll() is None, "scrapy crawl ended before newsdesk crawl started"
        assert fourth.returncode == 1
        assert "another crawl or reparse is writing" in _one_line(fourth.stderr)
        third.communicate(timeout=300)
        assert third.returncode == 0
        truth = _truth(server)
    assert_complete(wh, truth)


def test_a_real_disk_that_fills_up_mid_crawl(tmp_path):
    if os.geteuid() != 0:
        pytest.fail("this test mounts a small tmpfs and needs root (CI runs as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], check=True)
    try:
        wh = Warehouse(disk / "wh")
        with ReplicaServer(seed=29, n_articles=400) as server:
            full = _crawl_cli(server, wh)
            line = _one_line(full.stderr)
            assert full.returncode == 1, full.stderr
            assert "No space left on device" in line and "run the same command again" in line
            ids = _ids(wh)
            assert len(ids) == len(set(ids))
            print(f"disk full: {len(ids)} rows kept of {len(_truth(server))}")
            # Space freed, then the same command.
            subprocess.run(["mount", "-o", "remount,size=256m", str(disk)], check=True)
            again = _crawl_cli(server, wh)
            truth = _truth(server)
        assert again.returncode == 0, again.stderr
        assert_complete(wh, truth)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_damaged_crawl_log_file_is_quarantined_and_the_crawl_runs(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    with ReplicaServer(seed=30, n_articles=60) as server:
        assert _crawl_cli(server, wh).returncode == 0
        log = next(wh.crawl_log.rglob("*.parquet"))
        log.write_bytes(log.read_bytes()[:100])
        again = _crawl_cli(server, wh)
        truth = _truth(server)
    assert again.returncode == 0, again.stderr
    assert "damaged crawl log" in again.stderr
    assert list((wh.quarantine / "crawl_log").iterdir())
    assert_complete(wh, truth)
