"""The HTML report: hostile captions stay text, the page is whole without the network, says how
the run was made, reads like a report for a brand manager (colours per severity, numbers and
plurals per language, categories in plain words, creators worst first), reads without
JavaScript and filters and sorts with it (in headless Chromium); and CSV per creator."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skjult import categories, i18n
from skjult.cli import main
from skjult.errors import RuleError
from skjult.model import CATEGORIES
from skjult.report import html_format
from skjult.rules.pack import builtin_root

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
     "caption": "#spons fiskestang fra @fiskegrej 🎣 <style>body{display:none}</style></script>"},
    {"id": "h5", "creator": "mads", "platform": "facebook", "caption": "Fisketur ved søen i dag"},
    {"id": "h6", "creator": "mads", "platform": "tiktok",
     "caption": "Reklame for @fiskegrej | ny stang, og den er god"},
    {"id": '"onmouseover="window.__pwned=5', "creator": '" onmouseover="window.__pwned=6',
     "platform": "instagram", "url": " JaVaScRiPt:window.__pwned=7",
     "caption": 'Mine sko 👉 https://www.partner-ads.com/dk/klikbanner.php?partnerid=1&x="'
                'onmouseover="window.__pwned=8"<script>window.__pwned=9</script>'},
    {"id": "h8", "creator": "lotte", "platform": "instagram",
     "url": 'https://example.org/p?a="><script>window.__pwned=10</script>',
     "caption": "Reklame for @lampeland | lampen igen"},
]
HOSTILE_FILE = '<img src=x onerror="window.__pwned=11">"onmouseover=x.jsonl'

# Tags the page is made of; anything else came from the input.
OUR_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "main", "footer", "h1",
            "h2", "h3", "p", "div", "dl", "dt", "dd", "ul", "li", "b", "code", "time", "span",
            "details", "summary", "table", "thead", "tbody", "tr", "th", "td", "svg", "rect",
            "form", "label", "select", "option", "section", "article", "mark", "a", "script"}
VOID = {"meta", "br", "img", "input", "link", "hr", "source", "wbr"}


# -- a small tree of the page --------------------------------------------------------------------
@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self) -> Iterator[Node]:
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def all(self, tag: str, **attrs: str) -> list[Node]:
        """Elements with ``tag`` ("*" for any) whose attributes hold these values (``class_``
        matches one class among several)."""
        out = []
        for n in self.iter():
            if tag not in ("*", n.tag):
                continue
            ok = True
            for name, value in attrs.items():
                if name == "class_":
                    ok = ok and value in (n.attrs.get("class") or "").split()
                else:
                    ok = ok and n.attrs.get(name) == value
            if ok:
                out.append(n)
        return out

    def one(self, tag: str, **attrs: str) -> Node:
        found = self.all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]


class Tree(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: str) -> Node:
    return Tree(page).root


def write_posts(folder: Path, posts: list[dict[str, Any]], name: str = "posts.jsonl") -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts),
                    encoding="utf-8")
    return path


def render(tmp_path: Path, posts: list[dict[str, Any]], *args: str, name: str = "posts.jsonl",
           config: bool = False) -> str:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["check", str(write_posts(tmp_path, posts, name)),
                                       "--format", "html", "-o", str(out), "--no-progress",
                                       *(() if config else ("--no-config",)), *args])
    assert result.exit_code in (0, 1), result.output
    return out.read_text(encoding="utf-8")


def json_report(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["check", str(tmp_path / "posts.jsonl"), "--format", "json",
                                       "-o", str(out), "--no-progress", *args])
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def facts(page: Node) -> dict[str, Node]:
    """The header's facts: <dt> text → its <dd>."""
    dl = page.one("dl", class_="facts")
    items = [c for c in dl.children if isinstance(c, Node)]
    return {dt.text: dd for dt, dd in zip(items[::2], items[1::2], strict=True)}


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# -- hostile input -------------------------------------------------------------------------------
def test_hostile_text_is_only_ever_text(tmp_path: Path) -> None:
    page_text = render(tmp_path, HOSTILE, name=HOSTILE_FILE)
    page = parse(page_text)
    tags = {n.tag for n in page.iter()} - {"#document"}
    assert tags <= OUR_TAGS, tags - OUR_TAGS
    # one <script> and one <style>, both ours, whatever the captions hold (</style>, </script>)
    assert [n.text for n in page.all("script")] == [html_format.SCRIPT]
    assert [n.text for n in page.all("style")] == [html_format.CSS]
    for node in page.iter():
        assert not any(name.startswith("on") for name in node.attrs), (node.tag, node.attrs)
        for value in node.attrs.values():
            assert "javascript:" not in (value or "").lower(), (node.tag, node.attrs)
    for a in page.all("a"):
        href = a.attrs.get("href") or ""
        assert href.startswith(("#c-", "https://", "http://")), href
    body = page.one("body").text
    for shown in ("<script>window.__pwned = 1</script>", 'onerror="window.__pwned = 2"',
                  '"><script>window.__pwned=3</script>', "<b>h3</b>",
                  "<style>body{display:none}</style></script>", '" onmouseover="window.__pwned=6',
                  '"onmouseover="window.__pwned=5', HOSTILE_FILE):
        assert shown in body, shown  # shown as text
    # the https link with quotes in it is kept as a link, its quotes escaped
    links = [a.attrs["href"] for a in page.all("a") if "example.org" in (a.attrs.get("href") or "")]
    assert links == ['https://example.org/p?a="><script>window.__pwned=10</script>']
    assert 'href="https://example.org/p?a=&#34;&gt;&lt;script&gt;' in page_text


