"""The ``skjult`` command. Thin: parse options, call the library, format, choose the exit code."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from skjult._version import __version__
from skjult.checker import Checker
from skjult.config import Config, find_config, load_config
from skjult.destination import AtomicFile, DestinationError, refuse_inputs
from skjult.errors import RuleError
from skjult.fix import DraftFixer
from skjult.i18n import DEFAULT_LANG, LANGS, Text, localize
from skjult.model import AUDIENCES, Post
from skjult.progress import Progress
from skjult.readers.base import ReadOptions
from skjult.readers.detect import FORMATS as INPUT_FORMATS
from skjult.readers.detect import read_path
from skjult.readers.records import FIELDS
from skjult.report import FORMATTERS, formatter
from skjult.report.summary import Report
from skjult.report.terminal import printable
from skjult.rules.pack import available_packs
from skjult.rules.ruleset import NoActiveRule
from skjult.run.judging import CheckFailed
from skjult.run.outcome import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, FAIL_LEVELS, fails, outcome
from skjult.run.parallel import WorkerLost
from skjult.run.runner import Listener, ReaderItem, posts_of
from skjult.runinfo import COMMAND_LINE, DEFAULT, Setting, describe_run, settings_text

NEWLINE_TAB = "\n\t"
LANG_KEY = "skjult.lang"  # in click's per-invocation ``ctx.meta``: the language of stderr


def _lang() -> str:
    """The language of messages on stderr for this invocation: `check` sets it from --lang and
    the configuration; the authoring commands (rules, eval, formats) speak English, as their
    output does."""
    ctx = click.get_current_context(silent=True)
    return str(ctx.meta.get(LANG_KEY, DEFAULT_LANG)) if ctx else DEFAULT_LANG


def _set_lang(lang: str) -> str:
    click.get_current_context().meta[LANG_KEY] = lang
    return lang


def _shown(message: str) -> str:
    """A message for stderr, in the run's language: control characters from input escaped,
    every line starting with "skjult: " (so that a file name holding a newline cannot start a
    line of its own, such as a GitHub workflow command "::error::"), and the runner's legacy
    "##[" defused."""
    text = printable(localize(message, _lang()), keep=NEWLINE_TAB).replace("##[", "##\\[")
    return "\n".join(f"skjult: {line}" for line in text.split("\n"))


def _fail(message: str) -> NoReturn:
    click.echo(_shown(message), err=True)
    sys.exit(EXIT_ERROR)


def _color_wanted(out: IO[str]) -> bool:
    """Colour without --color/--no-color: never with NO_COLOR set (https://no-color.org), always
    with FORCE_COLOR set (other than "0" or "false"), else when the report goes to a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "").strip().lower() not in ("", "0", "false"):
        return True
    return out.isatty()


def _as_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _settings(config_file: str | None, no_config: bool, near: str | None) -> Config:
    """The configuration named with --config, else the nearest one above ``near``."""
    if no_config:
        return Config()
    try:
        if config_file:
            return load_config(Path(config_file), available_packs())
        start = Path(near) if near and near != "-" and Path(near).exists() else Path.cwd()
        found = find_config(start)
        return load_config(found, available_packs()) if found else Config()
    except RuleError as exc:
        _fail(str(exc))


def _checker(jurisdiction: str | None, lang: str, extra: tuple[str, ...],
             config: Config | None = None) -> Checker:
    try:
        return Checker(jurisdiction, lang=lang, extra_packs=extra, config=config)
    except NoActiveRule:  # said in the run's language; a configuration must not pass unseen
        _fail(Text("no rule is active: {config} selects none (see select/ignore); nothing would "
                   "be checked", config=(config.file if config else None) or
                   Text("the configuration")))
    except RuleError as exc:
        _fail(str(exc))


# Command-line parameters by the name a setting has in a configuration file and in reports.
_PARAMS = {"format": "fmt", "packs": "extra_packs", "map": "maps"}


