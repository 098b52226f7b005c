"""``github``: GitHub Actions workflow commands, so findings show on the pull request's files.

GitHub shows only the first 10 error and 10 warning annotations of a step; the rest are printed
as plain log lines (nothing is dropped). With ``$GITHUB_STEP_SUMMARY`` set, the per-creator table
is appended to the job's summary page.

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

from skjult.model import PostResult, Severity
from skjult.report.base import Formatter
from skjult.report.locations import place
from skjult.report.summary import Report
from skjult.report.terminal import printable
from skjult.rules.rule import Rule

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
                self.out.write(_log(f"{where.file}:{where.line}:{where.column}: {finding.severity} "
                                    f"{finding.rule} {message}") + "\n")

    def finish(self, report: Report) -> None:
        if self._hidden:
            self.out.write(f"::notice::{self._hidden} more findings are listed in the log above; "
                           f"GitHub annotates only {PER_STEP} per kind and step\n")
        for skip in report.skips:
            if skip.kind != "no-text":
                self.out.write(f"::warning title=skipped::{_data(str(skip))}\n")
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8", errors="replace") as out:
                out.write(markdown_summary(report))


def markdown_summary(report: Report) -> str:
    lines = ["## skjult: hidden advertising check", "",
             "| creator | posts | commercial | compliant | warnings | violations | compliance |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for c in report.sorted_creators():
        rate = "–" if c.compliance_rate is None else f"{c.compliance_rate:.0%}"
        name = _markdown(c.creator)
        lines.append(f"| {name} | {c.posts} | {c.commercial} | {c.compliant} | {c.warnings} | "
                     f"{c.violations} | {rate} |")
    totals = report.totals()
    lines += ["", f"Read {totals['read']} · checked {totals['checked']} · skipped "
              f"{totals['skipped']}", ""]
    return "\n".join(lines) + "\n"
