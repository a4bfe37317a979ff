"""The `aggregator` command: parses arguments, calls the services, turns errors into one line each.

Exit status: 0 done, 1 a runtime failure (database, output folder), 2 bad configuration or usage.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import re
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

from aggregator import __version__
from aggregator.errors import AggregatorError, ConfigError
from aggregator.settings import Settings

if TYPE_CHECKING:
    from aggregator.config import Config
    from aggregator.crawl import CrawlReport, SourceOutcome
    from aggregator.demo.mail import MailSink
    from aggregator.model import Source
    from aggregator.probe import TryReport
    from aggregator.scheduler import Runner
    from aggregator.store.repository import Store

log = logging.getLogger("aggregator")

EXIT_OK, EXIT_FAILURE, EXIT_CONFIG = 0, 1, 2


def load_config(path: Path, *, allow_private: bool = False) -> Config:
    from aggregator.config import load_config as load

    return load(path, allow_private=allow_private)


def all_sources(settings: Settings, store: Store, config: Config | None = None) -> Config:
    """sources.yaml's sources and the registered ones (`runtime.load_sources`)."""
    from aggregator.runtime import load_sources as load

    return load(settings, store, config)


def load_sources(path: Path, *, allow_private: bool = False) -> list[Source]:
    """sources.yaml, validated (`config.load_sources`). Imported on first use: a crawl's parser
    processes import this module as their main module and need no YAML."""
    from aggregator.config import load_sources as load

    return load(path, allow_private=allow_private)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aggregator",
        description="News aggregator of the NETZWERK Stadtforen Mitteldeutschland. "
        "Every option is also an environment variable AGGREGATOR_<NAME>.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--config", type=Path, help="sources file (AGGREGATOR_CONFIG; sources.yaml)"
    )
    parser.add_argument("--database-url", help="SQLAlchemy URL (AGGREGATOR_DATABASE_URL)")
    parser.add_argument("--output-dir", type=Path, help="published site (AGGREGATOR_OUTPUT_DIR)")
    parser.add_argument("--base-url", help="public address of the site (AGGREGATOR_BASE_URL)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    crawl = commands.add_parser("crawl", help="fetch every due source once and store new items")
    crawl.add_argument("--force", action="store_true", help="fetch all enabled sources, due or not")
    crawl.add_argument("--source", action="append", default=[], metavar="ID", help="only this id")
    crawl.set_defaults(func=cmd_crawl)

    publish = commands.add_parser("publish", help="write the static site and feeds")
    publish.set_defaults(func=cmd_publish)

    for name, func, text in (
        ("run", cmd_run, "crawl, publish and serve, then keep crawling on schedule"),
        ("serve", cmd_serve, "serve the published site over HTTP"),
        ("demo", cmd_demo, "run everything offline against the bundled sample network"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--host", help="address to listen on (AGGREGATOR_HOST; 127.0.0.1)")
        sub.add_argument("--port", type=int, help="port to listen on (AGGREGATOR_PORT; 8000)")
        sub.set_defaults(func=func)
        if name == "demo":
            sub.add_argument("--once", action="store_true", help="stop after publishing")
        if name == "run":
            sub.add_argument("--no-serve", action="store_true", help="do not serve the site")

    db = commands.add_parser("db", help="database schema: upgrade or show its revision")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply all schema migrations").set_defaults(
        func=cmd_db_upgrade
    )
    db_commands.add_parser("status", help="show the schema revision").set_defaults(
        func=cmd_db_status
    )

    sources = commands.add_parser(
        "sources", help="the sources: check, status, discover, try, add, list, export …"
    )
    src_commands = sources.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    src_commands.add_parser("check", help="validate sources.yaml and list problems").set_defaults(
        func=cmd_sources_check
    )
    src_commands.add_parser("status", help="show each source's last fetch").set_defaults(
        func=cmd_sources_status
    )
    discover = src_commands.add_parser(
        "discover",
        help="find a homepage's feed (or the news page to scrape) and preview its items",
    )
    discover.add_argument("url", help="the member's homepage")
    discover.set_defaults(func=cmd_sources_discover)
    try_ = src_commands.add_parser(
        "try", help="read one source end to end without storing and name every problem"
    )
    try_.add_argument("source", metavar="ID|URL", help="an id from sources.yaml, or a URL")
    try_.set_defaults(func=cmd_sources_try)
    add = src_commands.add_parser(
        "add",
        help="register a source in the database: discovery and a try, then added and crawled",
    )
    add.add_argument("url", metavar="HOMEPAGE", help="the forum's homepage")
    add.add_argument("--feed", help="its feed or news page, when discovery should not look")
    add.add_argument("--name", required=True, help="the forum's name")
    add.add_argument("--city", help="official municipality name; leave out for network-wide")
    add.add_argument("--id", dest="source_id", help="default: made from the name and city")
    add.add_argument("--interval", type=int, default=60, help="minutes between fetches")
    add.add_argument("--contact", help="the forum's contact email (status link, alerts)")
    add.add_argument("--dry-run", action="store_true", help="show what would be added, add nothing")
    add.add_argument("--no-crawl", action="store_true", help="do not crawl it now")
    add.set_defaults(func=cmd_sources_add)
    src_commands.add_parser(
        "list", help="every source: sources.yaml's and the registered ones"
    ).set_defaults(func=cmd_sources_list)
    link = src_commands.add_parser(
        "link", help="a source's private status link; --send mails it to its contact"
    )
    link.add_argument("source_id", metavar="ID")
    link.add_argument("--send", action="store_true", help="mail it to the source's contact")
    link.set_defaults(func=cmd_sources_link)
    src_commands.add_parser(
        "health",
        help="per source: last success and error, failures, items per month, warning flags",
    ).set_defaults(func=cmd_sources_health)
    for action, text in (("enable", "enable"), ("disable", "disable")):
        toggle = src_commands.add_parser(action, help=f"{text} a registered source")
        toggle.add_argument("source_id", metavar="ID")
        toggle.set_defaults(func=cmd_sources_enable, enable=action == "enable")
    remove = src_commands.add_parser(
        "remove",
        help="take a source out of the registry (its items stay; sources.yaml may declare it)",
    )
    remove.add_argument("source_id", metavar="ID")
    remove.set_defaults(func=cmd_sources_remove)
    export = src_commands.add_parser(
        "export", help="write every source as sources.yaml (a backup, or a new sources.yaml)"
    )
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.set_defaults(func=cmd_sources_export)

    classify = commands.add_parser(
        "classify", help="cities, topics and story cluster of the items in a JSON file"
    )
    classify.add_argument("items_file", type=Path, metavar="ITEMS.json")
    classify.add_argument("--sources", type=Path, metavar="FILE", help="default: --config")
    classify.set_defaults(func=cmd_classify)
    evaluate = commands.add_parser(
        "eval", help="precision, recall and F1 of classify against a labeled JSON file"
    )
    evaluate.add_argument("items_file", type=Path, metavar="ITEMS.json")
    evaluate.add_argument("--sources", type=Path, metavar="FILE", help="default: --config")
    evaluate.set_defaults(func=cmd_eval)

    items = commands.add_parser("items", help="stored items: purge those of a departed member")
    item_commands = items.add_subparsers(dest="items_command", metavar="ACTION", required=True)
    purge = item_commands.add_parser(
        "purge",
        help="delete every item of a source that left the network (disable or remove it first)",
    )
    purge.add_argument("--source", required=True, metavar="ID", help="the source's id")
    purge.add_argument("--dry-run", action="store_true", help="only count what would go")
    purge.set_defaults(func=cmd_items_purge)
    for name, text in (
        ("tag", "the editor gives an item a city or topic tag (kept through every re-tagging)"),
        ("untag", "the editor takes a city or topic tag away from an item, for good"),
    ):
        tagging = item_commands.add_parser(name, help=text)
        tagging.add_argument("item", metavar="ID", help="the item: source_id:guid, as in the feeds")
        tagging.add_argument("kind", choices=("city", "topic"))
        tagging.add_argument("value", help="official city name, or a topic key")
        tagging.set_defaults(func=cmd_items_tag, removed=name == "untag")
    merge = item_commands.add_parser("merge", help="two items tell one story (editor, for good)")
    merge.add_argument("item", metavar="ID", help="its whole story joins …")
    merge.add_argument("into", metavar="INTO", help="… this item's story")
    merge.set_defaults(func=cmd_items_merge)
    split = item_commands.add_parser("split", help="an item leaves its story (editor, for good)")
    split.add_argument("item", metavar="ID")
    split.set_defaults(func=cmd_items_split)
    show = item_commands.add_parser("tags", help="an item's tags, their origin and why")
    show.add_argument("item", metavar="ID")
    show.set_defaults(func=cmd_items_tags)
    retag = item_commands.add_parser(
        "retag", help="tag the whole archive again (new taxonomy or gazetteer); keeps the editor's"
    )
    retag.set_defaults(func=cmd_items_retag)
    add_digest_commands(commands)
    add_editor_commands(commands)
    return parser


# --- editor accounts (issue 13) ---------------------------------------------------------------


def add_editor_commands(commands: Any) -> None:
    editor = commands.add_parser("editor", help="accounts of the editor area /redaktion/")
    actions = editor.add_subparsers(dest="editor_command", metavar="ACTION", required=True)
    for name, func, text in (
        ("add", cmd_editor_add, "create an editor account (asks for the password twice)"),
        ("passwd", cmd_editor_passwd, "set a new password; the editor's sessions end"),
    ):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("name", metavar="NAME", help="letters, digits, '.', '_' or '-'")
        sub.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin (scripts)"
        )
        sub.set_defaults(func=func)
    actions.add_parser("list", help="list the editor accounts").set_defaults(func=cmd_editor_list)
    disable = actions.add_parser("disable", help="refuse every login of NAME, end its sessions")
    disable.add_argument("name", metavar="NAME")
    disable.set_defaults(func=cmd_editor_disable)


def read_new_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a hidden prompt."""
    from getpass import getpass

    from aggregator.editors import EditorError, password_problem

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass("New password: ")
        if password_problem(password) is None and getpass("Repeat the password: ") != password:
            raise EditorError("the two passwords differ; nothing changed")
    problem = password_problem(password)
    if problem:
        raise EditorError(f"{problem}; nothing changed")
    return password


def cmd_editor_add(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from aggregator.editors import add_editor, normalize_name
    from aggregator.runtime import open_store
    from aggregator.store.editors import Editors

    normalize_name(args.name)  # a bad name fails before the password is asked for
    password = read_new_password(args.password_stdin)
    editor = add_editor(
        Editors(open_store(settings).engine), args.name, password, datetime.now(UTC)
    )
    print(f"editor {editor.name} added; they sign in at {settings.base_url}redaktion/")
    return EXIT_OK


def cmd_editor_passwd(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.editors import EditorError, change_password, normalize_name
    from aggregator.runtime import open_store
    from aggregator.store.editors import Editors

    editors = Editors(open_store(settings).engine)
    if editors.get(normalize_name(args.name)) is None:  # before the password is asked for
        raise EditorError(f"no editor named {args.name!r}")
    password = read_new_password(args.password_stdin)
    editor = change_password(editors, args.name, password)
    print(f"password of {editor.name} changed; their sessions ended")
    return EXIT_OK


def cmd_editor_list(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store
    from aggregator.store.editors import Editors

    accounts = Editors(open_store(settings).engine).all()
    if not accounts:
        print("no editors yet: add one with `aggregator editor add NAME`")
    for editor in accounts:
        state = "disabled" if editor.disabled else "active"
        print(f"{editor.name:30} {state:8} since {editor.created_at:%Y-%m-%d}")
    return EXIT_OK


def cmd_editor_disable(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.editors import disable_editor
    from aggregator.runtime import open_store
    from aggregator.store.editors import Editors

    editor = disable_editor(Editors(open_store(settings).engine), args.name)
    print(f"editor {editor.name} disabled; their sessions ended")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # progress lines appear at once in a pipe
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = Settings.from_env().with_overrides(
            config=args.config,
            database_url=args.database_url,
            output_dir=args.output_dir,
            base_url=args.base_url,
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
        )
        func: Callable[[argparse.Namespace, Settings], int] = args.func
        return func(args, settings)
    except ConfigError as exc:
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_CONFIG
    except AggregatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line, the traceback with -v
        log.debug("unexpected error", exc_info=True)
        hint = "" if args.verbose else " (run with -v for the traceback)"
        print(f"error: unexpected {type(exc).__name__}: {exc}{hint}", file=sys.stderr)
        return EXIT_FAILURE


# --- commands ---------------------------------------------------------------------------------


def cmd_crawl(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import crawl_once, open_store

    # before the database: a bad file changes nothing
    config = load_config(settings.config, allow_private=settings.allow_private_urls)
    store = open_store(settings)
    sources = all_sources(settings, store, config).sources
    unknown = sorted(set(args.source) - {s.id for s in sources})
    if unknown:
        raise ConfigError(
            [f"{settings.config}: no source with id '{i}' (nor a registered one)" for i in unknown]
        )
    report = crawl_once(
        settings, store, sources, force=args.force, only=args.source, progress=TerminalProgress()
    )
    print_summary(report)
    return EXIT_OK


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store, publish_once

    config = load_config(settings.config, allow_private=settings.allow_private_urls)
    store = open_store(settings)
    config = all_sources(settings, store, config)
    report, seconds = publish_once(settings, store, config.sources, config.taxonomy)
    print(
        f"published {report.stories} stories, {report.pages} pages, {report.feeds} feeds "
        f"to {settings.output_dir}/ in {seconds:.1f} s"
    )
    return EXIT_OK


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store

    config = load_config(settings.config, allow_private=settings.allow_private_urls)
    store = open_store(settings)
    sources = all_sources(settings, store, config).sources
    return _run(settings, store, sources, serve=not args.no_serve)


def _run(
    settings: Settings,
    store: Store,
    sources: Sequence[Source],
    *,
    serve: bool,
    once: bool = False,
    after_publish: Callable[[Runner], None] | None = None,
) -> int:
    """`aggregator.service.run_service`, with the terminal's progress bar and summary."""
    from aggregator.service import run_service

    run_service(
        settings,
        store,
        sources,
        serve=serve,
        once=once,
        progress=TerminalProgress(),
        on_crawl=print_summary,
        after_publish=after_publish,
        say=_say,
    )
    return EXIT_OK


def _say(line: str) -> None:
    print(line, file=sys.stderr if line.startswith("error:") else sys.stdout)


def _describe(exc: BaseException) -> str:
    from aggregator.service import describe

    return describe(exc)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store
    from aggregator.scheduler import install_stop_handlers
    from aggregator.service import bind_web_server

    if not (settings.output_dir / "index.html").is_file():
        raise AggregatorError(
            f"{settings.output_dir}/index.html not found: run `aggregator publish`"
        )
    server = bind_web_server(settings, open_store(settings)).start()
    print(f"serving {settings.output_dir}/ on {server.url} (Ctrl-C stops)")
    stop = threading.Event()
    install_stop_handlers(stop)
    stop.wait()
    server.stop()
    return EXIT_OK


DEMO_HOST_SPACING_S = 0.05


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.demo.network import DemoNetwork
    from aggregator.runtime import open_store

    demo_dir = Path("data") / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    database = demo_dir / "demo.db"
    for leftover in demo_dir.glob("demo.db*"):  # a fresh database: the demo ports change per run
        leftover.unlink()
    with DemoNetwork() as network:
        config = network.write_sources(demo_dir / "sources.yaml")
        settings = settings.with_overrides(  # the sample sites live on 127.0.0.1
            config=config,
            database_url=f"sqlite:///{database}",
            allow_private_urls=True,
            # all sample sites share one host, ours: the 2 s a real site gets would make the
            # demo's first crawl wait a minute for its scraped sites
            host_spacing_s=min(settings.host_spacing_s, DEMO_HOST_SPACING_S),
        )
        print(f"sample network on {network.base_url}/ ({config}):")
        for line in network.describe():
            print(f"  {line}")
        sources = load_sources(config, allow_private=True)
        with contextlib.ExitStack() as stack:
            sink = _demo_mail_sink(stack, demo_dir / "mail")
            steps = [_demo_web_step(once=args.once)]
            if sink is not None:
                settings = settings.with_overrides(smtp_host=sink.host, smtp_port=sink.port)
                steps.insert(0, _demo_digest_step(sink))

            def after_publish(runner: Runner) -> None:
                for step in steps:
                    step(runner)

            code = _run(
                settings,
                open_store(settings),
                sources,
                serve=True,
                once=args.once,
                after_publish=after_publish,
            )
        if args.once:
            print(f"look at {settings.output_dir}/index.html (or run `aggregator serve`)")
        return code


def _demo_mail_sink(stack: contextlib.ExitStack, folder: Path) -> MailSink | None:
    """The demo's local SMTP sink, started; None (and a note) without aiosmtpd."""
    try:
        from aggregator.demo.mail import MailSink
    except ImportError:  # pragma: no cover - aiosmtpd is in the dev extra that `make demo` has
        print("no newsletter in this demo: install aiosmtpd (pip install -e '.[dev]')")
        return None
    sink = stack.enter_context(MailSink(folder))
    print(f"SMTP sink for the newsletter on {sink.host}:{sink.port}: mails go to {folder}/")
    return sink


def _demo_digest_step(sink: MailSink) -> Callable[[Runner], None]:
    """After the first publish: a sample digest, approved and mailed into the sink."""

    def step(runner: Runner) -> None:
        from aggregator.demo.mail import DEMO_SUBSCRIBER, demo_digest
        from aggregator.runtime import utc_now

        try:
            result = demo_digest(runner.settings, runner.store, utc_now(), runner.sources)
        except AggregatorError as exc:
            print(f"error: the demo's digest failed: {exc}", file=sys.stderr)
            return
        base = runner.settings.output_dir
        print(
            f"Wochenschau {result.week}: {result.entries} stories, approved, published to "
            f"{base}/digest/{result.week}.html and sent to {result.report.delivery.sent} "
            f"confirmed subscriber ({DEMO_SUBSCRIBER}); the unconfirmed one got nothing"
        )
        for path in sink.files:
            print(f"  read the mail: {path}")

    return step


def _demo_web_step(*, once: bool) -> Callable[[Runner], None]:
    """After the first publish (unless --once): an editor account and where to look in the web
    app."""

    def step(runner: Runner) -> None:
        from aggregator.demo.web import demo_web
        from aggregator.runtime import utc_now

        if once or not runner.sources:
            return
        for line in demo_web(runner.settings, runner.store.engine, runner.sources[0].id, utc_now()):
            print(line)

    return step


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.store.db import current_revision, make_engine, upgrade

    engine = make_engine(settings.database_url)
    before = current_revision(engine)
    upgrade(engine)
    print(f"database schema: {before or 'empty'} -> {current_revision(engine)}")
    return EXIT_OK


def cmd_db_status(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.store.db import current_revision, make_engine, needs_upgrade

    engine = make_engine(settings.database_url)
    state = "needs `aggregator db upgrade`" if needs_upgrade(engine) else "up to date"
    print(f"database schema: {current_revision(engine) or 'empty'} ({state})")
    return EXIT_OK


def cmd_sources_check(args: argparse.Namespace, settings: Settings) -> int:
    sources = load_sources(settings.config, allow_private=settings.allow_private_urls)
    enabled = sum(1 for s in sources if s.enabled)
    unverified = [s.id for s in sources if not s.feed_verified]
    print(
        f"{settings.config}: {len(sources)} sources, {enabled} enabled, "
        f"{len(unverified)} with an unverified feed URL"
    )
    return EXIT_OK


def cmd_sources_status(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store, utc_now

    store = open_store(settings)
    sources = all_sources(settings, store).sources
    states = store.fetch_states()
    now = utc_now()
    for source in sources:
        state = states.get(source.id)
        if not source.enabled:
            status = "disabled"
        elif state is None or state.last_status is None:
            status = "never fetched"
        elif state.last_status == "failed":
            status = f"failed x{state.consecutive_failures}: {state.last_error_message}"
        else:
            status = state.last_status
        items = state.item_count if state else 0
        when = (
            f"next {state.next_fetch_at:%Y-%m-%d %H:%M} UTC"
            if state and state.next_fetch_at
            else ""
        )
        print(f"{source.id:28} {source.kind:4} {items:5} items  {status} {when}".rstrip())
        if state and state.leased_by and state.leased_until and state.leased_until > now:
            print(
                f"{'':28} being fetched by crawler {state.leased_by} "
                f"(claim until {state.leased_until:%Y-%m-%d %H:%M:%S} UTC)"
            )
        if state and state.moved_to:
            print(f"{'':28} moved permanently to {state.moved_to}: update {settings.config}")
    return EXIT_OK


def cmd_sources_try(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from aggregator.probe import try_source, try_url
    from aggregator.runtime import fetch_settings, scrape_settings, utc_now
    from aggregator.urls import url_problem

    target: str = args.source
    fetching = fetch_settings(settings)
    scraping = scrape_settings(settings)
    if url_problem(target) is None:
        report = asyncio.run(try_url(target, fetching, now=utc_now(), scrape=scraping))
    else:
        sources = load_sources(settings.config, allow_private=settings.allow_private_urls)
        found = [s for s in sources if s.id == target]
        if not found:
            print(
                f"error: '{target}' is neither a source id in {settings.config} nor an http(s) URL",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        report = asyncio.run(try_source(found[0], fetching, now=utc_now(), scrape=scraping))
    for line in try_lines(report):
        print(line)
    return EXIT_FAILURE if report.failed or not report.items else EXIT_OK


def cmd_sources_discover(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from aggregator.probe import discover
    from aggregator.runtime import fetch_settings, scrape_settings, utc_now

    url: str = args.url
    found = asyncio.run(
        discover(url, fetch_settings(settings), now=utc_now(), scrape=scrape_settings(settings))
    )
    for problem in found.problems:
        print(f"error: {url}: {problem.text}", file=sys.stderr)
    failures: dict[str, int] = {}
    for report in found.tried:
        if report.failed:
            code = report.problems[0].code if report.problems else "failed"
            failures[code] = failures.get(code, 0) + 1
            continue
        print(f"{report.kind:4} {report.url}: {len(report.items)} items, {report.dated} dated")
    if failures:
        counts = ", ".join(f"{n} × {code}" for code, n in sorted(failures.items()))
        print(f"{sum(failures.values())} more addresses tried, none readable ({counts})")
    if found.best is None:
        if not found.problems:
            print(f"no feed and no readable news page found for {url}", file=sys.stderr)
        return EXIT_FAILURE
    print()
    for line in try_lines(found.best):
        print(line)
    print()
    print("for sources.yaml (check id, name and city):")
    print(source_yaml(found.best, found.site_name))
    return EXIT_OK


def cmd_sources_add(args: argparse.Namespace, settings: Settings) -> int:
    """The registration form's path without the form: the same URL safety, discovery, preview
    and duplicate checks (`onboarding.Onboarding.propose`), then added at once."""
    import asyncio
    from dataclasses import replace

    from aggregator.mail.addresses import normalize_address
    from aggregator.mail.newsletter import mail_secret
    from aggregator.onboarding import Onboarding, RegistrationRefused, municipalities
    from aggregator.onboarding_text import city_suggestions, official_city, url_refusal
    from aggregator.registry import entry_source, source_entry
    from aggregator.runtime import crawl_once, open_store, utc_now

    contact = normalize_address(args.contact) if args.contact else None
    city = None
    if args.city:
        cities = municipalities()
        city = official_city(args.city, cities)
        if city is None:
            close = ", ".join(city_suggestions(args.city, cities)) or "see `aggregator classify`"
            raise ConfigError(
                [f"--city {args.city!r}: not a municipality name (did you mean: {close})"]
            )
    for option, typed in (("HOMEPAGE", args.url), ("--feed", args.feed)):
        refusal = url_refusal(typed, allow_private=settings.allow_private_urls) if typed else None
        if refusal is not None:  # before anything is fetched or stored; the form's own words
            raise ConfigError([f"{option} {typed[:200]}: {refusal}"])
    load_config(settings.config, allow_private=settings.allow_private_urls)  # a bad file: stop
    store = open_store(settings)
    now = utc_now()

    onboarding = Onboarding(settings, store.engine, secret=mail_secret(settings, store.engine, now))
    proposed = asyncio.run(
        onboarding.propose(name=args.name, city=city, homepage=args.url, url=args.feed, now=now)
    )
    if proposed.refusal is not None:
        raise RegistrationRefused(proposed.refusal)
    preview = proposed.preview
    if preview is not None:
        what = {"feed": "feed", "page": "news page"}.get(preview.kind or "", "nothing readable")
        print(f"{what} {preview.url or args.url}")
        for item in preview.items:
            print(f"  {item.date_iso or 'no date':25}  {item.title}")
        for line in (*preview.notes, *preview.problems):
            print(f"note: {line}")
    if proposed.source is None:
        print(f"error: {args.url}: no feed and no readable news page found", file=sys.stderr)
        return EXIT_FAILURE
    source = entry_source(
        source_entry(
            replace(
                proposed.source,
                id=args.source_id or proposed.source.id,
                interval_minutes=args.interval,
            )
        ),
        allow_private=settings.allow_private_urls,
        where="--id/--interval",
    )
    print()
    if args.dry_run:
        print(f"would add source '{source.id}' ({source.kind} {source.url}); nothing added")
        return EXIT_OK
    onboarding.add_now(source, now=now, contact_email=contact)
    print(f"added source '{source.id}' ({source.kind} {source.url}) to the registry")
    if not args.no_crawl:
        print_summary(crawl_once(settings, store, force=True, only=[source.id]))
    return EXIT_OK


def cmd_sources_list(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store

    store = open_store(settings)
    for source in all_sources(settings, store).sources:
        origin = "yaml" if source.origin == "config" else "registered"
        state = "" if source.enabled else " (disabled)"
        print(
            f"{source.id:28} {origin:10} {source.kind:4} {source.city or '-':16} "
            f"{source.url}{state}"
        )
    return EXIT_OK


def cmd_sources_link(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.mail.forum_mails import send_forum_mail, status_link_mail
    from aggregator.mail.newsletter import mail_secret
    from aggregator.mail.smtp import SmtpConfig
    from aggregator.mail.tokens import source_status_url
    from aggregator.runtime import open_store, utc_now

    store = open_store(settings)
    found = [s for s in all_sources(settings, store).sources if s.id == args.source_id]
    if not found:
        raise ConfigError([f"no source '{args.source_id}' in {settings.config} or the registry"])
    source, now = found[0], utc_now()
    secret = mail_secret(settings, store.engine, now)
    url = source_status_url(settings.base_url, secret, source.id)
    if not args.send:
        print(url)
        return EXIT_OK
    if source.contact is None:
        raise ConfigError(
            [f"source '{source.id}' has no contact: add `contact:` to it in {settings.config}"]
        )
    mail = status_link_mail(source.name, source.url or source.homepage, url)
    send_forum_mail(SmtpConfig.from_settings(settings), source.contact, mail, now)
    print(f"sent the status link of '{source.id}' to {source.contact}")
    return EXIT_OK


def cmd_sources_health(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.health import assess, health_lines
    from aggregator.runtime import open_store, utc_now
    from aggregator.store.health import SourceHealthStore

    store = open_store(settings)
    now = utc_now()
    stats = SourceHealthStore(store.engine).stats(all_sources(settings, store).sources, now)
    after = timedelta(hours=settings.alert_after_h)
    for line in health_lines([assess(s, now, failing_after=after) for s in stats]):
        print(line)
    return EXIT_OK


def cmd_sources_enable(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.mail.newsletter import mail_secret
    from aggregator.onboarding import Onboarding, RegistrationRefused
    from aggregator.runtime import open_store, utc_now

    engine = open_store(settings).engine
    onboarding = Onboarding(settings, engine, secret=mail_secret(settings, engine, utc_now()))
    try:
        source = onboarding.set_enabled(args.source_id, args.enable)
    except RegistrationRefused:
        raise ConfigError(
            [
                f"source '{args.source_id}' is not a registered source: sources.yaml's are "
                f"enabled and disabled in {settings.config} (`aggregator sources list`)"
            ]
        ) from None
    print(f"source '{source.id}' {'enabled' if source.enabled else 'disabled'}")
    return EXIT_OK


def cmd_sources_remove(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store
    from aggregator.store.registry import Registry

    Registry(open_store(settings).engine).remove(args.source_id)
    print(
        f"source '{args.source_id}' is no longer registered: it is not crawled, its items stay "
        f"(`aggregator items purge --source {args.source_id}` deletes them)"
    )
    return EXIT_OK


def cmd_sources_export(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.registry import export_yaml
    from aggregator.runtime import open_store

    sources = all_sources(settings, open_store(settings)).sources
    text = export_yaml(sources)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {len(sources)} sources to {args.output}")
    return EXIT_OK


def try_lines(report: TryReport) -> list[str]:
    """A try's result for the terminal: what was read, the newest items, every problem."""
    kind = "feed" if report.kind == "feed" else "news page"
    how = f" (items found as: {report.pattern})" if report.pattern else ""
    lines = [f"{kind} {report.url}{how}"]
    if not report.failed:
        lines.append(f"{len(report.items)} items would be stored, {report.dated} of them dated")
        for item in report.preview():
            when = f"{item.published:%Y-%m-%d %H:%M} UTC" if item.dated else "no date        "
            lines.append(f"  {when}  {item.title}")
            lines.append(f"  {'':20}  {item.url}")
    for problem in report.problems:
        lines.append(f"problem ({problem.code}): {problem.text}")
    return lines


def source_yaml(report: TryReport, name: str | None = None) -> str:
    import yaml

    host = urlsplit(report.source.homepage).hostname or "quelle"
    entry: dict[str, object] = {
        "id": re.sub(r"[^a-z0-9-]+", "-", host.lower().removeprefix("www."))[:64].strip("-"),
        "name": name or host,
        "city": None,
        "homepage": report.source.homepage,
    }
    if report.kind == "feed":
        entry["feed"] = report.url
    else:
        entry["scrape"] = {"url": report.url}
    text = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False)
    return "\n".join("  " + line for line in text.rstrip().splitlines())


def cmd_classify(args: argparse.Namespace, settings: Settings) -> int:
    import json

    predicted = _classified(args, settings)[1]
    print(json.dumps(predicted, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.evaluation import format_scores, score

    gold, predicted = _classified(args, settings)
    print(format_scores(score(gold, predicted)))
    return EXIT_OK


def _classified(
    args: argparse.Namespace, settings: Settings
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The items file as read, and what `classify` makes of it; a bad file is a ConfigError."""
    import json

    from aggregator.classify import classify, parse_items
    from aggregator.config import load_config

    path: Path = args.items_file
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = parse_items(data, where=str(path))
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read JSON: {exc}"]) from None
    except ValueError as exc:
        raise ConfigError([str(exc)]) from None
    config = load_config(args.sources or settings.config, allow_private=True)
    try:
        predicted = classify(items, {s.id: s for s in config.sources}, taxonomy=config.taxonomy)
    except ValueError as exc:
        raise ConfigError([f"{path}: {exc}"]) from None
    return data, predicted


def cmd_items_purge(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store

    source_id: str = args.source
    sources = load_sources(settings.config)
    if any(s.id == source_id and s.enabled for s in sources):
        print(
            f"error: source '{source_id}' is still enabled in {settings.config}: remove it from "
            "sources.yaml or set enabled: false first; otherwise the next crawl fetches it again",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    store = open_store(settings)
    if source_id not in store.fetch_states([source_id]):
        print(f"error: no source '{source_id}' in the database: nothing to purge", file=sys.stderr)
        return EXIT_CONFIG
    count = store.purge_source(source_id, dry_run=args.dry_run)
    if args.dry_run:
        print(f"would remove {count} items of source '{source_id}' (dry run, nothing changed)")
    else:
        print(
            f"removed {count} items of source '{source_id}'; the next publish removes them from "
            "every page and feed (a running `aggregator run` does it on its next tick; "
            "otherwise run `aggregator publish`)"
        )
    return EXIT_OK


def cmd_items_tag(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.config import load_config
    from aggregator.runtime import open_store
    from aggregator.store.curation import Curation
    from aggregator.tagging.topics import default_taxonomy

    value = " ".join(str(args.value).split())
    if args.kind == "topic":
        taxonomy = load_config(settings.config).taxonomy or default_taxonomy()
        keys = [topic.key for topic in taxonomy.topics]
        if value not in keys:
            print(f"error: unknown topic '{value}' (known: {', '.join(keys)})", file=sys.stderr)
            return EXIT_CONFIG
    if not value or len(value) > 200:
        print("error: the tag must be a name of 1 to 200 characters", file=sys.stderr)
        return EXIT_CONFIG
    Curation(open_store(settings).engine).set_tag(args.item, args.kind, value, removed=args.removed)
    verb = "removed" if args.removed else "set"
    print(f"{args.kind} '{value}' {verb} on {args.item} by the editor; the next publish shows it")
    return EXIT_OK


def cmd_items_merge(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store
    from aggregator.store.curation import Curation

    moved = Curation(open_store(settings).engine).merge(args.item, args.into)
    print(f"{args.item} is now one story with {args.into} ({moved} items moved); kept for good")
    return EXIT_OK


def cmd_items_split(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store
    from aggregator.store.curation import Curation

    Curation(open_store(settings).engine).split(args.item)
    print(f"{args.item} is now a story of its own; kept for good")
    return EXIT_OK


def cmd_items_tags(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store
    from aggregator.store.curation import Curation

    for tag, removed in Curation(open_store(settings).engine).tags_of(args.item):
        why = f"  ({', '.join(tag.why)})" if tag.why else ""
        state = "  removed by the editor" if removed else ""
        print(f"{tag.kind:5} {tag.value:30} {tag.origin:6}{why}{state}")
    return EXIT_OK


def cmd_items_retag(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.config import load_config
    from aggregator.runtime import open_store
    from aggregator.store.curation import Curation
    from aggregator.tagging import tag_text

    taxonomy = load_config(settings.config).taxonomy
    curation = Curation(open_store(settings).engine)
    total = curation.count_items()
    progress = _bar(total, "items")
    done = 0
    for batch in curation.taggable():
        curation.replace_tags(
            {
                item.id: tag_text(
                    item.title, item.text, source_city=item.source_city, taxonomy=taxonomy
                )
                for item in batch
            }
        )
        done += len(batch)
        progress(len(batch))
    progress(0, close=True)
    print(f"re-tagged {done} items; the editor's tags and removals are kept")
    return EXIT_OK


# --- digest: the weekly "Wochenschau" -------------------------------------------------------


def add_digest_commands(commands: Any) -> None:
    digest = commands.add_parser("digest", help="the weekly digest: draft, show, approve, list")
    actions = digest.add_subparsers(dest="digest_command", metavar="ACTION", required=True)
    week_help = "ISO week like 2026-W48 (default: the week before this one, Europe/Berlin)"
    draft = actions.add_parser(
        "draft", help="draft a week's digest, or bring its draft up to date (keeps the edits)"
    )
    draft.add_argument("--week", metavar="WEEK", help=week_help)
    draft.set_defaults(func=cmd_digest_draft)
    show = actions.add_parser("show", help="print a week's digest as its mail text")
    show.add_argument("--week", metavar="WEEK", help=week_help)
    show.set_defaults(func=cmd_digest_show)
    approve = actions.add_parser("approve", help="approve a draft: it is published and sent")
    approve.add_argument("--week", metavar="WEEK", required=True, help="ISO week like 2026-W48")
    approve.add_argument("--editor", metavar="NAME", required=True, help="who approves it")
    approve.set_defaults(func=cmd_digest_approve)
    actions.add_parser("list", help="list every digest with its status").set_defaults(
        func=cmd_digest_list
    )
    send = actions.add_parser(
        "send",
        help="release an approved digest: publish the site, mail whoever has not got it yet",
    )
    send.add_argument("--week", metavar="WEEK", required=True, help="ISO week like 2026-W48")
    send.set_defaults(func=cmd_digest_send)
    add_newsletter_commands(commands)


def add_newsletter_commands(commands: Any) -> None:
    newsletter = commands.add_parser("newsletter", help="newsletter subscribers: list, purge")
    actions = newsletter.add_subparsers(dest="newsletter_command", metavar="ACTION", required=True)
    actions.add_parser(
        "list", help="count the subscribers by status, list the confirmed addresses"
    ).set_defaults(func=cmd_newsletter_list)
    actions.add_parser(
        "purge", help="delete the sign-ups left unconfirmed for 7 days"
    ).set_defaults(func=cmd_newsletter_purge)


def _digest_week(args: argparse.Namespace) -> str:
    from aggregator.runtime import utc_now
    from aggregator.weekly import parse_week, previous_week

    if args.week is None:
        return previous_week(utc_now())
    try:
        parse_week(args.week)
    except ValueError as exc:
        raise ConfigError([f"--week: {exc}"]) from None
    return str(args.week)


def cmd_digest_draft(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.digest import draft_digest
    from aggregator.runtime import open_store, utc_now
    from aggregator.store.digests import Digests

    week = _digest_week(args)
    digests = Digests(open_store(settings).engine)
    digest = draft_digest(digests, week, utc_now(), max_entries=settings.digest_max_entries)
    included = sum(1 for e in digest.entries if e.included)
    print(
        f"digest {week}: draft version {digest.version}, {len(digest.entries)} entries "
        f"({included} included); approve it with `aggregator digest approve --week {week} "
        "--editor NAME`"
    )
    for entry in digest.entries[:10]:
        mark = " " if entry.included else "-"
        print(f"{mark} {entry.position + 1:3}. {entry.headline}  ({len(entry.sources)} forums)")
    if len(digest.entries) > 10:
        print(f"  … and {len(digest.entries) - 10} more")
    return EXIT_OK


def cmd_digest_show(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.digest_mail import render_digest_mail
    from aggregator.runtime import open_store
    from aggregator.store.digests import Digests

    week = _digest_week(args)
    digest = Digests(open_store(settings).engine).get(week)
    if digest is None:
        print(
            f"error: no digest for {week}: draft it with `aggregator digest draft --week {week}`",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    mail = render_digest_mail(
        digest,
        settings.base_url,
        settings.base_url + "newsletter/abmelden/BEISPIEL",
        subject_template=settings.digest_subject,
    )
    state = f"approved by {digest.approved_by}" if digest.status == "approved" else "draft"
    print(f"{mail.subject} ({state}, version {digest.version})\n")
    print(mail.text, end="")
    return EXIT_OK


def cmd_digest_approve(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store, utc_now
    from aggregator.store.digests import Digests

    week = _digest_week(args)
    digest = Digests(open_store(settings).engine).approve(week, args.editor, utc_now())
    included = sum(1 for e in digest.entries if e.included)
    print(
        f"digest {week} approved by {digest.approved_by} ({included} entries); release it "
        f"(publish and mail) with `aggregator digest send --week {week}`"
    )
    return EXIT_OK


def cmd_digest_send(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.release import release_digest
    from aggregator.runtime import open_store, utc_now

    week = _digest_week(args)
    report = release_digest(settings, open_store(settings), week, utc_now())
    print(report.summary())
    if report.delivery.failed:
        print(
            f"error: {report.delivery.failed} copies failed; run the same command again later "
            "to retry them",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return EXIT_OK


def cmd_newsletter_list(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store
    from aggregator.store.subscribers import Subscribers

    subscribers = Subscribers(open_store(settings).engine)
    counts = subscribers.counts()
    print(", ".join(f"{counts.get(s, 0)} {s}" for s in ("confirmed", "pending", "bounced")))
    for _id, email in subscribers.confirmed():
        print(email)
    return EXIT_OK


def cmd_newsletter_purge(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.mail.newsletter import CONFIRM_VALID
    from aggregator.runtime import open_store, utc_now
    from aggregator.store.subscribers import Subscribers

    store = open_store(settings)
    deleted = Subscribers(store.engine).purge_unconfirmed(utc_now(), CONFIRM_VALID)
    print(f"deleted {deleted} sign-ups left unconfirmed for {CONFIRM_VALID.days} days")
    return EXIT_OK


def cmd_digest_list(args: argparse.Namespace, settings: Settings) -> int:
    from aggregator.runtime import open_store
    from aggregator.store.digests import Digests

    found = Digests(open_store(settings).engine).all()
    if not found:
        print("no digests yet: `aggregator digest draft` drafts last week's")
    for digest in found:
        state = f"approved by {digest.approved_by}" if digest.status == "approved" else "draft"
        included = sum(1 for e in digest.entries if e.included)
        print(f"{digest.week}  {state:30}  {included:4} entries  version {digest.version}")
    return EXIT_OK


def _bar(total: int, unit: str) -> Callable[..., None]:
    """A progress bar on a terminal (stderr); silent otherwise."""
    if not sys.stderr.isatty():
        return lambda step, close=False: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit=f" {unit}", file=sys.stderr)

    def step(count: int, close: bool = False) -> None:
        bar.update(count)
        if close:
            bar.close()

    return step


# --- terminal output --------------------------------------------------------------------------


class TerminalProgress:
    """A progress bar on a terminal (stderr), one line per failed source either way."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bar: Any = None
        self.total = self.done = 0

    def started(self, total: int) -> None:
        self.total, self.done = total, 0
        if self.stream.isatty() and total:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                unit="source",
                desc="crawl",
                file=self.stream,
                leave=False,
                dynamic_ncols=True,
            )

    def source_done(self, outcome: SourceOutcome) -> None:
        if outcome.status == "failed":
            self._write(f"failed: {outcome.source_id}: {outcome.message}")
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            if self.done >= self.total:
                self.close()

    def _write(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def print_summary(report: CrawlReport) -> None:
    for outcome in report.outcomes:
        if outcome.moved_to:
            print(
                f"moved: {outcome.source_id} answers with a permanent redirect to "
                f"{outcome.moved_to}: update its feed URL"
            )
        if outcome.warning:
            print(f"warning: {outcome.source_id}: {outcome.warning}")
    seconds = (report.finished_at - report.started_at).total_seconds()
    if not report.outcomes:
        print("crawl: no source is due (use --force to fetch them anyway)")
        return
    print(f"crawl: {report.summary()} in {seconds:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
