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

import shutil
import unicodedata
from collections.abc import Sequence
from typing import IO, Any

from skjult import i18n
from skjult.i18n import Text, described, localize
from skjult.items import NO_TEXT
from skjult.model import Finding, PostResult, Verdict
from skjult.report.base import Formatter
from skjult.report.spool import Spool
from skjult.report.summary import UNKNOWN_CREATOR, CreatorSummary, Report, creator_label
from skjult.report.terminal import printable
from skjult.rules.rule import Rule
from skjult.runinfo import RunInfo

EXCERPT = 220
STANDARD_INPUT = "(standard input)"  # how ``RunInfo.inputs`` names "-"
WORDS = {
    "da": {"creator": "Skaber", "posts": "opslag", "commercial": "kommercielle",
           "compliant": "i orden", "warnings": "advarsler", "violations": "overtrædelser",
           "rate": "overholdelse", "fix": "ret", "skipped": "sprunget over", "read": "læst",
           "checked": "tjekket", "files": "Filer", "no_text": "uden tekst", "format": "format",
           "unreadable": "kunne ikke læses", "none": "Ingen opslag at vise.", "all_ok": "Alle kommercielle "
           "opslag er i orden.", "no_commercial": "Ingen kommercielle opslag.", "note": "bemærk"},
    "en": {"creator": "Creator", "posts": "posts", "commercial": "commercial",
           "compliant": "compliant", "warnings": "warnings", "violations": "violations",
           "rate": "compliance", "fix": "fix", "skipped": "skipped", "read": "read",
           "checked": "checked", "files": "Files", "no_text": "without text", "format": "format",
           "unreadable": "could not be read", "none": "No posts to show.", "all_ok": "All commercial posts "
           "are compliant.", "no_commercial": "No commercial posts.", "note": "note"},
}
# Counts with their noun, (one, other) for i18n.counted: the footer's suppressed findings, and
# the creator table's columns when it is too wide for the terminal (one creator a line).
COUNTED = {
    "da": {"posts": ("opslag", "opslag"), "commercial": ("kommercielt", "kommercielle"),
           "compliant": ("i orden", "i orden"), "warnings": ("advarsel", "advarsler"),
           "violations": ("overtrædelse", "overtrædelser"),
           "suppressed": ("fund undertrykt med begrundelse", "fund undertrykt med begrundelse")},
    "en": {"posts": ("post", "posts"), "commercial": ("commercial", "commercial"),
           "compliant": ("compliant", "compliant"), "warnings": ("warning", "warnings"),
           "violations": ("violation", "violations"),
           "suppressed": ("finding suppressed with a reason", "findings suppressed with a reason")},
}
MIN_WIDTH = 20  # the narrowest terminal the compact forms are made for
COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m", "bold": "\x1b[1m",
          "dim": "\x1b[2m", "reset": "\x1b[0m", "mark": "\x1b[1;4m"}
