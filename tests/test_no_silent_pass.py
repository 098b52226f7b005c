"""A run that checks nothing never passes: columns we do not know, a --map or --input-format that
fits nothing, and library keywords nothing reads are errors that say what to do, not a quiet
"no posts" with exit 0. Records that have no text stay counted skips."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import skjult
from skjult.checker import Checker
from skjult.cli import main
from skjult.errors import RuleError
from skjult.items import NO_TEXT, Opened, Skip, Unreadable
from skjult.model import Post
from skjult.readers.base import ReadOptions
from skjult.readers.detect import read_path
from skjult.readers.generic import HOLD_SKIPS

UNLABELLED = "Tak til @havkajak for den nye pagaj, brug koden HAV15 på deres side"
PLAIN = "Morgentur på fjorden, stille vand og tåge over engene"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``skjult check`` (in English, quotes as "...")."""
    result = CliRunner().invoke(main, ["check", "--no-config", "--no-progress", "--lang", "en",
                                       *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr.replace("»", '"').replace("«", '"')


def report_of(*args: str, stdin: str | None = None) -> tuple[int, dict[str, Any], str]:
    """The JSON report of a run, with read = checked + skipped checked for every file."""
    code, out, err = run(*args, "--format", "json", stdin=stdin)
    assert "Traceback" not in err and "internal error" not in err, err
    report = json.loads(out)
    for name, totals in report["files"].items():
        assert totals["read"] == totals["checked"] + totals["skipped"], (name, totals)
    totals = report["totals"]
    assert totals["read"] == totals["checked"] + totals["skipped"]
    return code, report, err


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def jsonl(*records: Any) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# -- 1. columns and keys we do not know -------------------------------------------------------------
def test_csv_without_a_caption_column_is_unreadable_and_names_the_map(tmp_path: Path) -> None:
    path = write(tmp_path / "eksport.csv", f"Profil;Tekst;Dato\nkaja.ror;{UNLABELLED};2025-06-01\n"
                 f"kaja.ror;{PLAIN};2025-06-02\n")
    code, report, err = report_of(str(path))
    assert code == 2
    message = ("no caption column (columns: Profil, Tekst, Dato); "
               "try --map caption=Tekst --map creator=Profil")
    assert f"{path}: {message}" in err
    assert report["files"][str(path)]["error"] == message
    assert report["files"][str(path)]["read"] == 0 and report["posts"] == []
    assert report["totals"]["unreadable_files"] == 1
    # ... and the suggestion works
    code, report, _ = report_of(str(path), "--map", "caption=Tekst", "--map", "creator=Profil")
    assert code == 1 and report["totals"]["checked"] == 2
    assert {p["creator"] for p in report["posts"]} == {"kaja.ror"}


def test_capitalised_columns_from_excel_are_recognised(tmp_path: Path) -> None:
    # Excel's capitals, a BOM before the first name and spaces around the second
    path = write(tmp_path / "opslag.csv", f"\ufeffCreator; CAPTION ;Paid_Partnership\n"
                 f"mira;{UNLABELLED};nej\nmira;{PLAIN};ja\n", "utf-8")
    code, report, _ = report_of(str(path))
    assert code == 1
    assert [p["creator"] for p in report["posts"]] == ["mira", "mira"]
    assert report["posts"][0]["caption"] == UNLABELLED
    assert report["posts"][0]["verdict"] == "violation"
    # the flag column was found too: the plain caption is commercial by its flag alone
    assert report["posts"][1]["commercial"]["level"] == "hard"


def test_json_keys_are_matched_whatever_their_case(tmp_path: Path) -> None:
    path = write(tmp_path / "opslag.jsonl", jsonl({"Caption": UNLABELLED, "UserName": "ola"},
                                                  {"TEXT": PLAIN, "Author": "ola"}))
    code, report, _ = report_of(str(path))
    assert code == 1 and report["totals"]["checked"] == 2
    assert [p["creator"] for p in report["posts"]] == ["ola", "ola"]


def test_the_suggestion_comes_from_the_values_not_from_a_list_of_names(tmp_path: Path) -> None:
    path = write(tmp_path / "udtræk.csv",
                 "Kolonne1,Felt B,Kolonne3,Felt D\n"
                 f"1001,@sol.og.saft,2025-03-04,\"{UNLABELLED}\"\n"
                 f"1002,@sol.og.saft,2025-03-05,\"{PLAIN}\"\n")
    code, _, err = run(str(path))
    assert code == 2
    assert ("no caption column (columns: Kolonne1, Felt B, Kolonne3, Felt D); "
            "try --map 'caption=Felt D' --map 'creator=Felt B'") in err


def test_no_suggestion_when_no_column_holds_text(tmp_path: Path) -> None:
    path = write(tmp_path / "tal.csv", "Uge,Visninger,Likes\n12,4500,310\n13,5200,290\n")
    code, _, err = run(str(path))
    assert code == 2
    assert "no caption column (columns: Uge, Visninger, Likes); name the caption column with " \
           "--map caption=COLUMN" in err


def test_jsonl_without_a_caption_field_in_any_record(tmp_path: Path) -> None:
    records = [{"konto": "bo.bager", "indhold": UNLABELLED, "likes": 40},
               {"konto": "bo.bager", "indhold": PLAIN, "likes": 12}]
    path = write(tmp_path / "bo.jsonl", jsonl(*records))
    code, report, err = report_of(str(path))
    assert code == 2
    message = ("no caption field in any record (keys: konto, indhold, likes); "
               "try --map caption=indhold --map creator=konto")
    assert f"{path}: {message}" in err
    assert report["files"][str(path)] == {**report["files"][str(path)], "read": 0, "skipped": 0,
                                          "error": message}
    assert "skipped" not in err  # one line for the file, not one per record


def test_json_array_and_stdin_without_a_caption_field(tmp_path: Path) -> None:
    path = write(tmp_path / "eksport.json", json.dumps({"items": [{"besked": UNLABELLED}]}))
    code, _, err = run(str(path))
    assert code == 2 and "no caption field in any record (keys: besked); try --map " \
                         "caption=besked" in err
    code, _, err = run("-", stdin=jsonl({"besked": UNLABELLED}))
    assert code == 2 and "<stdin>: no caption field in any record (keys: besked)" in err


def test_records_that_only_sometimes_lack_a_caption_are_skipped_one_by_one(tmp_path: Path) -> None:
    path = write(tmp_path / "blandet.jsonl", jsonl({"note": "intern"}, {"caption": UNLABELLED},
                                                   {"billede": "a.jpg"}, {"caption": PLAIN}))
    code, report, err = report_of(str(path))
    assert code == 1
    totals = report["files"][str(path)]
    assert (totals["read"], totals["checked"], totals["skipped"]) == (4, 2, 2)
    assert totals["error"] is None
    assert [s["position"] for s in report["skips"]] == ["line 1", "line 3"]  # in file order
    assert "no caption field" in err


def test_records_without_text_stay_no_text_skips(tmp_path: Path) -> None:
    # a caption field that is empty is a photo without a caption, not a column we do not know
    path = write(tmp_path / "fotos.jsonl", jsonl({"caption": "", "creator": "ib"},
                                                 {"caption": None, "creator": "ib"}))
    csv_path = write(tmp_path / "fotos.csv", "Caption,Creator\n,ib\n,ib\n")
    other = write(tmp_path / "tekst.jsonl", jsonl({"caption": PLAIN}))  # so the run checks one
    code, report, _ = report_of(str(path), str(csv_path), str(other))
    assert code == 0
    for name in (path, csv_path):
        assert report["files"][str(name)]["no_text"] == 2
        assert report["files"][str(name)]["error"] is None
    assert report["totals"]["unreadable_files"] == 0
    assert {s["kind"] for s in report["skips"]} == {NO_TEXT}


def test_a_platform_export_without_captions_is_not_unreadable(tmp_path: Path) -> None:
    export = Path(__file__).parent / "fixtures" / "exports" / "tiktok-empty"
    items = [i for i in read_path(str(export), ReadOptions(), "tiktok")
             if isinstance(i, Skip | Unreadable | Post)]
    assert items and all(isinstance(i, Skip) and i.kind == NO_TEXT for i in items), items
    other = write(tmp_path / "tekst.jsonl", jsonl({"caption": PLAIN}))  # so the run checks one
    for extra in ((), ("--input-format", "tiktok")):
        code, report, _ = report_of(str(export), *extra)
        assert report["totals"]["unreadable_files"] == 0, extra
        assert report["totals"]["no_text"] == report["totals"]["read"] > 0
    code, report, _ = report_of(str(export), str(other))
    assert code == 0 and report["totals"]["unreadable_files"] == 0


def test_many_records_without_a_caption_field_still_fail_and_add_up(tmp_path: Path) -> None:
    # more than are held back: they are let through as skips, and the file still fails
    path = write(tmp_path / "stor.jsonl", jsonl(*({"n": i} for i in range(HOLD_SKIPS + 5))))
    items = list(read_path(str(path)))
    skips = [i for i in items if isinstance(i, Skip)]
    assert len(skips) == HOLD_SKIPS + 5
    assert isinstance(items[-1], Unreadable) and "no caption field in any record" in items[-1].message


# -- 2. a --map or --input-format that fits nothing ------------------------------------------------
def test_map_naming_a_column_that_is_not_there(tmp_path: Path) -> None:
    path = write(tmp_path / "eksport.csv", f"Profil;Tekst\nkaja.ror;{UNLABELLED}\n")
    code, report, err = report_of(str(path), "--map", "caption=Tkst")
    assert code == 2
    message = '--map caption=Tkst: no such column (columns: Profil, Tekst); did you mean "Tekst"?'
    assert f"{path}: {message}" in err
    assert report["files"][str(path)]["read"] == 0
    code, _, err = run(str(path), "--map", "caption=Tekst", "--map", "creator=Profl")
    assert code == 2 and '--map creator=Profl: no such column (columns: Profil, Tekst); did you ' \
                         'mean "Profil"?' in err
    # a column named in another letter case is the same column
    code, report, _ = report_of(str(path), "--map", "caption=tekst", "--map", "creator=PROFIL")
    assert code == 1 and report["posts"][0]["creator"] == "kaja.ror"


def test_map_naming_a_key_no_record_has(tmp_path: Path) -> None:
    path = write(tmp_path / "eksport.jsonl", jsonl({"tekst": UNLABELLED}, {"tekst": PLAIN}))
    code, report, err = report_of(str(path), "--map", "caption=tekts")
    assert code == 2
    assert '--map caption=tekts: no record has this field (keys: tekst); did you mean "tekst"?' \
        in err
    assert report["files"][str(path)]["read"] == 0


def test_map_does_not_apply_to_a_bare_caption_on_stdin() -> None:
    code, report, _ = report_of("-", "--map", "caption=Tekst", stdin=UNLABELLED)
    assert code == 1 and report["posts"][0]["caption"] == UNLABELLED


def test_input_format_that_matches_no_record_of_a_file(tmp_path: Path) -> None:
    path = write(tmp_path / "eksport.csv", f"caption,creator\n\"{UNLABELLED}\",kaja\n")
    code, report, err = report_of(str(path), "--input-format", "instagram")
    assert code == 2
    line = next(x for x in err.splitlines() if str(path) in x)
    assert line.startswith(f"skjult: {path}: --input-format instagram matches no record of this "
                           "file (expected Instagram \"Download your information\" export")
    assert "it looks like csv (leave out --input-format to read it as that)" in line
    assert "first problem: " in line
    assert report["files"][str(path)]["read"] == 0  # its failed records are not counted twice
    # the same file unforced is read
    code, report, _ = report_of(str(path))
    assert code == 1 and report["totals"]["checked"] == 1


@pytest.mark.parametrize("fmt", ["facebook", "tiktok", "youtube-api", "jsonl",
                                 "apify-instagram", "meta-content-library"])
def test_every_forced_format_that_does_not_fit_says_so(tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path / "mine.csv", f"Tekst;Profil\n{UNLABELLED};kaja\n")
    items = [i for i in read_path(str(path), ReadOptions(), fmt) if not isinstance(i, Opened)]
    assert len(items) == 1 and isinstance(items[0], Unreadable), items
    assert f"--input-format {fmt} matches no record of this file" in items[0].message


def test_input_format_on_a_folder_with_nothing_of_it(tmp_path: Path) -> None:
    folder = tmp_path / "kampagne"
    folder.mkdir()
    write(folder / "opslag.csv", f"caption\n\"{UNLABELLED}\"\n")
    code, _, err = run(str(folder), "--input-format", "facebook")
    assert code == 2
    assert f"{folder}: --input-format facebook matches no record of this folder" in err
    code, _, err = run(str(folder), "--input-format", "csv", "--format", "json")
    assert code == 1, err  # a format that fits is read as before


def test_forced_csv_on_json_says_it_is_json(tmp_path: Path) -> None:
    path = write(tmp_path / "opslag.txt", jsonl({"caption": UNLABELLED}))
    code, _, err = run(str(path), "--input-format", "csv")
    assert code == 2 and "the first line is JSON, not a CSV header" in err


# -- 3. the library ---------------------------------------------------------------------------------
def test_misspelt_keyword_is_a_type_error_with_a_suggestion() -> None:
    with pytest.raises(TypeError) as info:
        skjult.check(PLAIN, paid_partnersip=True)
    message = str(info.value)
    assert "'paid_partnersip'" in message and 'did you mean "paid_partnership"?' in message
    assert "accepts creator, platform, id, url, created_at, source, paid_partnership, audience, " \
           "brand" in message
    with pytest.raises(TypeError, match="'hashtags'"):
        skjult.check(PLAIN, hashtags=["#fjord"])


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"audience": "kids"}, "audience must be one of 'minors', 'adults'"),
    ({"paid_partnership": "ja"}, "paid_partnership must be True or False"),
    ({"paid_partnership": 1}, "paid_partnership must be True or False"),
    ({"lang": "de"}, "lang must be 'da' or 'en'"),
    ({"jurisdiction": "dkk"}, "no rule pack 'dkk' (did you mean \"dk\"?)"),
    ({"jurisdiction": 45}, "jurisdiction must be the name of a rule pack"),
    ({"creator": 42}, "creator must be text"),
    ({"platform": ["instagram"]}, "platform must be text"),
    ({"brand": {"name": "havkajak"}}, "brand must be text"),
    ({"created_at": 1700000000.5}, "created_at must be text"),
    ({"id": True}, "id must be text"),
])
def test_bad_values_are_value_errors(kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError) as info:
        skjult.check(UNLABELLED, **kwargs)
    assert words in str(info.value)


