"""A review of the generic readers: a CSV quote that closes and runs on must not hide rows,
column names as Excel and Danish users write them, the formats' titles said in the run's
language, and Excel's ``sep=;`` first line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skjult.cli import main
from skjult.i18n import localize
from skjult.items import Notice, Opened, Skip
from skjult.model import Post
from skjult.readers.detect import FORMATS, read_path
from skjult.readers.records import fold

UNLABELLED = "Tak for gaven @brand"
LABELLED = "Reklame for @x | hej"


def run(*args: str, lang: str = "en") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--no-config", "--no-progress", "--lang", lang]
                                if args[0] == "check" else list(args))
    return result.exit_code, result.stdout, result.stderr


def report_of(*args: str, lang: str = "en") -> tuple[int, dict[str, Any], str]:
    code, out, err = run("check", *args, "--format", "json", lang=lang)
    assert "Traceback" not in err and "internal error" not in err, err
    report = json.loads(out)
    for name, totals in report["files"].items():
        assert totals["read"] == totals["checked"] + totals["skipped"], (name, totals)
    return code, report, err


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def items(path: Path) -> list[Any]:
    return [i for i in read_path(str(path)) if not isinstance(i, Opened)]


# -- 1. a quote that closes and is followed by other text -------------------------------------------
def test_closing_quote_followed_by_text_does_not_swallow_the_rows_after_it(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", f'creator,caption\na,"{UNLABELLED}\nb,hej\nc,{LABELLED}\n'
                                     'd,"ok"\n')
    code, report, err = report_of(str(path))
    totals = report["files"][str(path)]
    assert (totals["read"], totals["checked"], totals["skipped"]) == (4, 3, 1)
    assert [p["creator"] for p in report["posts"]] == ["b", "c", "d"]
    assert [p["caption"] for p in report["posts"]] == ["hej", LABELLED, "ok"]
    [skip] = report["skips"]
    assert skip["position"] == "line 2"
    assert skip["reason"] == ('a quote opened here closes on line 5 and is followed by other text, '
                              'not "," or the end of the line; the lines after it are read again')
    assert f'{path}:line 2: a quote opened here closes on line 5' in err
    assert code == 0
    strict, _, _ = report_of(str(path), "--strict")
    assert strict == 2  # the lost row fails --strict


def test_the_rows_read_again_keep_their_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", 'caption;creator\n"Tak for gaven;a\nHej;b\nKaffe;c\n"ok"x;d\n'
                                     "Te;e\n")
    got = items(path)
    assert [type(i).__name__ for i in got] == ["Skip", "Post", "Post", "Skip", "Post"]
    assert [i.source.rsplit(":", 1)[1] for i in got if isinstance(i, Post)] == \
        ["line 3", "line 4", "line 6"]
    assert got[0].position == "line 2" and '";"' in got[0].reason
    # the last line of the swallowed ones is read again and is wrong on its own too
    assert got[3].position == "line 5"
    assert got[3].reason == ('a closing quote is followed by other text, not ";" or the end of '
                             "the line")


def test_legit_multi_line_captions_and_escaped_quotes_still_read(tmp_path: Path) -> None:
    path = write(tmp_path / "ok.csv", 'creator,caption\r\nanne,"Tak for gaven\r\n@brand ""sko"""\r\n'
                                      'bo,"Hej, med ""dig"""\r\n')
    got = items(path)
    assert all(isinstance(i, Post) for i in got)
    assert [i.text for i in got] == ['Tak for gaven\r\n@brand "sko"', 'Hej, med "dig"']
    assert got[1].source.endswith("line 4")


def test_quote_never_closed_on_the_last_line_is_a_skip_not_a_caption(tmp_path: Path) -> None:
    path = write(tmp_path / "end.csv", f'caption,creator\nHej,bo\n"{UNLABELLED},anne\n')
    got = items(path)
    assert isinstance(got[0], Post) and isinstance(got[1], Skip)
    assert (got[1].position, got[1].reason) == ("line 3", "a quote opened here is never closed")


