"""The HTML report: hostile captions stay text, the page is whole without the network, it reads
without JavaScript and filters and sorts with it (in headless Chromium); and CSV per creator."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skjult.cli import main
from skjult.report import html_format

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("SKJULT_ARTIFACTS", REPO / "test-artifacts"))

HOSTILE = [
    {"id": "h1", "creator": "lotte", "platform": "instagram",
     "caption": "Brug koden LOTTE10 <script>window.__pwned = 1</script> hos @lampeland"},
    {"id": "h2", "creator": "lotte", "platform": "instagram",
     "caption": 'Tak for gaven @lampeland <img src="https://tracker.invalid/p.gif" '
                'onerror="window.__pwned = 2"> 💡'},
    {"id": "<b>h3</b>", "creator": '"><script>window.__pwned=3</script>', "platform": "tik\"tok",
     "url": "javascript:window.__pwned=4", "caption": "Reklame for @lampeland | ny lampe"},
    {"id": "h4", "creator": "mads", "platform": "tiktok",
     "caption": "#spons fiskestang fra @fiskegrej 🎣 <style>body{display:none}</style>"},
    {"id": "h5", "creator": "mads", "platform": "facebook", "caption": "Fisketur ved søen i dag"},
    {"id": "h6", "creator": "mads", "platform": "tiktok",
     "caption": "Reklame for @fiskegrej | ny stang, og den er god"},
]


def write_posts(folder: Path, posts: list[dict[str, Any]]) -> Path:
    path = folder / "posts.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts),
                    encoding="utf-8")
    return path


def render(tmp_path: Path, posts: list[dict[str, Any]], *args: str) -> str:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["check", str(write_posts(tmp_path, posts)), "--format",
                                       "html", "-o", str(out), "--no-config", *args])
    assert result.exit_code in (0, 1), result.output
    return out.read_text(encoding="utf-8")


class Elements(HTMLParser):
    """Every element with its attributes, and the text of every <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def test_hostile_text_is_only_ever_text(tmp_path: Path) -> None:
    page = render(tmp_path, HOSTILE)
    parsed = Elements()
    parsed.feed(page)
    scripts = [t for t, _ in parsed.tags if t == "script"]
    assert scripts == ["script"] and parsed.scripts[0].strip() == html_format.SCRIPT.strip()
    assert [t for t, _ in parsed.tags if t in ("img", "style")] == [("style")]  # our own <style>
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "javascript:" not in (attrs.get("href") or ""), (tag, attrs)
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert 'onerror=&quot;window.__pwned = 2&quot;' in page
    assert "&quot;&gt;&lt;script&gt;window.__pwned=3&lt;/script&gt;" in page
    assert "&lt;b&gt;h3&lt;/b&gt;" in page


def test_findings_are_marked_in_the_caption_as_written(tmp_path: Path) -> None:
    page = render(tmp_path, HOSTILE)
    assert '<mark title="dk.label-rejected">#spons</mark>' in page
    parsed = Elements()
    parsed.feed(page)
    policy = [a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert policy and "default-src 'none'" in (policy[0] or "")
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "").split(
        "<body>")[0]  # nothing fetched from the head


def test_overlapping_findings_merge_into_one_highlight() -> None:
    from skjult.model import Finding, Severity

    def finding(rule: str, start: int, end: int) -> Finding:
        return Finding(rule, "label-weak", Severity.ERROR, "m", start, end, 1, start + 1,
                       "x", None, "https://example.org")

    marked = html_format.marked_caption("ab<cd>ef", [finding("a.x", 1, 5), finding("a.y", 3, 7)])
    assert marked == ('a<mark title="a.x">b&lt;</mark><mark title="a.x a.y">cd</mark>'
                      '<mark title="a.y">&gt;e</mark>f')


def test_listing_is_capped_but_counts_are_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    monkeypatch.setattr(html_format, "MAX_PROBLEMS", 5)
    monkeypatch.setattr(html_format, "MAX_COMPLIANT", 2)
    posts = [{"id": f"v{i}", "creator": "storm", "caption": f"Brug koden STORM{i:03d} hos @shop"}
             for i in range(12)]
    posts += [{"id": f"c{i}", "creator": "storm", "caption": f"Reklame for @shop | dag {i}"}
              for i in range(4)]
    page = render(tmp_path, posts, "--lang", "en")
    assert page.count("<article ") == 7
    assert "9 more posts are not shown here" in page
    assert "<b>16</b>checked" in page


