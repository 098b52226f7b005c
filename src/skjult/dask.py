"""skjult on a Dask DataFrame (``pip install 'skjult[dask]'``), on a ``distributed`` cluster or
Dask's local schedulers: ``check`` adds the result columns of ``skjult.tabular`` to every post
(``map_partitions``), ``summary`` turns the results into the per-creator table of the report.

    >>> import dask.dataframe as dd
    >>> from skjult.dask import check, summary, to_parquet
    >>> posts = dd.read_parquet("posts/")                     # doctest: +SKIP
    >>> results = check(posts, caption="text", creator="user").persist()  # doctest: +SKIP
    >>> to_parquet(results, "results/")                       # doctest: +SKIP
    >>> summary(results).compute()                            # doctest: +SKIP

Each worker process builds the rule set once (``skjult.partition.checker_for``) and checks every
partition it is given with it.

A result column is named after ``prefix`` (``skjult_verdict``, ``skjult_findings``, ...) and has
the same dtype in every partition, empty and all-null ones too: text as ``string[pyarrow]``
(Dask's own string dtype), counts as ``int64[pyarrow]``, ``self_declared`` as ``bool[pyarrow]``
(a skipped row's are ``<NA>``), and the lists (``signals``, ``findings``, ...) as Python
objects: NumPy arrays of dicts, as pandas gives Arrow lists (and ``check_partition`` gives
them), which ``skjult.tabular.record_of`` reads. Write the results with ``to_parquet`` from
here: Dask's own cannot tell the lists' type.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

try:
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        f"skjult.dask needs Dask, pandas and pyarrow ({error.name or error} is missing): "
        f"pip install 'skjult[dask]'") from error

from skjult import arrow
from skjult.checker import check_settings
from skjult.errors import did_you_mean
from skjult.i18n import DEFAULT_LANG
from skjult.model import Verdict
from skjult.partition import check_columns, check_partition, checker_for, columns_of
from skjult.report.summary import UNKNOWN_CREATOR, CreatorSummary, Digest, Report
from skjult.tabular import NAMES

# The result columns ``check`` adds, before the prefix: every column of a result row but the
# caption, which the data has already.
RESULT_NAMES: tuple[str, ...] = tuple(name for name in NAMES if name != "caption")
# the fields a post without a value of its own takes from ``defaults`` (as the readers do)
DEFAULTS = ("creator", "platform", "paid_partnership", "audience")
# ``summary``: what it reads of the results, and the fields of a partition's creator table
_READ = ("creator", "created_at", "verdict", "findings", "suppressed", "skipped")
_FIELDS = tuple(f.name for f in fields(CreatorSummary))
# the summary's columns, as ``CreatorSummary.to_dict`` names them
SUMMARY_COLUMNS: tuple[str, ...] = tuple(CreatorSummary("").to_dict())


def check(ddf: Any, *, jurisdiction: str = "dk", lang: str = DEFAULT_LANG,
          defaults: Mapping[str, Any] | None = None, prefix: str = "skjult_",
          extra_packs: Iterable[str | Path] = (), **columns: str | None) -> Any:
    """The Dask DataFrame ``ddf`` with the result columns added to every row (lazily; nothing
    is checked until the result is computed, persisted or written). The rows, their index and
    partitions stay as they are.

    Keywords name the columns that fields are in (``caption="text"``, ``creator="user"``,
    ``platform=``, ``created_at=``, ``id=``, ``url=``, ``brand=``, ``paid_partnership=``,
    ``audience=``); unnamed ones are found by their usual names, as the command line finds
    them. ``defaults`` gives values for posts without one (``{"platform": "tiktok"}``). A row
    that cannot be checked (no caption) has its reason in ``skipped`` and no verdict.

    Raises ``ValueError`` at once, before anything runs, for a column that ``ddf`` does not
    have, and for a result column that would replace one of its columns (choose another
    ``prefix``)."""
    ddf = _dask_frame(ddf, "check() takes a Dask DataFrame (for a pandas DataFrame use "
                           "skjult.partition.check_partition, or dd.from_pandas)")
    if not isinstance(prefix, str):
        raise ValueError(f"prefix must be text (str), not {type(prefix).__name__}")
    check_settings(jurisdiction, lang, extra_packs=extra_packs)
    for key in defaults or {}:
        if key not in DEFAULTS:
            hint = did_you_mean(str(key), DEFAULTS) or "no such field"
            raise ValueError(f"defaults={{{key!r}: ...}}: {hint}; a default can be given for "
                             f"{', '.join(DEFAULTS)}")
    mapping = columns_of(columns)
    meta = ddf._meta
    check_columns(_readable_names(meta, mapping), mapping)
    have = {str(name) for name in meta.columns}
    clash = [prefix + name for name in RESULT_NAMES if prefix + name in have]
    if clash:
        raise ValueError(f"the data already has column(s) {', '.join(map(repr, clash))}: the "
                         f"results would replace them; give another prefix (prefix={prefix!r} "
                         f"now, e.g. prefix='skjult_result_')")
    work = functools.partial(
        _check_part, jurisdiction=jurisdiction, lang=lang, defaults=dict(defaults or {}),
        # pack folders as the client names them: a worker's working folder may be another
        extra_packs=tuple(os.path.abspath(p) for p in extra_packs), mapping=mapping,
        prefix=prefix)
    empty = _typed(arrow.schema(RESULT_NAMES, prefix).empty_table())
    return ddf.map_partitions(work, meta=_joined(meta, empty), token="skjult-check")


def summary(results: Any, *, prefix: str = "skjult_", split_every: int | None = None) -> Any:
    """The per-creator table of the report from ``check``'s results: a Dask DataFrame of one
    partition, one row per creator sorted by creator, with the columns of
    ``CreatorSummary.to_dict`` (``creator``, ``posts``, ``commercial``, ``compliant``,
    ``warnings``, ``violations``, ``compliance_rate``, ``categories`` as a dict, ``first_post``,
    ``last_post``, ``suppressed``). Skipped rows are not posts; posts without a creator are
    counted under ``"(unknown)"``.

    Every partition is summarised where it lies and the summaries are merged in a tree
    (``split_every`` at a time): only rows of creators, never posts, move between workers. The
    results may also be read back from Parquet (``dd.read_parquet``)."""
    results = _results(results, prefix, "summary() takes the Dask DataFrame check() returned",
                       _READ)
    return results.reduction(
        _summarise_part, aggregate=_finish, combine=_merge_parts, meta=_summary_meta(),
        token="skjult-summary", split_every=split_every, chunk_kwargs={"prefix": prefix})


def to_parquet(results: Any, path: Any, *, prefix: str = "skjult_", **kwargs: Any) -> Any:
    """Write ``check``'s results as ``results.to_parquet(path, **kwargs)`` does, the result
    columns with the Arrow types of ``skjult.arrow.schema`` in every file (``kwargs`` go to
    Dask's ``to_parquet``; a ``schema`` dict there adds to ours).

    Dask cannot tell the type of a column of Python objects, such as the results' lists, and
    refuses to write it without a whole schema; typed as ``pd.ArrowDtype`` instead, the lists
    would be written with pandas metadata that pandas cannot read back (pandas-dev/pandas#57411).
    Here Dask is told their types, and the files read back anywhere."""
    results = _results(results, prefix,
                       "to_parquet() writes the Dask DataFrame check() returned")
    schema = arrow.schema(RESULT_NAMES, prefix)
    lists = [field for field in schema if pa.types.is_list(field.type)]
    meta = results._meta.copy()  # what Dask infers the schema from: the lists typed
    for field in lists:
        meta[field.name] = pd.Series(pd.array([], dtype=pd.ArrowDtype(field.type)),
                                     index=meta.index)
    given = kwargs.pop("schema", None)
    if given is None or isinstance(given, str | dict):  # not a whole pa.Schema of the caller's
        own = given if isinstance(given, dict) else {}
        given = {**dict(zip(schema.names, schema.types, strict=True)), **own}
    written = results.map_partitions(_as_written, [field.name for field in lists], meta=meta,
                                     token="skjult-parquet")
    return written.to_parquet(path, schema=given, **kwargs)


def _dask_frame(value: Any, message: str) -> Any:
    if not isinstance(value, dd.DataFrame):
        raise TypeError(f"{message}, not {type(value).__name__}")
    return value


def _results(value: Any, prefix: str, message: str, names: Iterable[str] = RESULT_NAMES) -> Any:
    """``value``, if it is a Dask DataFrame with the result columns ``names`` after ``prefix``."""
    value = _dask_frame(value, message)
    have = {str(name) for name in value.columns}
    missing = [prefix + name for name in names if prefix + name not in have]
    if missing:
        raise ValueError(f"these are not the results of skjult.dask.check with prefix={prefix!r}: "
                         f"no column {', '.join(map(repr, missing))}")
    return value


def _as_written(pdf: pd.DataFrame, lists: list[str]) -> pd.DataFrame:
    """A partition of results as ``to_parquet`` writes it: the lists as Python objects (those
    read back with ``dtype_backend="pyarrow"`` too), whatever the meta says."""
    typed = [name for name in lists if isinstance(pdf[name].dtype, pd.ArrowDtype)]
    if not typed:
        return pdf
    return pdf.assign(**{name: pd.Series(pdf[name].array.tolist(), index=pdf.index, dtype=object)
                         for name in typed})


# --- check ---------------------------------------------------------------------------------------

def _check_part(pdf: pd.DataFrame, *, jurisdiction: str, lang: str, defaults: dict[str, Any],
                extra_packs: tuple[str, ...], mapping: dict[str, str], prefix: str
                ) -> pd.DataFrame:
    """One partition with its result columns (runs on a worker)."""
    checker = checker_for(jurisdiction, lang, extra_packs)
    table = pa.Table.from_pandas(pdf, preserve_index=False)
    rows = check_partition(table, checker=checker, defaults=defaults, **mapping).rows
    rows = rows.select(list(RESULT_NAMES)).rename_columns([prefix + n for n in RESULT_NAMES])
    return _joined(pdf, _typed(rows))


def _typed(table: pa.Table) -> pd.DataFrame:
    """Result columns as pandas sees them, by their Arrow type alone (the same for an empty or
    an all-null partition as for any other); integers in lists stay integers where some are
    null (not floats)."""
    return table.to_pandas(types_mapper=_dtype, integer_object_nulls=True)


def _dtype(kind: pa.DataType) -> Any:
    if pa.types.is_list(kind):
        return None  # Python objects (see the module's notes)
    if pa.types.is_string(kind):
        return pd.StringDtype("pyarrow")
    return pd.ArrowDtype(kind)


def _joined(pdf: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """The partition's own columns, then its results, under the partition's index."""
    results.index = pdf.index
    return pd.concat([pdf, results], axis=1)


def _readable_names(meta: pd.DataFrame, mapping: Mapping[str, str]) -> list[str]:
    """The column names a partition will have when it is read: its columns, the fields of its
    struct columns by dotted path (``user.name``), and a dotted name under a column of Python
    objects (dicts, whose keys are known only when the data is read)."""
    names = [str(name) for name in meta.columns]
    with contextlib.suppress(pa.ArrowException, TypeError, ValueError):  # not typed up front
        names = arrow.flattened(pa.Table.from_pandas(meta, preserve_index=False)).column_names
    objects = [str(name) for name, kind in meta.dtypes.items() if pd.api.types.is_object_dtype(kind)]
    names += [column for column in mapping.values() if column not in names
              and any(column.startswith(name + ".") for name in objects)]
    return names


# --- summary -------------------------------------------------------------------------------------

def _summarise_part(pdf: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """The creators of one partition of results, as the report would count them: one row per
    creator with the fields of ``CreatorSummary``."""
    report = Report()
    read = pa.Table.from_pandas(pdf[[prefix + name for name in _READ]],
                                schema=arrow.schema(_READ, prefix), preserve_index=False)
    for creator, created_at, verdict, findings, suppressed, skipped in zip(
            *(column.to_pylist() for column in read.columns), strict=True):
        if skipped is not None:
            continue  # a record that was not checked is no post
        findings = findings or []
        report.add_digest(Digest(None, creator, created_at, Verdict(verdict),
                                 tuple(sorted({f["category"] for f in findings})), None))
        # what the digest's suppressions would have counted (the rows hold their records, a
        # digest needs the objects; only their number is counted)
        report.creators[creator or UNKNOWN_CREATOR].suppressed += len(suppressed or [])
    return _frame(report.creators.values())


def _merge_parts(parts: pd.DataFrame) -> pd.DataFrame:
    """The rows of several partitions' creator tables as one table (a creator once)."""
    return _frame(_merged(parts).values())


def _finish(parts: pd.DataFrame) -> pd.DataFrame:
    """The last merge: the summary's rows, sorted by creator, as ``CreatorSummary.to_dict``."""
    merged = _merged(parts)
    rows = [merged[name].to_dict() for name in sorted(merged)]
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    return out.astype(_summary_meta().dtypes.to_dict())


def _merged(parts: pd.DataFrame) -> dict[str, CreatorSummary]:
    creators: dict[str, CreatorSummary] = {}
    for row in parts.to_dict("records"):
        part = CreatorSummary(**{name: _none(row[name]) for name in _FIELDS})
        part.categories = dict(part.categories)  # the part's own; it is another task's result
        mine = creators.get(part.creator)
        if mine is None:
            creators[part.creator] = part
        else:
            mine.merge(part)
    return creators


def _frame(creators: Iterable[CreatorSummary]) -> pd.DataFrame:
    """Creator summaries as rows of their fields (a partial summary, between merges)."""
    return pd.DataFrame([{name: getattr(s, name) for name in _FIELDS} for s in creators],
                        columns=list(_FIELDS), dtype=object)


def _none(value: Any) -> Any:
    """A missing value as ``None`` (pandas may hand it back as ``NA`` or ``NaN``)."""
    if (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return value


def _summary_meta() -> pd.DataFrame:
    text = pd.StringDtype("pyarrow")
    kinds: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS, "int64")
    kinds.update(creator=text, compliance_rate="Float64", categories=object, first_post=text,
                 last_post=text)
    return pd.DataFrame({name: pd.Series([], dtype=kind) for name, kind in kinds.items()})


__all__ = ["RESULT_NAMES", "SUMMARY_COLUMNS", "check", "summary", "to_parquet"]
