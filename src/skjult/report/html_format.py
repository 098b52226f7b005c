"""``html``: one self-contained page to forward to a brand manager — how the run was made, an
overview, charts, the creators, and every non-compliant caption marked up.

**Why jinja2 templates** (``templates/report.html.j2``, ``templates/post.html.j2``) rather than
strings joined by hand: with ``autoescape=True`` every value is escaped *unless* it is
explicitly marked safe, so a forgotten ``escape()`` is no longer a hole — in the hand-joined
version every one of some sixty interpolations had to remember it. The markup reads as HTML, the
Python side only prepares plain values, and the only ``Markup`` on the page is our own style
sheet and script (files beside the templates), the marked-up caption (built here from escaped
pieces) and post articles the post template rendered. jinja2 comes with spaCy anyway; it is
declared in ``pyproject.toml`` because we import it. URLs are the one thing escaping does not
make safe: only ``http(s)`` links are ever written (``safe_url``).

Everything the page needs is inside it; a Content-Security-Policy forbids every request and
allows only the page's own style sheet and script, by their SHA-256 — a script or style that
slipped into the page would not run. The page reads without JavaScript (everything listed, worst
creators first); the script adds sorting and filters.

Large runs: posts are rendered as they come into a spool on disk, grouped by creator (memory grows
with creators, not posts); per creator at most ``MAX_PROBLEMS`` non-compliant and
``MAX_COMPLIANT`` compliant posts are listed (the counts are always complete), and at most
``MAX_LISTED`` posts in all. The page is streamed out with ``Template.generate``. In the browser,
creator sections are ``content-visibility: auto``: a page of 5,000 posts opens in about 1.5 s
instead of 4 and re-sorting (which moves the sections to follow the table) takes under one.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from skjult import categories, i18n
from skjult.model import CATEGORIES, Finding, PostResult, Severity, Verdict
from skjult.report.base import Formatter
from skjult.report.spool import Spool
from skjult.report.summary import UNKNOWN_CREATOR, CreatorSummary, Report
from skjult.rules.rule import Rule
from skjult.runinfo import COMMAND_LINE, DEFAULT, RunInfo

MAX_PROBLEMS = 100  # non-compliant posts listed per creator
MAX_COMPLIANT = 5  # compliant posts listed per creator
MAX_LISTED = 5_000  # posts listed in all (a page of ~6 MB); the rest are counted
MAX_INPUTS = 12  # input paths named in the header; the rest are counted
MAX_FILES = 500  # rows in the per-file table

TEMPLATES = Path(__file__).with_name("templates")
CSS = (TEMPLATES / "report.css").read_text(encoding="utf-8")
SCRIPT = (TEMPLATES / "report.js").read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


# Nothing may be fetched; only our own <style> and <script> (by hash) apply.
CSP = (f"default-src 'none'; style-src {_sha256(CSS)}; script-src {_sha256(SCRIPT)}; "
       "img-src data:; base-uri 'none'; form-action 'none'")

# The page's own words. Pairs are (one, other) for i18n.counted; {n} is a number already
# written the language's way.
WORDS: dict[str, dict[str, Any]] = {
    "da": {
        "title": "Rapport om skjult reklame",
        "lead": "Hvilke opslag er reklame, og er de markeret, så følgerne kan se det?",
        "run_date": "Kørt", "inputs": "Input", "packs": "Regelsæt", "digest": "fingeraftryk",
        "config": "Konfiguration", "config_none": "ingen", "rules": "Regler",
        "suppressions": "Undertrykkelser", "jurisdiction": "Jurisdiktion", "language": "Sprog",
        "settings": "Alle indstillinger, og hvor de kommer fra", "setting": "Indstilling",
        "value": "Værdi", "origin": "Fra", "files": "Filer læst", "file": "Fil", "read": "læst",
        "checked": "tjekket", "skipped": "sprunget over", "no_version": "(uden version)",
        "inputs_more": "… og {n} flere", "none_value": "(ingen)",
        "origins": {COMMAND_LINE: "kommandolinjen", DEFAULT: "standard"},
        "active": ("aktiv", "aktive"), "ignored": ("slået fra", "slået fra"),
        "configured": ("konfigureret", "konfigureret"), "applied": ("anvendt", "anvendt"),
        "expired": ("udløbet", "udløbet"), "findings_suppressed": ("fund undertrykt", "fund undertrykt"),
        "overview": "Overblik",
        "tile_checked": ("opslag tjekket", "opslag tjekket"),
        "tile_commercial": ("kommercielt opslag", "kommercielle opslag"),
        "tile_violations": ("overtrædelse", "overtrædelser"),
        "tile_warnings": ("advarsel", "advarsler"), "tile_compliant": ("i orden", "i orden"),
        "tile_share": "af de kommercielle er i orden",
        "counts": "{read} læst · {checked} tjekket · {skipped} sprunget over",
        "no_commercial": "Ingen kommercielle opslag",
        "no_findings": "Ingen fund i de kommercielle opslag.",
        "verdicts_heading": "Vurdering af alle tjekkede opslag",
        "verdicts_caption": ("Vurdering af {n} tjekket opslag", "Vurdering af alle {n} tjekkede opslag"),
        "headline": ("{n} af {total} skabere har mindst én overtrædelse",
                     "{n} af {total} skabere har mindst én overtrædelse"),
        "headline_none": "Ingen af de {total} skabere har overtrædelser",
        "headline_warned": ("{n} har kun advarsler", "{n} har kun advarsler"),
        "k_violation": ("overtrædelse", "overtrædelser"), "k_warning": ("advarsel", "advarsler"),
        "k_compliant": ("i orden", "i orden"),
        "k_not_commercial": ("ikke kommercielt", "ikke kommercielle"),
        "by_category": "Opslag med fund, pr. kategori",
        "k_error": "med fejl (overtrædelse)", "k_sev_warning": "kun advarsel", "k_info": "kun info",
        "post_count": ("opslag", "opslag"),
        "creators": "Skabere", "sort": "Klik på en kolonneoverskrift for at sortere; "
        "{compliance} viser de dårligste først.",
        "h_creator": "Skaber", "h_posts": "Opslag", "h_commercial": "Kommercielle",
        "h_violations": "Overtrædelser", "h_warnings": "Advarsler", "h_compliant": "I orden",
        "h_rate": "Overholdelse", "h_mix": "Fordeling",
        "posts": ("opslag", "opslag"), "commercial": ("kommercielt", "kommercielle"),
        "violations": ("overtrædelse", "overtrædelser"), "warnings": ("advarsel", "advarsler"),
        "compliant": ("i orden", "i orden"), "not_commercial": ("ikke kommercielt", "ikke kommercielle"),
        "period": "{first} – {last}",
        "creator_no_commercial": "Ingen kommercielle opslag.",
        "creator_no_problems": "Ingen overtrædelser eller advarsler.",
        "not_shown": ("{n} opslag mere vises ikke her; se JSON- eller CSV-rapporten.",
                      "{n} opslag mere vises ikke her; se JSON- eller CSV-rapporten."),
        "filter": "Filtrér", "verdict": "Vurdering", "category": "Kategori", "platform": "Platform",
        "all": "alle", "no_posts": "Ingen opslag at vise.", "unknown": "(ukendt)",
        "open_post": "åbn opslaget", "fix": "Ret", "source": "Kilde",
        "where": "linje {line}, tegn {column}", "whole_post": "hele opslaget",
        "skips": "Poster, der ikke kunne læses",
        "skips_more": ("{n} mere er talt med, men ikke vist.", "{n} mere er talt med, men ikke vist."),
        "footer": "Lavet af skjult {version} med regelsættet for {jurisdiction}. Rapporten er en "
        "hjælp til at finde opslag, der skal ses efter – ikke en juridisk vurdering.",
        "jurisdictions": {"dk": "Danmark", "uk": "Storbritannien", "us": "USA"},
        "languages": {"da": "dansk", "en": "engelsk"},
        "months": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                   "september", "oktober", "november", "december"),
        "date": "{day}. {month} {year}", "time": "kl. {hour:02d}.{minute:02d}",
    },
    "en": {
        "title": "Hidden advertising report",
        "lead": "Which posts are advertising, and are they labelled so that followers can tell?",
        "run_date": "Run on", "inputs": "Input", "packs": "Rule pack", "digest": "fingerprint",
        "config": "Configuration", "config_none": "none", "rules": "Rules",
        "suppressions": "Suppressions", "jurisdiction": "Jurisdiction", "language": "Language",
        "settings": "All settings and where they come from", "setting": "Setting",
        "value": "Value", "origin": "From", "files": "Files read", "file": "File", "read": "read",
        "checked": "checked", "skipped": "skipped", "no_version": "(no version)",
        "inputs_more": "… and {n} more", "none_value": "(none)",
        "origins": {COMMAND_LINE: "command line", DEFAULT: "default"},
        "active": ("active", "active"), "ignored": ("ignored", "ignored"),
        "configured": ("configured", "configured"), "applied": ("applied", "applied"),
        "expired": ("expired", "expired"),
        "findings_suppressed": ("finding suppressed", "findings suppressed"),
        "overview": "Overview",
        "tile_checked": ("post checked", "posts checked"),
        "tile_commercial": ("commercial post", "commercial posts"),
        "tile_violations": ("violation", "violations"), "tile_warnings": ("warning", "warnings"),
        "tile_compliant": ("compliant", "compliant"),
        "tile_share": "of commercial posts compliant",
        "counts": "{read} read · {checked} checked · {skipped} skipped",
        "no_commercial": "No commercial posts",
        "no_findings": "No findings in the commercial posts.",
        "verdicts_heading": "Verdicts on all checked posts",
        "verdicts_caption": ("Verdict on {n} checked post", "Verdicts on all {n} checked posts"),
        "headline": ("{n} of {total} creators has at least one violation",
                     "{n} of {total} creators have at least one violation"),
        "headline_none": "None of the {total} creators has a violation",
        "headline_warned": ("{n} has only warnings", "{n} have only warnings"),
        "k_violation": ("violation", "violations"), "k_warning": ("warning", "warnings"),
        "k_compliant": ("compliant", "compliant"),
        "k_not_commercial": ("not commercial", "not commercial"),
        "by_category": "Posts with findings, by category",
        "k_error": "with an error (violation)", "k_sev_warning": "warning only", "k_info": "info only",
        "post_count": ("post", "posts"),
        "creators": "Creators", "sort": "Click a column heading to sort; "
        "{compliance} puts the worst first.",
        "h_creator": "Creator", "h_posts": "Posts", "h_commercial": "Commercial",
        "h_violations": "Violations", "h_warnings": "Warnings", "h_compliant": "Compliant",
        "h_rate": "Compliance", "h_mix": "Breakdown",
        "posts": ("post", "posts"), "commercial": ("commercial", "commercial"),
        "violations": ("violation", "violations"), "warnings": ("warning", "warnings"),
        "compliant": ("compliant", "compliant"), "not_commercial": ("not commercial", "not commercial"),
        "period": "{first} – {last}",
        "creator_no_commercial": "No commercial posts.",
        "creator_no_problems": "No violations or warnings.",
        "not_shown": ("{n} more post is not shown here; see the JSON or CSV report.",
                      "{n} more posts are not shown here; see the JSON or CSV report."),
        "filter": "Filter", "verdict": "Verdict", "category": "Category", "platform": "Platform",
        "all": "all", "no_posts": "No posts to show.", "unknown": "(unknown)",
        "open_post": "open the post", "fix": "Fix", "source": "Source",
        "where": "line {line}, character {column}", "whole_post": "whole post",
        "skips": "Records that could not be read",
        "skips_more": ("{n} more is counted but not shown.", "{n} more are counted but not shown."),
        "footer": "Made by skjult {version} with the rules for {jurisdiction}. The report helps "
        "find the posts to look at; it is not legal advice.",
        "jurisdictions": {"dk": "Denmark", "uk": "United Kingdom", "us": "United States"},
        "languages": {"da": "Danish", "en": "English"},
        "months": ("January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December"),
        "date": "{day} {month} {year}", "time": "{hour:02d}:{minute:02d}",
    },
}

PLATFORMS = {"instagram": "Instagram", "tiktok": "TikTok", "facebook": "Facebook",
             "youtube": "YouTube", "x": "X", "twitter": "Twitter", "snapchat": "Snapchat",
             "linkedin": "LinkedIn", "pinterest": "Pinterest", "threads": "Threads"}
VERDICT_ORDER = ("violation", "warning", "compliant", "not_commercial")
SEVERITY_ORDER = ("error", "warning", "info")


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def safe_url(url: str | None) -> str | None:
    """``url`` when it is a plain web link (``http``/``https`` with a host), else ``None``:
    ``javascript:``, ``data:`` and the like are never written as links."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def marked_caption(text: str, findings: Sequence[Finding]) -> Markup:
    """The caption, escaped, with every finding's span in ``<mark>`` (overlaps cut into pieces,
    each marked with the rules covering it and coloured by the worst of their severities)."""
    cuts = {0, len(text)}
    for f in findings:
        if f.end > f.start:
            cuts.update((max(0, f.start), min(len(text), f.end)))
    out = []
    for a, b in itertools.pairwise(sorted(cuts)):
        covering = [f for f in findings if f.start <= a and b <= f.end and f.end > f.start]
        piece = escape(text[a:b])
        if covering:
            rules = " ".join(dict.fromkeys(f.rule for f in covering))
            worst = max(covering, key=lambda f: f.severity.rank).severity
            out.append(Markup('<mark class="sev-{}" title="{}">{}</mark>').format(
                str(worst), rules, piece))
        else:
            out.append(piece)
    return Markup("").join(out)


