"""``sarif``: SARIF 2.1.0 for code-scanning tools and editors. The rules' metadata (help URI =
the guidance each rule encodes) goes in the driver; each finding is a result whose location
points into the checked file. Columns count Unicode code points (``columnKind``), which is what
Python string offsets are. Results are written as they come."""

from __future__ import annotations

import json
from typing import Any

from skjult import model
from skjult.items import NO_TEXT
from skjult.model import PostResult, Severity
from skjult.report.base import Formatter
from skjult.report.locations import place, uri
from skjult.report.summary import Report
from skjult.runinfo import RunInfo, now

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return (head + dot).strip()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class SarifFormatter(Formatter):
    _first = True

    def start(self, info: RunInfo) -> None:
        self._info = info
        self._index = {rule.id: i for i, rule in enumerate(self.rules)}
        driver = {
            "name": "skjult",
            "version": info.version,
            "informationUri": "https://forbrugerombudsmanden.dk/",
            "rules": [{
                "id": rule.id,
                "name": rule.id.split(".", 1)[-1],
                "shortDescription": {"text": _first_sentence(rule.description) or rule.id},
                "fullDescription": {"text": rule.description or rule.message["en"]},
                "helpUri": rule.source,
                "help": {"text": f"{rule.description}\nSource: {rule.source}".strip()},
                "defaultConfiguration": {"level": LEVELS[rule.severity]},
                "properties": {"category": rule.category, "pack": rule.pack},
            } for rule in self.rules],
        }
        head = {"$schema": SCHEMA_URI, "version": "2.1.0",
                "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints",
                          "results": []}]}
        text = _dumps(head)
        # stream the results into the (empty) list, then close the run when done
        self.out.write(text[: text.rindex('"results":[]') + len('"results":[')] + "\n")

    def post(self, result: PostResult) -> None:
        for finding in result.findings:
            self._result(result.post, finding)
        for accepted in result.suppressed:  # SARIF keeps them, marked, so reviewers see the reason
            self._result(result.post, accepted.finding,
                         [{"kind": "external", "status": "accepted",
                           "justification": accepted.by.reason,
                           "location": {"physicalLocation": {"artifactLocation": {
                               "uri": uri(accepted.by.file)},
                               "region": {"startLine": accepted.by.line or 1}}}}])

    def _result(self, post: model.Post, finding: model.Finding,
                suppressions: list[dict[str, Any]] | None = None) -> None:
        where = place(post, finding)
        region: dict[str, Any] = {"startLine": where.line, "startColumn": where.column}
        if where.end_line is not None:
            region.update(endLine=where.end_line, endColumn=where.end_column,
                          charOffset=where.offset, charLength=where.length,
                          snippet={"text": post.text if finding.whole_post else finding.text})
        entry: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message + (f" {finding.fix}" if finding.fix else "")},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(where.file)},
                                                "region": region}}],
            "properties": {"category": finding.category, "creator": post.creator,
                           "post": post.id, "caption": {"start": finding.start,
                                                        "end": finding.end}},
        }
        if finding.whole_post:  # about the post as a whole: the region is the whole caption
            entry["properties"]["wholePost"] = True
        if finding.supersedes:  # one finding for the same words' other rules
            entry["properties"]["supersedes"] = list(finding.supersedes)
        if finding.rule in self._index:
            entry["ruleIndex"] = self._index[finding.rule]
        if suppressions:
            entry["suppressions"] = suppressions
        if not self._first:
            self.out.write(",\n")
        self._first = False
        self.out.write(_dumps(entry))

    def finish(self, report: Report) -> None:
        notes = [{"level": "warning", "message": {"text": f"skipped {skip}"}}
                 for skip in report.skips if skip.kind != NO_TEXT]
        notes += [{"level": "error", "message": {"text": problem}} for problem in report.unreadable]
        invocation = {"executionSuccessful": not report.unreadable,
                      "startTimeUtc": self._info.date, "endTimeUtc": now(),
                      "toolExecutionNotifications": notes}
        # how the run was made (packs and their editions, configuration, rules in force) in
        # SARIF's property bag for facts of the tool's own
        properties = {"totals": report.totals(), "skjult": self._info.to_dict()}
        self.out.write("\n]," + _dumps({"invocations": [invocation],
                                         "properties": properties})[1:-1]
                       + "}]}\n")
