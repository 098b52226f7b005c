"""skjult.toml / [tool.skjult]: discovery, precedence, validation with file and line, and each
setting at work (select/ignore, severities, folds, brands, campaign, audiences, suppressions)."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from skjult.checker import Checker
from skjult.cli import main
from skjult.config import Config, ConfigError, Suppression, find_config, load_config
from skjult.errors import RuleError
from skjult.model import Severity, Strength, Verdict
from skjult.rules.pack import available_packs


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    if cwd is None:
        result = runner.invoke(main, list(args))
    else:
        with runner.isolated_filesystem(temp_dir=cwd):
            result = runner.invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# -- discovery and precedence -----------------------------------------------------------------

def test_nearest_configuration_above_the_checked_file_wins(tmp_path: Path) -> None:
    write(tmp_path / "skjult.toml", 'lang = "en"\n')
    write(tmp_path / "team" / "pyproject.toml", '[project]\nname = "x"\n\n[tool.skjult]\nlang = "da"\n')
    deep = tmp_path / "team" / "drafts" / "post.txt"
    write(deep, "Hej")
    assert find_config(deep) == (tmp_path / "team" / "pyproject.toml").resolve()
    assert find_config(tmp_path / "other.txt") == (tmp_path / "skjult.toml").resolve()


def test_pyproject_without_tool_table_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path / "skjult.toml", 'lang = "en"\n')
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path / "sub" / "a.txt") == (tmp_path / "skjult.toml").resolve()


def test_skjult_toml_beats_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.skjult]\nlang = "da"\n')
    write(tmp_path / "skjult.toml", 'lang = "en"\n')
    assert find_config(tmp_path) == (tmp_path / "skjult.toml").resolve()


def test_command_line_beats_configuration_and_config_flag_beats_discovery(tmp_path: Path) -> None:
    posts = write(tmp_path / "posts.jsonl", json.dumps({"caption": "Tak for gaven @tehuset"}) + "\n")
    write(tmp_path / "skjult.toml", 'lang = "en"\nfail_level = "never"\n')
    code, out, _ = run("check", str(posts), "--format", "jsonl")
    assert code == 0  # fail_level from the file
    assert "advertisement" in json.loads(out)["findings"][0]["message"]  # English from the file
    code, out, _ = run("check", str(posts), "--format", "jsonl", "--lang", "da", "--fail-level", "error")
    assert code == 1
    assert "reklame" in json.loads(out)["findings"][0]["message"].lower()
    other = write(tmp_path / "elsewhere" / "other.toml", 'ignore = ["label-missing", "label-weak"]\n')
    code, out, _ = run("check", str(posts), "--format", "jsonl", "--config", str(other))
    assert json.loads(out)["findings"] == [] and code == 0
    code, out, _ = run("check", str(posts), "--format", "jsonl", "--no-config")
    assert code == 1


# -- validation ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('lang = "da"\nignor = ["dk.label-weak"]\n', 2, 'did you mean "ignore"?'),
        ('[severity]\n"dk.label-weak" = "fatal"\n', 2, "not one of error, warning, info"),
        ('select = ["labelweak"]\n', 1, 'did you mean "label-weak"?'),
        ('[folds]\ntiktok = -3\n', 2, "positive number"),
        ('[creators.anna]\naudience = "kids"\n', 2, "not one of minors, adults"),
        ('[[suppress]]\nrule = "dk.label-weak"\ncreator = "anna"\n', 1, "needs a reason"),
        ('lang = "da"\n\n[[suppress]]\nrule = "dk.x"\nreason = "r"\n', 3, "needs a creator, a post"),
        ('[[suppress]]\nrule = "dk.label-weak"\ncreator = "a"\nreason = "r"\nexpires = "soon"\n', 1,
         "not a date"),
        ('lang = "da"\njurisdiction = \n', 2, "invalid TOML"),
        ('[brands]\nname = ["Acme"]\n', 2, 'did you mean "names"?'),
        ('lang = "da"\njurisdiction = "uq"\n', 2, "'uq' is not one of dk, uk, us"),
    ],
)
def test_bad_settings_name_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path / "skjult.toml", text)
    with pytest.raises(ConfigError) as err:
        load_config(path, available_packs())  # the jurisdictions there are, as the CLI hands them
    assert err.value.file == str(path)
    assert err.value.line == line
    assert words in str(err.value)


def test_bad_setting_in_pyproject_points_into_it(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.skjult]\nlagn = "da"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.line == 5 and 'did you mean "lang"?' in str(err.value)


def test_bad_configuration_is_exit_2_with_one_line(tmp_path: Path) -> None:
    posts = write(tmp_path / "posts.jsonl", json.dumps({"caption": "Hej"}) + "\n")
    write(tmp_path / "skjult.toml", "[severity]\n'dk.label-weak' = 'loud'\n")
    code, _, err = run("check", str(posts))
    assert code == 2
    assert err.strip().count("\n") == 0 and "skjult.toml:2" in err and "Traceback" not in err


def test_missing_pack_folder_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "skjult.toml", 'packs = ["./no-such-pack"]\n')
    with pytest.raises(ConfigError, match="no such folder"):
        load_config(path)


# -- settings at work ------------------------------------------------------------------------

def test_select_ignore_and_severity_by_id_category_and_glob(tmp_path: Path) -> None:
    ids = {r.id for r in Checker(config=Config(select=("dk.label-*",))).rules}
    assert ids and all(i.startswith("dk.label-") for i in ids)
    ids = {r.id for r in Checker(config=Config(ignore=("minors", "dk.tobacco"))).rules}
    assert "dk.tobacco" not in ids and "dk.minors-weak-label" not in ids and "dk.label-missing" in ids
    tuned = Checker(config=Config(severity={"label-weak": Severity.INFO,
                                            "dk.label-weak": Severity.ERROR}))
    severities = {r.id: r.severity for r in tuned.rules}
    assert severities["dk.label-weak"] is Severity.ERROR  # the exact id wins over the category


def test_fold_lengths_per_platform(tmp_path: Path) -> None:
    caption = "Sommerens bedste kjoler til stranden og byen. " * 3 + "Reklame for @kjolehuset."
    default = Checker().check(caption, platform="facebook")
    assert "dk.label-placement" not in {f.rule for f in default.findings}  # 250 chars on Facebook
    short = Checker(config=Config(folds={"facebook": load_config_fold(tmp_path)}))
    assert "dk.label-placement" in {f.rule for f in short.check(caption, platform="facebook").findings}


def load_config_fold(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = load_config(write(tmp_path / "skjult.toml", "[folds]\nfacebook = 60\n"))
    return config.folds["facebook"]


def test_brand_list_counts_as_advertiser_and_names_it(tmp_path: Path) -> None:
    checker = Checker(config=Config(brands=("Lysfabrikken", "Nordlys Kaffe")))
    plain = Checker()
    caption = "Min morgen starter altid med en kop fra Nordlys Kaffe ☕"
    assert plain.check(caption).verdict is Verdict.NOT_COMMERCIAL
    result = checker.check(caption)
    assert result.commercial.level is Strength.STRONG and result.verdict is Verdict.VIOLATION
    labelled = checker.check("Reklame for Lysfabrikken: nye lamper i stuen")
    assert labelled.verdict is Verdict.COMPLIANT
    assert labelled.advertiser == "Lysfabrikken"


def test_campaign_manifest_makes_a_post_certainly_commercial(tmp_path: Path) -> None:
    write(tmp_path / "campaign.txt", "# spring campaign\nhttps://www.instagram.com/p/Xy12/\n")
    config = load_config(write(tmp_path / "skjult.toml", """
        [campaign]
        posts = ["ig-4711"]
        files = ["campaign.txt"]
    """))
    checker = Checker(config=config)
    by_url = checker.check("Dejlig gåtur i skoven", url="http://instagram.com/p/Xy12?igsh=abc")
    assert by_url.commercial.level is Strength.HARD and by_url.verdict is Verdict.VIOLATION
    assert any(s.termset == "config.campaign" for s in by_url.commercial.signals)
    assert checker.check("Dejlig gåtur i skoven", id="ig-4711").verdict is Verdict.VIOLATION
    assert checker.check("Dejlig gåtur i skoven", id="ig-9").verdict is Verdict.NOT_COMMERCIAL


def test_creator_audience_from_configuration() -> None:
    caption = "Reklame for @glowbar: tandblegning til hele klassen"
    assert Checker().check(caption, creator="sofie").verdict is Verdict.COMPLIANT
    young = Checker(config=Config(audiences={"sofie": "minors"}))
    result = young.check(caption, creator="sofie")
    assert "minors" in {f.category for f in result.findings}


def test_suppressions_used_unused_and_expired() -> None:
    today = dt.date(2026, 6, 1)
    used = Suppression("dk.label-missing", "Own product, no payment (legal, case 17)", creator="karl")
    unused = Suppression("dk.tobacco", "Retired campaign", creator="karl")
    expired = Suppression("label-missing", "Trial period", post="p-2", expires=dt.date(2026, 5, 31))
    future = Suppression("dk.label-*", "Until the relaunch", post="p-3", expires=dt.date(2026, 6, 1))
    checker = Checker(config=Config(suppressions=(used, unused, expired, future)), today=today)
    caption = "Brug koden KARL15 hos @sokkeriet"
    first = checker.check(caption, creator="karl", id="p-1")
    assert first.verdict is Verdict.COMPLIANT and not first.findings
    assert [s.finding.rule for s in first.suppressed] == ["dk.label-missing"]
    assert first.to_dict()["suppressed"][0]["reason"].startswith("Own product")
    second = checker.check(caption, creator="lone", id="p-2")
    assert second.verdict is Verdict.VIOLATION and not second.suppressed
    third = checker.check(caption, creator="lone", id="p-3")  # expires today: still applies
    assert third.suppressed and not third.findings
    states = {row["rule"]: (row["status"], row["findings"]) for row in checker.ledger.status()}
    assert states == {"dk.label-missing": ("used", 1), "dk.tobacco": ("unused", 0),
                      "label-missing": ("expired", 1), "dk.label-*": ("used", 1)}
    problems = checker.ledger.problems()
    assert len(problems) == 2
    assert any("matched nothing" in p for p in problems)
    assert any("expired on 2026-05-31" in p for p in problems)


def test_suppressions_reported_by_the_command(tmp_path: Path) -> None:
    posts = write(tmp_path / "posts.jsonl", json.dumps(
        {"id": "9", "creator": "karl", "caption": "Brug koden KARL15 hos @sokkeriet"}) + "\n")
    write(tmp_path / "skjult.toml", """
        [[suppress]]
        rule = "dk.label-missing"
        creator = "karl"
        reason = "Own shop; approved by legal"

        [[suppress]]
        rule = "dk.tobacco"
        post = "9"
        reason = "Old"
        expires = 2020-01-01
    """)
    code, out, err = run("check", str(posts), "--format", "json", "--lang", "en")
    assert code == 0
    report = json.loads(out)
    assert report["totals"]["suppressed"] == 1
    _, parallel, _ = run("check", str(posts), "--format", "json", "--jobs", "2")
    assert json.loads(parallel)["suppressions"] == report["suppressions"]  # counted in the parent
    assert [s["status"] for s in report["suppressions"]] == ["used", "expired"]
    assert "skjult.toml:6: suppression of dk.tobacco expired on 2020-01-01" in err
    code, out, _ = run("check", str(posts), "--format", "sarif")
    result = json.loads(out)["runs"][0]["results"][0]
    assert result["suppressions"][0]["justification"] == "Own shop; approved by legal"


def test_extra_pack_from_configuration_may_use_builtin_term_sets(
        tmp_path: Path, user_pack: Callable[..., Path]) -> None:
    user_pack("our", {"rules/no-hashtag-ad.yml": """
        id: our.no-hashtag-ad
        kind: existence
        category: label-weak
        severity: error
        termsets: [dk.label-english]
        when: {commercial: [strong, hard]}
        message: {da: "Brug ikke #ad hos os.", en: "We do not use #ad."}
        source: https://example.org/our-policy
    """})
    config = load_config(write(tmp_path / "skjult.toml", 'packs = ["our"]\n'))
    checker = Checker(config=config)
    result = checker.check("Sponsored post: nye sko fra @skobutikken")
    assert "our.no-hashtag-ad" in {f.rule for f in result.findings}


def test_without_the_known_packs_a_jurisdiction_is_taken_and_checked_when_the_rules_load(
        tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "skjult.toml", 'jurisdiction = "uq"\n'))
    assert config.jurisdiction == "uq"
    with pytest.raises(RuleError, match="no rule pack 'uq'"):
        Checker(config=config)