def test_policy_allows_only_our_own_style_and_script(tmp_path: Path) -> None:
    page = parse(render(tmp_path, HOSTILE))
    policy = page.one("meta", **{"http-equiv": "Content-Security-Policy"}).attrs["content"] or ""
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert f"style-src {sha256(html_format.CSS)};" in policy
    assert f"script-src {sha256(html_format.SCRIPT)};" in policy
    head = page.one("head")
    assert not any("http" in (v or "") for n in head.iter() for k, v in n.attrs.items()
                   if k in ("href", "src"))  # nothing fetched


def test_urls_other_than_web_links_are_never_links() -> None:
    for url in ("javascript:alert(1)", " JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x",
                "https:/no-host", "//evil.example/x", "", None):
        assert html_format.safe_url(url) is None, url
    assert html_format.safe_url("https://a.example/p?x=1") == "https://a.example/p?x=1"


def test_findings_are_marked_in_the_caption_as_written(tmp_path: Path) -> None:
    page = render(tmp_path, HOSTILE)
    assert '<mark class="sev-error" title="dk.label-rejected">#spons</mark>' in page


def test_overlapping_findings_merge_into_one_highlight() -> None:
    from skjult.model import Finding, Severity

    def finding(rule: str, start: int, end: int, severity: Severity) -> Finding:
        return Finding(rule, "label-weak", severity, "m", start, end, 1, start + 1,
                       "x", None, "https://example.org")

    marked = html_format.marked_caption("ab<cd>ef", [finding("a.x", 1, 5, Severity.WARNING),
                                                     finding("a.y", 3, 7, Severity.ERROR)])
    assert marked == ('a<mark class="sev-warning" title="a.x">b&lt;</mark>'
                      '<mark class="sev-error" title="a.x a.y">cd</mark>'
                      '<mark class="sev-error" title="a.y">&gt;e</mark>f')


# -- how the run was made ------------------------------------------------------------------------
def test_header_states_how_the_run_was_made(tmp_path: Path) -> None:
    config = tmp_path / "skjult.toml"
    config.write_text('lang = "en"\nignore = ["dk.advertiser-unnamed"]\n\n[[suppress]]\n'
                      'rule = "label-missing"\ncreator = "lotte"\n'
                      'reason = "Own product <no payment> — legal, case 2026-17"\n',
                      encoding="utf-8")
    page = parse(render(tmp_path, HOSTILE, "--config", str(config), config=True))
    run = json_report(tmp_path, "--config", str(config))["run"]
    f = facts(page)
    assert list(f) == ["Run on", "Input", "Rule pack", "Configuration", "Rules", "Suppressions",
                       "Jurisdiction", "Language"]
    when = f["Run on"].one("time")
    assert when.attrs["datetime"] and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                                                   when.attrs["datetime"])
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4} \d\d:\d\d UTC", when.text)
    assert f["Input"].text == str(tmp_path / "posts.jsonl")
    pack = run["packs"][0]
    assert f"{pack['name']} {pack['version']}" in f["Rule pack"].text and pack["version"]
    assert pack["digest"] in f["Rule pack"].text
    assert f["Configuration"].text == str(config)
    assert f["Rules"].text == f"{run['rules']['active']} active · 1 ignored"
    assert re.fullmatch(r"1 configured · 1 applied · \d+ findings? suppressed",
                        f["Suppressions"].text), f["Suppressions"].text
    assert f["Jurisdiction"].text == "Denmark (dk)"
    assert f["Language"].text == "English"
    settings = page.one("details", id="settings")
    assert "open" not in settings.attrs  # collapsed
    rows = {r.all("td")[0].text: (r.all("td")[1].text, r.all("td")[2].text)
            for r in settings.all("tr") if r.all("td")}
    assert rows["ignore"][0] == "dk.advertiser-unnamed"
    assert rows["ignore"][1].startswith(str(config) + ":")  # file:line
    assert rows["format"] == ("html", "command line")
    assert "lotte" in rows["suppress"][0]


