"""Checking a Spark DataFrame of posts where it lies (``pip install 'skjult[spark]'``).

    >>> results = skjult.spark.check(df, caption="text", creator="user", jurisdiction="dk")
    >>> skjult.spark.summary(results).show()

``check`` gives back ``df`` with its columns unchanged and the result columns of
``skjult.tabular`` added (every one but ``caption``, each named after ``prefix``:
``skjult_verdict``, ``skjult_findings``, ...), one result per row. The posts are checked on the
executors, Arrow batch by Arrow batch (``mapInArrow``), each Python worker building the rule set
once and keeping it for every partition it is given. ``summary`` turns the results into the
per-creator table of the command line's report, as a DataFrame.

A row is read as the command line reads a record of a JSON Lines or Parquet file: columns with
the usual names are found by themselves, keywords name the others (``caption="text"``, a
struct's field by dotted path: ``creator="author.name"``), ``defaults`` fills in what a row does
not say (``{"platform": "tiktok"}``). A row that cannot be checked (no caption, a malformed
field) gets its reason in ``skjult_skipped`` and no verdict."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

try:
    import pyarrow  # noqa: F401 - the executors hand batches over as Arrow
    from pyspark.sql import Column, DataFrame
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
except ImportError as exc:  # pragma: no cover - the extra is installed where this is tested
    missing = (exc.name or "pyspark").split(".")[0]
    raise ImportError(f"skjult.spark needs PySpark and pyarrow ({missing} is missing): "
                      f"pip install 'skjult[spark]'", name=missing) from exc

from skjult.checker import check_settings
from skjult.errors import did_you_mean
from skjult.i18n import DEFAULT_LANG
from skjult.model import CATEGORIES, Verdict
from skjult.partition import check_columns, columns_of
from skjult.readers.records import FIELDS, unused_names
from skjult.report.summary import UNKNOWN_CREATOR, CreatorSummary
from skjult.tabular import COLUMNS, NAMES, Type

PREFIX = "skjult_"
# The result columns ``check`` adds (the caption is the input's own column already).
RESULT_NAMES: tuple[str, ...] = tuple(name for name in NAMES if name != "caption")
# The result columns ``summary`` reads.
SUMMARY_NAMES = ("creator", "created_at", "verdict", "findings", "suppressed", "skipped")
# The per-creator table's columns: ``CreatorSummary.to_dict``'s keys, in order.
SUMMARY_COLUMNS = tuple(CreatorSummary("").to_dict())
_CATEGORIES = tuple(sorted(CATEGORIES))  # in a creator's map as in to_dict


def check(df: DataFrame, *, jurisdiction: str = "dk", lang: str = DEFAULT_LANG,
          defaults: Mapping[str, Any] | None = None, prefix: str = PREFIX,
          extra_packs: Iterable[str | Path] = (), **columns: str | None) -> DataFrame:
    """``df`` with a result for every row: its own columns unchanged, then the result columns
    (``prefix`` + each name of ``skjult.tabular.NAMES`` but ``caption``). Keywords name the
    columns fields are in (``caption="text"``, ``creator="user"``, ``platform=``,
    ``created_at=``, ``id=``, ``url=``, ``brand=``, ``paid_partnership=``, ``audience=``; a
    struct's field by dotted path); unnamed ones are found by their usual names. ``defaults``
    gives values for rows without one (``{"platform": "tiktok"}``).

    The columns and settings are checked here, on the driver (``ValueError``, ``TypeError``);
    the posts are checked when the result is computed. ``extra_packs`` must be folders the
    executors can read at the same paths."""
    if not hasattr(df, "mapInArrow"):  # a classic or a Spark Connect DataFrame
        raise TypeError(f"check() takes a Spark DataFrame, not {type(df).__name__} (for a pandas "
                        f"DataFrame or Arrow table use skjult.partition.check_partition)")
    packs = _packs(extra_packs)
    check_settings(jurisdiction, lang, extra_packs=packs)
    mapping = columns_of(columns)
    fixed = _defaults(defaults)
    leaves = _leaf_names(df.schema)
    check_columns(leaves, mapping)
    unused = set(unused_names(leaves, mapping))
    read = tuple(i for i, name in enumerate(leaves) if name not in unused)
    _check_prefix(prefix, df.columns)
    kinds = dict(COLUMNS)
    schema = T.StructType([*df.schema.fields, *(
        T.StructField(prefix + name, spark_type(kinds[name]), nullable=True)
        for name in RESULT_NAMES)])
    work = _CheckBatches((jurisdiction, lang, packs), mapping, fixed, read, prefix)
    return df.mapInArrow(work, schema)


def summary(results: DataFrame, *, prefix: str = PREFIX) -> DataFrame:
    """The per-creator table of ``check``'s results, sorted by creator: the columns of
    ``CreatorSummary.to_dict`` (``creator``, ``posts``, ``commercial``, ``compliant``,
    ``warnings``, ``violations``, ``compliance_rate``, ``categories`` as a map of category to
    the number of commercial posts with a finding in it, ``first_post``, ``last_post``,
    ``suppressed``), with the counts the command line's report would give for the same posts.
    Skipped rows are not posts; posts without a creator are counted under ``(unknown)``.

    ``results`` is computed again unless it is cached or was read back from storage."""
    if not hasattr(results, "groupBy"):
        raise TypeError(f"summary() takes a Spark DataFrame, not {type(results).__name__}")
    have = set(results.columns)
    missing = [prefix + n for n in SUMMARY_NAMES if prefix + n not in have]
    if missing:
        raise ValueError(f"no column {', '.join(missing)} in the results: summary() reads the "
                         f"columns skjult.spark.check(..., prefix={prefix!r}) adds"
                         + _prefix_hint(results.columns, prefix))

    def col(name: str) -> Column:
        return _column(prefix + name)

    verdict = col("verdict")
    creator = col("creator")
    posts = results.where(col("skipped").isNull()).select(
        F.when(creator.isNull() | (creator == ""), F.lit(UNKNOWN_CREATOR))
        .otherwise(creator).alias("creator"),
        F.when(col("created_at") != "", col("created_at")).alias("created_at"),
        verdict.alias("verdict"),
        F.when(col("suppressed").isNull(), F.lit(0))
        .otherwise(F.size(col("suppressed"))).alias("suppressions"),
        F.transform(col("findings"), lambda f: f["category"]).alias("categories"))

    def posts_where(condition: Column) -> Column:
        return F.sum(F.when(condition, 1).otherwise(0)).cast("bigint")

    commercial = F.col("verdict") != Verdict.NOT_COMMERCIAL.value
    # a category counts once for each commercial post with a finding in it (Digest.categories);
    # rules can only have the categories of the taxonomy
    per_category = [posts_where(commercial & F.array_contains("categories", category))
                    .alias(f"category {i}") for i, category in enumerate(_CATEGORIES)]
    totals = posts.groupBy("creator").agg(
        F.count(F.lit(1)).alias("posts"),
        posts_where(commercial).alias("commercial"),
        posts_where(F.col("verdict") == Verdict.COMPLIANT.value).alias("compliant"),
        posts_where(F.col("verdict") == Verdict.WARNING.value).alias("warnings"),
        posts_where(commercial & ~F.col("verdict").isin(Verdict.COMPLIANT.value,
                                                         Verdict.WARNING.value))
        .alias("violations"),
        F.min("created_at").alias("first_post"),
        F.max("created_at").alias("last_post"),
        F.sum("suppressions").cast("bigint").alias("suppressed"),
        *per_category)
    categories = F.map_filter(
        F.create_map(*(part for i, category in enumerate(_CATEGORIES)
                       for part in (F.lit(category), F.col(f"`category {i}`")))),
        lambda _, count: count > 0)
    rate = F.udf(lambda compliant, commercial: compliance_rate(compliant, commercial),
                 T.DoubleType())
    table = {name: F.col(name) for name in SUMMARY_COLUMNS}
    table["compliance_rate"] = rate("compliant", "commercial")
    table["categories"] = categories
    return totals.select(*(column.alias(name) for name, column in table.items())) \
        .orderBy("creator")


def compliance_rate(compliant: int | None, commercial: int | None) -> float | None:
    """The compliance rate as ``CreatorSummary.to_dict`` rounds it: Python's rounding of the
    quotient, which neither Spark's ``round`` (1/32 is 0.0312 here, 0.0313 there) nor its
    ``bround`` (1/160 is 0.0063 here, 0.0062 there) reproduces."""
    summary = CreatorSummary("", commercial=commercial or 0, compliant=compliant or 0)
    rate: float | None = summary.to_dict()["compliance_rate"]
    return rate


def spark_type(kind: Type) -> T.DataType:
    """A result column's Spark type, from its type in ``skjult.tabular.COLUMNS``."""
    if isinstance(kind, str):
        return _SCALARS[kind]
    outer, inner = kind
    if outer == "list":
        return T.ArrayType(spark_type(inner), containsNull=True)
    return T.StructType([T.StructField(name, spark_type(sub), nullable=True)
                         for name, sub in inner])


_SCALARS: dict[str, T.DataType] = {"string": T.StringType(), "int64": T.LongType(),
                                   "bool": T.BooleanType()}


class _CheckBatches:
    """What ``mapInArrow`` runs on the executors: each batch's posts checked, its result columns
    appended to the batch. Only the columns read are turned into Python objects."""

    def __init__(self, settings: tuple[str, str, tuple[str, ...]], mapping: dict[str, str],
                 defaults: dict[str, Any], read: tuple[int, ...], prefix: str):
        self.settings = settings
        self.mapping = mapping
        self.defaults = defaults
        self.read = read  # the flattened columns the fields are read from, by position
        self.prefix = prefix

    def __call__(self, batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        from skjult.arrow import flattened, schema
        from skjult.partition import check_partition, checker_for

        checker = checker_for(*self.settings)  # built once per Python worker process
        results = schema(RESULT_NAMES, self.prefix)
        for batch in batches:
            table = flattened(batch).select(list(self.read))  # dates become ISO text there
            rows = check_partition(table, checker=checker, defaults=self.defaults,
                                   **self.mapping).rows
            added = [rows.column(name).combine_chunks() for name in RESULT_NAMES]
            yield pa.RecordBatch.from_arrays(
                [*batch.columns, *added],
                schema=pa.schema([*batch.schema, *results]))


def _leaf_names(schema: T.StructType) -> list[str]:
    """Column names with struct fields spread out by dotted path (``author.name``), in the order
    ``skjult.arrow.flattened`` gives the batch's columns."""
    out: list[str] = []

    def walk(path: str, field: T.StructField) -> None:
        if isinstance(field.dataType, T.StructType):
            for child in field.dataType.fields:
                walk(f"{path}{field.name}.", child)
        else:
            out.append(path + field.name)

    for field in schema.fields:
        walk("", field)
    return out


def _check_prefix(prefix: str, names: list[str]) -> None:
    if not isinstance(prefix, str):
        raise ValueError(f"prefix must be text, not {type(prefix).__name__}")
    taken = {name.casefold(): name for name in names}  # Spark resolves names regardless of case
    clashes = [taken[(prefix + n).casefold()] for n in RESULT_NAMES if (prefix + n).casefold() in taken]
    if clashes:
        raise ValueError(f"the DataFrame has columns named like the results, {', '.join(clashes)}: "
                         f"give another prefix (prefix={_free_prefix(prefix, names)!r})")


def _free_prefix(prefix: str, names: list[str]) -> str:
    taken = {name.casefold() for name in names}
    base = prefix.rstrip("_") or "skjult"
    number = 2
    while any(f"{base}{number}_{n}".casefold() in taken for n in RESULT_NAMES):
        number += 1
    return f"{base}{number}_"


def _prefix_hint(names: list[str], prefix: str) -> str:
    found = sorted({name[: -len("verdict")] for name in names
                    if name.endswith("verdict") and name[: -len("verdict")] != prefix
                    and name[: -len("verdict")] + "skipped" in names})
    return f"; these look like results: prefix={found[0]!r}" if found else ""


def _defaults(defaults: Mapping[str, Any] | None) -> dict[str, Any]:
    if defaults is None:
        return {}
    if not isinstance(defaults, Mapping):
        raise ValueError(f"defaults maps fields to values ({{'platform': 'tiktok'}}), not "
                         f"{type(defaults).__name__}")
    for key in defaults:
        if key not in FIELDS or key == "caption":
            hint = did_you_mean(str(key), FIELDS) or "it names no field of a post"
            raise ValueError(f"defaults: {key!r} has no default ({hint}); the fields are "
                             f"{', '.join(f for f in FIELDS if f != 'caption')}")
    return dict(defaults)


def _packs(extra_packs: Iterable[str | Path]) -> tuple[str, ...]:
    if isinstance(extra_packs, str | Path):
        raise ValueError(f"extra_packs is a list of pack folders, not one "
                         f"{type(extra_packs).__name__}: write extra_packs=[{str(extra_packs)!r}]")
    return tuple(str(pack) for pack in extra_packs)


def _column(name: str) -> Column:
    """A top-level column by its name as it is (dots and all)."""
    return F.col("`" + name.replace("`", "``") + "`")


__all__ = ["PREFIX", "RESULT_NAMES", "check", "compliance_rate", "spark_type", "summary"]