def test_a_quoted_field_past_the_csv_field_limit_gives_its_lines_back(tmp_path: Path) -> None:
    # 400 lines of 500 characters after a stray quote: the field outgrows the csv module's
    # limit (131,072) long before the 1,000-line limit; those lines must not be lost
    rows = ["caption,creator", '"stray quote,c'] + [f"{'x' * 500} {i},c{i}" for i in range(400)]
    path = write(tmp_path / "long.csv", "\n".join(rows) + "\n")
    got = items(path)
    skips = [i for i in got if isinstance(i, Skip)]
    assert len(got) == 401 and len(skips) == 1 and skips[0].position == "line 2"
    assert "the lines after this one are read again" in skips[0].reason


# -- 2. column names --------------------------------------------------------------------------------
@pytest.mark.parametrize("column", ["Paid Partnership", "paid-partnership", "PAID  PARTNERSHIP",
                                    "Betalt partnerskab", "betalt-partnerskab"])
def test_partnership_column_spelled_as_excel_or_in_danish(tmp_path: Path, column: str) -> None:
    path = write(tmp_path / "p.csv", f"creator;caption;{column}\nmira;Min nye jakke;ja\n")
    code, report, err = report_of(str(path))
    [post] = report["posts"]
    assert post["commercial"]["level"] == "hard"  # the flag alone makes it commercial
    assert code == 1 and "not used" not in err
    assert not report.get("notices")


def test_json_keys_with_spaces_and_hyphens(tmp_path: Path) -> None:
    path = write(tmp_path / "p.jsonl", json.dumps({"Creator": "mira", "Caption": "Min nye jakke",
                                                   "paid-partnership": "ja"}) + "\n")
    _, report, _ = report_of(str(path))
    assert report["posts"][0]["commercial"]["level"] == "hard"


def test_fold_counts_spaces_and_hyphens_as_underscores() -> None:
    assert fold(" \ufeffPaid  Partnership ") == fold("paid-partnership") == "paid_partnership"
    assert fold("Betalt partnerskab") == "betalt_partnerskab"


def test_tekst_is_still_not_a_caption_column(tmp_path: Path) -> None:
    path = write(tmp_path / "eksport.csv", f"Profil;Tekst;Dato\nkaja;{UNLABELLED};2025-06-01\n")
    code, _, err = run("check", str(path))
    assert code == 2
    assert "no caption column (columns: Profil, Tekst, Dato); try --map caption=Tekst " \
           "--map creator=Profil" in err


def test_columns_no_field_reads_are_named_once_per_file(tmp_path: Path) -> None:
    rows = "".join(f"anne,{UNLABELLED} {i},{i},{i * 10}\n" for i in range(5))
    path = write(tmp_path / "n.csv", f"creator,caption,Likes,Visninger\n{rows}")
    code, report, err = report_of(str(path))
    assert code == 1  # a note does not change the exit code
    assert report["notices"] == [{"file": str(path), "message": "columns not used: Likes, Visninger"}]
    assert err.count("columns not used") == 1
    _, _, err = run("check", str(path), lang="da")
    assert f"{path}: kolonner, der ikke bruges: Likes, Visninger" in err
    # a column --map names is read
    _, report, _ = report_of(str(path), "--map", "id=Likes")
    assert report["notices"][0]["message"] == "columns not used: Visninger"


def test_many_unused_columns_are_listed_short(tmp_path: Path) -> None:
    extra = [f"k{i}" for i in range(25)]
    path = write(tmp_path / "wide.csv", ",".join(["caption", *extra]) + "\n"
                 + ",".join(["hej", *"x" * 25]) + "\n")
    [notice] = [i for i in items(path) if isinstance(i, Notice)]
    assert notice.message.startswith("columns not used: k0, k1,")
    assert notice.message.endswith("k19, … (25 in all)")