@pytest.fixture(scope="module")
def browser() -> Any:
    required = os.environ.get("SKJULT_REQUIRE_BROWSER") == "1"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        sync_playwright = None  # type: ignore[assignment]
    if chromium is None or sync_playwright is None:
        if required:
            pytest.fail("headless Chromium is required here (SKJULT_REQUIRE_BROWSER=1) but "
                        f"chromium={chromium}, playwright={sync_playwright is not None}")
        pytest.skip("Chromium (Debian package 'chromium') or playwright not installed")
    with sync_playwright() as p:
        # No sandbox (root in CI) and none of Chromium's own background traffic, so that every
        # request the test sees comes from the page.
        yield p.chromium.launch(executable_path=chromium, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            "--disable-default-apps", "--disable-extensions"])


def test_report_in_headless_chromium(tmp_path: Path, browser: Any) -> None:
    page_html = tmp_path / "report.html"
    render(tmp_path, HOSTILE, "--lang", "en")
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_html.as_uri())
    text = page.inner_text("body")
    assert "hidden advertising report" in text
    assert "6\nread" in page.inner_text("#totals")
    assert "<script>window.__pwned = 1</script>" in text  # shown, not run
    assert '"><script>window.__pwned=3</script>' in text
    assert page.evaluate("window.__pwned === undefined")
    assert requests == [page_html.as_uri()], requests  # nothing but the file itself
    # Filters (the script shows them): only violations, then only TikTok.
    page.select_option("select[name=verdict]", "violation")
    verdicts = page.eval_on_selector_all("article:not([hidden])", "a => a.map(x => x.dataset.verdict)")
    assert verdicts and set(verdicts) == {"violation"}
    page.select_option("select[name=verdict]", "")
    page.select_option("select[name=platform]", "tiktok")
    platforms = page.eval_on_selector_all("article:not([hidden])", "a => a.map(x => x.dataset.platform)")
    assert set(platforms) == {"tiktok"}
    page.select_option("select[name=platform]", "")
    # Sorting: compliance rate ascending puts the worst creator first.
    page.click("#creators th:nth-child(7)")
    page.click("#creators th:nth-child(7)")
    first = page.inner_text("#creators tbody tr:first-child td:first-child")
    assert first == "lotte"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "html-report.png"), full_page=True)
    page.close()


def test_report_reads_without_javascript(tmp_path: Path, browser: Any) -> None:
    page_html = tmp_path / "report.html"
    render(tmp_path, HOSTILE)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(page_html.as_uri())
    assert not page.is_visible("#filters")  # nothing that cannot work
    assert page.locator("article").count() == 5  # every commercial post is listed
    assert "Fisketur" not in page.inner_text("body")  # not commercial: counted, not listed
    context.close()


def test_csv_per_creator_for_danish_excel(tmp_path: Path) -> None:
    posts = write_posts(tmp_path, [{**p, "created_at": f"2026-03-0{i + 1}T10:00:00Z"}
                                   for i, p in enumerate(HOSTILE)])
    out = tmp_path / "creators.csv"
    CliRunner().invoke(main, ["check", str(posts), "--format", "csv", "--per", "creator",
                              "--delimiter", ";", "--bom", "--no-config", "-o", str(out)])
    raw = out.read_bytes().decode("utf-8")
    assert raw.startswith("\ufeff") and "\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw[1:], newline=""), delimiter=";"))
    by_creator = {r["creator"]: r for r in rows}
    assert set(by_creator) == {"lotte", "mads", '"><script>window.__pwned=3</script>'}
    mads = by_creator["mads"]
    assert (mads["posts"], mads["commercial"], mads["compliant"], mads["violations"]) == ("3", "2", "1", "1")
    assert mads["compliance_pct"] == "50,0"  # decimal comma with semicolons
    assert (mads["first_post"], mads["last_post"]) == ("2026-03-04T10:00:00Z", "2026-03-06T10:00:00Z")
    assert mads["label-weak"] == "1"
