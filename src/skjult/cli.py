"""The ``skjult`` command. Thin: parse options, call the library, format, choose the exit code."""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NoReturn

import click

from skjult import __version__
from skjult.engine import Checker
from skjult.fix import DraftFixer
from skjult.model import NO_TEXT, Notice, Opened, Post, Severity, Skip
from skjult.progress import Progress
from skjult.readers.base import ReadOptions
from skjult.readers.detect import FORMATS as INPUT_FORMATS
from skjult.readers.detect import read_path
from skjult.readers.records import FIELDS
from skjult.report import FORMATTERS, formatter
from skjult.report.summary import Report
from skjult.rules.errors import RuleError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO,
               "never": None}


def _fail(message: str) -> NoReturn:
    click.echo(f"skjult: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _checker(jurisdiction: str, lang: str, extra: tuple[str, ...]) -> Checker:
    try:
        return Checker(jurisdiction, lang=lang, extra_packs=extra)
    except RuleError as exc:
        _fail(str(exc))


def _mapping(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        field, sep, column = value.partition("=")
        if not sep or not column:
            raise click.BadParameter(f"{value!r}: write FIELD=COLUMN, e.g. caption=Tekst",
                                     param_hint="--map")
        if field not in FIELDS:
            raise click.BadParameter(f"unknown field {field!r}; one of {', '.join(FIELDS)}",
                                     param_hint="--map")
        out[field] = column
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="skjult")
def main() -> None:
    """skjult finds hidden advertising (skjult reklame) in social-media captions.

    \b
    Examples:
      skjult check examples/posts.jsonl
      echo "Tak til @brand for gaven" | skjult check -
      skjult check export.csv --map caption=Tekst --format json -o report.json
      skjult rules list
    """


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(FORMATTERS)),
              help="Output format (default: text; github under GitHub Actions).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of standard output.")
@click.option("--jurisdiction", "-j", default="dk", show_default=True,
              help="Rule pack to apply (dk).")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True,
              help="Language of messages and fixes.")
@click.option("--fail-level", type=click.Choice(list(FAIL_LEVELS)), default="error",
              show_default=True, help="Exit 1 when a finding at or above this severity occurs.")
@click.option("--rules", "extra_packs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Add a rule pack folder (repeatable).")
@click.option("--input-format", type=click.Choice(sorted(INPUT_FORMATS)),
              help="Read input as this format instead of detecting it.")
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN",
              help="Read a field from another column, e.g. --map caption=Tekst (repeatable).")
@click.option("--creator", help="Creator of posts that do not name one (e.g. stdin).")
@click.option("--platform", help="Platform of posts that do not name one (instagram, tiktok, ...).")
@click.option("--paid-partnership/--no-paid-partnership", default=None,
              help="Mark posts without that field as (not) flagged paid partnership.")
@click.option("--audience", type=click.Choice(["minors", "adults"]),
              help="Audience of posts that do not state one.")
@click.option("--color/--no-color", default=None, help="Colour text output (default: on a terminal).")
@click.option("--fix", is_flag=True,
              help="Rewrite caption drafts (.txt/.md) so they comply where the fix is mechanical. "
                   "Exports are never edited.")
@click.option("--diff", is_flag=True, help="Show what --fix would change, as a diff; change nothing.")
@click.option("--strict", is_flag=True,
              help="Exit 2 when any record could not be read (records without text do not count).")
@click.option("--progress/--no-progress", default=None,
              help="Show progress on stderr (default: when stderr is a terminal).")