# Where a finding about the post as a whole points (its evidence is metadata: no words to mark).
WHOLE_POST = {"da": "(hele opslaget)", "en": "(whole post)"}


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
        self._info: RunInfo | None = None
        # on a terminal, the creator table fits its width (long names are cut short with "…")
        isatty = getattr(out, "isatty", None)
        self._width = shutil.get_terminal_size().columns if callable(isatty) and isatty() else None
        self._severity_width = max(len(s) for s in i18n.SEVERITIES[lang].values())

    def start(self, info: RunInfo) -> None:
        self._info = info

    def _files(self, report: Report) -> None:
        """Per file: format, read, checked, skipped — so that nothing is lost unseen. On a
        terminal too narrow for the table, one file a line (names and errors wrapped)."""
        if not report.files:
            return
        w = self.words
        rows = _file_rows(report, w, self.lang)
        heads = (w["files"], w["format"], w["read"], w["checked"], w["skipped"], "")
        widths = [max(_cells(h), *(_cells(r[i]) for r in rows)) for i, h in enumerate(heads)]
        if self._width is not None and sum(widths) + 2 * (len(widths) - 1) > self._width:
            self._compact_files(rows)
            return
        self.out.write(self._c("bold", "  ".join(_pad(h, n) for h, n in zip(heads, widths,
                                                                              strict=True)).rstrip())
                       + "\n")
        for row in rows:
            cells = [_pad(row[0], widths[0]), _pad(row[1], widths[1]),
                     *(c.rjust(n) for c, n in zip(row[2:5], widths[2:5], strict=True)), row[5]]
            line = "  ".join(cells).rstrip()
            self.out.write((self._c("error", line) if row[5] else line) + "\n")
        self.out.write("\n")

    def _compact_files(self, rows: list[tuple[str, ...]]) -> None:
        """``posts.csv: csv · læst 3 · tjekket 3 · sprunget over 0``, then the error, wrapped."""
        w, width = self.words, max(self._width or 0, MIN_WIDTH)
        self.out.write(self._c("bold", w["files"]) + "\n")
        for name, fmt, read, checked, skipped, error in rows:
            counts = [f"{fmt} · {w['read']} {read}", f"{w['checked']} {checked}",
                      f"{w['skipped']} {skipped}"]
            lines = _wrap([name + ":"], width) + _wrap(counts, width, sep=" · ", first="  ")
            if len(lines) == 2 and _cells(lines[0]) + _cells(lines[1]) - 1 <= width:
                lines = [lines[0] + lines[1][1:]]  # name and counts on one line when they fit
            for line in lines:
                self.out.write(line + "\n")
            if error:
                for line in _wrap(error.split(" "), width, first="  "):
                    self.out.write(self._c("error", line) + "\n")
        self.out.write("\n")

    def _counted(self, value: int, key: str) -> str:
        one, other = COUNTED[self.lang][key]
        return i18n.counted(value, self.lang, one, other)

    def _c(self, name: str, text: str) -> str:
        return f"{COLORS[name]}{text}{COLORS['reset']}" if self.color else text

    def post(self, result: PostResult) -> None:
        if result.verdict not in (Verdict.WARNING, Verdict.VIOLATION):
            return
        self._spool.add(result.post.creator or UNKNOWN_CREATOR, self._render(result))

    def _render(self, result: PostResult) -> str:
        post, lang = result.post, self.lang
        verdict = i18n.verdict(str(result.verdict), lang).upper()
        tone = "error" if result.verdict is Verdict.VIOLATION else "warning"
        where = printable(" · ".join(x for x in (post.id, post.platform, post.created_at) if x))
        source = printable(localize(post.source, lang)) if post.source else ""
        lines = ["  ".join(["", self._c(tone, verdict), *([where] if where else []),
                            *([self._c("dim", source)] if source else [])])]
        lines.append(f"    {excerpt(post.text, result.findings, self.color)}")
        indent = " " * (5 + self._severity_width)
        for f in result.findings:
            name = i18n.severity(str(f.severity), lang)
            severity = self._c(str(f.severity), f"{name:<{self._severity_width}}")
            # in a draft the line is the file's (below its front matter), as in every format
            at = WHOLE_POST[lang] if f.whole_post else \
                f"{f.line + post.offset[1]}:{f.column}  {i18n.quote(_caption(f.text), lang)}"
            lines.append(f"    {severity} {printable(f.rule)}  {at}")
            lines.append(f"{indent}{printable(f.message)}")
            if f.fix:
                lines.append(f"{indent}{self.words['fix']}: {printable(f.fix)}")
        return "\n".join(lines) + "\n\n"

    def _table(self, creators: list[CreatorSummary]) -> None:
        """Per creator: posts, commercial, compliant, warnings, violations, compliance rate. On
        a terminal, long names are cut short to fit; where even that is too wide, one creator a
        line (``_compact_creators``)."""
        w, lang = self.words, self.lang
        heads = (w["posts"], w["commercial"], w["compliant"], w["warnings"], w["violations"],
                 w["rate"])
        rows = [(c.posts, c.commercial, c.compliant, c.warnings, c.violations) for c in creators]
        cells = [[i18n.number(v, lang) for v in row] for row in rows]
        for row, c in zip(cells, creators, strict=True):
            row.append(_rate(c, lang))
        widths = [max(len(h), 6, *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]
        names = [printable(creator_label(c.creator, lang)) for c in creators]
        name_width = max(_cells(w["creator"]), *(_cells(n) for n in names))
        if self._width is not None:  # what the numbers leave for the names, at least 8
            room = self._width - sum(widths) - 2 * len(widths)
            name_width = min(name_width, max(room, _cells(w["creator"]), 8))
            if name_width + sum(widths) + 2 * len(widths) > self._width:
                self._compact_creators(creators, names)
                return
        header = "  ".join([_pad(w["creator"], name_width),
                            *(h.rjust(n) for h, n in zip(heads, widths, strict=True))])
        self.out.write(self._c("bold", header.rstrip()) + "\n")
        for row, name in zip(cells, names, strict=True):
            self.out.write("  ".join([_pad(_cut(name, name_width), name_width),
                                      *(v.rjust(n) for v, n in zip(row, widths, strict=True))])
                           + "\n")
        self.out.write("\n")

    def _compact_creators(self, creators: list[CreatorSummary], names: list[str]) -> None:
        """One creator a line, wrapped to the terminal: ``anne — 4 opslag · 3 kommercielle ·
        1 i orden · 0 advarsler · 2 overtrædelser · overholdelse 33 %``."""
        width = max(self._width or 0, MIN_WIDTH)
        for c, name in zip(creators, names, strict=True):
            counts = [self._counted(c.posts, "posts"), self._counted(c.commercial, "commercial"),
                      self._counted(c.compliant, "compliant"),
                      self._counted(c.warnings, "warnings"),
                      self._counted(c.violations, "violations"),
                      f"{self.words['rate']} {_rate(c, self.lang)}"]
            for line in _wrap(counts, width, sep=" · ", first=_cut(name, width - 2) + " — "):
                self.out.write(line + "\n")
        self.out.write("\n")

    def finish(self, report: Report) -> None:
        w, out, lang = self.words, self.out, self.lang
        creators = report.sorted_creators()
        if not creators:
            out.write(w["none"] + "\n")
        else:
            self._table(creators)
        groups = self._spool.groups()
        for creator in groups:
            name = printable(creator_label(creator, lang))
            if self._width is not None:  # the heading fits the terminal too
                name = _cut(name, max(self._width, MIN_WIDTH) - 6)
            out.write(self._c("bold", f"── {name} ──") + "\n")
            for block in self._spool.pieces(creator):
                out.write(block)
        # A merged report (skjult.partition.render) lists no posts: it is "all fine" only when
        # its counts say so, not because no finding was spooled.
        if creators and not groups and not any(c.warnings or c.violations for c in creators):
            commercial = any(c.commercial for c in creators)
            out.write((w["all_ok"] if commercial else w["no_commercial"]) + "\n\n")
        self._files(report)
        for skip in report.skips:
            if skip.kind != NO_TEXT:
                said = printable(localize(described(skip), lang))
                out.write(self._c("warning", f"{w['skipped']}: {said}") + "\n")
        if report.skipped_unlisted:
            out.write(self._c("warning", f"{w['skipped']}: … +{i18n.number(report.skipped_unlisted, lang)}")
                      + "\n")
        for notice in report.notices:
            said = printable(localize(described(notice), lang))
            out.write(self._c("dim", f"{w['note']}: {said}") + "\n")
        totals = report.totals()
        n = {k: i18n.number(v, lang) for k, v in totals.items() if isinstance(v, int)}
        out.write(f"{w['read']} {n['read']} · {w['checked']} {n['checked']} · "
                  f"{w['skipped']} {n['skipped']}"
                  + (f" · {self._counted(totals['suppressed'], 'suppressed')}"
                     if totals["suppressed"] else "")
                  + "\n")
        if self._info is not None:
            for line in made(self._info, lang):
                out.write(self._c("dim", printable(line)) + "\n")
        self._spool.close()


def _file_rows(report: Report, words: dict[str, str], lang: str) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for name, t in report.files.items():
        skipped = i18n.number(t.skipped, lang) + (
            f" ({i18n.number(t.no_text, lang)} {words['no_text']})" if t.no_text else "")
        error = f"{words['unreadable']}: {printable(localize(t.error, lang))}" if t.error else ""
        rows.append((printable(name), printable(t.format or "–"), i18n.number(t.read, lang),
                     i18n.number(t.checked, lang), skipped, error))
    return rows


def made(info: RunInfo, lang: str) -> list[str]:
    """How the report was made, in three lines: when, by what and from which inputs; the rule
    packs (edition and fingerprint) and how many rules were in force; the configuration."""
    inputs = [localize(Text("(standard input)"), lang) if name == STANDARD_INPUT else name
              for name in info.inputs]
    shown = ", ".join(inputs[:3]) + (f", … (+{i18n.number(len(inputs) - 3, lang)})"
                                     if len(inputs) > 3 else "")
    packs = ", ".join(f"{p.name} {p.version or '–'} ({p.digest})" for p in info.packs)
    config = info.config or Text("none")
    lines = [
        Text("Made {date} by skjult {version} from: {inputs}",
             date=info.date.replace("T", " ").removesuffix("Z") + " UTC", version=info.version,
             inputs=shown),
        Text("Rules: {packs}; {active:n|rule|rules} active, {ignored:n} switched off", packs=packs,
             active=info.rules_active, ignored=info.rules_ignored),
        Text("Configuration: {config}; {count:n|suppression|suppressions} configured",
             config=config, count=info.suppressions) if info.suppressions else
        Text("Configuration: {config}", config=config),
    ]
    return [localize(line, lang) for line in lines]


def _cells(text: str) -> int:
    """Terminal columns ``text`` takes: wide characters (CJK, most emoji) two, combining none."""
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` columns, cut short with "…" when it is wider."""
    if _cells(text) <= width:
        return text
    out, used = "", 1
    for ch in text:
        used += _cells(ch)
        if used > width:
            break
        out += ch
    return out + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _cells(text))


def _rate(c: CreatorSummary, lang: str) -> str:
    return "–" if c.compliance_rate is None else i18n.percent(c.compliance_rate, lang)


def _wrap(pieces: Sequence[str], width: int, *, sep: str = " ", first: str = "",
          indent: str = "  ") -> list[str]:
    """``pieces`` joined by ``sep`` in lines of at most ``width`` columns: the first line starts
    with ``first``, the others with ``indent``; a piece wider than a line is broken (a long file
    name has no spaces to break at)."""
    width = max(width, _cells(indent) + 2)
    lines: list[str] = []
    line, empty = first, True  # empty: no piece on this line yet
    for piece in pieces:
        joined = line + (piece if empty else sep + piece)
        if _cells(joined) <= width:
            line, empty = joined, False
            continue
        if line.strip():  # the piece starts a new line
            lines.append(line.rstrip())
            line = indent
        while _cells(line + piece) > width:
            head = _head(piece, width - _cells(line))
            lines.append(line + head)
            line, piece = indent, piece[len(head):]
        line, empty = line + piece, False
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _head(text: str, width: int) -> str:
    """The longest start of ``text`` within ``width`` columns (at least one character)."""
    used = 0
    for i, ch in enumerate(text):
        used += _cells(ch)
        if used > width:
            return text[:i] or text[:1]
    return text