def test_header_without_configuration_says_none(tmp_path: Path) -> None:
    f = facts(parse(render(tmp_path, HOSTILE)))
    assert f["Konfiguration"].text == "ingen"
    assert f["Undertrykkelser"].text == "ingen"
    assert f["Sprog"].text == "dansk" and f["Jurisdiktion"].text == "Danmark (dk)"
    assert re.fullmatch(r"\d+ aktive · 0 slået fra", f["Regler"].text)


# -- what the page shows -------------------------------------------------------------------------
ORDER = (
    [{"creator": "a.ok", "caption": f"Reklame for @butik | dag {i}"} for i in range(2)]
    + [{"creator": "b.bad", "caption": f"Brug koden BAD{i} hos @butik"} for i in range(3)]
    + [{"creator": "b.bad", "caption": "Reklame for @kortspillet 🎰 100 gratis spins til nye "
                                       "spillere i aften!"}]
    + [{"creator": "c.warn", "caption": "Sponsoreret: vi har fået nyt badeværelse af @flisekongen"},
       {"creator": "c.warn", "caption": "Reklame | Den nye robotstøvsuger kører hver dag"}]
    + [{"creator": "d.none", "caption": "Fisketur ved søen i dag"}]
    + [{"creator": "e.mid", "caption": "Brug koden MID hos @butik"},
       {"creator": "e.mid", "caption": "Reklame for @butik | ny lampe"}]
)
WORST_FIRST = ["b.bad", "e.mid", "c.warn", "a.ok", "d.none"]


def table_order(page: Node) -> list[str]:
    return [row.all("a")[0].text for row in page.one("table", id="creators").all("tbody")[0].all("tr")]


def section_order(page: Node) -> list[str]:
    return [s.one("h3").text for s in page.all("section", class_="creator")]


def test_creator_sections_follow_the_table_worst_first(tmp_path: Path) -> None:
    page = parse(render(tmp_path, ORDER))
    assert table_order(page) == WORST_FIRST
    assert section_order(page) == WORST_FIRST
    rows = page.one("table", id="creators").all("tbody")[0].all("tr")
    assert [r.attrs["data-section"] for r in rows] == [s.attrs["id"] for s in
                                                       page.all("section", class_="creator")]
    rate = next(h for h in page.all("th") if h.text == "Overholdelse")
    assert rate.attrs["data-first"] == "ascending"  # the first click shows the worst first


def test_bars_are_coloured_by_severity(tmp_path: Path) -> None:
    page = parse(render(tmp_path, ORDER + HOSTILE, "--lang", "en"))
    verdicts = page.one("div", id="verdicts")
    kinds = [r.attrs["class"] for r in verdicts.all("rect")]
    assert kinds == ["sev-violation", "sev-warning", "sev-compliant", "sev-not_commercial"]
    titles = [r.one("title").text for r in verdicts.all("rect")]
    assert titles[1] == "2 warnings" and titles[2].endswith(" compliant")
    # the chart: label-weak has posts with an error (#spons) and with only a warning (Sponsoreret)
    weak = page.one("tr", **{"data-category": "label-weak"})
    assert [r.attrs["class"] for r in weak.all("rect")] == ["sev-violation", "sev-warning"]
    # the creator table's bars: c.warn is amber and grey, never red
    row = next(r for r in page.one("table", id="creators").all("tr") if r.attrs.get("data-section")
               and r.all("a")[0].text == "c.warn")
    assert [r.attrs["class"] for r in row.all("rect")] == ["sev-warning"]
    # and the colours themselves: warnings amber, violations red, compliant green, others grey
    css = html_format.CSS
    colour = dict(re.findall(r"--([a-z-]+):(#[0-9a-f]{6})", css))
    assert (colour["violation"], colour["warning"], colour["compliant"], colour["none"]) == (
        "#c5221f", "#f0b429", "#2e7d32", "#b4b8bf")
    for kind, var in (("violation", "violation"), ("warning", "warning"),
                      ("compliant", "compliant"), ("not_commercial", "none")):
        assert re.search(rf"rect\.sev-{kind}[,{{][^}}]*fill:var\(--{var}\)", css), kind
    assert ".v-warning{background:var(--warning)" in css


