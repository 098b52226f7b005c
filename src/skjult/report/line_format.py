"""``line``: one line per finding, ``file:line:col: severity rule message``, as compilers and
linters print them, so editors and terminals can jump to the place."""

from __future__ import annotations

import re

from skjult.model import PostResult
from skjult.report.base import Formatter
from skjult.report.locations import place
from skjult.report.summary import Report


class LineFormatter(Formatter):
    def post(self, result: PostResult) -> None:
        for finding in result.findings:
            where = place(result.post, finding)
            extra = "" if result.post.verbatim else \
                f" (post {result.post.id or '?'}, caption {finding.line}:{finding.column})"
            self.out.write(f"{where.file}:{where.line}:{where.column}: {finding.severity} "
                           f"{finding.rule} {finding.message}{extra}\n")

    def finish(self, report: Report) -> None:
        for skip in report.skips:
            if skip.kind != "no-text":
                found = re.search(r"line (\d+)", skip.position)
                self.out.write(f"{skip.file}:{found.group(1) if found else 1}:1: skipped "
                               f"{skip.position}: {skip.reason}\n")
