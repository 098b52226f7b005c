"""``github``: GitHub Actions workflow commands, so findings show on the pull request's files.

GitHub shows only the first 10 error and 10 warning annotations of a step; the rest are printed
as plain log lines (nothing is dropped). With ``$GITHUB_STEP_SUMMARY`` set, how the run was made
(date, rule packs, configuration, rules in force) and the per-creator table are appended to the
job's summary page.

The runner takes as a command every output line that starts with ``::`` once leading white
space is trimmed, and (legacy syntax) every line with ``##[command]`` anywhere in it; file names,
rule messages and skip reasons come from the input. So: our own commands escape their data and
properties as GitHub specifies (data: ``%`` ``\r`` ``\n``; properties also ``:`` and ``,``),
which keeps each on its one line (the runner parses a line as our command before it looks for
``##[``); plain lines never start with ``::`` and never contain ``##[``. Other control
characters are shown escaped everywhere, so no terminal colours reach the log. The step
summary escapes what Markdown would act on, so a creator name stays text in its table cell.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import IO, Any

from skjult import i18n
from skjult.i18n import DEFAULT_LANG, Text, described, localize
from skjult.model import PostResult, Severity
from skjult.report.base import Formatter
from skjult.report.locations import place
from skjult.report.summary import Report, creator_label
from skjult.report.terminal import printable
from skjult.rules.rule import Rule
from skjult.runinfo import RunInfo

PER_STEP = 10  # annotations GitHub shows per kind and step
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


# Markdown that would act on a table cell: the cell border, emphasis, code, links, raw HTML,
# mentions, and the backslash that escapes them.
_MARKDOWN = re.compile(r"[\\`*_\[\]<>|~@]")


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _data(text: str) -> str:
    """A command's message: line breaks kept, encoded; other control characters shown escaped."""
    return _escape(printable(text, keep="\t\r\n"))


def _property(text: str) -> str:
    """A command's property (file, title): like data, and ``:`` and ``,`` encoded too."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _log(text: str) -> str:
    """A plain log line that the runner cannot take for a workflow command."""
    line = printable(text).replace("##[", "##\\[")
    body = line.lstrip()
    if body.startswith("::"):
        line = line[: len(line) - len(body)] + "\\" + body
    return line


def _markdown(text: str) -> str:
    return _MARKDOWN.sub(lambda m: "\\" + m.group(), printable(text))


class GithubFormatter(Formatter):
    def __init__(self, out: IO[str], *, color: bool = False, lang: str = "da",
                 rules: Sequence[Rule] = (), options: dict[str, Any] | None = None):
        super().__init__(out, color=color, lang=lang, rules=rules, options=options)
        self._shown = {kind: 0 for kind in COMMANDS.values()}
        self._hidden = 0
        self._info: RunInfo | None = None

    def start(self, info: RunInfo) -> None:
        self._info = info

    def post(self, result: PostResult) -> None:
        for finding in result.findings:
            where = place(result.post, finding)
            kind = COMMANDS[finding.severity]
            message = finding.message + (f" {finding.fix}" if finding.fix else "")
            if self._shown[kind] < PER_STEP:
                self._shown[kind] += 1
                props = [f"file={_property(where.file)}", f"line={where.line}",
                         f"col={where.column}"]
                if where.end_line is not None:
                    props += [f"endLine={where.end_line}", f"endColumn={where.end_column}"]
                props.append(f"title={_property(finding.rule)}")
                self.out.write(f"::{kind} {','.join(props)}::{_data(message)}\n")
            else:
                self._hidden += 1
                severity = i18n.severity(str(finding.severity), self.lang)
                self.out.write(_log(f"{where.file}:{where.line}:{where.column}: {severity} "
                                    f"{finding.rule} {message}") + "\n")

    def finish(self, report: Report) -> None:
        lang = self.lang
        if self._hidden:
            notice = Text("{count:n|more finding is|more findings are} listed in the log above; "
                          "GitHub annotates only {limit} per kind and step", count=self._hidden,
                          limit=PER_STEP)
            self.out.write(f"::notice::{_data(localize(notice, lang))}\n")
        title = _property(localize(Text("skipped"), lang))
        for skip in report.skips:
            if skip.kind != "no-text":
                self.out.write(f"::warning title={title}::{_data(localize(described(skip), lang))}\n")
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8", errors="replace") as out:
                out.write(markdown_summary(report, lang, self._info))


SUMMARY = {
    "da": ("skjult: tjek for skjult reklame", ("skaber", "opslag", "kommercielle", "i orden",
                                               "advarsler", "overtrædelser", "overholdelse"),
           "Ingen opslag at vise.", ("læst", "tjekket", "sprunget over"),
           "Ingen kommercielle opslag."),
    "en": ("skjult: hidden advertising check", ("creator", "posts", "commercial", "compliant",
                                                "warnings", "violations", "compliance"),
           "No posts to show.", ("read", "checked", "skipped"), "No commercial posts."),
}


def made(info: RunInfo, lang: str) -> str:
    """How the run was made, on one line: date, packs with their edition, configuration, rules."""
    packs = ", ".join(f"{p.name} {p.version or '–'}" for p in info.packs)
    return localize(Text("Made {date} by skjult {version} · rule pack {packs} · configuration: "
                         "{config} · {active:n|rule|rules} active, {ignored:n} switched off",
                         date=info.date.replace("T", " ").removesuffix("Z") + " UTC",
                         version=info.version, packs=packs, config=info.config or Text("none"),
                         active=info.rules_active, ignored=info.rules_ignored), lang)


def markdown_summary(report: Report, lang: str = DEFAULT_LANG, info: RunInfo | None = None) -> str:
    """The per-creator table for the job's summary page, in ``lang``, and (with ``info``) how
    the run was made."""
    title, heads, nothing, counts, no_commercial = SUMMARY[lang]
    lines = [f"## {title}", ""]
    if info is not None:
        lines += [_markdown(made(info, lang)), ""]
    lines += ["| " + " | ".join(heads) + " |", "|---|---:|---:|---:|---:|---:|---:|"]
    table = len(lines) - 2  # where the table starts
    for c in report.sorted_creators():
        rate = "–" if c.compliance_rate is None else i18n.percent(c.compliance_rate, lang)
        name = _markdown(creator_label(c.creator, lang))
        cells = [i18n.number(v, lang) for v in (c.posts, c.commercial, c.compliant, c.warnings,
                                                c.violations)]
        lines.append(f"| {name} | {' | '.join(cells)} | {rate} |")
    if not report.creators:
        lines[table:] = [nothing]
    elif not any(c.commercial for c in report.creators.values()):
        lines += ["", no_commercial]
    totals = report.totals()
    said = " · ".join(f"{word} {i18n.number(totals[key], lang)}" for word, key in
                      zip(counts, ("read", "checked", "skipped"), strict=True))
    lines += ["", said[:1].upper() + said[1:], ""]
    return "\n".join(lines) + "\n"
