"""The HTML report in a real browser: headless Chromium from the system packages.

The test starts Chromium itself and drives it over the DevTools protocol on a
pipe (``--remote-debugging-pipe``: no port, no websocket library), loads the
report from a file:// URL, and checks that nothing was logged as an error,
nothing was fetched from the network, and every chart rendered with visible
marks. A full-page screenshot is kept as an artifact: ``$NEWSDESK_ARTIFACTS``
or ``artifacts/`` at the repository root (git-ignored).

Chromium is required, not optional: without it the test fails and says how to
install it (``apt-get install -y chromium``) rather than being skipped.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from newsdesk.analyst.database import open_database
from newsdesk.analyst.filters import ArticleFilters
from newsdesk.analyst.report import write_report
from tests.test_analyst import SCRIPT_TAG, make_sample_warehouse

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
    "--window-size=1280,900",
]
EXPECTED_CHARTS = {
    "daily": 1,
    "tags": 1,
    "sources": 1,
    "authors": 1,
    "crawl-health": 3,  # outcomes, failures by reason, field coverage
}


def chromium_binary() -> str:
    """The Chromium executable, or a test failure that says how to install it."""
    candidates = [
        os.environ.get("NEWSDESK_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "headless Chromium is needed for the report browser test but was not found: install "
        "it with `apt-get update && apt-get install -y chromium` (or set NEWSDESK_CHROMIUM)",
        pytrace=False,
    )


def artifacts_dir() -> Path:
    directory = Path(os.environ.get("NEWSDESK_ARTIFACTS") or REPO / "artifacts")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


class DevTools:
    """A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe``.

    Chromium reads NUL-terminated JSON commands on fd 3 and writes replies and
    events on fd 4.
    """

    def __init__(self, binary: str, profile: Path) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_fds() -> None:  # runs in the child, before exec
            high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.stderr_path = profile / "chromium.stderr"
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            preexec_fn=wire_fds,  # the test process is single-threaded
            close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise RuntimeError(
                    "Chromium closed the DevTools pipe: "
                    + self.stderr_path.read_text(errors="replace")[-2000:]
                )
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send a command and wait for its result (events seen meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        """Wait until an event named ``method`` arrives."""
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the browser may already be gone
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self._to_child)
        os.close(self._from_child)
        self._stderr.close()


CHART_PROBE = """
(() => {
  const charts = [...document.querySelectorAll('svg.chart')].map(svg => {
    const box = svg.getBoundingClientRect();
    const section = svg.closest('section');
    return {
      section: section ? section.id : null,
      kind: svg.getAttribute('class'),
      width: box.width,
      height: box.height,
      marks: svg.querySelectorAll('.mark').length,
      visibleMarks: [...svg.querySelectorAll('.mark')].filter(m => {
        const b = m.getBoundingClientRect(); return b.width > 0 && b.height > 0;
      }).length,
    };
  });
  return JSON.stringify({
    title: document.title,
    charts,
    kpis: document.querySelectorAll('.kpi').length,
    scripts: document.querySelectorAll('script').length,
    bodyText: document.body.innerText,
    height: Math.ceil(document.documentElement.scrollHeight),
  });
})()
"""


def _problems(events: list[dict[str, Any]]) -> list[str]:
    """Console errors, exceptions, failed loads and any network request in ``events``."""
    problems = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            problems.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            problems.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            problems.append(f"log error ({entry.get('source')}): {entry.get('text')}")
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if not url.startswith(("file:", "data:", "about:")):
                problems.append(f"network request: {url}")
        elif method == "Network.loadingFailed":
            problems.append(f"failed to load: {params.get('errorText')}")
    return problems


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    binary = chromium_binary()
    warehouse = make_sample_warehouse(tmp_path / "wh")
    report = tmp_path / "report.html"
    con = open_database(warehouse)
    try:
        data = write_report(con, report, ArticleFilters(), warehouse.duckdb_path)
    finally:
        con.close()
    assert data.articles > 100

    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    browser = DevTools(binary, profile)
    try:
        target = next(
            t for t in browser.send("Target.getTargets")["targetInfos"] if t["type"] == "page"
        )
        session = browser.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            browser.send(f"{domain}.enable", session=session)
        browser.events.clear()
        browser.send("Page.navigate", {"url": report.as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired")
        probe = json.loads(
            browser.send(
                "Runtime.evaluate",
                {"expression": CHART_PROBE, "returnByValue": True},
                session=session,
            )["result"]["value"]
        )
        stories = json.loads(
            browser.send(
                "Runtime.evaluate",
                {"expression": STORIES_PROBE, "returnByValue": True},
                session=session,
            )["result"]["value"]
        )
        height = min(int(probe["height"]), 12000)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        shot = browser.send(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True},
            session=session,
        )
        time.sleep(0.2)  # let late console/log events arrive before the check
        browser.send("Runtime.evaluate", {"expression": "1"}, session=session)
        problems = _problems(browser.events)
    finally:
        browser.close()

    artifacts = artifacts_dir()
    png = base64.b64decode(shot["data"])
    (artifacts / "report.png").write_bytes(png)
    shutil.copyfile(report, artifacts / "report.html")

    assert problems == [], problems
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    assert probe["title"].startswith("Al Mayadeen English")
    assert probe["scripts"] == 0
    assert probe["kpis"] >= 6
    by_section: dict[str, list[dict[str, Any]]] = {}
    for chart in probe["charts"]:
        by_section.setdefault(chart["section"], []).append(chart)
    for section, count in EXPECTED_CHARTS.items():
        charts = by_section.get(section, [])
        assert len(charts) == count, (section, charts)
        for chart in charts:
            assert "empty" not in chart["kind"], (section, chart)
            assert chart["width"] > 300 and chart["height"] > 20, (section, chart)
            assert chart["visibleMarks"] > 0, (section, chart)
    # The stories: weekly headlines with links, a
    # drill-down per section and tag that opens without scripts, source groups, failures
    # per distinct URL.
    assert stories["periods"] >= 9 and stories["headlineLinks"] >= 40, stories
    # The sample runs Monday 2 Jun – Sunday 10 Aug: whole weeks, none flagged partial
    # (tests/test_analyst.py::test_report_shows_the_stories covers partial weeks).
    assert stories["partialPeriods"] == 0, stories
    assert all(h.startswith("http") for h in stories["linkHrefs"]), stories
    assert stories["details"] > 10 and stories["closedLinks"] == 0, stories
    assert stories["openLinks"] > 0, stories
    assert "Agencies" in stories["groups"], stories
    assert stories["failureRows"] == 4, stories
    assert "Every week lies wholly inside" in stories["partialNote"], stories
    # The hostile tag is shown as text, never run as markup.
    assert SCRIPT_TAG in probe["bodyText"] or "Gaza" in probe["bodyText"]


STORIES_PROBE = """
(() => {
  // checkVisibility(): the content of a closed <details> is laid out but not rendered.
  const visible = el => {
    const b = el.getBoundingClientRect();
    return el.checkVisibility() && b.width > 0 && b.height > 0;
  };
  const headlines = [...document.querySelectorAll('#headlines ol.headlines a')];
  const details = [...document.querySelectorAll('#drilldown details.drill')];
  const links = d => (d ? [...d.querySelectorAll('a')].filter(visible).length : -1);
  const closedLinks = links(details[0]);
  details.forEach(d => { d.open = true; });
  return JSON.stringify({
    periods: document.querySelectorAll('#headlines .period').length,
    partialPeriods: [...document.querySelectorAll('#headlines .period[data-partial] .pill.partial')]
      .filter(visible).length,
    headlineLinks: headlines.filter(visible).length,
    linkHrefs: headlines.slice(0, 3).map(a => a.getAttribute('href')),
    details: details.length,
    closedLinks: closedLinks,
    openLinks: links(details[0]),
    groups: [...document.querySelectorAll('table.source-groups tr[data-group]')]
      .map(r => r.dataset.group),
    failureRows: document.querySelectorAll('table.failures tbody tr').length,
    partialNote: document.querySelector('#daily .partial-note').textContent,
  });
})()
"""


EDITIONS_PROBE = """
(() => {
  const info = el => ({
    edition: el.closest('.edition') ? el.closest('.edition').dataset.edition : null,
    text: el.textContent,
    dir: getComputedStyle(el).direction,
    lang: el.closest('[lang]') ? el.closest('[lang]').getAttribute('lang') : null,
    align: getComputedStyle(el).textAlign,
    left: el.getBoundingClientRect().left,
    right: el.getBoundingClientRect().right,
  });
  const section = document.getElementById('editions');
  return JSON.stringify({
    title: document.title,
    columns: [...section.querySelectorAll('.edition')].map(c => ({
      edition: c.dataset.edition,
      left: c.getBoundingClientRect().left,
      top: c.getBoundingClientRect().top,
      width: c.getBoundingClientRect().width,
    })),
    texts: [...section.querySelectorAll('.ed-name, .ed-tag, .ed-title')].map(info),
    chartMarks: [...section.querySelectorAll('svg.chart .mark')].filter(m => {
      const b = m.getBoundingClientRect(); return b.width > 0 && b.height > 0;
    }).length,
    sectionTop: Math.floor(section.getBoundingClientRect().top + window.scrollY),
    sectionHeight: Math.ceil(section.getBoundingClientRect().height),
  });
})()
"""


def _editions_warehouse(root: Path):
    """English and Arabic articles over a few weeks, with Arabic titles and tags."""
    import datetime as dt

    from newsdesk.build import build_database
    from newsdesk.store import ArticleStore
    from newsdesk.warehouse import Warehouse
    from tests.factories import make_article

    start = dt.datetime(2025, 7, 1, 9, tzinfo=dt.UTC)
    articles = []
    ar_titles = ["المفاوضات تستأنف في القاهرة", "غارات على جنوب لبنان", "الموقف الفلسطيني من الخطة"]
    ar_tags = [["فلسطين", "غزة"], ["لبنان"], ["فلسطين", "المقاومة"]]
    for i in range(24):
        day = start + dt.timedelta(days=i)
        articles.append(
            make_article(
                f"en-{i}",
                day,
                title=f"Ceasefire talks, day {i + 1}",
                tags=["Gaza", "Lebanon"][: 1 + i % 2],
            )
        )
        for j in range(1 + i % 3):
            articles.append(
                make_article(
                    f"ar-{i}-{j}",
                    day + dt.timedelta(hours=j),
                    edition="ar",
                    title=f"{ar_titles[(i + j) % 3]} ({i + 1})",
                    body="نص الخبر.",
                    tags=ar_tags[(i + j) % 3],
                    authors=["الميادين نت"],
                    source=None,
                )
            )
    warehouse = Warehouse.at(root)
    store = ArticleStore(warehouse)
    store.merge(articles, store.load_index())
    build_database(warehouse)
    return warehouse


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_report_shows_editions_side_by_side_with_arabic_right_to_left(tmp_path: Path) -> None:
    binary = chromium_binary()
    warehouse = _editions_warehouse(tmp_path / "wh")
    report = tmp_path / "report.html"
    con = open_database(warehouse)
    try:
        write_report(con, report, ArticleFilters(), warehouse.duckdb_path)
    finally:
        con.close()

    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    browser = DevTools(binary, profile)
    try:
        target = next(
            t for t in browser.send("Target.getTargets")["targetInfos"] if t["type"] == "page"
        )
        session = browser.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            browser.send(f"{domain}.enable", session=session)
        browser.events.clear()
        browser.send("Page.navigate", {"url": report.as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired")
        probe = json.loads(
            browser.send(
                "Runtime.evaluate",
                {"expression": EDITIONS_PROBE, "returnByValue": True},
                session=session,
            )["result"]["value"]
        )
        # The editions section only (a clip of the page), at its full height.
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 2400, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        shot = browser.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": max(0, probe["sectionTop"] - 20),
                    "width": 1280,
                    "height": probe["sectionHeight"] + 40,
                    "scale": 1,
                },
            },
            session=session,
        )
        time.sleep(0.2)
        browser.send("Runtime.evaluate", {"expression": "1"}, session=session)
        problems = _problems(browser.events)
    finally:
        browser.close()

    png = base64.b64decode(shot["data"])
    (artifacts_dir() / "report-editions.png").write_bytes(png)
    shutil.copyfile(report, artifacts_dir() / "report-editions.html")

    assert problems == [], problems
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert probe["title"] == "Al Mayadeen network — coverage report"
    # Side by side: English then Arabic, one row, two columns.
    columns = probe["columns"]
    assert [c["edition"] for c in columns] == ["en", "ar"]
    assert columns[0]["top"] == columns[1]["top"] and columns[0]["left"] < columns[1]["left"]
    assert probe["chartMarks"] > 0
    arabic = [t for t in probe["texts"] if t["edition"] == "ar"]
    english = [t for t in probe["texts"] if t["edition"] == "en"]
    assert arabic and english
    # Every Arabic name, tag and title is laid out right to left, in Arabic.
    assert all(t["dir"] == "rtl" and t["lang"] == "ar" for t in arabic), arabic
    assert all(t["dir"] == "ltr" and t["lang"] == "en" for t in english), english
    assert any(t["text"] == "فلسطين" for t in arabic)
    assert any(t["text"].startswith("المفاوضات") for t in arabic)
