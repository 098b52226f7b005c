"""``skjult.dask`` on a real ``distributed`` cluster (two worker processes): the results are the
command line's, post for post; the summary is the merged report's, creator for creator.

Skipped where Dask is not installed, except when ``SKJULT_REQUIRE_CLUSTER=1`` (CI): then a
missing Dask fails the run."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skjult.cli import main
from skjult.partition import check_partition, checker_for, merge
from skjult.tabular import record_of

REQUIRED = os.environ.get("SKJULT_REQUIRE_CLUSTER") == "1"
try:
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    from distributed import Client, LocalCluster
except ImportError:
    if REQUIRED:
        raise
    pytest.skip("Dask is not installed (pip install 'skjult[dask]')", allow_module_level=True)

from skjult import arrow  # noqa: E402 (needs pyarrow)
from skjult.dask import RESULT_NAMES, SUMMARY_COLUMNS, check, summary, to_parquet  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "dk.jsonl"
PREFIX = "skjult_"
# Posts of our own for what the corpus does not have, put among its posts at these places.
EDGE_CASES: list[tuple[int, dict[str, Any]]] = [
    (0, {"id": "edge-empty", "creator": "kantsag", "platform": "instagram", "caption": ""}),
    (37, {"id": "edge-no-creator", "platform": "tiktok",
          "caption": "Reklame for @kafferisteriet | ny bønne i kværnen hver fredag ☕"}),
    (80, {"id": 4711, "creator": "talmanden",
          "caption": "Tak til @cykelkælderen for den nye cykel, den kører som en drøm 🚲"}),
    (121, {"id": "edge-null-caption", "creator": "kantsag", "caption": None}),
    (150, {"id": "edge-emoji", "creator": "emojimor", "platform": "instagram",
           "caption": "🔥🔥😎👓 @solbrillehjoernet rabatkode SOL20 giver 20 % 🏖️👨‍👩‍👧‍👦"}),
    (200, {"id": "edge-dated", "creator": "kantsag", "created_at": "2024-03-01T10:00:00Z",
           "caption": "Annonce: min nye yndlingste fra @tehjoernet 🍵\nlink i bio"}),
    (260, {"id": "edge-dated-2", "creator": "kantsag", "created_at": "2023-11-20",
           "caption": "Søndagsgåtur ved fjorden, helt uden noget at sælge 🌫️"}),
    (290, {"id": "edge-no-creator-2", "creator": "", "caption": "Hygge med #samarbejde og @møbelstuen"}),
]


def posts() -> list[dict[str, Any]]:
    """About 300 posts of the labelled corpus (their platform flags as columns) and ours."""
    records = []
    with CORPUS.open(encoding="utf-8") as lines:
        for line in lines:
            post = json.loads(line)
            records.append({"id": post["id"], "creator": post["creator"],
                            "platform": post["platform"], "caption": post["caption"],
                            **post["meta"]})
            if len(records) == 300:
                break
    for place, post in EDGE_CASES:
        records.insert(place, post)
    return records


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.DataFrame(posts())


@pytest.fixture(scope="module")
def results(client: Client, frame: pd.DataFrame) -> Any:
    """The posts checked on the cluster, in four partitions, kept in the workers' memory."""
    return check(dd.from_pandas(frame, npartitions=4), caption="caption", creator="creator",
                 prefix=PREFIX).persist()


