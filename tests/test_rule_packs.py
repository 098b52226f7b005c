"""Every rule's annotated captions, one pytest case per rule; and validation of bad packs."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from skjult.authoring.testing import parse_cases, run_file, run_pack_tests
from skjult.checker import Checker
from skjult.cli import main
from skjult.errors import RuleError
from skjult.rules.pack import builtin_pack, builtin_root, load_pack

DK = builtin_pack("dk")
PACKS = ("dk", "uk", "us")
CHECKERS: dict[str, Checker] = {}


def pack_checker(name: str) -> Checker:
    if name not in CHECKERS:
        CHECKERS[name] = Checker(name)
    return CHECKERS[name]


@pytest.mark.parametrize(("pack", "rule_id"),
                         [(p, r.id) for p in PACKS for r in builtin_pack(p).rules])
def test_rule_annotations(pack: str, rule_id: str) -> None:
    rule = builtin_pack(pack).rule(rule_id)
    test_file = Path(rule.file).with_suffix(".test.txt")
    assert test_file.is_file(), f"{rule_id} has no test captions beside it"
    [result] = run_file(pack_checker(pack), test_file, [rule_id])
    assert result.passed, result.to_dict()


def test_every_builtin_pack_is_listed_and_every_rule_has_sources_and_both_languages() -> None:
    from skjult.cli import JURISDICTIONS
    from skjult.rules.pack import available_packs

    assert available_packs() == sorted(PACKS)
    assert ", ".join(PACKS) == JURISDICTIONS
    for name in PACKS:
        for rule in builtin_pack(name).rules:
            assert rule.source.startswith("https://")
            assert rule.message["da"] and rule.message["en"]


def copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "dk"
    shutil.copytree(builtin_root() / "dk", target)
    return target


def write(path: Path, text: str) -> None:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


GOOD_RULE = """
    id: dk.extra-rule
    kind: existence
    category: label-weak
    severity: warning
    termsets: [dk.label-rejected]
    message: {da: "dansk", en: "english"}
    source: https://example.org/guidance
"""


@pytest.mark.parametrize(
    ("replace", "by", "line", "words"),
    [
        ("message:", "mesage:", 6, 'did you mean "message"?'),
        ("category: label-weak", "category: label-weakk", 3, "unknown category"),
        ("[dk.label-rejected]", "[dk.no-such-set]", 5, "unknown term set"),
        ("kind: existence", "kind: existance", 2, 'did you mean "existence"?'),
        ("severity: warning", "severity: fatal", 4, "severity must be"),
        ("source: https://example.org/guidance", "source: somewhere", 7, "source must be"),
    ],
)
def test_invalid_rules_name_file_and_line(tmp_path: Path, replace: str, by: str, line: int,
                                          words: str) -> None:
    pack = copy_pack(tmp_path)
    rule_file = pack / "rules" / "extra.yml"
    write(rule_file, GOOD_RULE.replace(replace, by))
    with pytest.raises(RuleError) as err:
        load_pack(pack)
    assert err.value.file == str(rule_file)
    assert err.value.line == line
    assert words in str(err.value)


def test_a_pattern_that_does_not_compile_is_refused(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    vocab = pack / "vocabulary" / "extra.yml"
    write(vocab, """
        termsets:
          - id: dk.broken
            kind: marker
            regex: ["(unclosed"]
    """)
    with pytest.raises(RuleError) as err:
        load_pack(pack)
    assert err.value.file == str(vocab)
    assert err.value.line == 4
    assert "does not compile" in str(err.value)


def test_duplicate_rule_ids_are_refused(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    write(pack / "rules" / "zz-copy.yml", GOOD_RULE.replace("dk.extra-rule", "dk.label-missing"))
    with pytest.raises(RuleError, match="duplicate rule id"):
        load_pack(pack)


def test_broken_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    write(pack / "rules" / "extra.yml", "id: dk.x\nkind: [unclosed\n")
    with pytest.raises(RuleError) as err:
        load_pack(pack)
    assert err.value.line is not None


def test_rule_tests_fail_without_ok_case(tmp_path: Path, checker: Checker) -> None:
    tests = tmp_path / "t.test.txt"
    write(tests, """
        // ruleid: dk.label-rejected
        #spons nye sko
    """)
    [result] = run_file(checker, tests, ["dk.label-rejected"])
    assert not result.passed
    assert any("ok" in p for p in result.problems)


def test_rule_tests_report_missed_and_unexpected(tmp_path: Path, checker: Checker) -> None:
    tests = tmp_path / "t.test.txt"
    write(tests, """
        // ruleid: dk.label-rejected
        Nye sko, ingen markering her
        ---
        // ok: dk.label-rejected
        #spons nye sko
    """)
    [result] = run_file(checker, tests, ["dk.label-rejected"])
    assert result.missed == [1]
    assert result.unexpected == [2]


def test_line_annotation_is_checked(tmp_path: Path, checker: Checker) -> None:
    tests = tmp_path / "t.test.txt"
    write(tests, """
        // ruleid: dk.label-rejected @2
        Nye sko
        #spons
        ---
        // ok: dk.label-rejected
        Nye sko
    """)
    [result] = run_file(checker, tests, ["dk.label-rejected"])
    assert result.passed, result.to_dict()
    write(tests, tests.read_text().replace("@2", "@1"))
    [result] = run_file(checker, tests, ["dk.label-rejected"])
    assert not result.passed


def test_annotation_without_caption_is_an_error(tmp_path: Path) -> None:
    tests = tmp_path / "t.test.txt"
    write(tests, "// ruleid: dk.label-rejected\n---\n")
    with pytest.raises(RuleError):
        parse_cases(tests)


def test_whole_pack_passes(checker: Checker) -> None:
    results = run_pack_tests(checker)
    assert results and all(r.passed for r in results)


# A rule of a user's own whose --fix puts the label first and takes the tag out; its test file
# states what --fix makes of two captions (the second a caption of two lines).
FIXING_RULE = """
    id: ours.spons
    kind: existence
    category: label-weak
    severity: error
    termsets: [dk.label-rejected]
    message: {da: "dur ikke", en: "will not do"}
    source: https://example.org/our-guide
    autofix: replace-with-label
