"""``csv``: one row per post (or per creator), ready for a spreadsheet.

Options: ``per`` (``post`` or ``creator``), ``delimiter`` (``,`` ``;`` or a tab) and ``bom``.
Danish Excel opens ``--delimiter ';' --bom`` files directly: it expects semicolons, needs the
byte-order mark to read UTF-8, and wants a decimal comma, which the per-creator rate then uses.
Dates stay as the export gave them, normalised to ISO 8601 by the readers.

Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(...)`` leaks data, ``=cmd|...`` once ran programs), and ids, creator names
and file names come from the input. As OWASP recommends, such a text cell is written with a
single quote in front (``'=HYPERLINK(...)``), which spreadsheets read as "this is text". The
same goes for a cell starting with tab, carriage return or NUL, for one whose first visible
character is a trigger after leading white space (some programs trim it), and for the
full-width forms of the four characters (some locales read them as formula characters).
Numbers stay numbers: the counts of ``--per creator`` are integers and the compliance rate a
percentage we formatted, none of them ever negative, so no check touches them. A text value
from the input that merely looks numeric, such as an id ``-1`` or ``-2+3``, gets the quote: it
is an identifier, not a number to add up (and ``-2+3`` would be evaluated).
"""

from __future__ import annotations

import csv

from skjult.model import CATEGORIES, PostResult
from skjult.report.base import Formatter
from skjult.report.summary import Report
from skjult.runinfo import RunInfo

# What a spreadsheet takes as the start of a formula: ASCII and full-width = + - @.
FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
RISKY_FIRST = frozenset("\t\r\x00")  # OWASP / ASVS: also neutralised when they come first

COLUMNS = ("id", "creator", "platform", "created_at", "url", "verdict", "commercial", "signals",
           "disclosures", "rules", "categories", "messages", "fixes", "source")


CREATOR_COLUMNS = ("creator", "posts", "commercial", "compliant", "warnings", "violations",
                   "compliance_pct", "first_post", "last_post", *CATEGORIES, "suppressed")
# How the report was made, repeated on every creator row so that a row copied into another
# sheet still says it: run date, inputs, packs with their editions, configuration, rules in force.
RUN_COLUMNS = ("run_date", "inputs", "packs", "config", "rules_active", "rules_ignored")


def cell(value: object) -> object:
    """A value as a spreadsheet may safely open it: text that would start a formula gets ``'``."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in RISKY_FIRST or value.lstrip()[:1] in FORMULA_START:
        return "'" + value
    return value


class CsvFormatter(Formatter):
    def start(self, info: RunInfo) -> None:
        self._info = info
        delimiter = self.options.get("delimiter") or ","
        self._per_creator = self.options.get("per") == "creator"
        self._decimal = "," if delimiter == ";" else "."
        if self.options.get("bom"):
            self.out.write("\ufeff")
        # CRLF, as RFC 4180 and spreadsheets expect.
        self._writer = csv.writer(self.out, delimiter=delimiter, lineterminator="\r\n")
        self._writer.writerow((*CREATOR_COLUMNS, *RUN_COLUMNS) if self._per_creator else COLUMNS)

    def _row(self, values: list[object]) -> None:
        self._writer.writerow([cell(v) for v in values])

    def finish(self, report: Report) -> None:
        if not self._per_creator:
            return
        info = self._info
        run = [info.date, " | ".join(info.inputs), info.pack_line, info.config or "",
               info.rules_active, info.rules_ignored]
        for c in report.sorted_creators():
            rate = c.compliance_rate
            pct = "" if rate is None else f"{rate * 100:.1f}".replace(".", self._decimal)
            self._row([c.creator, c.posts, c.commercial, c.compliant, c.warnings, c.violations,
                       pct, c.first_post or "", c.last_post or "",
                       *(c.categories.get(k, 0) for k in CATEGORIES), c.suppressed, *run])

    def post(self, result: PostResult) -> None:
        if self._per_creator:
            return
        post, findings = result.post, result.findings
        self._row([
            post.id or "",
            post.creator or "",
            post.platform or "",
            post.created_at or "",
            post.url or "",
            str(result.verdict),
            result.commercial.level.label,
            " | ".join(f"{s.termset}: {s.text}" for s in result.commercial.signals),
            " | ".join(f"{d.kind}: {d.text}" for d in result.disclosures),
            " | ".join(f.rule for f in findings),
            " | ".join(sorted({f.category for f in findings})),
            " | ".join(f.message for f in findings),
            " | ".join(f.fix for f in findings if f.fix),
            post.source or "",
        ])