def plain(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as pandas gives them, missing values as ``None``."""
    return [{key: None if value is pd.NA or value is None or
             (isinstance(value, float) and value != value) else value
             for key, value in row.items()} for row in frame.to_dict("records")]


def cli_records(tmp_path: Path) -> list[dict[str, Any]]:
    source = tmp_path / "posts.jsonl"
    source.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts()),
                      encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["check", str(source), "--format", "jsonl",
                                       "-o", str(target)])
    assert result.exit_code in (0, 1), result.output
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]


def without_source(record: dict[str, Any] | None) -> str:
    assert record is not None
    return json.dumps({k: v for k, v in record.items() if k != "source"}, sort_keys=True)


def test_results_are_the_command_lines(client: Client, results: Any, frame: pd.DataFrame,
                                       tmp_path: Path) -> None:
    assert results.npartitions == 4
    got = results.compute()
    assert list(got.columns) == [*frame.columns, *(PREFIX + n for n in RESULT_NAMES)]
    assert got.index.equals(frame.index)  # every row, in order, under its own index
    rows = plain(got)
    checked = [row for row in rows if row[PREFIX + "skipped"] is None]
    skipped = {row["id"] for row in rows if row[PREFIX + "skipped"] is not None}
    assert "edge-null-caption" in skipped and len(checked) > 290
    expected = cli_records(tmp_path)
    assert len(checked) == len(expected)
    for row, line in zip(checked, expected, strict=True):
        record = record_of({"caption": row["caption"],
                            **{n: row[PREFIX + n] for n in RESULT_NAMES}})
        assert without_source(record) == without_source(line), row["id"]
    # the posts' own columns are kept as they were (the numeric id as Dask's text)
    assert [row["caption"] for row in rows] == [p["caption"] for p in posts()]
    assert {"4711", "edge-emoji"} <= {row[PREFIX + "id"] for row in checked}
    # each worker process built the rule set once, and used it for every partition it checked
    built = list(client.run(checker_for.cache_info).values())
    assert all(info.misses == 1 for info in built)
    assert sum(info.hits + info.misses for info in built) >= 4


def test_summary_is_the_merged_reports(results: Any, frame: pd.DataFrame, tmp_path: Path) -> None:
    table = summary(results, prefix=PREFIX)
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    computed = table.compute()
    assert computed.dtypes.to_dict() == table.dtypes.to_dict()
    got = plain(computed)
    parts = [results.partitions[i][list(frame.columns)].compute() for i in range(4)]
    reports = [check_partition(part, caption="caption").summary for part in parts]
    merged = [c.to_dict() for c in merge(reports).sorted_creators()]
    single = check_partition(pd.concat(parts), caption="caption").summary
    assert merged == [c.to_dict() for c in single.sorted_creators()]
    assert got == merged
    # what the edge cases add up to: skipped records are no posts, no creator is "(unknown)"
    by_creator = {row["creator"]: row for row in got}
    assert by_creator["kantsag"]["first_post"] == "2023-11-20"
    assert by_creator["kantsag"]["last_post"] == "2024-03-01T10:00:00Z"
    assert by_creator["(unknown)"]["posts"] >= 2
    assert sum(row["posts"] for row in got) == len(results) - 2  # the empty and null captions
    # results written as Parquet (one schema for every partition) and read back
    to_parquet(results, tmp_path / "results", prefix=PREFIX)
    files = sorted((tmp_path / "results").glob("*.parquet"))
    assert len(files) == 4
    for written in files:
        kinds = pq.read_schema(written)
        assert [kinds.field(PREFIX + n).type for n in RESULT_NAMES] == \
            arrow.schema(RESULT_NAMES).types
    # read back by anyone: pandas (a few of its columns), Dask
    some = pd.read_parquet(tmp_path / "results", columns=["id", PREFIX + "findings"])
    assert len(some) == len(results)
    assert pd.api.types.is_object_dtype(some.dtypes[PREFIX + "findings"])
    back = dd.read_parquet(tmp_path / "results")
    assert back[back[PREFIX + "verdict"] == "violation"]["id"].compute().size > 0
    assert plain(summary(back).compute()) == merged


def test_every_partition_has_the_meta_dtypes(client: Client) -> None:
    full = pd.DataFrame({"text": ["Reklame for @tehjoernet | ny te 🍵", "Tak for gaven @x"],
                         "user": ["a", None]})
    nulls = pd.DataFrame({"text": pd.Series([None, None], dtype="string"), "user": ["b", "c"]})
    empty = full.iloc[:0]
    ddf = dd.concat([dd.from_pandas(p, npartitions=1) for p in (full, nulls, empty)])
    out = check(ddf, caption="text", creator="user")
    kinds = out.dtypes
    for i, size in enumerate((2, 2, 0)):
        part = out.partitions[i].compute()
        assert len(part) == size
        assert part.dtypes.to_dict() == kinds.to_dict()
    assert pd.api.types.is_object_dtype(kinds["skjult_findings"])
    assert kinds["skjult_count_label_missing"] == pd.ArrowDtype(pa.int64())
    assert kinds["skjult_verdict"] == pd.StringDtype("pyarrow")
    whole = out.compute()
    assert whole["skjult_skipped"].notna().tolist() == [False, False, True, True]
    assert summary(out).compute()["posts"].tolist() == [1, 1]  # "a", "(unknown)"


def test_column_errors_are_raised_at_once() -> None:
    ddf = dd.from_pandas(pd.DataFrame({"text": ["hej"], "user": ["a"], "skjult_verdict": [""]}),
                        npartitions=1)
    with pytest.raises(ValueError, match=r"creator='usr': no such column \(did you mean"):
        check(ddf, caption="text", creator="usr", prefix="r_")
    with pytest.raises(ValueError, match=r"'skjult_verdict'.*another prefix"):
        check(ddf, caption="text", creator="user")
    with pytest.raises(TypeError, match="did you mean"):
        check(ddf, captoin="text")
    assert "r_verdict" in check(ddf, caption="text", prefix="r_").columns
    with pytest.raises(ValueError, match="not the results"):
        summary(ddf)
    with pytest.raises(ValueError, match=r"defaults=\{'platfrom': \.\.\.\}: did you mean"):
        check(ddf, caption="text", defaults={"platfrom": "tiktok"})


def test_without_dask_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)
    monkeypatch.delitem(sys.modules, "skjult.dask")
    with pytest.raises(ImportError, match=r"pip install 'skjult\[dask\]'"):
        importlib.import_module("skjult.dask")
