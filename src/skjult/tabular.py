"""Results as table rows: one flat row per post with typed columns, for Parquet files, Spark and
Dask. A row holds what the ``jsonl`` record holds (``record_of`` gives that record back, key for
key) plus a count of findings per category and the reason a record was skipped.

The column types are written down once here as plain data (``COLUMNS``), so that this module
needs no Arrow: ``skjult.arrow`` turns them into an Arrow schema when pyarrow is installed."""

from __future__ import annotations

import json
from typing import Any

from skjult.model import CATEGORIES, PostResult

# A nested value's fields, as (name, type); a type is "string", "int64", "bool", a
# ("list", type) or a ("struct", fields).
Type = Any
SIGNAL: tuple[tuple[str, Type], ...] = (
    ("signal", "string"), ("strength", "string"), ("text", "string"), ("start", "int64"),
    ("end", "int64"))
DISCLOSURE: tuple[tuple[str, Type], ...] = (
    ("kind", "string"), ("text", "string"), ("start", "int64"), ("end", "int64"),
    ("termset", "string"))
PART: tuple[tuple[str, Type], ...] = (("part", "string"), ("start", "int64"), ("end", "int64"))
IN_FILE: tuple[tuple[str, Type], ...] = (
    ("start", "int64"), ("end", "int64"), ("line", "int64"), ("column", "int64"))
FINDING: tuple[tuple[str, Type], ...] = (
    ("rule", "string"), ("category", "string"), ("severity", "string"), ("message", "string"),
    ("start", "int64"), ("end", "int64"), ("line", "int64"), ("column", "int64"),
    ("text", "string"), ("fix", "string"), ("source", "string"),
    # present in the jsonl record only where they apply (null / false here otherwise)
    ("whole_post", "bool"), ("supersedes", ("list", "string")), ("in", ("struct", PART)),
    ("file", ("struct", IN_FILE)))
SUPPRESSED: tuple[tuple[str, Type], ...] = (
    ("rule", "string"), ("start", "int64"), ("end", "int64"), ("reason", "string"),
    ("suppression", "string"), ("whole_post", "bool"))
_OPTIONAL_FINDING_KEYS = ("whole_post", "supersedes", "in", "file")


def count_column(category: str) -> str:
    """The column with a post's number of findings in ``category`` (``count_label_missing``)."""
    return "count_" + category.replace("-", "_")


# The post as it was checked (after the record's columns were read), then the judgement.
POST_COLUMNS: tuple[tuple[str, Type], ...] = (
    ("id", "string"), ("creator", "string"), ("platform", "string"), ("created_at", "string"),
    ("url", "string"), ("source", "string"), ("caption", "string"),
    ("flags", "string"))  # the platform's flags as JSON text: their keys differ by export
RESULT_COLUMNS: tuple[tuple[str, Type], ...] = (
    ("language", "string"), ("verdict", "string"), ("commercial_level", "string"),
    ("self_declared", "bool"), ("signals", ("list", ("struct", SIGNAL))),
    ("basis", ("list", ("struct", SIGNAL))), ("disclosures", ("list", ("struct", DISCLOSURE))),
    ("findings", ("list", ("struct", FINDING))), ("notes", ("list", "string")),
    ("suppressed", ("list", ("struct", SUPPRESSED))),
    *((count_column(c), "int64") for c in CATEGORIES),
    ("skipped", "string"))  # why the record was not checked; null when it was
COLUMNS: tuple[tuple[str, Type], ...] = POST_COLUMNS + RESULT_COLUMNS
NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)


