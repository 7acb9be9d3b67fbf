"""The raw WARC archive: records round-trip, files rotate, torn files are recovered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsdesk.archive import WarcArchive, iter_archive, recover_open_files

T0 = datetime(2025, 7, 1, 23, 59, 59, 123456, tzinfo=UTC)


def _write(archive: WarcArchive, n: int, when: datetime, kind: str = "article") -> None:
    for i in range(n):
        archive.write(
            url=f"http://127.0.0.1:9/news/politics/story-{i}?x=1",
            method="GET",
            request_headers=[("User-Agent", "newsdesk-test")],
            status=200,
            response_headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            body=(f"<html><p>story {i}</p></html>" * 50).encode(),
            fetched_at=when,
            kind=kind,
        )


def test_records_round_trip_with_microsecond_dates(tmp_path):
    archive = WarcArchive(tmp_path, "run-a")
    _write(archive, 3, T0)
    archive.close()
    records = list(iter_archive(tmp_path))
    assert [r.url for r in records] == [
        f"http://127.0.0.1:9/news/politics/story-{i}?x=1" for i in range(3)
    ]
    assert all(r.fetched_at == T0 and r.kind == "article" and r.status == 200 for r in records)
    assert records[0].body.startswith(b"<html><p>story 0</p>")
    assert records[0].run_id == "run-a"


def test_files_rotate_by_size_and_by_day(tmp_path):
    archive = WarcArchive(tmp_path, "run-b", max_bytes=600)
    _write(archive, 4, T0)
    _write(archive, 2, T0 + timedelta(seconds=1))  # the next UTC day
    archive.close()
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.warc.gz"))
    assert len(files) >= 3
    assert {f.split("/")[0] for f in files} == {"date=2025-07-01", "date=2025-07-02"}
    assert len(list(iter_archive(tmp_path))) == 6
    assert not list(tmp_path.rglob(".*.open"))


def test_filters_by_kind_and_time(tmp_path):
    archive = WarcArchive(tmp_path, "run-c")
    _write(archive, 2, T0, kind="listing")
    _write(archive, 3, T0 + timedelta(hours=1))
    archive.close()
    assert len(list(iter_archive(tmp_path, kinds=frozenset({"article"})))) == 3
    assert len(list(iter_archive(tmp_path, since=T0 + timedelta(minutes=30)))) == 3
    assert len(list(iter_archive(tmp_path, until=T0 + timedelta(minutes=30)))) == 2


def test_file_left_open_by_a_killed_crawl_is_recovered(tmp_path):
    archive = WarcArchive(tmp_path, "run-d")
    _write(archive, 3, T0)
    assert archive._handle is not None
    archive._handle.flush()
    open_file = next(tmp_path.rglob(".*.open"))
    # A kill in the middle of a record: the last gzip member is cut short.
    data = open_file.read_bytes()
    open_file.write_bytes(data[:-40])
    assert recover_open_files(tmp_path) == 1
    assert not list(tmp_path.rglob(".*.open"))
    recovered = list(iter_archive(tmp_path))
    # The cut fell in the last request record: all three responses survive intact.
    assert [r.url.rsplit("-", 1)[1] for r in recovered] == ["0?x=1", "1?x=1", "2?x=1"]
    assert all(r.body.endswith(b"</html>") for r in recovered)


def test_recovery_drops_a_torn_response(tmp_path):
    archive = WarcArchive(tmp_path, "run-e")
    _write(archive, 2, T0)
    assert archive._handle is not None
    archive._handle.flush()
    open_file = next(tmp_path.rglob(".*.open"))
    data = open_file.read_bytes()
    # Cut the file in the middle of the second response record.
    open_file.write_bytes(data[: len(data) * 3 // 4 - 200])
    recover_open_files(tmp_path)
    recovered = list(iter_archive(tmp_path))
    assert len(recovered) == 1
    assert recovered[0].body.endswith(b"</html>")
