"""``github``: GitHub Actions workflow commands, so findings show on the pull request's files.

GitHub shows only the first 10 error and 10 warning annotations of a step; the rest are printed
as plain log lines (nothing is dropped). With ``$GITHUB_STEP_SUMMARY`` set, the per-creator table
is appended to the job's summary page."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, Any

from skjult.model import PostResult, Severity
from skjult.report.base import Formatter
from skjult.report.locations import place
from skjult.report.summary import Report
from skjult.rules.rule import Rule

PER_STEP = 10  # annotations GitHub shows per kind and step
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


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
                self.out.write(f"{where.file}:{where.line}:{where.column}: {finding.severity} "
                               f"{finding.rule} {message}\n")

    def finish(self, report: Report) -> None:
        if self._hidden:
            self.out.write(f"::notice::{self._hidden} more findings are listed in the log above; "
                           f"GitHub annotates only {PER_STEP} per kind and step\n")
        for skip in report.skips:
            if skip.kind != "no-text":
                self.out.write(f"::warning title=skipped::{_data(str(skip))}\n")
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8") as out:
                out.write(markdown_summary(report))


def markdown_summary(report: Report) -> str:
    lines = ["## skjult: hidden advertising check", "",
             "| creator | posts | commercial | compliant | warnings | violations | compliance |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for c in report.sorted_creators():
        rate = "–" if c.compliance_rate is None else f"{c.compliance_rate:.0%}"
        name = c.creator.replace("|", "\\|")
        lines.append(f"| {name} | {c.posts} | {c.commercial} | {c.compliant} | {c.warnings} | "
                     f"{c.violations} | {rate} |")
    totals = report.totals()
    lines += ["", f"Read {totals['read']} · checked {totals['checked']} · skipped "
              f"{totals['skipped']}", ""]
    return "\n".join(lines) + "\n"
