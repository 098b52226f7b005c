"""`skjult eval` on labelled posts, and the rule commands' machine output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from skjult.cli import main

# Our own labelled captions, in the corpus layout.
LABELLED = [
    {"id": "e1", "caption": "Reklame for @cykelsmeden | ny kæde på racercyklen", "expect": ["compliant"]},
    {"id": "e2", "caption": "Brug koden HJUL20 hos @cykelsmeden", "expect": ["violation"],
     "cats": ["label-missing"]},
    {"id": "e3", "caption": "Regnvejr over Aalborg igen", "expect": ["not_commercial"]},
    # labelled wrongly on purpose: the tool says violation, the label says compliant
    {"id": "e4", "caption": "Tak til @cykelsmeden for den nye cykel", "expect": ["compliant"]},
    {"id": "e5", "caption": "Fik tilsendt hjelm fra @hjelmhuset #spons", "expect": ["warning", "violation"],
     "cats": ["label-weak", "product-tobacco"]},
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def jsonl(path: Path, records: list[dict[str, object]], extra: str = "") -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records) + extra,
                    encoding="utf-8")
    return path


def labelled_file(tmp_path: Path, extra: str = "") -> Path:
    return jsonl(tmp_path / "labelled.jsonl", LABELLED, extra)


def test_eval_scores_verdicts_and_categories(tmp_path: Path) -> None:
    code, out, err = run("eval", str(labelled_file(tmp_path, "{broken\n")), "--json", "--no-config")
    assert code == 0
    result = json.loads(out)
    assert result["records"] == 5 and result["skipped"] == 1
    assert "line 6" in err
    assert result["accuracy"] == 4 / 5
    # called violation: e2, e4, e5; right where violation is accepted: e2, e5
    assert result["violation"] == {"precision": 2 / 3, "recall": 1.0, "called": 3, "must": 1}
    assert result["confusion"]["compliant"]["violation"] == 1
    assert result["confusion"]["violation"]["violation"] == 2
    assert result["categories"]["label-weak"]["recall"] == 1.0
    assert result["categories"]["product-tobacco"]["recall"] == 0.0
    assert [m["id"] for m in result["misses"]] == ["e4", "e5"]
    assert result["misses"][1]["missing_categories"] == ["product-tobacco"]


def test_eval_text_output(tmp_path: Path) -> None:
    code, out, _ = run("eval", str(labelled_file(tmp_path)), "--no-config")
    assert code == 0
    assert "accuracy       80.0 %  (4/5 verdicts accepted)" in out
    assert "confusion (rows: expected, columns: got)" in out
    assert "e4: expected compliant, got violation" in out


def test_eval_unknown_jurisdiction_is_a_skip_and_missing_file_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    path.write_text(json.dumps({"caption": "Hej", "expect": ["not_commercial"],
                                "jurisdiction": "zz"}) + "\n", encoding="utf-8")
    code, _, err = run("eval", str(path), "--no-config")
    assert code == 2 and "jurisdiction zz" in err and "no labelled record" in err
    code, _, err = run("eval", str(tmp_path / "nope.jsonl"), "--no-config")
    assert code == 2 and "nope.jsonl" in err and "Traceback" not in err


def test_rules_explain_shows_both_languages_source_and_examples() -> None:
    code, out, _ = run("rules", "explain", "dk.gambling-safety", "--json", "--no-config")
    assert code == 0
    info = json.loads(out)
    assert info["message"]["da"] and info["message"]["en"]
    assert info["source"].startswith("https://")
    assert info["examples"]["triggers_on"] and info["examples"]["quiet_on"]
    code, _, err = run("rules", "explain", "dk.gambling-safty", "--no-config")
    assert code == 2 and 'did you mean "dk.gambling-safety"?' in err


def test_rules_test_json_and_confusion_table(tmp_path: Path) -> None:
    code, out, _ = run("rules", "test", "--json", "--no-config")
    assert code == 0
    data = json.loads(out)
    assert data["failed"] == 0 and data["totals"]["fp"] == 0 and data["totals"]["tp"] > 0
    code, out, _ = run("rules", "test", "--no-config")
    assert "TP  FP  FN  TN" in out and "total" in out


def test_rules_test_fails_a_user_pack_rule_without_ok_case(user_pack: Callable[..., Path]) -> None:
    pack = user_pack("ours", {
        "rules/sp.yml": "id: ours.sp\nkind: existence\ncategory: label-weak\nseverity: error\n"
                        "termsets: [dk.label-rejected]\nmessage: {da: nej, en: never}\n"
                        "source: https://example.org/x\n",
        "rules/sp.test.txt": "// ruleid: ours.sp\nNye bukser #spons\n",
    })
    code, out, _ = run("rules", "test", str(pack), "--no-config")
    assert code == 1
    assert "✖ ours.sp" in out and "no '// ok:' caption" in out
    assert "dk.label-missing" not in out  # only the rules under the given path


def test_eval_scores_groups_commercial_calls_and_disclosures(tmp_path: Path) -> None:
    records = [
        {"id": "g1", "group": "gifts", "caption": "Tak til @cykelsmeden for den nye cykel",
         "expect": ["violation"]},
        {"id": "g2", "group": "gifts", "caption": "Gave fra mormor 💝", "expect": ["not_commercial"]},
        {"id": "g3", "group": "quiet", "caption": "Regnvejr igen", "expect": ["not_commercial"]},
        {"id": "g4", "group": "quiet", "caption": "Ny cykel fra @cykelsmeden 🚲 link i bio",
         "expect": ["not_commercial"]},  # called commercial (two weak cues): a false alarm
        {"id": "s1", "group": "sentences", "caption": "Jeg får en lille provision via linkene",
         "disclosed": True},
        {"id": "s2", "group": "sentences", "caption": "Alle links står nedenfor", "disclosed": False},
    ]
    path = jsonl(tmp_path / "groups.jsonl", records)
    code, out, _ = run("eval", str(path), "--json", "--no-config")
    assert code == 0
    result = json.loads(out)
    assert result["commercial"]["recall"] == 1.0 and result["commercial"]["false_alarms"] == 1 / 3
    assert result["disclosure"] == {"recognised": 1.0, "false": 0.0, "disclosing": 1, "quiet": 1}
    assert result["groups"]["gifts"]["accuracy"] == 1.0
    assert result["groups"]["quiet"]["commercial"]["false_alarms"] == 0.5
    assert result["groups"]["sentences"]["records"] == 0  # no verdicts expected there
    code, out, _ = run("eval", str(path), "--no-config")
    assert "per group" in out and "false alarms" in out and "disclosed" in out
    assert "g4 [quiet]: expected not_commercial, got warning" in out


def test_eval_counts_every_record_and_reads_metadata_as_check_does(tmp_path: Path) -> None:
    records = [
        {"id": "m1", "caption": "Min nye jakke 🍂", "expect": ["not_commercial"],
         "meta": {"paid_partnership": "false"}},  # a string "false" is false, as in check
        {"id": "m2", "caption": "Alle links står nedenfor", "disclosed": False},
        {"id": "m3", "caption": "Hej", "expect": ["not_commercial"], "group": ["a", "b"]},
    ]
    path = jsonl(tmp_path / "mixed.jsonl", records)
    code, out, err = run("eval", str(path), "--json", "--no-config")
    assert code == 0
    result = json.loads(out)
    assert result["records"] == 2 and result["skipped"] == 1  # m3: a group is a name
    assert result["accuracy"] == 1.0
    assert "group must be a name" in err