def row_of(result: PostResult) -> dict[str, Any]:
    """One checked post as a row (every column of ``COLUMNS``, in order)."""
    record = result.to_dict()
    commercial = record["commercial"]
    counts = dict.fromkeys(CATEGORIES, 0)
    for finding in result.findings:
        if finding.category in counts:
            counts[finding.category] += 1
    return {
        "id": record["id"], "creator": record["creator"], "platform": record["platform"],
        "created_at": record["created_at"], "url": record["url"], "source": record["source"],
        "caption": record["caption"],
        "flags": json.dumps(record["flags"], ensure_ascii=False)  # in the export's order
        if record["flags"] else None,
        "language": record["language"], "verdict": record["verdict"],
        "commercial_level": commercial["level"], "self_declared": commercial["self_declared"],
        "signals": commercial["signals"], "basis": commercial["basis"],
        "disclosures": record["disclosures"],
        "findings": [_full(f, FINDING) for f in record["findings"]],
        "notes": record["notes"],
        "suppressed": [_full(s, SUPPRESSED) for s in record["suppressed"]],
        **{count_column(c): n for c, n in counts.items()},
        "skipped": None,
    }


def skipped_row(reason: str, **post: Any) -> dict[str, Any]:
    """A row for a record that was not checked: its post fields as far as known, the reason."""
    row: dict[str, Any] = dict.fromkeys(NAMES)
    row.update({k: v for k, v in post.items() if k in row})
    row["skipped"] = str(reason)
    return row


def record_of(row: dict[str, Any]) -> dict[str, Any] | None:
    """The ``jsonl`` record of a checked post's row, as ``--format jsonl`` writes it (the same
    keys in the same order); ``None`` for a skipped record's row."""
    row = {name: _scalar(value) for name, value in row.items()}
    if row.get("skipped") is not None:
        return None
    flags = row.get("flags")
    return {
        "id": row["id"], "creator": row["creator"], "platform": row["platform"],
        "created_at": row["created_at"], "url": row["url"], "source": row["source"],
        "caption": row["caption"], "flags": json.loads(flags) if flags else {},
        "language": row["language"], "verdict": row["verdict"],
        "commercial": {"level": row["commercial_level"], "self_declared": row["self_declared"],
                       "signals": _typed(row["signals"], _KINDS["signals"]),
                       "basis": _typed(row["basis"], _KINDS["basis"])},
        "disclosures": _typed(row["disclosures"], _KINDS["disclosures"]),
        "findings": [_trimmed(f) for f in _typed(row["findings"], _KINDS["findings"])],
        "notes": _typed(row["notes"], _KINDS["notes"]),
        "suppressed": [_trimmed(s) for s in _typed(row["suppressed"], _KINDS["suppressed"])],
    }


_KINDS: dict[str, Type] = dict(COLUMNS)


def _full(record: dict[str, Any], fields: tuple[tuple[str, Type], ...]) -> dict[str, Any]:
    """A nested record with every field of its struct (the missing ones null), in order."""
    return {name: record.get(name) for name, _ in fields}


def _trimmed(record: dict[str, Any]) -> dict[str, Any]:
    """A finding or suppression with the keys it has only where they apply, as in jsonl."""
    out = {k: v for k, v in record.items() if k not in _OPTIONAL_FINDING_KEYS}
    if record.get("whole_post"):
        out["whole_post"] = True
    if record.get("supersedes"):
        out["supersedes"] = list(record["supersedes"])
    if record.get("in") is not None:
        out["in"] = dict(record["in"])
    if record.get("file") is not None:
        out["file"] = dict(record["file"])
    return out


def _typed(value: Any, kind: Type) -> Any:
    """A cell as the Python value its column type says, however it was read back: pandas gives
    lists as NumPy arrays, numbers as NumPy's, and integers beside nulls as floats; a missing
    list is empty."""
    if isinstance(kind, str):
        value = _scalar(value)
        if kind == "int64" and isinstance(value, float):
            return int(value)
        return value
    outer, inner = kind
    if outer == "list":
        return [] if _scalar(value) is None else [_typed(item, inner) for item in value]
    if value is None:
        return None
    return {name: _typed(value.get(name), sub) for name, sub in inner}


def _scalar(value: Any) -> Any:
    """A top-level cell as Python: pandas writes a missing text as NaN or NA, numbers as
    NumPy's."""
    if (isinstance(value, float) and value != value) or type(value).__name__ == "NAType":
        return None
    if type(value).__module__ == "numpy" and not hasattr(value, "__len__"):
        return value.item()
    return value