@click.option("--quiet", "-q", is_flag=True, help="Do not list skipped records or notes on stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def check(paths: tuple[str, ...], fmt: str, output: str | None, jurisdiction: str, lang: str,
          fail_level: str, extra_packs: tuple[str, ...], input_format: str | None,
          maps: tuple[str, ...], creator: str | None, platform: str | None,
          paid_partnership: bool | None, audience: str | None, color: bool | None, fix: bool,
          diff: bool, strict: bool, progress: bool | None, quiet: bool, debug: bool) -> None:
    """Check posts in PATHS and report per creator.

    PATHS are files, folders, zip archives, or - for standard input. Platform exports
    (Instagram, Facebook, TikTok, YouTube Takeout), scraper output (Apify, instaloader) and
    plain JSON Lines, JSON or CSV are recognised; see `skjult formats`. On standard input,
    a bare caption is one post.

    Exit codes: 0 nothing at or above --fail-level, 1 findings at or above it,
    2 usage, rule or input errors.
    """
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    defaults = {k: v for k, v in {"creator": creator, "platform": platform,
                                  "paid_partnership": paid_partnership, "audience": audience,
                                  "jurisdiction": jurisdiction}.items() if v is not None}
    options = ReadOptions(mapping=_mapping(maps), defaults=defaults)
    checker = _checker(jurisdiction, lang, extra_packs)
    out: IO[str]
    if output:
        try:
            out = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            _fail(f"{output}: cannot write: {exc.strerror}")
    else:
        out = sys.stdout
    use_color = (out.isatty() if color is None else color) and fmt == "text"
    report = Report()
    sink = formatter(fmt, out, color=use_color, lang=lang, rules=checker.rules)
    fixer = DraftFixer(checker, write=fix and not diff) if fix or diff else None
    stderr = sys.stderr
    meter = Progress(stderr, (stderr.isatty() if progress is None else progress) and not quiet)

    def tell(message: str) -> None:
        meter.clear()
        click.echo(f"skjult: {message}", err=True)

    def posts() -> Iterator[Post]:
        for path in paths:
            for item in read_path(path, options, input_format):
                if isinstance(item, Post):
                    meter.post()
                    yield item
                elif isinstance(item, Skip):
                    report.skip(item)
                    if not quiet and item.kind != NO_TEXT:
                        tell(f"skipped {item}")
                elif isinstance(item, Opened):
                    report.file(item.file).format = item.format
                    meter.file()
                elif isinstance(item, Notice):
                    report.notice(item)
                    if not quiet:
                        tell(str(item))
                else:
                    report.file(item.file).error = item.message
                    tell(str(item))

    try:
        sink.start({"jurisdiction": jurisdiction, "lang": lang, "version": __version__})
        for result in checker.iter_results(posts()):
            if fixer is not None:
                result, message = fixer.handle(result)
                if message:
                    (click.echo(message) if diff else tell(message))
            report.add(result)
            if not diff:
                sink.post(result)
        meter.done()
        if not diff:
            sink.finish(report)
    except BrokenPipeError:  # `skjult check ... | head`: the reader has seen enough
        sys.stderr.close()
        sys.exit(EXIT_OK)
    except Exception as exc:  # a bug must not dump a traceback on a user
        meter.done()
        if debug:
            traceback.print_exc()
        _fail(f"internal error: {exc!r} (run with --debug for details)")
    finally:
        if out is not sys.stdout:
            out.close()
    if fixer is not None and fixer.exports and not quiet:
        tell(f"{fixer.exports} posts with findings are in exports, which are never edited; "
             "fix them on the platform")
    if not quiet:
        for name, totals in report.files.items():
            if totals.no_text:
                tell(f"{name}: {totals.no_text} records without text skipped (nothing to check)")
    if report.unreadable:
        sys.exit(EXIT_ERROR)
    if strict and report.broken:
        tell(f"--strict: {report.broken} records could not be read")
        sys.exit(EXIT_ERROR)
    threshold = FAIL_LEVELS[fail_level]
    if threshold is not None and report.highest is not None and report.highest.rank >= threshold.rank:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