def _resolved(config: Config, values: dict[str, Any]) -> list[Setting]:
    """Each setting with where its value comes from: the command line, the configuration file
    (file:line), or skjult's default (asked of click, which knows what was typed)."""
    ctx = click.get_current_context()

    def typed(name: str) -> bool:
        source = ctx.get_parameter_source(_PARAMS.get(name, name))
        return source in (click.core.ParameterSource.COMMANDLINE,
                          click.core.ParameterSource.ENVIRONMENT)

    config_origin = (COMMAND_LINE if typed("config_file") or typed("no_config") else
                     "found at or above the first path" if config.file else DEFAULT)
    out = [Setting("config", config.file, config_origin)]
    for name, value in values.items():
        origin = COMMAND_LINE if typed(name) else config.origin(name) or DEFAULT
        if name == "format" and origin == DEFAULT and value == "github":
            origin = "GITHUB_ACTIONS=true"
        out.append(Setting(name, value, origin))
    from_file = {"select": config.select, "ignore": config.ignore,
                 "severity": {k: str(v) for k, v in config.severity.items()},
                 "folds": {k: {"chars": v.chars, "lines": v.lines} for k, v in config.folds.items()},
                 "brands": list(config.brands),
                 "campaign": f"{len(config.campaign)} posts" if config.campaign else None,
                 "creators": config.audiences,
                 "suppress": [s.describe() for s in config.suppressions]}
    out.extend(Setting(key, value, config.origin(key) or DEFAULT) for key, value in from_file.items())
    return out


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


