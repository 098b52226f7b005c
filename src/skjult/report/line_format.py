"""``line``: one line per finding, ``file:line:col: severity rule message``, as compilers and
linters print them, so editors and terminals can jump to the place.

File names, ids, messages and skip reasons come from the input: ``printable`` escapes their
control characters, so none can steer the terminal or, with a line break, forge another line."""

from __future__ import annotations

import re

from skjult import i18n
from skjult.i18n import Text, localize
from skjult.model import PostResult
from skjult.report.base import Formatter
from skjult.report.locations import place
from skjult.report.summary import Report
from skjult.report.terminal import printable


class LineFormatter(Formatter):
    per_post_text = True  # a post's lines say nothing of the posts before it

    def text(self, result: PostResult) -> str:
        lines = []
        for finding in result.findings:
            where = place(result.post, finding)
            at = Text("whole post") if finding.whole_post else \
                Text("caption {line}:{column}", line=finding.line, column=finding.column)
            if result.post.verbatim:  # a draft: the place is in the file; say "whole post"
                extra = f" ({localize(at, self.lang)})" if finding.whole_post else ""
            else:
                extra = " " + printable(localize(Text("(post {id}, {at})", id=result.post.id or "?",
                                                      at=at), self.lang))
            severity = i18n.severity(str(finding.severity), self.lang)
            lines.append(f"{printable(where.file)}:{where.line}:{where.column}: {severity} "
                         f"{printable(finding.rule)} {printable(finding.message)}{extra}\n")
        return "".join(lines)

    def post(self, result: PostResult) -> None:
        text = self.text(result)
        if text:
            self.out.write(text)

    def finish(self, report: Report) -> None:
        skipped = localize(Text("skipped"), self.lang)
        for skip in report.skips:
            if skip.kind != "no-text":
                found = re.search(r"line (\d+)", skip.position)  # the English one: stable
                self.out.write(f"{printable(skip.file)}:{found.group(1) if found else 1}:1: {skipped} "
                               f"{printable(localize(skip.position, self.lang))}: "
                               f"{printable(localize(skip.reason, self.lang))}\n")