@main.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def formats_command(as_json: bool) -> None:
    """List the input formats skjult recognises, and what to hand in for each."""
    rows = [{"name": f.name, "title": f.title, "hand_in": f.hand_in,
             "reads": [k for k, v in (("file", f.read_file), ("folder/zip", f.read_tree)) if v]}
            for f in INPUT_FORMATS.values()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        click.echo(f"{r['name']:<{width}}  {r['title']}")
        click.echo(f"{'':<{width}}  hand in: {r['hand_in']}")
    click.echo("\nDetected automatically; force one with --input-format NAME.")


@main.group()
def rules() -> None:
    """List, explain and test the rules of a pack."""


_jurisdiction = click.option("--jurisdiction", "-j", default="dk", show_default=True,
                             help="Rule pack.")
_extra = click.option("--rules", "extra_packs", multiple=True,
                      type=click.Path(exists=True, file_okay=False), help="Add a rule pack folder.")


@rules.command("list")
@_jurisdiction
@_extra
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def rules_list(jurisdiction: str, extra_packs: tuple[str, ...], as_json: bool) -> None:
    """List the rules: id, category, severity, pack."""
    checker = _checker(jurisdiction, "da", extra_packs)
    rows = [{"id": r.id, "category": r.category, "severity": str(r.severity), "pack": r.pack,
             "kind": r.kind} for r in checker.rules]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        click.echo(f"{r['id']:<{width}}  {r['severity']:<7}  {r['category']:<20}  {r['pack']}")


@rules.command("show")
@click.argument("rule_id")
@_jurisdiction
@_extra
def rules_show(rule_id: str, jurisdiction: str, extra_packs: tuple[str, ...]) -> None:
    """Explain one rule: messages in both languages, fix, source and example captions."""
    from skjult.rules.errors import did_you_mean
    from skjult.rules.testing import parse_cases

    checker = _checker(jurisdiction, "da", extra_packs)
    found = [r for r in checker.rules if r.id == rule_id]
    if not found:
        hint = did_you_mean(rule_id, [r.id for r in checker.rules])
        _fail(f"no rule {rule_id!r}" + (f" ({hint})" if hint else ""))
    rule = found[0]
    click.echo(f"{rule.id}  ({rule.kind}, {rule.severity}, {rule.category})")
    if rule.description:
        click.echo(f"\n{rule.description}")
    click.echo(f"\nTerm sets: {', '.join(rule.termsets)}")
    for lang in ("da", "en"):
        click.echo(f"\nmessage [{lang}]: {rule.message[lang]}")
        if rule.fix:
            click.echo(f"fix     [{lang}]: {rule.fix[lang]}")
    click.echo(f"\nsource: {rule.source}")
    test_path = Path(rule.file).with_suffix(".test.txt")
    if test_path.is_file():
        cases = parse_cases(test_path)
        for tag, title in (("ruleid", "Triggers on"), ("ok", "Stays quiet on")):
            examples = [c.caption for c in cases if rule.id in c.rules(tag)][:3]
            if examples:
                click.echo(f"\n{title}:")
                for caption in examples:
                    click.echo("  " + caption.replace("\n", " ⏎ "))


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@_jurisdiction
@_extra
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def rules_test(paths: tuple[str, ...], jurisdiction: str, extra_packs: tuple[str, ...],
               as_json: bool) -> None:
    """Run the annotated test captions beside each rule (all rules, or those under PATHS)."""
    from skjult.rules.testing import run_pack_tests

    checker = _checker(jurisdiction, "da", extra_packs)
    try:
        results = run_pack_tests(checker, [Path(p) for p in paths] or None)
    except RuleError as exc:
        _fail(str(exc))
    failed = [r for r in results if not r.passed]
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        totals = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        for r in results:
            for k, v in r.confusion().items():
                totals[k] += v
            mark = "✔" if r.passed else "✖"
            click.echo(f"{mark} {r.rule}")
            if r.missed:
                click.echo(f"    missed captions: {', '.join(map(str, r.missed))}  ({r.file})")
            if r.unexpected:
                click.echo(f"    unexpected on captions: {', '.join(map(str, r.unexpected))}  "
                           f"({r.file})")
            for problem in r.problems:
                click.echo(f"    {problem}")
        click.echo(f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
        click.echo(f"TP {totals['tp']}  FP {totals['fp']}  FN {totals['fn']}  TN {totals['tn']}")
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


if __name__ == "__main__":
    main()
