"""``skjult.spark`` on a real local Spark (``local[2]``): the results of ``check`` are the records
the command line writes for the same posts, ``summary`` is the per-creator table of the report a
single run makes, and a wrong column name or a clashing prefix is an error on the driver.

Skipped where pyspark or Java is missing, unless ``SKJULT_REQUIRE_CLUSTER=1`` (CI): then the
missing piece is a failure."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skjult.cli import main
from skjult.partition import check_partition, merge
from skjult.tabular import NAMES, record_of

REQUIRED = os.environ.get("SKJULT_REQUIRE_CLUSTER") == "1"
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "dk.jsonl"
PREFIX = "skjult_"
SCHEMA = ("id string, creator string, platform string, caption string, created_at string, "
          "url string, `group` string, note string, "
          "meta struct<audience: string, paid_partnership: boolean>")


def _unavailable(why: str) -> None:
    if REQUIRED:
        pytest.fail(f"Spark is required here (SKJULT_REQUIRE_CLUSTER=1) but {why}")
    pytest.skip(why)


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    try:
        import pyarrow  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError as exc:
        _unavailable(f"{exc.name} is not installed (pip install 'skjult[spark]')")
    if _java() is None:
        _unavailable("no Java (Spark needs Java 17 or newer)")
    from pyspark import SparkContext

    own_jvm = SparkContext._gateway is None
    saved = {key: os.environ.get(key) for key in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    # the Python workers are this interpreter (where skjult is installed), not python3 on PATH
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("skjult-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.memory", "768m")
               # a short run: the JIT's first tier only (starts Spark about twice as fast)
               .config("spark.driver.extraJavaOptions",
                       "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=64m")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.default.parallelism", "4")
               .config("spark.sql.session.timeZone", "UTC")
               # several Arrow batches per partition, so that batches are checked one by one
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "32")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        if own_jvm:  # not left running (768 MB) for the rest of the test run
            _stop_jvm()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _stop_jvm() -> None:
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is None:
        return
    process = getattr(gateway, "proc", None)
    gateway.shutdown()
    SparkContext._gateway = SparkContext._jvm = None
    if process is not None and process.stdin is not None:
        process.stdin.close()  # the JVM ends when its standard input does
        process.wait(timeout=60)


# -- the posts: about 300 of the labelled corpus, and cases of our own ---------------------------

def _posts() -> list[dict[str, Any]]:
    """Posts as JSON Lines records (what the command line reads): the corpus's captions with
    creators shared by several posts, dates, links and metadata; then edge cases."""
    posts: list[dict[str, Any]] = []
    lines = CORPUS.read_text(encoding="utf-8").splitlines()[::3][:300]
    for n, line in enumerate(lines):
        entry = json.loads(line)
        post: dict[str, Any] = {
            "id": entry["id"],
            # half the posts by one of seven creators, so that creators have many posts each
            "creator": entry["creator"] if n % 2 else f"@skaber{n % 7}",
            "platform": entry["platform"], "caption": entry["caption"],
            "group": entry["group"], "note": entry["note"]}
        if n % 5:
            post["created_at"] = f"2025-{n % 12 + 1:02d}-{n % 28 + 1:02d}T{n % 24:02d}:15:00Z"
        if n % 4 == 1:
            post["url"] = f"https://example.org/p/{entry['id']}"
        post.update(entry.get("meta") or {})  # audience, paid_partnership
        posts.append(post)
    posts += [
        {"id": "x-empty", "creator": "@kant.case", "caption": ""},  # skipped: no caption
        {"id": "x-blank", "creator": "@kant.case", "caption": " \n\t "},  # skipped: no caption
        {"id": "x-null", "creator": "@kant.case", "caption": None},  # skipped: no caption
        {"id": "x-kids", "creator": "@kant.case", "caption": "Ny kage i dag 🎂",
         "audience": "kids"},  # skipped: not an audience
        {"id": "x-anon", "platform": "instagram",  # no creator: "(unknown)"
         "caption": "Reklame for @havehuset | nye frø til altankassen 🌱"},
        {"id": "x-anon2", "creator": None, "caption": "Fik frø af @havehuset, tak 🌱🌱",
         "created_at": "2024-04-01T07:00:00Z"},
        {"id": 4711, "creator": "@kant.case", "platform": "tiktok",  # a numeric id
         "caption": "Fik de her sko af @løbeland 👟 tusind tak! #gaveafløbeland",
         "created_at": "2025-03-01T08:00:00Z"},
        {"id": "x-emoji", "creator": "@kant.case", "created_at": "",  # no date: not a first post
         "caption": "👨‍👩‍👧‍👦🎉 Weekend! Brug min kode KANT20 hos @snackboxen 🍿 "
                    "og få 20% rabat 🇩🇰"},
        {"id": "x-minors", "creator": "@kant.case", "audience": "minors",
         "caption": "Reklame for @slikbutikken | smag de nye vingummier 🍬"},
        {"id": "x-paid", "creator": "@kant.case", "paid_partnership": True,
         "caption": "Dagens outfit 💃 alt fra @modehuset"},
        {"id": "x-lines", "creator": "@kant.case", "platform": "Instagram",
         "caption": "Første linje\n\nAnden linje med #ad og @brand\r\nTredje 🙂",
         "created_at": "2023-12-31T23:59:59+01:00"},
    ]
    # compliance rates that Spark's own rounding would get wrong: 1/32 is 0.03125 exactly, which
    # Python rounds to even (0.0312, Spark's round says 0.0313); 1/160 is a little more than
    # 0.00625 as a float (0.0063, Spark's bround says 0.0062)
    for creator, commercial in (("@rate.32", 32), ("@rate.160", 160)):
        posts.append({"id": f"{creator}-0", "creator": creator,
                      "caption": "Reklame for @kaffebaren | ny kaffe ☕"})
        posts += [{"id": f"{creator}-{n}", "creator": creator,
                   "caption": f"Tak til @kaffebaren for gaven ☕ nr. {n}"} for n in range(1, commercial)]
    return posts


POSTS = _posts()
SKIPPED = {"x-empty", "x-blank", "x-null", "x-kids"}


def _row(post: dict[str, Any]) -> tuple[Any, ...]:
    """A post as a row of ``SCHEMA``: the id as text, audience and paid_partnership in a struct
    (read by dotted path: the command line reads the same values at the top level)."""
    audience, paid = post.get("audience"), post.get("paid_partnership")
    meta = None if audience is None and paid is None and len(str(post["id"])) % 2 else \
        (audience, paid)
    return (str(post["id"]), post.get("creator"), post.get("platform"), post.get("caption"),
            post.get("created_at"), post.get("url"), post.get("group"), post.get("note"), meta)


@pytest.fixture(scope="module")
def frame(spark: Any) -> Any:
    return spark.createDataFrame([_row(p) for p in POSTS], SCHEMA).repartition(4)


@pytest.fixture(scope="module")
def results(frame: Any) -> Iterator[Any]:
    from skjult import spark as skjult_spark

    checked = skjult_spark.check(frame, audience="meta.audience",
                                 paid_partnership="meta.paid_partnership").cache()
    yield checked
    checked.unpersist()


@pytest.fixture(scope="module")
def rows(results: Any) -> dict[str, dict[str, Any]]:
    collected = [row.asDict(recursive=True) for row in results.collect()]
    by_id = {row["id"]: row for row in collected}
    assert len(by_id) == len(collected) == len(POSTS)
    return by_id


@pytest.fixture(scope="module")
def cli_records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("spark-cli")
    source, out = folder / "posts.jsonl", folder / "out.jsonl"
    source.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in POSTS),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(source), "--format", "jsonl", "-o", str(out),
                                       "--no-config", "--no-progress", "--quiet",
                                       "--fail-level", "never"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {record["id"]: record for record in records}


def _comparable(record: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in record.items() if k != "source"}, sort_keys=True,
                      ensure_ascii=False)


# -- the tests ---------------------------------------------------------------------------------
@pytest.mark.parametrize("missing", ["pyspark", "pyarrow"])
def test_without_the_extra_the_import_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                            missing: str) -> None:
    import importlib

    for name in [m for m in sys.modules if m == missing or m.startswith(missing + ".")] + [missing]:
        monkeypatch.setitem(sys.modules, name, None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, "skjult.spark", raising=False)
    with pytest.raises(ImportError, match=rf"\({missing} is missing\): pip install 'skjult\[spark\]'"):
        importlib.import_module("skjult.spark")


def test_results_are_the_command_lines_records(rows: dict[str, dict[str, Any]],
                                               cli_records: dict[str, dict[str, Any]],
                                               frame: Any) -> None:
    checked = {key for key, row in rows.items() if row[PREFIX + "skipped"] is None}
    assert {key for key in rows if key not in checked} == SKIPPED
    assert set(cli_records) == checked
    assert len(checked) == len(POSTS) - len(SKIPPED) > 450
    assert frame.rdd.getNumPartitions() == 4
    for key, row in rows.items():
        result = {name: row[PREFIX + name] for name in NAMES if name != "caption"}
        if key in SKIPPED:
            assert result["skipped"] and result["verdict"] is None
            continue
        record = record_of({**result, "caption": row["caption"]})
        assert record is not None
        assert _comparable(record) == _comparable(cli_records[key]), key
    # the posts' own columns come back unchanged, in order, before the results
    assert [c for c in rows[next(iter(rows))] if not c.startswith(PREFIX)] == frame.columns
    inputs = {str(p["id"]): _row(p) for p in POSTS}
    for key, row in rows.items():
        meta = row["meta"]
        assert (*(row[c] for c in frame.columns[:-1]),
                None if meta is None else (meta["audience"], meta["paid_partnership"])) \
            == inputs[key]
    verdicts = {row[PREFIX + "verdict"] for row in rows.values()}
    assert {"violation", "warning", "compliant", "not_commercial"} <= verdicts


def test_summary_is_the_reports_per_creator_table(results: Any) -> None:
    from skjult import spark as skjult_spark

    table = skjult_spark.summary(results)
    assert table.columns == ["creator", "posts", "commercial", "compliant", "warnings",
                             "violations", "compliance_rate", "categories", "first_post",
                             "last_post", "suppressed"]
    got = [row.asDict(recursive=True) for row in table.collect()]
    quarter = len(POSTS) // 4 + 1
    merged = merge(check_partition(POSTS[i:i + quarter]).summary
                   for i in range(0, len(POSTS), quarter))
    whole = check_partition(POSTS).summary
    want = [summary.to_dict() for summary in merged.sorted_creators()]
    assert want == [summary.to_dict() for summary in whole.sorted_creators()]
    assert got == want
    # the table is worth comparing: shared creators, unknowns, rates and categories
    by_creator = {row["creator"]: row for row in got}
    assert by_creator["(unknown)"]["posts"] == 2
    assert (by_creator["@rate.32"]["compliance_rate"], by_creator["@rate.160"]["compliance_rate"]) \
        == (0.0312, 0.0063)
    assert by_creator["@kant.case"]["first_post"] == "2023-12-31T23:59:59+01:00"
    assert sum(row["posts"] for row in got) == len(POSTS) - len(SKIPPED)
    assert any(row["posts"] >= 15 and 0 < (row["compliance_rate"] or 0) < 1 for row in got)
    assert any(len(row["categories"]) >= 2 for row in got)


def test_rule_set_is_built_once_per_worker(spark: Any, results: Any) -> None:
    """Spark keeps its Python workers; each built the rule set the first time it checked a
    partition and used it for the next ones."""
    results.count()  # cached: the posts were checked once, in 4 partitions on 2 workers

    def probe(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        from skjult.partition import checker_for

        for _ in batches:
            pass
        info = checker_for.cache_info()
        yield pa.RecordBatch.from_pylist([{"pid": os.getpid(), "misses": info.misses,
                                           "hits": info.hits}])

    seen = spark.range(0, 8, numPartitions=8).mapInArrow(
        probe, "pid long, misses long, hits long").collect()
    builds = {row["pid"]: (row["misses"], row["hits"]) for row in seen}
    assert all(misses <= 1 for misses, _ in builds.values()), builds
    assert any(misses == 1 and hits >= 1 for misses, hits in builds.values()), builds


def test_nested_numeric_and_timestamp_columns(spark: Any) -> None:
    from skjult import spark as skjult_spark

    when = dt.datetime(2024, 5, 1, 10, 30, tzinfo=dt.UTC)
    frame = spark.createDataFrame(
        [((("Reklame for @cykelbutikken | ny cykel 🚲"), ("lise",)), 4711, when, dt.date(2024, 5, 2)),
         ((None, ("lise",)), 4712, None, None),
         (None, 4713, when, None)],
        "post struct<text: string, author: struct<name: string>>, id long, ts timestamp, "
        "day date")
    results = skjult_spark.check(frame, caption="post.text", creator="post.author.name",
                                 created_at="ts", defaults={"platform": "instagram"})
    got = [row.asDict(recursive=True) for row in results.orderBy("id").collect()]
    assert [row[PREFIX + "skipped"] for row in got] == [None, "no caption", "no caption"]
    first = {name: got[0][PREFIX + name] for name in NAMES if name != "caption"}
    record = record_of({**first, "caption": got[0]["post"]["text"]})
    want = check_partition([{"caption": "Reklame for @cykelbutikken | ny cykel 🚲",
                             "creator": "lise", "id": 4711, "platform": "instagram",
                             "created_at": "2024-05-01T10:30:00+00:00"}]).rows[0]
    assert record == record_of(want)
    assert (first["id"], first["created_at"], first["verdict"]) == (
        "4711", "2024-05-01T10:30:00+00:00", "compliant")
    assert got[0]["day"] == dt.date(2024, 5, 2)
    # no rows, no posts
    assert skjult_spark.summary(results.where("id > 5000")).count() == 0


def test_a_wrong_column_name_is_an_error_with_a_suggestion(frame: Any) -> None:
    from skjult import spark as skjult_spark

    with pytest.raises(ValueError, match=r"caption='captoin': no such column \(did you mean"):
        skjult_spark.check(frame, caption="captoin")
    with pytest.raises(ValueError, match=r"audience='meta.audiense'.*did you mean"):
        skjult_spark.check(frame, audience="meta.audiense")
    with pytest.raises(TypeError, match="creater"):
        skjult_spark.check(frame, creater="creator")
    with pytest.raises(ValueError, match="no caption column"):
        skjult_spark.check(frame.drop("caption"))
    with pytest.raises(ValueError, match="no rule pack 'dkk'"):
        skjult_spark.check(frame, jurisdiction="dkk")
    with pytest.raises(ValueError, match="defaults: 'plattform'"):
        skjult_spark.check(frame, defaults={"plattform": "tiktok"})


def test_a_prefix_that_clashes_is_an_error(frame: Any, results: Any) -> None:
    from skjult import spark as skjult_spark

    with pytest.raises(ValueError, match=r"SKJULT_Verdict: give another prefix \(prefix='skjult2_'\)"):
        skjult_spark.check(frame.withColumnRenamed("note", "SKJULT_Verdict"))
    with pytest.raises(ValueError, match="prefix='skjult2_'"):
        skjult_spark.check(results)  # checked twice
    again = skjult_spark.check(results, prefix="again_")
    assert again.columns[:len(results.columns)] == results.columns
    with pytest.raises(ValueError, match=r"no column x_creator.*prefix='skjult_'"):
        skjult_spark.summary(results, prefix="x_")