"""
FIXED_CAPTIONS = """
    // ruleid: ours.spons
    // fixed: Reklame for @skobutikken | Nye løbesko fra @skobutikken
    Nye løbesko fra @skobutikken #spons
    ---
    // ruleid: ours.spons
    // fixed: Reklame | Nye sko\\nklar til foråret
    Nye sko #spons
    klar til foråret
    ---
    // ok: ours.spons
    Søndagstur i skoven
"""


def rules_test(pack: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["rules", "test", str(pack), "--no-config"])
    return result.exit_code, result.output


def fixing_pack(user_pack: Callable[..., Path], captions: str = FIXED_CAPTIONS) -> Path:
    return user_pack("ours", {"rules/spons.yml": FIXING_RULE, "rules/spons.test.txt": captions})


def test_a_right_fixed_annotation_passes(user_pack: Callable[..., Path]) -> None:
    code, out = rules_test(fixing_pack(user_pack))
    assert code == 0, out
    assert "✔ ours.spons" in out


def test_a_wrong_fixed_annotation_fails_naming_the_caption(user_pack: Callable[..., Path]) -> None:
    # the author forgot that the weak tag goes: --fix takes it out, the test keeps it
    wrong = FIXED_CAPTIONS.replace("Reklame | Nye sko\\n", "Reklame | Nye sko #spons\\n")
    code, out = rules_test(fixing_pack(user_pack, wrong))
    assert code == 1
    assert "✖ ours.spons" in out
    assert "caption 2 (line 5)" in out and "caption 1" not in out
    assert "gives 'Reklame | Nye sko\\nklar til foråret'" in out
    assert "expects 'Reklame | Nye sko #spons\\nklar til foråret'" in out


def test_backslash_n_in_a_fixed_annotation_is_a_line_break(
        tmp_path: Path, checker: Checker) -> None:
    tests = tmp_path / "t.test.txt"
    write(tests, FIXED_CAPTIONS.replace("ours.spons", "dk.label-rejected"))
    cases = parse_cases(tests)
    assert cases[1].fixed == "Reklame | Nye sko\nklar til foråret"
    assert cases[1].caption == "Nye sko #spons\nklar til foråret"
    assert cases[2].fixed is None
    [result] = run_file(checker, tests, ["dk.label-rejected"])
    assert result.passed, result.to_dict()
    # the same words on one line are another caption
    write(tests, tests.read_text(encoding="utf-8").replace("Nye sko\\nklar", "Nye sko klar"))
    [result] = run_file(checker, tests, ["dk.label-rejected"])
    assert not result.passed
    assert any(p.startswith("caption 2 (line 5): --fix gives") for p in result.problems)


def test_an_unknown_annotation_still_fails(user_pack: Callable[..., Path]) -> None:
    misspelt = FIXED_CAPTIONS.replace("// fixed: Reklame for", "// fix: Reklame for")
    pack = fixing_pack(user_pack, misspelt)
    code, out = rules_test(pack)
    assert code != 0
    assert "spons.test.txt:2: unknown annotation '// fix: Reklame for" in out
    with pytest.raises(RuleError, match="unknown annotation"):
        parse_cases(pack / "rules" / "spons.test.txt")


def test_every_builtin_rule_with_autofix_states_a_fixed_caption() -> None:
    for name in PACKS:
        for rule in builtin_pack(name).rules:
            if rule.autofix is None:
                continue
            cases = parse_cases(Path(rule.file).with_suffix(".test.txt"))
            assert any(c.fixed is not None and rule.id in c.rules("ruleid") for c in cases), (
                f"{rule.id} has autofix: but no '// fixed:' caption")


@pytest.mark.parametrize(
    ("extra", "line", "words"),
    [
        ("when:\n  present: [dk.nope]\n", 9, "unknown term set 'dk.nope'"),
        ("limit: many\n", 8, "limit must be a int"),
        ("autofix: prepend\n", 8, 'did you mean "prepend-label"?'),
        ("when:\n  audience: kids\n", 9, "unknown value 'kids'"),
    ],
)
def test_invalid_options_point_at_their_own_line(tmp_path: Path, extra: str, line: int,
                                                 words: str) -> None:
    pack = copy_pack(tmp_path)
    rule_file = pack / "rules" / "extra.yml"
    write(rule_file, GOOD_RULE)
    rule_file.write_text(rule_file.read_text() + extra, encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_pack(pack)
    assert (err.value.file, err.value.line) == (str(rule_file), line)
    assert words in str(err.value)


def test_conditional_requirement_errors_point_at_require(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    rule_file = pack / "rules" / "extra.yml"
    write(rule_file, GOOD_RULE.replace("kind: existence", "kind: conditional"))
    rule_file.write_text(rule_file.read_text() + "require: [dk.label, dk.missing-set]\n",
                         encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_pack(pack)
    assert err.value.line == 8 and "dk.missing-set" in str(err.value)


def test_unknown_key_in_term_set_names_its_line(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path)
    vocab = pack / "vocabulary" / "extra.yml"
    write(vocab, """
        termsets:
          - id: dk.extra
            kind: signal
            strenght: weak
            words: [noget]
    """)
    with pytest.raises(RuleError) as err:
        load_pack(pack)
    assert (err.value.file, err.value.line) == (str(vocab), 4)
    assert 'did you mean "strength"?' in str(err.value)


def test_published_schema_is_current_and_accepts_every_builtin_rule() -> None:
    import json

    import jsonschema
    import yaml

    from skjult.authoring.schema import rule_schema

    schema = rule_schema()
    published = Path(__file__).resolve().parents[1] / "docs" / "rule-schema.json"
    assert json.loads(published.read_text(encoding="utf-8")) == schema, (
        "docs/rule-schema.json is stale: skjult rules schema > docs/rule-schema.json")
    files = sorted(builtin_root().glob("*/rules/*.yml"))
    assert len(files) > 20
    for path in files:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    bad = yaml.safe_load(GOOD_RULE.replace("message:", "mesage:"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_fixed_annotations_have_escapes_and_come_once(user_pack: Callable[..., Path],
                                                      tmp_path: Path) -> None:
    from skjult.authoring.testing import parse_cases

    path = tmp_path / "escapes.test.txt"
    path.write_text("// ruleid: ours.spons\n// fixed: Reklame |\\s\n// meta: id=p1 url=https://x.dk/p1\n"
                    "SPONS\n---\n// ok: ours.spons\n// fixed: C:\\\\new\\tdir\nC:\\new dir\n",
                    encoding="utf-8")
    first, second = parse_cases(path)
    assert first.fixed == "Reklame | " and first.meta == {"id": "p1", "url": "https://x.dk/p1"}
    assert second.fixed == "C:\\new\tdir"
    path.write_text("// ruleid: ours.spons\n// fixed: a\n// fixed: b\nSPONS\n", encoding="utf-8")
    with pytest.raises(RuleError, match="second // fixed"):
        parse_cases(path)
    path.write_text("// ruleid: ours.spons\n// fixed: a\\q\nSPONS\n", encoding="utf-8")
    with pytest.raises(RuleError, match="unknown escape"):
        parse_cases(path)
