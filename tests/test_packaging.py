"""A wheel built from the repository carries its table SQL and column declaration.

Before the SQL moved into the package, an installed wheel looked for
``warehouse/sql`` next to site-packages, found nothing and built no table,
silently. This builds the wheel, installs it into a fresh virtual environment
(the package only, ``--no-deps``: its dependencies are borrowed from the
project's environment through a ``.pth`` line, so nothing is downloaded) and
builds a warehouse from a directory outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".tools" / "bin" / "uv"

SCRIPT = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path

    import newsdesk
    from newsdesk import columns
    from newsdesk.build import build_database, connect
    from newsdesk.hashing import content_hash
    from newsdesk.items import Article
    from newsdesk.store import ArticleStore
    from newsdesk.warehouse import Warehouse

    assert "site-packages" in newsdesk.__file__, newsdesk.__file__
    wh = Warehouse(Path(sys.argv[1]))
    article = Article(
        article_id="0123456789abcdef",
        url="https://english.almayadeen.net/news/politics/x",
        title="A title",
        published_at=datetime(2025, 7, 1, tzinfo=UTC),
        section="politics",
        section_group="news",
        tags=["Gaza"],
        authors=["A"],
    )
    article.content_hash = content_hash(article.to_dict())
    store = ArticleStore(wh)
    store.merge([article], store.load_index())
    result = build_database(wh)
    con = connect(result.path, read_only=True)
    comments = con.execute(
        "SELECT count(*) FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND NOT internal AND comment IS NULL"
    ).fetchone()[0]
    print(newsdesk.__file__)
    print(sorted(result.tables))
    print("uncommented", comments)
    assert set(columns.TABLES) - {"tag_weekly", "section_weekly", "top_sources_by_section",
                                  "author_monthly", "crawl_failures", "source_groups",
                                  "crawl_failed_urls"} <= set(result.tables)
    assert comments == 0
    """
)


@pytest.mark.skipif(not UV.exists(), reason="needs the pinned uv in .tools/ (make setup)")
def test_installed_wheel_builds_every_table(tmp_path):
    dist = tmp_path / "dist"
    env = {**os.environ, "UV_OFFLINE": "1", "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(
        [str(UV), "build", "--wheel", "--out-dir", str(dist), str(ROOT)],
        check=True,
        env=env,
        capture_output=True,
    )
    (wheel,) = dist.glob("newsdesk-*.whl")
    venv = tmp_path / "venv"
    subprocess.run(
        [str(UV), "venv", "--python", sys.executable, str(venv)],
        check=True,
        env=env,
        capture_output=True,
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [str(UV), "pip", "install", "--no-deps", "--python", str(python), str(wheel)],
        check=True,
        env=env,
        capture_output=True,
    )
    # The dependencies, not the project: a bare path line adds the directory but does
    # not run its .pth files, so the project's editable install stays out of sys.path.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = elsewhere / "check.py"
    script.write_text(SCRIPT)
    run = subprocess.run(
        [str(python), str(script), str(tmp_path / "wh")],
        cwd=elsewhere,
        env={k: v for k, v in env.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert str(venv) in run.stdout
    assert "'articles'" in run.stdout and "'article_revisions'" in run.stdout
    shutil.rmtree(venv, ignore_errors=True)
