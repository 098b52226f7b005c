"""``jsonl``: one object per post, as it is checked. ``json``: one document with the posts,
per-creator summaries, files, skips and run totals, written as a stream."""

from __future__ import annotations

import json
from typing import Any

from skjult.model import PostResult
from skjult.report.base import SCHEMA_VERSION, Formatter
from skjult.report.summary import Report
from skjult.runinfo import RunInfo


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class JsonLinesFormatter(Formatter):
    def post(self, result: PostResult) -> None:
        self.out.write(dumps(result.to_dict()))
        self.out.write("\n")


class JsonFormatter(Formatter):
    _first = True

    def start(self, info: RunInfo) -> None:
        # the first four keys are the original contract; ``run`` says how the report was made
        head = {"schema": f"skjult/report/{SCHEMA_VERSION}", "jurisdiction": info.jurisdiction,
                "lang": info.lang, "version": info.version, "config": info.config,
                "run": info.to_dict()}
        self.out.write(dumps(head)[:-1] + ',"posts":[\n')

    def post(self, result: PostResult) -> None:
        if not self._first:
            self.out.write(",\n")
        self._first = False
        self.out.write(dumps(result.to_dict()))

    def finish(self, report: Report) -> None:
        tail = {
            "creators": [c.to_dict() for c in report.sorted_creators()],
            "files": {name: totals.to_dict() for name, totals in report.files.items()},
            "skips": [{"file": s.file, "position": s.position, "reason": s.reason, "kind": s.kind}
                      for s in report.skips],
            "notices": [{"file": n.file, "message": n.message} for n in report.notices],
            "suppressions": report.suppressions,
            "totals": report.totals(),
        }
        self.out.write("\n]," + dumps(tail)[1:] + "\n")