def test_json_keys_no_field_reads_are_named_once_per_file(tmp_path: Path) -> None:
    records = [{"caption": f"hej {i}", "creator": "a", "likes": i} for i in range(3)]
    records.append({"caption": "hej", "shares": 2})
    records.append({"views": 7})  # skipped (no caption): its keys are in the skip, not the note
    path = write(tmp_path / "k.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    notices = [i for i in items(path) if isinstance(i, Notice)]
    assert [n.message for n in notices] == ["keys not used: likes, shares"]
    assert localize(notices[0].message, "da") == "nøgler, der ikke bruges: likes, shares"


def test_platform_exports_get_no_unused_columns_note(tmp_path: Path) -> None:
    path = write(tmp_path / "dataset.csv", "ownerUsername,caption,shortCode,likesCount,"
                                           "commentsCount,videoViewCount\n"
                                           f"anne,{UNLABELLED},C1,3,4,5\n")
    got = read_path(str(path))
    assert [i.format for i in got if isinstance(i, Opened)] == ["apify-instagram"]
    assert not [i for i in read_path(str(path)) if isinstance(i, Notice)]


# -- 3. the formats' titles in the run's language ---------------------------------------------------
def test_input_format_mismatch_is_said_in_danish(tmp_path: Path) -> None:
    path = write(tmp_path / "p.jsonl", json.dumps({"caption": "hej", "creator": "a"}) + "\n")
    code, _, err = run("check", str(path), "--input-format", "tiktok", lang="da")
    assert code == 2
    assert ("passer ikke til nogen post i filen (forventede TikTok-eksport fra »Download dine "
            "data« (JSON): user_data_tiktok.json (eller user_data.json), alene eller i sin "
            ".zip-fil); det ligner jsonl") in err
    assert "Download your data" not in err and "alone or in" not in err
    code, _, err = run("check", str(path), "--input-format", "instaloader", lang="da")
    assert code == 2 and "instaloader læses fra en mappe eller zip-fil (profilmappen, som " \
        "instaloader skrev, eller en zip-fil af den)" in err
    code, _, err = run("check", str(path), "--input-format", "tiktok", lang="en")
    assert 'expected TikTok "Download your data" export (JSON): user_data_tiktok.json (or ' \
           "user_data.json), alone or in its .zip)" in err


def test_skjult_formats_stays_english() -> None:
    code, out, _ = run("formats")
    assert code == 0
    assert 'TikTok "Download your data" export (JSON)' in out
    assert "hand in: the /media response ({\"data\": [...]}) or one object per line" in out
    listed = json.loads(run("formats", "--json")[1])
    assert {r["name"]: r["title"] for r in listed}["csv"] == FORMATS["csv"].title
    assert "»" not in out


# -- 4. Excel's sep= line ---------------------------------------------------------------------------
@pytest.mark.parametrize("sep", ["sep=;", "\ufeffsep=;", '"sep=;"', "SEP=;;"])
def test_sep_line_names_the_delimiter_and_is_not_the_header(tmp_path: Path, sep: str) -> None:
    path = write(tmp_path / "excel.csv", f"{sep}\r\ncaption;creator;note\r\n{UNLABELLED};anne;a, b\r\n"
                                         "Hej;bo\r\nx;y;z;w\r\n")
    got = items(path)
    assert [type(i).__name__ for i in got] == ["Notice", "Post", "Post", "Skip"]
    assert [(i.text, i.creator) for i in got if isinstance(i, Post)] == [(UNLABELLED, "anne"),
                                                                         ("Hej", "bo")]
    assert [i.source.rsplit(":", 1)[1] for i in got if isinstance(i, Post)] == ["line 3", "line 4"]
    assert got[3].position == "line 5"


def test_sep_line_with_a_comma_or_tab_and_in_a_platform_csv(tmp_path: Path) -> None:
    # as many semicolons as commas in the header: without sep=, it would be read by ";"
    path = write(tmp_path / "c.csv", "sep=,\ncaption,creator,a;b;c\nHej; med dig,bo,x\n")
    [post] = [i for i in items(path) if isinstance(i, Post)]
    assert (post.text, post.creator) == ("Hej; med dig", "bo")
    path = write(tmp_path / "t.tsv", "sep=\t\ncaption\tcreator\nHej, med dig\tbo\n")
    [post] = items(path)
    assert (post.text, post.creator) == ("Hej, med dig", "bo")
    # the format is recognised from the header under the sep= line
    path = write(tmp_path / "ct.csv", "sep=,\nPost Created,User Name,Description\n"
                                      f"2025-06-01 10:00:00 CEST,anne,{UNLABELLED}\n")
    got = list(read_path(str(path)))
    assert [i.format for i in got if isinstance(i, Opened)] == ["crowdtangle"]
    assert [i.creator for i in got if isinstance(i, Post)] == ["anne"]