@dataclass
class _Segment:
    kind: str  # the severity or verdict: its colour
    x: float  # percent
    width: float
    title: str


def _segments(parts: Sequence[tuple[str, int, str]], total: int) -> list[_Segment]:
    """Stacked bar pieces in percent of ``total`` (zero parts left out)."""
    out, x = [], 0.0
    for kind, n, title in parts:
        if n <= 0 or total <= 0:
            continue
        width = round(100 * n / total, 3)
        out.append(_Segment(kind, round(x, 3), width, title))
        x += width
    return out


class HtmlFormatter(Formatter):
    def __init__(self, out: IO[str], *, color: bool = False, lang: str = "da",
                 rules: Sequence[Rule] = (), options: dict[str, Any] | None = None):
        super().__init__(out, color=color, lang=lang, rules=rules, options=options)
        self.words: dict[str, Any] = WORDS[lang]
        self._post_template = environment().get_template("post.html.j2")
        self._spool = Spool()
        self._listed = 0
        self._unlisted: dict[str, int] = {}
        self._platforms: set[str] = set()
        self._by_category: dict[str, dict[str, int]] = {}  # category -> worst severity -> posts
        self._info: RunInfo | None = None

    # -- words ---------------------------------------------------------------------------------

    def _n(self, value: int) -> str:
        return i18n.number(value, self.lang)

    def _counted(self, value: int, key: str) -> str:
        one, other = self.words[key]
        return i18n.counted(value, self.lang, one, other)

    def _sentence(self, value: int, key: str) -> str:
        """A sentence from a (one, other) pair holding ``{n}``."""
        one, other = self.words[key]
        return str(one if value == 1 else other).format(n=self._n(value))

    def _date(self, value: str | None, *, time: bool = False) -> tuple[str, str | None]:
        """An ISO 8601 time as the language writes a date (and time); other text as it is.
        Returns the text and the machine-readable value for ``<time datetime>``."""
        if not value:
            return "", None
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return value, None
        w = self.words
        text = w["date"].format(day=when.day, month=w["months"][when.month - 1], year=when.year)
        if time:
            text += " " + w["time"].format(hour=when.hour, minute=when.minute)
            if when.utcoffset() == dt.timedelta(0):
                text += " UTC"
        return text, value

    def _creator_name(self, creator: str) -> str:
        return str(self.words["unknown"]) if creator == UNKNOWN_CREATOR else creator

    # -- the run -------------------------------------------------------------------------------

    def start(self, info: RunInfo) -> None:
        self._info = info

    def post(self, result: PostResult) -> None:
        creator = result.post.creator or UNKNOWN_CREATOR
        if result.post.platform:
            self._platforms.add(result.post.platform.lower())
        worst: dict[str, Severity] = {}
        for f in result.findings:
            if f.category not in worst or f.severity.rank > worst[f.category].rank:
                worst[f.category] = f.severity
        for category, severity in worst.items():
            counts = self._by_category.setdefault(category, {})
            counts[str(severity)] = counts.get(str(severity), 0) + 1
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
        w, post, lang = self.words, result.post, self.lang
        verdict = str(result.verdict)
        meta: list[dict[str, str | None]] = []
        if post.platform:
            meta.append({"text": PLATFORMS.get(post.platform.lower(), post.platform), "datetime": None})
        if post.created_at:
            text, machine = self._date(post.created_at)
            meta.append({"text": text, "datetime": machine})
        for value in (post.id, post.source):
            if value:  # a source is "file:line 3", a message: said in the page's language
                meta.append({"text": i18n.localize(value, lang), "datetime": None})
        findings = [{
            "severity": str(f.severity), "severity_name": i18n.severity(str(f.severity), lang),
            "category_title": categories.title(f.category, lang),
            "category_description": categories.description(f.category, lang),
            "message": f.message, "fix": f.fix, "rule": f.rule,
            # in a draft, the line in the file (below its front matter), as in every format
            "where": w["whole_post"] if f.whole_post else
            w["where"].format(line=f.line + post.offset[1], column=f.column),
            "source": safe_url(f.source)} for f in result.findings]
        return self._post_template.render(
            t=w, verdict=verdict, verdict_name=i18n.verdict(verdict, lang),
            categories=" ".join(sorted({f.category for f in result.findings})),
            platform=(post.platform or "").lower(), meta=meta, url=safe_url(post.url),
            caption=marked_caption(post.text, result.findings), findings=findings)

    # -- the page ------------------------------------------------------------------------------

    def finish(self, report: Report) -> None:
        creators = sorted(report.creators.values(), key=_worst_first)
        commercial = sum(c.commercial for c in creators)
        context = {
            "lang": self.lang, "t": self.words, "csp": CSP, "css": Markup(CSS),
            "script": Markup(SCRIPT), "run": self._run(report),
            "no_commercial": commercial == 0,
            "headline": self._headline(creators) if commercial else "",
            "tiles": self._tiles(report, creators, commercial),
            "counts": self.words["counts"].format(read=self._n(report.read),
                                                  checked=self._n(report.checked),
                                                  skipped=self._n(report.skipped)),
            "verdicts": self._verdicts(report),
            "chart": self._chart(), "chart_keys": self._chart_keys(),
            "legend": [{"title": categories.title(c, self.lang),
                        "description": categories.description(c, self.lang)}
                       for c in self._occurring()],
            "sort_hint": self.words["sort"].format(
                compliance=i18n.quote(self.words["h_rate"], self.lang)),
            "headings": self._headings(), "creators": [self._row(c) for c in creators],
            "filters": self._filters(),
            "sections": self._sections(creators),
            "skips": [i18n.localize(i18n.described(s), self.lang) for s in report.skips
                      if s.kind != "no-text"] + [i18n.localize(u, self.lang) for u in report.unreadable],
            "skips_more": (self._sentence(report.skipped_unlisted, "skips_more")
                           if report.skipped_unlisted else ""),
            "footer": self.words["footer"].format(**self._names()),
        }
        try:
            for chunk in environment().get_template("report.html.j2").generate(context):
                self.out.write(chunk)
        finally:
            self._spool.close()

    def _names(self) -> dict[str, str]:
        info = self._info
        if info is None:
            return {"version": "", "jurisdiction": ""}
        return {"version": info.version,
                "jurisdiction": self.words["jurisdictions"].get(info.jurisdiction, info.jurisdiction)}

    def _run(self, report: Report) -> dict[str, Any]:
        """The header: how the run was made (``RunInfo``) and what the suppressions did."""
        w, info = self.words, self._info
        if info is None:  # a formatter driven without start(): say nothing rather than guess
            info = RunInfo(date="", version="", inputs=(), jurisdiction="", lang=self.lang,
                           packs=(), config=None, rules_active=0, rules_ignored=0, suppressions=0)
        date_text, _ = self._date(info.date, time=True)
        used = sum(1 for s in report.suppressions if s.get("status") == "used")
        expired = sum(1 for s in report.suppressions if s.get("status") == "expired")
        if info.suppressions or report.suppressed:
            parts = [self._counted(info.suppressions, "configured"), self._counted(used, "applied"),
                     self._counted(report.suppressed, "findings_suppressed")]
            if expired:
                parts.append(self._counted(expired, "expired"))
            suppressions = " · ".join(parts)
        else:
            suppressions = w["config_none"]
        files = [{"name": name, "read": self._n(t.read), "checked": self._n(t.checked),
                  "skipped": self._n(t.skipped), "error": t.error}
                 for name, t in itertools.islice(report.files.items(), MAX_FILES)]
        more_files = len(report.files) - len(files)
        more_inputs = len(info.inputs) - MAX_INPUTS
        return {
            "version": info.version, "date": info.date, "date_text": date_text,
            "inputs": list(info.inputs[:MAX_INPUTS]),
            "inputs_more": w["inputs_more"].format(n=self._n(more_inputs)) if more_inputs > 0 else "",
            "packs": [{"name": p.name, "version": p.version or w["no_version"], "title": p.title,
                       "digest": p.digest} for p in info.packs],
            "config": info.config,
            "rules": f'{self._counted(info.rules_active, "active")} · '
                     f'{self._counted(info.rules_ignored, "ignored")}',
            "suppressions": suppressions,
            "jurisdiction": f'{w["jurisdictions"].get(info.jurisdiction, info.jurisdiction)} '
                            f"({info.jurisdiction})" if info.jurisdiction else "",
            "language": w["languages"].get(info.lang, info.lang),
            "settings": [{"name": s.name, "value": self._value(s.to_dict()["value"]),
                          "origin": w["origins"].get(s.origin, s.origin)} for s in info.settings],
            "files": files,
            "files_more": w["inputs_more"].format(n=self._n(more_files)) if more_files > 0 else "",
        }

    def _value(self, value: Any) -> str:
        """A setting's value as one line: lists joined, tables as ``key = value``."""
        if value is None or value == [] or value == {}:
            return str(self.words["none_value"])
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return ", ".join(self._value(v) for v in value)
        if isinstance(value, dict):
            return "; ".join(f"{k} = {self._value(v)}" for k, v in value.items())
        return str(value)

    def _tiles(self, report: Report, creators: Sequence[CreatorSummary], commercial: int
               ) -> list[dict[str, str]]:
        def tile(kind: str, value: int, key: str) -> dict[str, str]:
            one, other = self.words[key]
            return {"kind": kind, "value": self._n(value), "label": one if value == 1 else other}

        tiles = [tile("checked", report.checked, "tile_checked"),
                 tile("commercial", commercial, "tile_commercial")]
        if commercial:
            compliant = sum(c.compliant for c in creators)
            tiles += [tile("violation", sum(c.violations for c in creators), "tile_violations"),
                      tile("warning", sum(c.warnings for c in creators), "tile_warnings"),
                      tile("compliant", compliant, "tile_compliant"),
                      {"kind": "share", "value": i18n.percent(compliant / commercial, self.lang),
                       "label": self.words["tile_share"]}]
        if report.suppressed:
            tiles.append(tile("suppressed", report.suppressed, "findings_suppressed"))
        return tiles

    def _headline(self, creators: Sequence[CreatorSummary]) -> str:
        """One sentence on how many creators break the rules (runs of two creators or more)."""
        total = len(creators)
        if total < 2:
            return ""
        bad = sum(1 for c in creators if c.violations)
        warned = sum(1 for c in creators if c.warnings and not c.violations)
        one, other = self.words["headline"]
        text = (str(one if bad == 1 else other).format(n=self._n(bad), total=self._n(total)) if bad
                else self.words["headline_none"].format(total=self._n(total)))
        if warned:
            text += "; " + self._sentence(warned, "headline_warned")
        return text + "."

    def _verdicts(self, report: Report) -> dict[str, Any]:
        counts = [(v, report.verdicts.get(v, 0)) for v in VERDICT_ORDER]
        keys = [{"kind": v, "text": self._counted(n, "k_" + v)} for v, n in counts if n]
        return {"segments": _segments([(v, n, self._counted(n, "k_" + v)) for v, n in counts],
                                      report.checked),
                "caption": self._sentence(report.checked, "verdicts_caption"),
                "labels": keys}

    def _occurring(self) -> list[str]:
        found = [c for c in CATEGORIES if self._by_category.get(c)]
        return found + sorted(c for c in self._by_category if c not in CATEGORIES)

    def _chart(self) -> list[dict[str, Any]]:
        """One bar per category that occurs: posts whose worst finding in it is an error (red),
        a warning (amber) or info (grey); bars in proportion to the largest."""
        rows = [(c, self._by_category[c]) for c in self._occurring()]
        top = max((sum(n.values()) for _, n in rows), default=0)
        out = []
        for category, counts in rows:
            total = sum(counts.values())
            title = categories.title(category, self.lang)
            parts = [(s if s != "error" else "violation", counts.get(s, 0),
                      f"{title}: {self._counted(counts.get(s, 0), 'post_count')} "
                      f"({i18n.severity(s, self.lang)})") for s in SEVERITY_ORDER]
            out.append({"id": category, "title": title, "count": self._n(total),
                        "segments": _segments(parts, top)})
        return out

    def _chart_keys(self) -> list[dict[str, str]]:
        present = {s for counts in self._by_category.values() for s, n in counts.items() if n}
        keys = (("error", "violation", "k_error"), ("warning", "warning", "k_sev_warning"),
                ("info", "info", "k_info"))
        return [{"kind": kind, "text": self.words[key]} for s, kind, key in keys if s in present]

    def _headings(self) -> list[dict[str, str | None]]:
        w = self.words
        # the first click on a count puts the most first, on compliance the worst (lowest) first
        return [{"text": w["h_creator"], "first": "ascending", "type": "text"},
                {"text": w["h_posts"], "first": "descending", "type": "number"},
                {"text": w["h_commercial"], "first": "descending", "type": "number"},
                {"text": w["h_violations"], "first": "descending", "type": "number"},
                {"text": w["h_warnings"], "first": "descending", "type": "number"},
                {"text": w["h_compliant"], "first": "descending", "type": "number"},
                {"text": w["h_rate"], "first": "ascending", "type": "number"},
                {"text": w["h_mix"], "first": None, "type": None}]

    def _row(self, c: CreatorSummary) -> dict[str, Any]:
        rate = c.compliance_rate

        def cell(value: int, bad: str = "") -> dict[str, str]:
            return {"sort": str(value), "text": self._n(value),
                    "kind": "zero" if not value else bad}

        not_commercial = c.posts - c.commercial
        mix = [("violation", c.violations, self._counted(c.violations, "violations")),
               ("warning", c.warnings, self._counted(c.warnings, "warnings")),
               ("compliant", c.compliant, self._counted(c.compliant, "compliant")),
               ("not_commercial", not_commercial, self._counted(not_commercial, "not_commercial"))]
        return {"anchor": _anchor(c.creator), "name": self._creator_name(c.creator),
                "sort_name": self._creator_name(c.creator).casefold(),
                "cells": [cell(c.posts), cell(c.commercial), cell(c.violations, "bad"),
                          cell(c.warnings, "warn"), cell(c.compliant),
                          {"sort": "" if rate is None else str(round(rate, 4)),
                           "text": "–" if rate is None else i18n.percent(rate, self.lang),
                           "kind": ""}],
                "mix": _segments(mix, c.posts), "mix_label": " · ".join(m[2] for m in mix if m[1])}

    def _filters(self) -> list[dict[str, Any]]:
        w, lang = self.words, self.lang
        return [
            {"name": "verdict", "label": w["verdict"],
             "options": [{"value": v, "text": i18n.verdict(v, lang)}
                         for v in ("violation", "warning", "compliant")]},
            {"name": "category", "label": w["category"],
             "options": [{"value": c, "text": categories.title(c, lang)} for c in self._occurring()]},
            {"name": "platform", "label": w["platform"],
             "options": [{"value": p, "text": PLATFORMS.get(p, p)} for p in sorted(self._platforms)]},
        ]

    def _sections(self, creators: Sequence[CreatorSummary]) -> Iterator[dict[str, Any]]:
        """Each creator's section, in the table's order; its posts read back from the spool
        only when the section is written."""
        for c in creators:
            summary = [self._counted(c.posts, "posts"), self._counted(c.commercial, "commercial"),
                       self._counted(c.violations, "violations"),
                       self._counted(c.warnings, "warnings"), self._counted(c.compliant, "compliant")]
            if c.first_post:
                first, _ = self._date(c.first_post)
                last, _ = self._date(c.last_post)
                summary.append(first if first == last else
                               self.words["period"].format(first=first, last=last))
            if not c.commercial:
                note = self.words["creator_no_commercial"]
            elif not c.violations and not c.warnings:
                note = self.words["creator_no_problems"]
            else:
                note = ""
            hidden = self._unlisted.get(c.creator, 0)
            yield {"anchor": _anchor(c.creator), "name": self._creator_name(c.creator),
                   "summary": " · ".join(summary), "note": note,
                   "problems": (Markup(p) for p in self._spool.pieces(c.creator)),
                   "compliant": (Markup(p) for p in self._spool.pieces("\0" + c.creator)),
                   "more": self._sentence(hidden, "not_shown") if hidden else ""}


def _worst_first(c: CreatorSummary) -> tuple[Any, ...]:
    """Most violations first, then most warnings, then the lowest compliance; creators without
    commercial posts last; then by name."""
    rate = c.compliance_rate
    return (-c.violations, -c.warnings, rate is None, rate or 0.0, c.creator.casefold(), c.creator)


def _anchor(creator: str) -> str:
    """A safe, unique id for a creator's section (a lone surrogate in the name included)."""
    return "c-" + creator.encode("utf-8", "surrogatepass").hex()