def test_numbers_have_thousands_separators_and_plurals(tmp_path: Path) -> None:
    posts = [{"id": f"p{i}", "creator": "stor",
              "caption": f"Brug koden STOR{i} hos @butik" if i % 2 else f"Reklame for @butik | dag {i}"}
             for i in range(1250)]
    posts.append({"id": "l1", "creator": "lille", "caption": "Brug koden LILLE hos @butik"})
    da = parse(render(tmp_path, posts))
    summaries = {s.one("h3").text: s.all("p", class_="meta")[0].text
                 for s in da.all("section", class_="creator")}
    assert summaries["stor"] == ("1.250 opslag · 1.250 kommercielle · 625 overtrædelser · "
                                 "0 advarsler · 625 i orden")
    assert summaries["lille"] == "1 opslag · 1 kommercielt · 1 overtrædelse · 0 advarsler · 0 i orden"
    tiles = [t.text for t in da.one("div", id="totals").all("div")]
    assert "1.251opslag tjekket" in tiles and "626overtrædelser" in tiles
    assert "1.145 opslag mere vises ikke her" in da.one("section", id=html_format._anchor("stor")).text
    assert da.one("p", id="counts").text == "1.251 læst · 1.251 tjekket · 0 sprunget over"
    assert "50 %" in da.one("table", id="creators").text  # Danish percent
    en = parse(render(tmp_path, posts, "--lang", "en"))
    summaries = {s.one("h3").text: s.all("p", class_="meta")[0].text
                 for s in en.all("section", class_="creator")}
    assert summaries["stor"] == "1,250 posts · 1,250 commercial · 625 violations · 0 warnings · 625 compliant"
    assert summaries["lille"] == "1 post · 1 commercial · 1 violation · 0 warnings · 0 compliant"
    keys = [li.text for li in en.one("div", id="verdicts").all("li")]
    assert keys == ["626 violations", "625 compliant"]
    assert "1,145 more posts are not shown here" in en.text
    cells = [td.text for td in en.one("table", id="creators").all("td")]
    assert "1,250" in cells and "50%" in cells
    # the page lists at most MAX_PROBLEMS + MAX_COMPLIANT of a creator's posts
    assert len(en.one("section", id=html_format._anchor("stor")).all("article")) == \
        html_format.MAX_PROBLEMS + html_format.MAX_COMPLIANT


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
    assert "<b>16</b>posts checked" in page


@pytest.mark.parametrize("lang", ["da", "en"])
def test_legend_explains_the_categories_that_occur(tmp_path: Path, lang: str) -> None:
    page = parse(render(tmp_path, ORDER + HOSTILE, "--lang", lang))
    report = json_report(tmp_path, "--no-config")
    occurring = {f["category"] for p in report["posts"] for f in p["findings"]}
    assert len(occurring) >= 3
    chart = [r.attrs["data-category"] for r in page.one("div", id="categories").all("tr")]
    assert set(chart) == occurring
    legend = page.one("dl", id="legend")
    assert [dt.text for dt in legend.all("dt")] == [categories.title(c, lang) for c in chart]
    assert [dd.text for dd in legend.all("dd")] == [categories.description(c, lang) for c in chart]
    # the findings say the category's title too, not only its id
    labels = {n.text for n in page.all("span", class_="cat")}
    assert labels == {categories.title(c, lang) for c in occurring}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_verdicts_and_severities_in_the_page_language(tmp_path: Path, lang: str) -> None:
    page = parse(render(tmp_path, ORDER + HOSTILE, "--lang", lang))
    badges = {n.text for n in page.all("span", class_="verdict")}
    assert badges == {i18n.verdict(v, lang) for v in ("violation", "warning", "compliant")}
    severities = {n.text for n in page.all("span", class_="sev")}
    assert severities == {i18n.severity(s, lang) for s in ("error", "warning")}
    assert page.one("html").attrs["lang"] == lang


