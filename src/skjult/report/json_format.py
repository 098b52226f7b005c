"""``jsonl``: one object per post, as it is checked. ``json``: one document with the posts,
per-creator summaries, files, skips and run totals, written as a stream."""

from __future__ import annotations

import json
from typing import Any

import orjson

from skjult.model import PostResult
from skjult.report.base import SCHEMA_VERSION, Formatter
from skjult.report.summary import Report
from skjult.runinfo import RunInfo

# orjson refuses nesting deeper than this; such a value goes to ``json`` without a walk.
_DEEPEST = 254


def dumps(value: Any) -> str:
    """``value`` as compact JSON, exactly as ``json.dumps(value, ensure_ascii=False,
    separators=(",", ":"))`` writes it (or fails), in under a third of the time when orjson can.

    orjson writes the same text for strings (the same escapes, U+2028 and DEL raw), integers,
    booleans, ``None``, lists, tuples and dicts with ``str`` keys, in the same key order. It
    differs elsewhere, and then ``json`` writes the value: floats (``1e-05`` against ``1e-5``,
    ``0.00001``; NaN and infinities become ``null``), which orjson gives no way to spot in its
    output, so any float at all sends the value to ``json``; types ``json`` refuses and orjson
    writes (dataclasses, dates, enums that are not ``str``), and subclasses, sent too. What
    orjson refuses by raising (lone surrogates, integers beyond 64 bits, keys that are not
    ``str``, deeper nesting) is written by ``json`` after the attempt."""
    if _orjson_writes_alike(value, 0):
        try:
            return orjson.dumps(value).decode()
        except orjson.JSONEncodeError:
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _orjson_writes_alike(value: Any, depth: int) -> bool:
    """Whether ``value`` is made only of types orjson writes as ``json`` does (see ``dumps``).

    Strings are looked at only by their type: what orjson refuses in them, it raises on."""
    kind = type(value)
    if kind is dict:
        if depth >= _DEEPEST:
            return False
        for key, item in value.items():
            if type(key) is not str:
                return False
            if type(item) is not str and not _orjson_writes_alike(item, depth + 1):
                return False
        return True
    if kind is list or kind is tuple:
        if depth >= _DEEPEST:
            return False
        for item in value:
            if type(item) is not str and not _orjson_writes_alike(item, depth + 1):
                return False
        return True
    return kind is str or kind is int or kind is bool or value is None


class JsonLinesFormatter(Formatter):
    per_post_text = True

    def text(self, result: PostResult) -> str:
        return dumps(result.to_dict()) + "\n"

    def post(self, result: PostResult) -> None:
        self.out.write(self.text(result))


class JsonFormatter(Formatter):
    per_post_text = True
    text_separator = ",\n"
    _first = True

    def start(self, info: RunInfo) -> None:
        # the first four keys are the original contract; ``run`` says how the report was made
        head = {"schema": f"skjult/report/{SCHEMA_VERSION}", "jurisdiction": info.jurisdiction,
                "lang": info.lang, "version": info.version, "config": info.config,
                "run": info.to_dict()}
        self.out.write(dumps(head)[:-1] + ',"posts":[\n')

    def text(self, result: PostResult) -> str:
        return dumps(result.to_dict())

    def post(self, result: PostResult) -> None:
        self.post_texts(self.text(result), 1)

    def post_texts(self, text: str, count: int) -> None:
        if not count:
            return
        if not self._first:  # the comma between the last post written and these
            self.out.write(",\n")
        self._first = False
        self.out.write(text)

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
