"""How a finished run ends: the exit code, and why when it is not the findings' own.

0: nothing at or above the fail level; 1: findings at or above it; 2: a run that cannot be
trusted to have seen everything (a file unreadable, a draft that could not be fixed, records
lost under --strict) or that checked nothing at all — never "all fine" for that."""

from __future__ import annotations

from dataclasses import dataclass

from skjult.i18n import Text
from skjult.model import Severity
from skjult.report.summary import Report

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_LEVELS: dict[str, Severity | None] = {"error": Severity.ERROR, "warning": Severity.WARNING,
                                           "info": Severity.INFO, "never": None}


@dataclass(frozen=True)
class Outcome:
    code: int
    reason: str | None = None  # said on stderr when the code is not the findings' own


def fails(report: Report, fail_level: str) -> bool:
    """Whether the findings so far reach ``fail_level`` (a key of ``FAIL_LEVELS``)."""
    threshold = FAIL_LEVELS[fail_level]
    return threshold is not None and report.highest is not None and \
        report.highest.rank >= threshold.rank


def outcome(report: Report, fail_level: str, *, strict: bool = False,
            unfixed: int = 0) -> Outcome:
    """The exit of a run that went to its end; ``unfixed``: drafts --fix could not rewrite
    (already said, one by one)."""
    if report.unreadable or unfixed:
        return Outcome(EXIT_ERROR)  # each file was named as it failed
    if not report.checked:
        return Outcome(EXIT_ERROR, Text(
            "nothing was checked: all {count:n} records read were skipped (see above)",
            count=report.read) if report.read > 1 else
            Text("nothing was checked: the one record read was skipped (see above)")
            if report.read else Text("nothing was checked: no record was found"))
    if strict and report.broken:
        return Outcome(EXIT_ERROR, Text("--strict: {count:n|record|records} could not be read",
                                        count=report.broken))
    return Outcome(EXIT_FINDINGS if fails(report, fail_level) else EXIT_OK)