class _Group(click.Group):
    """Ctrl-C anywhere (say, while a configuration names a slow network file) is exit 130, as
    in the middle of a check, not click's "Aborted!" with 1, the code for findings."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo(_shown(Text("interrupted")), err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="skjult")
def main() -> None:
    """skjult finds hidden advertising (skjult reklame) in social-media captions.

    \b
    Examples:
      skjult check examples/posts.jsonl
      echo "Tak til @brand for gaven" | skjult check -
      skjult check export.csv --map caption=Tekst --format json -o report.json
      skjult rules list
    """


JURISDICTIONS = "dk, uk, us"

_CONFIG_OPTIONS = [
    click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
                 help="Read settings from this skjult.toml or pyproject.toml."),
    click.option("--no-config", is_flag=True, help="Ignore configuration files."),
]


def _config_options(command: Any) -> Any:
    for option in reversed(_CONFIG_OPTIONS):
        command = option(command)
    return command


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(FORMATTERS)),
              help="Output format (default: text; github under GitHub Actions).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of standard output.")
@click.option("--per", type=click.Choice(["post", "creator"]), default="post", show_default=True,
              help="csv: one row per post, or per creator (counts and compliance rate).")
@click.option("--delimiter", type=click.Choice([",", ";", "tab"]), default=",", show_default=True,
              help="csv: field separator; Danish Excel wants ';' (with --bom).")
@click.option("--bom", is_flag=True, help="csv: start with a UTF-8 byte-order mark (for Excel).")
@click.option("--jurisdiction", "-j", help=f"Rule pack to apply: {JURISDICTIONS} (default: dk).")
@click.option("--lang", type=click.Choice(LANGS),
              help="Language of messages and fixes (default: da).")
@click.option("--fail-level", type=click.Choice(list(FAIL_LEVELS)),
              help="Exit 1 when a finding at or above this severity occurs (default: error).")
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
@click.option("--audience", type=click.Choice(AUDIENCES),
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
@click.option("--jobs", "-J", type=click.IntRange(min=0), default=1, show_default=True,
              help="Check in this many processes (0: one per CPU). Same results, same order.")
@_config_options
@click.option("--show-settings", is_flag=True,
              help="Print the settings this run would use and where each comes from; check nothing.")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def check(paths: tuple[str, ...], fmt: str, output: str | None, per: str, delimiter: str,
          bom: bool, jurisdiction: str | None,
          lang: str | None, fail_level: str | None, extra_packs: tuple[str, ...], input_format: str | None,
          maps: tuple[str, ...], creator: str | None, platform: str | None,
          paid_partnership: bool | None, audience: str | None, color: bool | None, fix: bool,
          diff: bool, strict: bool, progress: bool | None, quiet: bool, jobs: int,
          config_file: str | None,
          no_config: bool, show_settings: bool, debug: bool) -> None:
    """Check posts in PATHS and report per creator.

    PATHS are files, folders, zip archives, or - for standard input. Platform exports
    (Instagram, Facebook, TikTok, YouTube Takeout), scraper output (Apify, instaloader) and
    plain JSON Lines, JSON or CSV are recognised; see `skjult formats`. On standard input,
    a bare caption is one post.

    Settings come from --config, else the nearest skjult.toml or pyproject.toml
    [tool.skjult] at or above the first path; options given here win over them.

    Exit codes: 0 nothing at or above --fail-level, 1 findings at or above it,
    2 usage, configuration, rule or input errors (or a report that cannot be written),
    130 interrupted. The -o file appears only when the run completes.
    """
    if threading.current_thread() is threading.main_thread():
        # `kill` or a CI time-out ends the run as Ctrl-C does: no half-written report left
        signal.signal(signal.SIGTERM, _as_interrupt)
    _set_lang(lang or DEFAULT_LANG)  # for errors in the configuration itself
    config = _settings(config_file, no_config, paths[0])
    jurisdiction = jurisdiction or config.jurisdiction or "dk"
    lang = _set_lang(lang or config.lang or DEFAULT_LANG)
    fail_level = fail_level or config.fail_level or "error"
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    defaults = {k: v for k, v in {"creator": creator, "platform": platform,
                                  "paid_partnership": paid_partnership, "audience": audience,
                                  "jurisdiction": jurisdiction}.items() if v is not None}
    target = Path(output) if output else None
    checker = _checker(jurisdiction, lang, extra_packs, config)
    options = ReadOptions(mapping=_mapping(maps), defaults=defaults,
                          exclude=frozenset({target.resolve()}) if target else frozenset(),
                          rules=checker.known_rules)  # what a draft's front matter may suppress
    settings = _resolved(config, {
        "jurisdiction": jurisdiction, "lang": lang, "fail_level": fail_level, "format": fmt,
        "packs": [*(str(p) for p in config.packs), *extra_packs], "output": output,
        "input_format": input_format, "map": list(maps), "creator": creator,
        "platform": platform, "paid_partnership": paid_partnership, "audience": audience,
        "jobs": jobs, "strict": strict})
    if show_settings:
        click.echo(settings_text(settings), nl=False)
        sys.exit(EXIT_OK)
    if fmt == "parquet":  # bytes, in row groups: a file, not a stream to read as it comes
        if target is None:
            _fail(Text("--format parquet writes a file: add -o results.parquet"))
        if importlib.util.find_spec("pyarrow") is None:
            _fail(Text("--format parquet needs pyarrow: pip install 'skjult[parquet]'"))
    destination: AtomicFile | None = None
    out: IO[str] = sys.stdout
    if target is not None:
        try:
            refuse_inputs(target, paths, [config.file] if config.file else [])
            destination = AtomicFile(target)
        except DestinationError as exc:
            _fail(str(exc))
        out = destination.stream
    stderr = sys.stderr
    try:  # from here on a failure must not leave the temporary report file behind
        use_color = (_color_wanted(out) if color is None else color) and fmt == "text"
        report = Report()
        format_options = {"per": per, "delimiter": "\t" if delimiter == "tab" else delimiter,
                          "bom": bom}
        sink = formatter(fmt, out, color=use_color, lang=lang, rules=checker.rules,
                         options=format_options)
        # a rewritten draft is judged again; what its suppressions accepted was counted already
        fixer = DraftFixer(lambda post: next(checker.runner.judge.results([post])),
                           write=fix and not diff) if fix or diff else None
        meter = Progress(stderr, (stderr.isatty() if progress is None else progress)
                         and not quiet, lang=lang)
    except BaseException:
        if destination is not None:
            destination.discard()
        raise
    last: list[str] = []  # where the last post came from, to name it if checking fails

    def tell(message: str) -> None:
        meter.clear()
        # file names, creators, reasons quoting a record: input, so never terminal commands
        click.echo(_shown(message), err=True)

    reading = [paths[0]]  # the path being read

    def seen(post: Post) -> None:
        meter.post()
        last[:] = [post.source or post.file or reading[0]]

    listener = Listener(post=seen, file=lambda opened: meter.file(),
                        note=(lambda message: None) if quiet else tell, problem=tell)

    def items() -> Iterator[ReaderItem]:
        for path in paths:
            reading[0] = path
            yield from read_path(path, options, input_format)

    def abandon(message: str, code: int = EXIT_ERROR) -> NoReturn:
        meter.done()
        if destination is not None:
            destination.discard()  # the report file stays as it was before the run
        tell(message)
        sys.exit(code)

    try:
        # the configuration used is named in the report: one found in a parent folder can
        # change what is checked
        sink.start(describe_run(checker.ruleset, lang, paths, fail_level, settings))
        runner = checker.runner
        posts = posts_of(items(), report, listener)
        processes = jobs or os.cpu_count() or 1
        if fixer is None and sink.per_post_text and not report.keep_results:
            # Nothing here needs a post's whole result: each post's text is rendered where it is
            # judged (in the workers, with --jobs) and only written here, and the totals are
            # counted from its digest. This process is the one --jobs cannot multiply.
            for digest, text in runner.rendered(posts, sink.blueprint(), processes):
                report.add_digest(digest)
                sink.post_texts(text, 1)
        else:
            for result in runner.results(posts, jobs=processes):
                if fixer is not None:
                    result, message = fixer.handle(result)
                    if message:
                        if diff:  # diff lines start with "+", "-", " " or "@@": never a command
                            click.echo(printable(localize(message, lang), keep=NEWLINE_TAB)
                                       .replace("##[", "##\\["))
                        else:
                            tell(message)
                report.add(result)
                if not diff:
                    sink.post(result)
        meter.done()
        if not diff:
            report.suppressions = checker.ledger.status()
            sink.finish(report)
        if destination is not None:
            destination.commit()
        else:
            out.flush()
    except BrokenPipeError:  # `skjult check ... | head`: the reader stopped reading
        # Not every post was checked, so this is no pass: exit 1 when the posts checked so far
        # already fail, else 2. Standard output goes to /dev/null so that Python's own flush at
        # exit does not complain about the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        if fails(report, fail_level):
            sys.exit(EXIT_FINDINGS)
        try:
            meter.done()
            tell(Text("output closed before the end: not every post was checked"))
        except OSError:  # stderr is the same closed pipe (`2>&1 | head`)
            pass
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        abandon(Text("interrupted; no report written") if destination else Text("interrupted"), 130)
    except DestinationError as exc:
        abandon(str(exc))
    except WorkerLost as exc:
        abandon(str(exc))
    except OSError as exc:  # the report cannot be written: a full disk, /dev/full, ...
        abandon(Text("{file}: {problem}", file=output or Text("standard output"),
                     problem=Text("cannot write: {error}", error=exc.strerror or str(exc))))
    except CheckFailed as exc:  # a bug met on one post: name it, keep the traceback for --debug
        if debug:
            traceback.print_exception(exc.error)
        abandon(Text("internal error: {error}; please report it (run with --debug for details)",
                     error=str(exc)))
    except Exception as exc:  # a bug elsewhere (a report format, say)
        if debug:
            traceback.print_exc()
        abandon(Text("internal error after {where}: {error}; please report it (run with --debug "
                     "for details)", where=last[0], error=repr(exc)) if last else
                Text("internal error: {error}; please report it (run with --debug for details)",
                     error=repr(exc)))
    if fixer is not None and fixer.exports and not quiet:
        tell(Text("{count:n|post with findings is|posts with findings are} in exports, which are "
                  "never edited; fix them on the platform", count=fixer.exports))
    if fixer is not None and fixer.failed:
        tell(Text("{count:n|draft|drafts} could not be fixed (see above)", count=fixer.failed))
    for problem in checker.ledger.problems():
        tell(problem)
    if not quiet:
        for name, totals in report.files.items():
            if totals.no_text:
                tell(Text("{file}: {count:n|record|records} without text skipped (nothing to "
                          "check)", file=name, count=totals.no_text))
    end = outcome(report, fail_level, strict=strict, unfixed=fixer.failed if fixer else 0)
    if end.reason:
        tell(end.reason)
    sys.exit(end.code)


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


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Beyond localhost, SKJULT_TOKEN must be set.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--jurisdiction", "-j", default="dk", show_default=True,
              help=f"Rule pack of requests that name none: {JURISDICTIONS}.")
@click.option("--lang", type=click.Choice(LANGS), default=DEFAULT_LANG, show_default=True,
              help="Language of messages for requests that name none.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Let pages of this origin call the API (repeatable; default: none).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a request may take before it is answered 503.")
def serve_command(host: str, port: int, jurisdiction: str, lang: str,
                  cors_origins: tuple[str, ...], timeout: float) -> None:
    """Serve the check page (/) and the JSON API (/v1/check, /v1/check/batch, /v1/rules,
    /healthz; described at /docs). Needs skjult[serve].

    Listens on localhost by default. On any other address every API request must carry
    "Authorization: Bearer <token>", the token taken from the environment variable
    SKJULT_TOKEN (the server does not start without it). No caption is stored or logged."""
    import ipaddress

    try:
        import uvicorn

        from skjult.serve.api import Settings, checker_of, settings_of
        from skjult.serve.app import ServeSettings, make_app
    except ImportError as exc:
        _fail(f"skjult serve needs {exc.name}: pip install 'skjult[serve]'")
    try:
        defaults = settings_of({"jurisdiction": jurisdiction, "lang": lang}, Settings())
    except Exception as exc:
        _fail(str(exc))
    token = (os.environ.get("SKJULT_TOKEN") or "").strip() or None
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if not local and token is None:
        _fail(f"--host {host} is reachable from other machines: set SKJULT_TOKEN to the token "
              f"clients must send (or leave --host at 127.0.0.1)")
    checker_of(defaults)  # the rule set is built before the first request, not during it
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
    click.echo(f"skjult: checking at http://{shown}:{port}/ (API described at /docs"
               f"{'; token required' if token else ''}); Ctrl-C stops", err=True)
    uvicorn.run(make_app(ServeSettings(defaults, token, cors_origins, timeout)), host=host,
                port=port, access_log=False, log_level="warning", server_header=False)


@main.group()
def rules() -> None:
    """List, explain and test the rules of a pack."""


_jurisdiction = click.option("--jurisdiction", "-j",
                             help=f"Rule pack: {JURISDICTIONS} (default: dk, or the configuration's).")
_extra = click.option("--rules", "extra_packs", multiple=True,
                      type=click.Path(exists=True, file_okay=False), help="Add a rule pack folder.")
_as_json = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


def _configured(jurisdiction: str | None, extra_packs: tuple[str, ...], config_file: str | None,
                no_config: bool, near: str | None = None, lang: str = "da") -> Checker:
    config = _settings(config_file, no_config, near)
    return _checker(jurisdiction, lang, extra_packs, config)


@rules.command("list")
@_jurisdiction
@_extra
@_config_options
@_as_json
def rules_list(jurisdiction: str | None, extra_packs: tuple[str, ...], config_file: str | None,
               no_config: bool, as_json: bool) -> None:
    """List the rules in force: id, severity, category, pack."""
    checker = _configured(jurisdiction, extra_packs, config_file, no_config)
    rows = [{"id": r.id, "category": r.category, "severity": str(r.severity), "pack": r.pack,
             "kind": r.kind, "source": r.source} for r in checker.rules]
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
@_config_options
@_as_json
def rules_show(rule_id: str, jurisdiction: str | None, extra_packs: tuple[str, ...],
               config_file: str | None, no_config: bool, as_json: bool) -> None:
    """Explain one rule: why it exists, messages in both languages, fix, source and example
    captions from its tests. Also available as `rules explain`."""
    from skjult.authoring.explain import explain
    from skjult.errors import did_you_mean

    checker = _configured(jurisdiction, extra_packs, config_file, no_config)
    found = [r for r in checker.rules if r.id == rule_id]
    if not found:
        hint = did_you_mean(rule_id, [r.id for r in checker.rules])
        _fail(f"no rule {rule_id!r}" + (f" ({hint})" if hint else ""))
    try:
        info = explain(found[0])
    except RuleError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"{info['id']}  ({info['kind']}, {info['severity']}, {info['category']})")
    if info["description"]:
        click.echo(f"\n{info['description']}")
    click.echo(f"\nTerm sets: {', '.join(info['termsets'])}")
    for lang in LANGS:
        click.echo(f"\nmessage [{lang}]: {info['message'][lang]}")
        if info["fix"]:
            click.echo(f"fix     [{lang}]: {info['fix'][lang]}")
    click.echo(f"\nsource: {info['source']}")
    click.echo(f"defined in: {info['file']}")
    for key, title in (("triggers_on", "Triggers on"), ("quiet_on", "Stays quiet on")):
        if info["examples"][key]:
            click.echo(f"\n{title}:")
            for caption in info["examples"][key]:
                click.echo("  " + caption.replace("\n", " ⏎ "))


rules.add_command(rules_show, name="explain")


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@_jurisdiction
@_extra
@_config_options
@_as_json
def rules_test(paths: tuple[str, ...], jurisdiction: str | None, extra_packs: tuple[str, ...],
               config_file: str | None, no_config: bool, as_json: bool) -> None:
    """Run the annotated test captions beside each rule (all rules, or those under PATHS).

    Without --jurisdiction, PATHS or a configured jurisdiction, every built-in pack is tested
    (dk, uk, us), each with its own rules. A rule fails when a `// ruleid:` caption does not
    trigger it, when it fires on a caption not marked for it, or when it lacks a `// ruleid:`
    or an `// ok:` caption. Packs under PATHS that are not loaded yet are added, so
    `skjult rules test my-pack/` tests a pack of your own.
    """
    from skjult.authoring.testing import run_pack_tests

    extra = extra_packs + tuple(p for p in paths if (Path(p) / "pack.yml").is_file()
                                and p not in extra_packs)
    config = _settings(config_file, no_config, paths[0] if paths else None)
    # every rule of the packs is tested: select/ignore choose what a check reports, not which
    # rules are sound
    config = dataclasses.replace(config, select=(), ignore=(), severity={})
    chosen = jurisdiction or config.jurisdiction
    results: list[Any] = []
    for name in [chosen] if chosen or paths else available_packs():
        checker = _checker(name, "da", extra, config)
        try:
            results += [r for r in run_pack_tests(checker, [Path(p) for p in paths] or None)
                        if r.rule not in {seen.rule for seen in results}]
        except RuleError as exc:
            _fail(str(exc))
    failed = [r for r in results if not r.passed]
    totals = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for r in results:
        for k, v in r.confusion().items():
            totals[k] += v
    if as_json:
        click.echo(json.dumps({"rules": [r.to_dict() for r in results], "totals": totals,
                               "passed": len(results) - len(failed), "failed": len(failed)},
                              ensure_ascii=False, indent=2))
        sys.exit(EXIT_FINDINGS if failed else EXIT_OK)
    width = max([len(r.rule) for r in results] + [4])
    click.echo(f"  {'rule':<{width}}  {'TP':>3} {'FP':>3} {'FN':>3} {'TN':>3}")
    for r in results:
        c = r.confusion()
        mark = "✔" if r.passed else "✖"
        click.echo(f"{mark} {r.rule:<{width}}  {c['tp']:>3} {c['fp']:>3} {c['fn']:>3} {c['tn']:>3}")
        if r.missed:
            click.echo(f"    missed captions: {', '.join(map(str, r.missed))}  ({r.file})")
        if r.unexpected:
            click.echo(f"    unexpected on captions: {', '.join(map(str, r.unexpected))}  ({r.file})")
        for problem in r.problems:
            click.echo(f"    {problem}")
    click.echo(f"  {'total':<{width}}  {totals['tp']:>3} {totals['fp']:>3} {totals['fn']:>3} "
               f"{totals['tn']:>3}")
    click.echo(f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@rules.command("schema")
def rules_schema() -> None:
    """Print the JSON Schema of rule files (the published contract; see docs/rule-schema.json)."""
    from skjult.authoring.schema import rule_schema

    click.echo(json.dumps(rule_schema(), ensure_ascii=False, indent=2))


@main.command("eval")
@click.argument("labelled", type=click.Path(dir_okay=False, allow_dash=True))
@_jurisdiction
@_extra
@_config_options
@_as_json
@click.option("--misses", "show_misses", type=int, default=20, show_default=True,
              help="How many misses to list (0: none).")
def eval_command(labelled: str, jurisdiction: str | None, extra_packs: tuple[str, ...],
                 config_file: str | None, no_config: bool, as_json: bool, show_misses: int) -> None:
    """Measure skjult on your own labelled posts (JSON Lines).

    Each line: {"caption": ..., "expect": ["violation"], "cats": [...], "meta": {...},
    "jurisdiction": "dk", "id": ..., "creator": ..., "platform": ...}. `expect` lists the
    verdicts that count as right. Prints verdict accuracy, violation precision and recall,
    a confusion matrix, recall per finding category and the misses.

    Exit codes: 0 evaluated, 2 unreadable file or no usable record.
    """
    from skjult.evaluate import evaluate, read_labelled, render

    config = _settings(config_file, no_config, labelled)
    default = jurisdiction or config.jurisdiction or "dk"
    checkers = {default: _checker(default, "en", extra_packs, config)}  # pack errors stop here

    def checker_for(name: str) -> Checker:
        if name not in checkers:  # a record's own jurisdiction; a RuleError skips the record
            checkers[name] = Checker(name, lang="en", extra_packs=extra_packs, config=config)
        return checkers[name]

    try:
        result = evaluate(read_labelled(labelled), checker_for, default,
                          forced=jurisdiction is not None)
    except OSError as exc:
        _fail(f"{labelled}: cannot read: {exc.strerror or exc}")
    for skip in result.skips:
        click.echo(_shown(f"skipped {skip}"), err=True)
    if not result.total:
        _fail(f"{labelled}: no labelled record to evaluate")
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(result, show_misses))
    sys.exit(EXIT_OK)


if __name__ == "__main__":
    main()