def test_no_commercial_posts_is_said_as_such(tmp_path: Path) -> None:
    posts = [{"creator": "ole", "caption": "Fisketur ved søen i dag"},
             {"creator": "ole", "caption": "Dejlig dag i haven med ungerne"}]
    for lang, words in (("da", "Ingen kommercielle opslag"), ("en", "No commercial posts")):
        page = parse(render(tmp_path, posts, "--lang", lang))
        assert page.one("p", id="no-commercial").text == words
        assert page.one("section", class_="creator").one("p", class_="quiet").text == words + "."
        text = page.one("main").text
        assert "Ingen overtrædelser" not in text and "No violations" not in text
        assert not page.all("div", class_="t-share")  # no "n % compliant" of nothing
        assert not page.all("div", id="categories")


def test_emoji_have_a_colour_font_to_fall_back_on() -> None:
    body = re.search(r"body\{font:[^;]*?,\s*(sans-serif,[^;]*?);", html_format.CSS, re.S)
    assert body is not None
    assert body.group(1).replace("\n", "").endswith(
        '"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji"')


# -- the categories as data ----------------------------------------------------------------------
def test_every_category_has_titles_and_a_sentence_in_both_languages() -> None:
    data = categories.load()
    assert list(data) == list(CATEGORIES)  # every id, in the same order, and nothing extra
    assert categories.path().parent == builtin_root()  # shipped beside the packs
    for lang in i18n.LANGS:
        titles = [c.title(lang) for c in data.values()]
        assert len(set(titles)) == len(titles), lang
        for c in data.values():
            assert c.title(lang) != c.id and c.title(lang)[0].isupper(), (c.id, lang)
            sentence = c.description(lang)
            assert sentence.endswith(".") and sentence.count(". ") == 0, (c.id, lang)
    assert categories.title("no-such-category", "da") == "no-such-category"


def test_a_broken_category_file_names_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "categories.yml"
    broken.write_text("label-missing:\n  title:\n    da: Mangler\n  description:\n"
                      "    da: Noget.\n    en: Something.\n", encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        categories.load(broken)
    assert f"{broken}:2:" in str(caught.value) and "title" in str(caught.value)


# -- in a browser --------------------------------------------------------------------------------
def test_report_in_headless_chromium(tmp_path: Path, browser: Any) -> None:
    page_html = tmp_path / "report.html"
    render(tmp_path, [*HOSTILE, ORDER[-4]], "--lang", "en")  # and a warning
    requests: list[str] = []
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(page_html.as_uri())
    text = page.inner_text("body")
    assert "Hidden advertising report" in text
    assert "9\nposts checked" in page.inner_text("#totals")
    assert "<script>window.__pwned = 1</script>" in text  # shown, not run
    assert '"><script>window.__pwned=3</script>' in text
    page.hover("#creators tbody tr:last-child td:first-child")
    assert page.evaluate("window.__pwned === undefined")
    assert requests == [page_html.as_uri()], requests  # nothing but the file itself
    assert not errors, errors  # the policy let our own style and script through
    # Filters (the script shows them): only violations, then only TikTok.
    assert page.is_visible("#filters") and page.is_visible("#sort-hint")
    page.select_option("select[name=verdict]", "violation")
    verdicts = page.eval_on_selector_all("article:not([hidden])", "a => a.map(x => x.dataset.verdict)")
    assert verdicts and set(verdicts) == {"violation"}
    page.select_option("select[name=verdict]", "")
    page.select_option("select[name=platform]", "tiktok")
    platforms = page.eval_on_selector_all("article:not([hidden])", "a => a.map(x => x.dataset.platform)")
    assert set(platforms) == {"tiktok"}
    page.select_option("select[name=platform]", "")
    page.select_option("select[name=category]", "label-weak")
    shown = page.eval_on_selector_all("article:not([hidden])", "a => a.map(x => x.dataset.categories)")
    assert shown and all("label-weak" in c.split() for c in shown)
    page.select_option("select[name=category]", "")
    # Colours as the browser paints them, and the emoji font at the end of the stack.
    fill = "(s) => getComputedStyle(document.querySelector(s)).fill"
    assert page.evaluate(fill, "#verdicts rect.sev-warning") == "rgb(240, 180, 41)"
    assert page.evaluate(fill, "#verdicts rect.sev-violation") == "rgb(197, 34, 31)"
    assert page.evaluate(fill, "#verdicts rect.sev-compliant") == "rgb(46, 125, 50)"
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.replace(" ", "").endswith('"AppleColorEmoji","SegoeUIEmoji","NotoColorEmoji"')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "html-report.png"), full_page=True)
    page.close()


