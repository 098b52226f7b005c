"""The partition function: a part of a collection (dicts, an Arrow table, a pandas frame) in,
result rows and a report out; reports of parts merge into the report of one run over all."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skjult.cli import main
from skjult.partition import check_partition, merge, render
from skjult.report.summary import Report
from skjult.tabular import NAMES, record_of

sys.path.insert(0, str(Path(__file__).parent))
from sweep_posts import posts

REQUIRED = bool(os.environ.get("SKJULT_REQUIRE_CLUSTER"))


def arrow() -> Any:
    return __import__("pyarrow") if REQUIRED else pytest.importorskip("pyarrow")


def pandas() -> Any:
    return __import__("pandas") if REQUIRED else pytest.importorskip("pandas")


def cli_jsonl(tmp_path: Path, records: list[dict[str, Any]], *args: str) -> tuple[list[str], dict[str, Any]]:
    """The CLI's jsonl lines and its json report for the same records."""
    source = tmp_path / "posts.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                      encoding="utf-8")
    outputs = []
    for fmt in ("jsonl", "json"):
        result = CliRunner().invoke(main, ["check", "--no-config", "--no-progress", str(source),
                                           "--map", "caption=text", "--map", "creator=user",
                                           "--format", fmt, *args])
        outputs.append(result.stdout)
    return outputs[0].splitlines(), json.loads(outputs[1])


def without_source(record: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in record.items() if k != "source"}, ensure_ascii=False,
                      sort_keys=True)


def test_rows_give_back_the_clis_jsonl_records_and_keep_skipped_records_in_place(
        tmp_path: Path) -> None:
    records = posts(200)
    part = check_partition(records, caption="text", creator="user")
    assert len(part.rows) == 200 and all(list(row) == list(NAMES) for row in part.rows)
    assert [n for n, row in enumerate(part.rows) if row["skipped"]] == [7, 11]
    assert part.rows[7]["verdict"] is None and part.rows[11]["id"] is None
    lines, _ = cli_jsonl(tmp_path, records)
    checked = [record_of(row) for row in part.rows if not row["skipped"]]
    assert [without_source(r) for r in checked if r] == \
        [without_source(json.loads(line)) for line in lines]


def test_arrow_and_pandas_partitions_give_the_same_rows_as_dicts() -> None:
    pa, pd = arrow(), pandas()
    records = posts(60)
    as_dicts = check_partition(records, caption="text", creator="user").rows
    as_arrow = check_partition(pa.Table.from_pylist(records), caption="text", creator="user").rows
    as_pandas = check_partition(pd.DataFrame(records), caption="text", creator="user").rows
    assert isinstance(as_arrow, pa.Table) and isinstance(as_pandas, pd.DataFrame)
    assert as_arrow.column_names == list(NAMES) == list(as_pandas.columns)
    assert as_arrow.to_pylist() == as_dicts
    from_pandas = as_pandas.to_dict("records")
    for mine, theirs in zip(as_dicts, from_pandas, strict=True):
        if mine["skipped"]:
            assert theirs["skipped"] == mine["skipped"]
            continue
        assert record_of(theirs) == record_of(mine)


def test_reports_of_four_parts_merge_into_the_report_of_one_run(tmp_path: Path) -> None:
    records = posts(240)
    whole = check_partition(records, caption="text", creator="user").summary
    parts = [check_partition(records[n::4], caption="text", creator="user").summary
             for n in range(4)]
    merged = merge(parts)
    assert [c.to_dict() for c in merged.sorted_creators()] == \
        [c.to_dict() for c in whole.sorted_creators()]
    assert merged.totals() == whole.totals()
    assert merged.highest == whole.highest
    assert {k: v.to_dict() for k, v in merged.files.items()} == \
        {k: v.to_dict() for k, v in whole.files.items()}
    # and they are the command line's figures for the same posts
    _, report = cli_jsonl(tmp_path, records)
    assert [c.to_dict() for c in merged.sorted_creators()] == report["creators"]
    assert {k: v for k, v in merged.totals().items()} == report["totals"]


def test_merging_keeps_first_and_last_post_and_categories_of_each_creator() -> None:
    early = check_partition([{"text": "Tak til @kaffebaren for kaffen, brug koden KAFFE",
                              "user": "eva", "created_at": "2024-01-05"}]).summary
    late = check_partition([{"text": "Annonce: ny kop fra @kaffebaren",
                             "user": "eva", "created_at": "2025-06-01"},
                            {"text": "Gåtur i regnvejr", "user": "eva",
                             "created_at": "2023-02-02"}]).summary
    eva = merge([late, early]).creators["eva"]
    assert (eva.posts, eva.first_post, eva.last_post) == (3, "2023-02-02", "2025-06-01")
    assert eva.categories == early.creators["eva"].categories  # the compliant post adds none
    assert eva.commercial == 2 and eva.violations == 1 and eva.compliant == 1


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "html"])
def test_a_merged_report_renders_as_the_one_of_a_single_run(fmt: str) -> None:
    records = posts(80)
    whole = check_partition(records, caption="text", creator="user").summary
    merged = merge(check_partition(records[n::3], caption="text", creator="user").summary
                   for n in range(3))

    def shown(report: Report) -> str:
        out = io.StringIO()
        render(report, fmt, out=out, lang="en")
        text = re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(Z| UTC)?", "(date)", out.getvalue())
        if fmt == "json":  # a skip's row is counted within its part
            text = re.sub(r'"position":"row \d+"', "", text)
        if fmt in ("text", "html"):
            text = re.sub(r"row \d+", "", text)
        return text

    text = shown(merged)
    assert text == shown(whole)
    assert "anna.hygge" in text
    if fmt == "text":  # violations were found: the summary must not say all is well
        assert "All commercial posts" not in text


def test_columns_that_are_not_there_and_keywords_that_name_no_field_are_errors() -> None:
    pa = arrow()
    table = pa.Table.from_pylist(posts(5))
    with pytest.raises(ValueError, match=r"caption=.txt.: no such column.*text"):
        check_partition(table, caption="txt")
    with pytest.raises(ValueError, match="defaults=\\{'platform'"):
        check_partition(table, caption="text", platform="tiktok")
    with pytest.raises(ValueError, match="no caption column"):
        check_partition(pa.table({"a": ["x"]}))
    with pytest.raises(TypeError, match=r"did you mean .caption"):
        check_partition(posts(3), captoin="text")
    with pytest.raises(ValueError, match="iterable of records"):
        check_partition({"text": "one post"})


def test_defaults_fill_what_a_record_does_not_say() -> None:
    part = check_partition([{"text": "Morgenmad på altanen"}],
                           defaults={"platform": "tiktok", "creator": "ida"})
    assert (part.rows[0]["platform"], part.rows[0]["creator"]) == ("tiktok", "ida")