def test_caption_that_is_not_text() -> None:
    with pytest.raises(ValueError, match="caption must be text"):
        skjult.check(None)  # type: ignore[arg-type]


def test_accepted_keywords_reach_the_post() -> None:
    result = skjult.check(PLAIN, creator="ib", platform="tiktok", paid_partnership=True,
                          audience="minors", brand="Havkajak", id=17, url="https://x.dk/p/17",
                          created_at=dt.date(2025, 5, 1))
    post = result.post
    assert (post.creator, post.platform, post.id, post.url, post.created_at) == (
        "ib", "tiktok", "17", "https://x.dk/p/17", "2025-05-01")
    assert post.meta.stated() == {"paid_partnership": True, "audience": "minors", "brand": "Havkajak"}
    assert result.commercial.level.label == "hard"  # the flag was read
    assert result.advertiser == "Havkajak"
    # None is "not given", as the signature's defaults are
    assert skjult.check(PLAIN, audience=None, paid_partnership=None).post.meta.stated() == {}


def test_checker_check_keywords() -> None:
    checker = Checker("dk")
    with pytest.raises(TypeError, match="jurisdiction is chosen when the Checker is built"):
        checker.check(PLAIN, jurisdiction="uk")
    with pytest.raises(TypeError, match='did you mean "audience"'):
        checker.check(PLAIN, audiense="minors")
    with pytest.raises(TypeError, match="takes no keywords with a Post"):
        checker.check(Post(text=PLAIN), creator="ib")
    assert checker.check(Post(text=PLAIN, creator="ib")).post.creator == "ib"


