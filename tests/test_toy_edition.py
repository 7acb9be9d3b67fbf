"""Adding an edition is one module plus one registry line: a toy fourth edition end to end."""

from __future__ import annotations

import pytest

from newsdesk import editions
from newsdesk.build import build_database
from newsdesk.crawl import CrawlOptions, run_crawl_in_subprocess
from newsdesk.reparse import reparse
from newsdesk.replica.server import ReplicaServer
from newsdesk.store import ArticleStore
from newsdesk.warehouse import Warehouse
from tests import toy_edition

pytestmark = pytest.mark.faults  # a real crawl in a subprocess: the slow layer


@pytest.fixture
def toy(monkeypatch):
    # The registry line: this variable is how a process (and the crawl's own
    # subprocess, which inherits it) learns of editions outside the package.
    monkeypatch.setenv(editions.EXTRA_MODULES_ENV, "tests.toy_edition")
    editions.register(toy_edition.EDITION)  # this process loaded its registry already
    yield toy_edition.EDITION
    editions.unregister("zz")


def test_a_toy_fourth_edition_crawls_reparses_and_builds(tmp_path, toy):
    wh = Warehouse(tmp_path / "wh")
    with ReplicaServer(edition="zz", n_articles=40, slow_seconds=0.1) as server:
        summary = run_crawl_in_subprocess(
            CrawlOptions(base_url=server.base_url, warehouse=str(wh.root), edition="zz"),
            timeout=240,
        )
        truth = {toy.article_id_for(a.url) for a in server.site.ground_truth}
        first = server.site.ground_truth[0]
        word = max(first.title.split(), key=len).strip(".,:;'\"")
    assert summary.articles_new == len(truth)
    table = ArticleStore(wh).read_table(["article_id", "edition"])
    assert sorted(table["article_id"].to_pylist()) == sorted(truth)
    assert set(table["edition"].to_pylist()) == {"zz"}
    assert (wh.articles / "edition=zz").is_dir()
    assert (wh.root / "state" / "crawl_state.zz.json").exists()
    # English ids of the same paths are different: ids are unique across editions.
    assert not truth & {editions.get("en").article_id_for(a.url) for a in server.site.ground_truth}

    before = ArticleStore(wh).read_table().sort_by("article_id")
    result = reparse(wh)
    assert result.complete and result.articles == len(truth)
    assert ArticleStore(wh).read_table().sort_by("article_id").equals(before)

    built = build_database(wh)
    assert built.tables["articles"] == len(truth)
    from newsdesk.build import connect

    con = connect(built.path, read_only=True)
    assert con.execute("SELECT DISTINCT edition FROM articles").fetchall() == [("zz",)]
    # The toy edition has its own full-text index: a title word finds its article.
    hits = con.execute("SELECT article_id FROM search_articles_in('zz', ?)", [word]).fetchall()
    assert (toy.article_id_for(first.url),) in hits