def test_sorting_in_the_browser_puts_the_worst_first_and_moves_the_sections(
        tmp_path: Path, browser: Any) -> None:
    page_html = tmp_path / "report.html"
    render(tmp_path, ORDER, "--lang", "en")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(page_html.as_uri())
    rows = "els => els.map(e => e.textContent)"
    table = "#creators tbody tr td:first-child"
    sections = "section.creator h3"
    assert page.eval_on_selector_all(table, rows) == WORST_FIRST
    page.click("#creators th:nth-child(7)")  # compliance, first click
    order = page.eval_on_selector_all(table, rows)
    assert order == ["b.bad", "c.warn", "e.mid", "a.ok", "d.none"]  # 0 %, 0 %, 50 %, 100 %, –
    assert page.eval_on_selector_all(sections, rows) == order
    page.click("#creators th:nth-child(7)")  # second click: the best first; no rate stays last
    assert page.eval_on_selector_all(table, rows) == ["a.ok", "e.mid", "b.bad", "c.warn", "d.none"]
    page.click("#creators th:nth-child(1)")  # by name
    assert page.eval_on_selector_all(table, rows) == sorted(WORST_FIRST)
    assert page.eval_on_selector_all(sections, rows) == sorted(WORST_FIRST)
    page.close()


def test_report_reads_without_javascript(tmp_path: Path, browser: Any) -> None:
    page_html = tmp_path / "report.html"
    render(tmp_path, HOSTILE)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(page_html.as_uri())
    assert not page.is_visible("#filters")  # nothing that cannot work
    assert not page.is_visible("#sort-hint")
    assert page.locator("article").count() == 7  # every commercial post is listed
    assert "Fisketur" not in page.inner_text("body")  # not commercial: counted, not listed
    context.close()


def test_csv_per_creator_for_danish_excel(tmp_path: Path) -> None:
    posts = write_posts(tmp_path, [{**p, "created_at": f"2026-03-0{i + 1}T10:00:00Z"}
                                   for i, p in enumerate(HOSTILE[:6])])
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


def test_suppressed_findings_are_called_undertrykt_as_in_the_text_report(tmp_path: Path) -> None:
    config = tmp_path / "skjult.toml"
    config.write_text('[[suppress]]\nrule = "label-missing"\ncreator = "lotte"\n'
                      'reason = "Eget produkt"\n', encoding="utf-8")
    page = render(tmp_path, HOSTILE, "--config", str(config), config=True)
    f = facts(parse(page))
    assert re.fullmatch(r"1 konfigureret · 1 anvendt · \d+ fund undertrykt",
                        f["Undertrykkelser"].text), f["Undertrykkelser"].text
    tiles = [t.text for t in parse(page).one("div", id="totals").all("div")]
    assert any(t.endswith("fund undertrykt") for t in tiles), tiles
    assert "undtag" not in page.lower()
    result = CliRunner().invoke(main, ["check", str(tmp_path / "posts.jsonl"), "--config",
                                       str(config), "--no-progress"])
    assert "fund undertrykt med begrundelse" in result.stdout  # the same word


def test_a_finding_about_the_whole_post_says_so_and_a_draft_gives_file_lines(tmp_path: Path) -> None:
    draft = tmp_path / "lampe.md"
    draft.write_text('---\nbrand: "@lampeland"\n---\nNy lampe i stuen\nTak for gaven @lampeland\n',
                     encoding="utf-8")
    for lang, whole, at in (("da", "hele opslaget", "linje 5, tegn 1"),
                            ("en", "whole post", "line 5, character 1")):
        out = tmp_path / f"report-{lang}.html"
        result = CliRunner().invoke(main, ["check", str(draft), "--format", "html", "-o", str(out),
                                           "--no-config", "--lang", lang])
        assert result.exit_code == 1, result.output
        page = parse(out.read_text(encoding="utf-8"))
        wheres = [d.text.split(" · ")[1] for d in page.all("div", class_="meta")
                  if d.all("code")]
        assert whole in wheres and at in wheres, wheres
        meta = page.one("article").all("span", class_="meta")[0].text
        assert meta.endswith(("lampe.md:linje 4", "lampe.md:line 4")), meta  # the caption's first line
