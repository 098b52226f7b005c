"""``text``: per creator a short table, then every post that is not compliant, with the
offending words marked, the message and the fix.

Posts arrive in input order but are shown per creator; the rendered blocks wait in a temporary
file (not in memory), indexed by creator.

Every string that comes from the input (caption, creator, id, platform, date, file names,
messages that quote the caption, skip reasons) goes through ``printable`` before it is printed,
so a caption cannot send the terminal its own escape sequences; the colours of ``--color`` are
added afterwards and still work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from skjult.model import NO_TEXT, Finding, PostResult, Verdict
from skjult.report.base import Formatter
from skjult.report.spool import Spool
from skjult.report.summary import Report
from skjult.report.terminal import printable
from skjult.rules.rule import Rule

EXCERPT = 220
WORDS = {
    "da": {"creator": "Skaber", "posts": "opslag", "commercial": "kommercielle",
           "compliant": "i orden", "warnings": "advarsler", "violations": "overtrædelser",
           "rate": "overholdelse", "fix": "ret", "skipped": "sprunget over", "read": "læst",
           "suppressed": "fund undertrykt af konfigurationen",
           "checked": "tjekket", "files": "Filer", "no_text": "uden tekst", "format": "format",
           "unreadable": "kunne ikke læses", "none": "Ingen opslag at vise.", "all_ok": "Alle kommercielle "
           "opslag er i orden."},
    "en": {"creator": "Creator", "posts": "posts", "commercial": "commercial",
           "compliant": "compliant", "warnings": "warnings", "violations": "violations",
           "rate": "compliance", "fix": "fix", "skipped": "skipped", "read": "read",
           "suppressed": "findings suppressed by the configuration",
           "checked": "checked", "files": "Files", "no_text": "without text", "format": "format",
           "unreadable": "could not be read", "none": "No posts to show.", "all_ok": "All commercial posts "
           "are compliant."},
}
COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m", "bold": "\x1b[1m",
          "dim": "\x1b[2m", "reset": "\x1b[0m", "mark": "\x1b[1;4m"}


def _caption(text: str) -> str:
    """A piece of caption on one line: line breaks shown as ⏎, tabs kept, other controls escaped."""
    return printable(text.replace("\r", "").replace("\n", " ⏎ "), keep="\t")


def excerpt(text: str, findings: tuple[Finding, ...], color: bool) -> str:
    """The caption on one line, the findings' spans marked, cut around the first of them."""
    spans = sorted({(f.start, f.end) for f in findings if f.end > f.start})
    first = spans[0][0] if spans else 0
    lo = max(0, first - EXCERPT // 3)
    hi = min(len(text), lo + EXCERPT)
    pieces, at = [], lo
    open_mark, close_mark = (COLORS["mark"], COLORS["reset"]) if color else ("⟦", "⟧")
    for start, end in spans:
        if start < at or end > hi:
            continue
        pieces.append(_caption(text[at:start]))
        pieces.append(open_mark + _caption(text[start:end]) + close_mark)
        at = end
    pieces.append(_caption(text[at:hi]))
    return ("…" if lo > 0 else "") + "".join(pieces) + ("…" if hi < len(text) else "")


class TextFormatter(Formatter):
    def __init__(self, out: IO[str], *, color: bool = False, lang: str = "da",
                 rules: Sequence[Rule] = (), options: dict[str, Any] | None = None):
        super().__init__(out, color=color, lang=lang, rules=rules, options=options)
        self.words = WORDS[lang]
        self._spool = Spool()  # non-compliant posts, per creator, until the end

    def _files(self, report: Report) -> None:
        """Per file: format, read, checked, skipped — so that nothing is lost unseen."""
        if not report.files:
            return
        w = self.words
        rows = _file_rows(report, w)
        heads = (w["files"], w["format"], w["read"], w["checked"], w["skipped"], "")
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
        self.out.write(self._c("bold", "  ".join(h.ljust(n) for h, n in zip(heads, widths,
                                                                              strict=True)).rstrip())
                       + "\n")
        for row in rows:
            cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]),
                     *(c.rjust(n) for c, n in zip(row[2:5], widths[2:5], strict=True)), row[5]]
            line = "  ".join(cells).rstrip()
            self.out.write((self._c("error", line) if row[5] else line) + "\n")
        self.out.write("\n")

    def _c(self, name: str, text: str) -> str:
        return f"{COLORS[name]}{text}{COLORS['reset']}" if self.color else text

    def post(self, result: PostResult) -> None:
        if result.verdict not in (Verdict.WARNING, Verdict.VIOLATION):
            return
        self._spool.add(result.post.creator or "(unknown)", self._render(result))

    def _render(self, result: PostResult) -> str:
        post = result.post
        verdict = str(result.verdict)
        tone = "error" if result.verdict is Verdict.VIOLATION else "warning"
        where = printable(" · ".join(x for x in (post.id, post.platform, post.created_at) if x))
        lines = [f"  {self._c(tone, verdict.upper())}  {where}"
                 + (f"  {self._c('dim', printable(post.source))}" if post.source else "")]
        lines.append(f"    {excerpt(post.text, result.findings, self.color)}")
        for f in result.findings:
            severity = self._c(str(f.severity), f"{f.severity!s:<7}")
            lines.append(f"    {severity} {printable(f.rule)}  {f.line}:{f.column}  "
                         f"»{_caption(f.text)}«")
            lines.append(f"            {printable(f.message)}")
            if f.fix:
                lines.append(f"            {self.words['fix']}: {printable(f.fix)}")
        return "\n".join(lines) + "\n\n"

    def finish(self, report: Report) -> None:
        w, out = self.words, self.out
        creators = report.sorted_creators()
        if not creators:
            out.write(w["none"] + "\n")
        else:
            names = [printable(c.creator) for c in creators]
            name_width = max(len(w["creator"]), *(len(n) for n in names))
            heads = (w["posts"], w["commercial"], w["compliant"], w["warnings"], w["violations"],
                     w["rate"])
            widths = [max(len(h), 6) for h in heads]
            header = "  ".join([w["creator"].ljust(name_width),
                                *(h.rjust(n) for h, n in zip(heads, widths, strict=True))])
            out.write(self._c("bold", header) + "\n")
            for c, name in zip(creators, names, strict=True):
                rate = "–" if c.compliance_rate is None else f"{c.compliance_rate:.0%}"
                cells = (c.posts, c.commercial, c.compliant, c.warnings, c.violations, rate)
                out.write("  ".join([name.ljust(name_width),
                                     *(str(v).rjust(n) for v, n in zip(cells, widths, strict=True))])
                          + "\n")
            out.write("\n")
        groups = self._spool.groups()
        for creator in groups:
            out.write(self._c("bold", f"── {printable(creator)} ──") + "\n")
            for block in self._spool.pieces(creator):
                out.write(block)
        if creators and not groups:
            out.write(w["all_ok"] + "\n\n")
        self._files(report)
        for skip in report.skips:
            if skip.kind != NO_TEXT:
                out.write(self._c("warning", f"{w['skipped']}: {printable(str(skip))}") + "\n")
        if report.skipped_unlisted:
            out.write(self._c("warning", f"{w['skipped']}: … +{report.skipped_unlisted}") + "\n")
        for notice in report.notices:
            out.write(self._c("dim", f"note: {printable(str(notice))}") + "\n")
        totals = report.totals()
        out.write(f"{w['read']} {totals['read']} · {w['checked']} {totals['checked']} · "
                  f"{w['skipped']} {totals['skipped']}"
                  + (f" · {totals['suppressed']} {w['suppressed']}" if totals["suppressed"] else "")
                  + "\n")
        self._spool.close()


def _file_rows(report: Report, words: dict[str, str]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for name, t in report.files.items():
        skipped = str(t.skipped) + (f" ({t.no_text} {words['no_text']})" if t.no_text else "")
        rows.append((printable(name), printable(t.format or "–"), str(t.read), str(t.checked),
                     skipped, f"{words['unreadable']}: {printable(t.error)}" if t.error else ""))
    return rows
