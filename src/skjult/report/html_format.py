"""``html``: one self-contained page to forward — overview, chart, creators, captions marked up.

Everything the page needs is inside it (style, script, an SVG chart); a Content-Security-Policy
forbids every request, so it opens from a mail attachment and never calls home. Captions, names
and ids are hostile input: every piece of text goes through ``html.escape``. The page reads
without JavaScript (everything listed, the creator table sorted by violations); the script only
adds sorting and filters.

Large runs: posts are rendered as they come into a spool on disk, grouped by creator; per
creator at most ``MAX_PROBLEMS`` non-compliant and ``MAX_COMPLIANT`` compliant posts are listed
(the counts are always complete), and at most ``MAX_LISTED`` posts in all.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from typing import IO, Any

from skjult.model import CATEGORIES, Finding, PostResult, Verdict
from skjult.report.base import Formatter
from skjult.report.spool import Spool
from skjult.report.summary import UNKNOWN_CREATOR, Report
from skjult.rules.rule import Rule
from skjult.runinfo import RunInfo

MAX_PROBLEMS = 100  # non-compliant posts listed per creator
MAX_COMPLIANT = 5  # compliant posts listed per creator
MAX_LISTED = 5_000  # posts listed in all (a page of ~6 MB); the rest are counted

WORDS = {
    "da": {
        "title": "skjult – rapport om skjult reklame", "overview": "Overblik", "read": "læst",
        "checked": "tjekket", "skipped": "sprunget over", "commercial": "kommercielle opslag",
        "commercial_col": "kommercielle",
        "compliant_share": "af de kommercielle opslag er i orden", "by_category":
        "Opslag med fund, pr. kategori", "creators": "Skabere", "creator": "Skaber",
        "posts": "opslag", "compliant": "i orden", "warnings": "advarsler",
        "violations": "overtrædelser", "rate": "overholdelse", "verdict": "Vurdering",
        "category": "Kategori", "platform": "Platform", "all": "alle", "filter": "Filtrér",
        "not_shown": "{n} opslag mere vises ikke her; se JSON- eller CSV-rapporten.",
        "compliant_posts": "opslag i orden", "no_problems": "Ingen problemer fundet.",
        "fix": "Ret", "source": "Kilde", "none": "Ingen opslag at vise.", "generated":
        "Lavet af skjult {version} med reglerne for {jurisdiction}.", "sort": "Klik på en "
        "kolonne for at sortere.", "not_commercial": "ikke kommercielle",
        "verdicts": {"not_commercial": "ikke kommerciel", "compliant": "i orden",
                     "warning": "advarsel", "violation": "overtrædelse"},
        "skips": "Poster der ikke kunne læses", "suppressed": "fund undertrykt af konfigurationen",
    },
    "en": {
        "title": "skjult – hidden advertising report", "overview": "Overview", "read": "read",
        "checked": "checked", "skipped": "skipped", "commercial": "commercial posts",
        "commercial_col": "commercial",
        "compliant_share": "of the commercial posts are compliant", "by_category":
        "Posts with findings, by category", "creators": "Creators", "creator": "Creator",
        "posts": "posts", "compliant": "compliant", "warnings": "warnings",
        "violations": "violations", "rate": "compliance", "verdict": "Verdict",
        "category": "Category", "platform": "Platform", "all": "all", "filter": "Filter",
        "not_shown": "{n} more posts are not shown here; see the JSON or CSV report.",
        "compliant_posts": "compliant posts", "no_problems": "No problems found.",
        "fix": "Fix", "source": "Source", "none": "No posts to show.", "generated":
        "Made by skjult {version} with the rules for {jurisdiction}.", "sort": "Click a column "
        "to sort.", "not_commercial": "not commercial",
        "verdicts": {"not_commercial": "not commercial", "compliant": "compliant",
                     "warning": "warning", "violation": "violation"},
        "skips": "Records that could not be read", "suppressed": "findings suppressed by the configuration",
    },
}

CSS = """
:root{--ink:#1d1d1f;--muted:#5f6368;--line:#d9d9de;--bad:#b3261e;--warn:#8a5a00;--ok:#1b6e3a;
--mark:#ffe08a;--bg:#fafafa}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--ink);background:var(--bg);margin:0 auto;max-width:1100px;padding:1.5rem}
h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:2rem 0 .6rem}
.totals{display:flex;flex-wrap:wrap;gap:1rem}.totals div{background:#fff;border:1px solid var(--line);
border-radius:8px;padding:.6rem 1rem}.totals b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid var(--line);
padding:.35rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}
th{cursor:pointer;user-select:none;background:#f0f0f3}th[aria-sort]::after{content:" ↕";color:var(--muted)}
section.creator{background:#fff;border:1px solid var(--line);border-radius:8px;margin:1rem 0;
padding:.4rem 1rem}
section.creator>h3{margin:.4rem 0;font-size:1.05rem}article{border-top:1px solid var(--line);padding:.6rem 0}
.verdict{display:inline-block;font-weight:600;font-size:.8rem;text-transform:uppercase;padding:0 .4rem;
border-radius:4px;color:#fff}.v-violation{background:var(--bad)}.v-warning{background:var(--warn)}
.v-compliant{background:var(--ok)}.v-not_commercial{background:var(--muted)}
.meta{color:var(--muted);font-size:.85rem}.caption{white-space:pre-wrap;overflow-wrap:anywhere;
background:#f6f6f8;border-radius:6px;padding:.5rem .7rem;margin:.4rem 0}
mark{background:var(--mark);border-bottom:2px solid var(--bad);padding:0 1px}
ul.findings{margin:.2rem 0;padding-left:1.2rem}ul.findings li{margin:.25rem 0}
.sev-error{color:var(--bad);font-weight:600}.sev-warning{color:var(--warn);font-weight:600}
.sev-info{color:var(--muted);font-weight:600}code{font-size:.85em}.chart text{font-size:12px}
form.filters{display:flex;gap:1rem;flex-wrap:wrap;align-items:end;margin:1rem 0}
form.filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
.more{color:var(--muted);font-style:italic}[hidden]{display:none!important}
@media print{form.filters{display:none}}
"""

SCRIPT = """
(function(){
  var form=document.getElementById('filters');form.hidden=false;
  function apply(){
    var v=form.verdict.value,c=form.category.value,p=form.platform.value;
    document.querySelectorAll('article[data-verdict]').forEach(function(a){
      var ok=(!v||a.dataset.verdict===v)&&(!c||(' '+a.dataset.categories+' ').indexOf(' '+c+' ')>=0)
        &&(!p||a.dataset.platform===p);a.hidden=!ok;});
    document.querySelectorAll('section.creator').forEach(function(s){
      var any=s.querySelector('article[data-verdict]:not([hidden])');s.hidden=!any&&!!(v||c||p);});
  }
  form.addEventListener('change',apply);
  var table=document.getElementById('creators');
  table.querySelectorAll('th').forEach(function(th,i){
    th.setAttribute('aria-sort','none');
    th.addEventListener('click',function(){
      var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
      var dir=th.getAttribute('aria-sort')==='descending'?1:-1;
      table.querySelectorAll('th').forEach(function(h){h.setAttribute('aria-sort','none');});
      th.setAttribute('aria-sort',dir<0?'descending':'ascending');
      rows.sort(function(a,b){
        var x=a.cells[i].dataset.sort,y=b.cells[i].dataset.sort;
        if(x===undefined){x=a.cells[i].textContent;y=b.cells[i].textContent;return dir*x.localeCompare(y);}
        return dir*(parseFloat(x)-parseFloat(y));});
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
})();
"""

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:; base-uri 'none'; form-action 'none'")


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def marked_caption(text: str, findings: Sequence[Finding]) -> str:
    """The caption, escaped, with every finding's span in ``<mark>`` (overlaps merged)."""
    cuts = {0, len(text)}
    for f in findings:
        if f.end > f.start:
            cuts.update((max(0, f.start), min(len(text), f.end)))
    points = sorted(cuts)
    out = []
    for a, b in itertools.pairwise(points):
        covering = [f for f in findings if f.start <= a and b <= f.end and f.end > f.start]
        piece = esc(text[a:b])
        if covering:
            rules = " ".join(dict.fromkeys(f.rule for f in covering))
            out.append(f'<mark title="{esc(rules)}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


class HtmlFormatter(Formatter):
    def __init__(self, out: IO[str], *, color: bool = False, lang: str = "da",
                 rules: Sequence[Rule] = (), options: dict[str, Any] | None = None):
        super().__init__(out, color=color, lang=lang, rules=rules, options=options)
        self.words: dict[str, Any] = WORDS[lang]
        self._spool = Spool()
        self._listed = 0
        self._unlisted: dict[str, int] = {}
        self._platforms: set[str] = set()
        self._meta: dict[str, Any] = {}

    def start(self, info: RunInfo) -> None:
        self._meta = info.to_dict()

    def post(self, result: PostResult) -> None:
        creator = result.post.creator or UNKNOWN_CREATOR
        if result.post.platform:
            self._platforms.add(result.post.platform.lower())
        verdict = result.verdict
        if verdict is Verdict.NOT_COMMERCIAL:
            return
        group = creator if verdict is not Verdict.COMPLIANT else "\0" + creator
        cap = MAX_COMPLIANT if verdict is Verdict.COMPLIANT else MAX_PROBLEMS
        if self._spool.count(group) >= cap or self._listed >= MAX_LISTED:
            self._unlisted[creator] = self._unlisted.get(creator, 0) + 1
            return
        self._listed += 1
        self._spool.add(group, self._article(result))

    def _article(self, result: PostResult) -> str:
        w, post = self.words, result.post
        verdict = str(result.verdict)
        categories = " ".join(sorted({f.category for f in result.findings}))
        meta = " · ".join(esc(x) for x in (post.id, post.platform, post.created_at, post.source) if x)
        link = f' · <a href="{esc(post.url)}" rel="noreferrer">{esc(post.url)}</a>' if post.url and \
            post.url.startswith(("https://", "http://")) else ""
        parts = [
            f'<article data-verdict="{esc(verdict)}" data-categories="{esc(categories)}" '
            f'data-platform="{esc((post.platform or "").lower())}">',
            f'<span class="verdict v-{esc(verdict)}">{esc(w["verdicts"][verdict])}</span> '
            f'<span class="meta">{meta}{link}</span>',
            f'<div class="caption">{marked_caption(post.text, result.findings)}</div>',
        ]
        if result.findings:
            parts.append('<ul class="findings">')
            for f in result.findings:
                source = (f' · <a href="{esc(f.source)}" rel="noreferrer">{esc(w["source"])}</a>'
                          if f.source.startswith(("https://", "http://")) else "")
                fix = f'<br><b>{esc(w["fix"])}:</b> {esc(f.fix)}' if f.fix else ""
                parts.append(
                    f'<li><span class="sev-{esc(f.severity)}">{esc(f.severity)}</span> '
                    f'<code>{esc(f.rule)}</code> {f.line}:{f.column} — {esc(f.message)}{fix}'
                    f'{source}</li>')
            parts.append("</ul>")
        parts.append("</article>\n")
        return "".join(parts)

    # -- the page ------------------------------------------------------------------------------

    def finish(self, report: Report) -> None:
        w, out = self.words, self.out
        out.write(f'<!DOCTYPE html>\n<html lang="{esc(self.lang)}">\n<head>\n<meta charset="utf-8">\n'
                  f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">\n'
                  f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                  f'<title>{esc(w["title"])}</title>\n<style>{CSS}</style>\n</head>\n<body>\n')
        out.write(f'<h1>{esc(w["title"])}</h1>\n')
        self._overview(report)
        self._chart(report)
        self._creator_table(report)
        self._filters()
        self._creators(report)
        self._skips(report)
        out.write(f'<p class="meta">{esc(w["generated"].format(**self._names()))}</p>\n')
        out.write(f"<script>{SCRIPT}</script>\n</body>\n</html>\n")
        self._spool.close()

    def _names(self) -> dict[str, str]:
        return {"version": str(self._meta.get("version", "")),
                "jurisdiction": str(self._meta.get("jurisdiction", ""))}

    def _overview(self, report: Report) -> None:
        w = self.words
        totals = report.totals()
        commercial = sum(c.commercial for c in report.creators.values())
        compliant = sum(c.compliant for c in report.creators.values())
        share = f"{compliant / commercial:.0%}" if commercial else "–"
        boxes = [(totals["read"], w["read"]), (totals["checked"], w["checked"]),
                 (totals["skipped"], w["skipped"]), (commercial, w["commercial"]),
                 (share, w["compliant_share"])]
        if totals["suppressed"]:
            boxes.append((totals["suppressed"], w["suppressed"]))
        self.out.write(f'<h2>{esc(w["overview"])}</h2>\n<div class="totals" id="totals">')
        for value, label in boxes:
            self.out.write(f"<div><b>{esc(value)}</b>{esc(label)}</div>")
        self.out.write("</div>\n")

    def _chart(self, report: Report) -> None:
        """Horizontal bars, inline SVG: posts with at least one finding of each category."""
        counts: dict[str, int] = {}
        for summary in report.creators.values():
            for category, n in summary.categories.items():
                counts[category] = counts.get(category, 0) + n
        rows = [(c, counts[c]) for c in CATEGORIES if counts.get(c)]
        rows += sorted((c, n) for c, n in counts.items() if c not in CATEGORIES)
        if not rows:
            return
        top = max(n for _, n in rows)
        bar_h, label_w, width = 22, 170, 700
        height = bar_h * len(rows) + 4
        self.out.write(f'<h2>{esc(self.words["by_category"])}</h2>\n'
                       f'<svg class="chart" role="img" width="{width}" height="{height}" '
                       f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">')
        for i, (category, n) in enumerate(rows):
            y = i * bar_h + 2
            length = max(2, int((width - label_w - 60) * n / top))
            self.out.write(f'<text x="0" y="{y + 15}">{esc(category)}</text>'
                           f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{bar_h - 6}" '
                           f'fill="#b3261e"><title>{esc(category)}: {n}</title></rect>'
                           f'<text x="{label_w + length + 6}" y="{y + 15}">{n}</text>')
        self.out.write("</svg>\n")

    def _creator_table(self, report: Report) -> None:
        w = self.words
        creators = sorted(report.creators.values(),
                          key=lambda c: (-c.violations, -c.warnings, c.creator))
        self.out.write(f'<h2>{esc(w["creators"])}</h2>\n<p class="meta">{esc(w["sort"])}</p>\n'
                       '<table id="creators"><thead><tr>')
        for head in ("creator", "posts", "commercial_col", "compliant", "warnings", "violations",
                     "rate"):
            self.out.write(f'<th scope="col">{esc(w[head])}</th>')
        self.out.write("</tr></thead><tbody>\n")
        for c in creators:
            rate = c.compliance_rate
            anchor = _anchor(c.creator)
            cells = [f'<td><a href="#{anchor}">{esc(c.creator)}</a></td>']
            for value in (c.posts, c.commercial, c.compliant, c.warnings, c.violations):
                cells.append(f'<td data-sort="{value}">{value}</td>')
            cells.append(f'<td data-sort="{-1 if rate is None else round(rate, 4)}">'
                         f'{"–" if rate is None else f"{rate:.0%}"}</td>')
            self.out.write("<tr>" + "".join(cells) + "</tr>\n")
        self.out.write("</tbody></table>\n")

    def _filters(self) -> None:
        """Shown only when the script runs (``hidden`` until then): without it, all is listed."""
        w = self.words
        verdicts = "".join(f'<option value="{v}">{esc(w["verdicts"][v])}</option>'
                           for v in ("violation", "warning", "compliant"))
        categories = "".join(f'<option value="{c}">{esc(c)}</option>' for c in CATEGORIES)
        platforms = "".join(f'<option value="{esc(p)}">{esc(p)}</option>'
                            for p in sorted(self._platforms))
        everything = f'<option value="">{esc(w["all"])}</option>'
        self.out.write(
            f'<form class="filters" id="filters" hidden><b>{esc(w["filter"])}</b>'
            f'<label>{esc(w["verdict"])}<select name="verdict">{everything}{verdicts}</select></label>'
            f'<label>{esc(w["category"])}<select name="category">{everything}{categories}</select>'
            f'</label><label>{esc(w["platform"])}<select name="platform">{everything}{platforms}'
            "</select></label></form>\n")

    def _creators(self, report: Report) -> None:
        w = self.words
        if not report.creators:
            self.out.write(f'<p>{esc(w["none"])}</p>\n')
        for name in sorted(report.creators):
            summary = report.creators[name]
            self.out.write(f'<section class="creator" id="{_anchor(name)}"><h3>{esc(name)}</h3>'
                           f'<p class="meta">{summary.posts} {esc(w["posts"])} · {summary.commercial} '
                           f'{esc(w["commercial"])} · {summary.violations} {esc(w["violations"])} · '
                           f'{summary.warnings} {esc(w["warnings"])} · {summary.compliant} '
                           f'{esc(w["compliant"])}</p>\n')
            problems = self._spool.count(name)
            for piece in self._spool.pieces(name):
                self.out.write(piece)
            if not problems:
                self.out.write(f'<p>{esc(w["no_problems"])}</p>\n')
            for piece in self._spool.pieces("\0" + name):
                self.out.write(piece)
            hidden = self._unlisted.get(name, 0)
            if hidden:
                self.out.write(f'<p class="more">{esc(w["not_shown"].format(n=hidden))}</p>\n')
            self.out.write("</section>\n")

    def _skips(self, report: Report) -> None:
        broken = [s for s in report.skips if s.kind != "no-text"]
        if not broken and not report.unreadable:
            return
        self.out.write(f'<h2>{esc(self.words["skips"])}</h2>\n<ul class="meta">')
        for problem in report.unreadable:
            self.out.write(f"<li>{esc(problem)}</li>")
        for skip in broken:
            self.out.write(f"<li>{esc(skip)}</li>")
        self.out.write("</ul>\n")


def _anchor(creator: str) -> str:
    """A safe, unique id for a creator's section (a lone surrogate in the name included)."""
    return "c-" + creator.encode("utf-8", "surrogatepass").hex()