def test_checker_and_check_posts_settings(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lang must be 'da' or 'en', not 'sv'"):
        Checker("dk", lang="sv")
    for call in (lambda: Checker("xx"), lambda: skjult.check_posts([], jurisdiction="xx")):
        with pytest.raises(ValueError, match="no rule pack 'xx'") as info:
            call()
        assert isinstance(info.value, RuleError)  # the command line reports it as before
    with pytest.raises(ValueError, match="extra_packs is a list of pack folders"):
        Checker("dk", extra_packs=str(tmp_path))
    with pytest.raises(ValueError, match="lang must be"):
        skjult.check_posts([{"caption": PLAIN}], lang="english")
    with pytest.raises(ValueError, match="posts must be a list"):
        skjult.check_posts({"caption": PLAIN})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="item 1: no caption field"):
        skjult.check_posts([{"caption": PLAIN}, {"tekst": PLAIN}])
    with pytest.raises(ValueError, match="item 0: expected a Post or a dict"):
        skjult.check_posts([PLAIN])  # type: ignore[list-item]
    report = skjult.check_posts([{"Caption": UNLABELLED, "Creator": "ib"}], lang="en")
    assert report.creators["ib"].violations == 1


def test_cli_unknown_jurisdiction_is_still_exit_2() -> None:
    code, _, err = run("-", "--jurisdiction", "xx", stdin=PLAIN)
    assert code == 2 and "no rule pack 'xx'" in err and "Traceback" not in err


def test_skips_of_a_forced_format_that_fits_are_kept(tmp_path: Path) -> None:
    # a generic file read as what it is: its one broken record is still a skip
    path = write(tmp_path / "p.jsonl", jsonl({"caption": UNLABELLED}) + "{broken\n")
    items = [i for i in read_path(str(path), ReadOptions(), "jsonl") if not isinstance(i, Opened)]
    assert [type(i) for i in items] == [Post, Skip]


def test_check_posts_refuses_a_misspelt_field_but_not_other_data() -> None:
    import skjult as library

    with pytest.raises(ValueError, match=r"item 1: unknown key 'paid_partnersip'; did you mean "
                                         r"'paid_partnership'\?"):
        library.check_posts([{"caption": "Kaffe på altanen"},
                             {"caption": "Min nye jakke", "paid_partnersip": True}])
    report = library.check_posts([{"caption": "Min nye jakke", "Paid_Partnership": True,
                                   "likes": 4, "row_id": 3, "texts": 2}])
    assert report.verdicts["violation"] == 1
