"""citebot's command line: index, ask, sources, source, eval, run, feedback, gaps, status, db migrate."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from bot import messages
from bot.adapters import ADAPTERS
from bot.settings import ConfigError, Settings, load_settings

log = logging.getLogger("citebot")

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
BARE_HELP = ("help", "/help", "--help")  # `citebot ask help` prints where the help is, not a search


class Stopped(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C does (a BaseException, so no `except Exception` swallows it)."""


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        settings = load_settings(args.config, _overrides(args))
    except ConfigError as error:
        _error(str(error))
        return EXIT_USAGE
    _configure_logging(settings, getattr(args, "verbose", False))
    from retrieval import IndexMissingError, RetrievalError

    previous = _stop_on_sigterm()
    try:
        return args.handler(args, settings)
    except IndexMissingError as error:
        _error(messages.index_missing(str(error), index_given=bool(getattr(args, "index", None))))
        return EXIT_ERROR
    except (RetrievalError, ConfigError) as error:
        _error(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error(messages.INTERRUPTED)
        return EXIT_INTERRUPTED
    except Stopped:
        _error(messages.STOPPED)
        return EXIT_OK
    except OSError as error:  # a path the user gave that cannot be read or written
        _error(messages.os_error(error))
        return EXIT_ERROR
    except Exception as error:  # never a traceback for the user; -v logs it
        log.debug("unexpected error", exc_info=True)
        _error(messages.unexpected_error(error))
        return EXIT_ERROR
    finally:
        _restore_sigterm(previous)


def _stop_on_sigterm():
    """SIGTERM stops citebot cleanly (bots finish up, a build is abandoned), as Ctrl-C does."""

    def stop(signum, frame) -> None:
        raise Stopped()

    try:
        return signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (tests): leave signals alone
        return None


def _restore_sigterm(previous) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def version() -> str:
    """citebot's installed version."""
    try:
        return metadata.version("citebot")
    except metadata.PackageNotFoundError:
        return "unknown"


_CONFIG_HELP = "YAML config file (default: $CITEBOT_CONFIG or config/default.yaml)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citebot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"citebot {version()}")
    parser.add_argument("--config", help=_CONFIG_HELP)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    index = commands.add_parser("index", help="build or refresh the index")
    _add_paths(index, corpus=True)
    index.add_argument("--quiet", action="store_true", help="no progress bars")
    index.add_argument("--strict", action="store_true", help=messages.STRICT_HELP)
    index.add_argument(
        "--watch",
        action="store_true",
        help="keep running: re-read each source on its refresh_minutes, publish when a file changed",
    )
    index.set_defaults(handler=cmd_index)

    ask = commands.add_parser("ask", help="answer a question with citations")
    _add_paths(ask)
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--batch", metavar="FILE", help="questions from FILE ('-' for stdin), one a line")
    ask.add_argument(
        "--threads",
        action="store_true",
        help='with --batch: each line is {"question": ..., "thread": ID}; a thread\'s turns form one conversation',
    )
    _add_channel(ask)
    ask.add_argument("question", nargs="*", help="the question")
    ask.set_defaults(handler=cmd_ask)

    sources = commands.add_parser("sources", help="list documents, or the best passages for a query")
    _add_paths(sources)
    sources.add_argument("--json", action="store_true")
    sources.add_argument("-k", type=int, default=5, help="passages per query (default 5)")
    sources.add_argument("--batch", metavar="FILE", help="queries from FILE ('-' for stdin), one a line")
    _add_channel(sources)
    sources.add_argument("query", nargs="*")
    sources.set_defaults(handler=cmd_sources)

    source = commands.add_parser("source", help="show one document or passage by id")
    _add_paths(source)
    source.add_argument("--json", action="store_true")
    _add_channel(source)
    source.add_argument("id")
    source.set_defaults(handler=cmd_source)

    evaluate = commands.add_parser("eval", help="score a question file (seeds_dev.yaml format)")
    _add_paths(evaluate)
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--min-score", metavar="FRACTION", type=_fraction, help=messages.MIN_SCORE_HELP)
    evaluate.add_argument("questions", help="YAML question file")
    evaluate.set_defaults(handler=cmd_eval)

    run = commands.add_parser("run", help="run the bot")
    _add_paths(run)
    run.add_argument("--adapter", choices=tuple(ADAPTERS), default="console")
    run.set_defaults(handler=cmd_run)

    feedback = commands.add_parser("feedback", help="list 👍/👎 votes")
    feedback.add_argument("--json", action="store_true")
    feedback.set_defaults(handler=cmd_feedback)

    status = commands.add_parser("status", help="what is indexed, when and how; feedback counts")
    _add_paths(status)
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_status)

    gaps = commands.add_parser("gaps", help="questions abstained on or voted down, most frequent first")
    gaps.add_argument("--json", action="store_true")
    gaps.add_argument("-n", type=int, default=20, help="how many (default 20)")
    gaps.set_defaults(handler=cmd_gaps)
    database = commands.add_parser("db", help="the PostgreSQL database (backend: postgres)")
    database_commands = database.add_subparsers(title="db commands", metavar="ACTION")
    migrate = database_commands.add_parser(
        "migrate", help="create or upgrade the schema (versioned migrations)"
    )
    migrate.add_argument("--config", default=argparse.SUPPRESS, help=_CONFIG_HELP)
    migrate.set_defaults(handler=cmd_db_migrate)
    for command in commands.choices.values():
        # Accepted after the subcommand too; SUPPRESS keeps a --config given before it.
        command.add_argument("--config", default=argparse.SUPPRESS, help=_CONFIG_HELP)
    return parser


def _add_paths(parser: argparse.ArgumentParser, corpus: bool = False) -> None:
    parser.add_argument("--index", metavar="DIR", help="index folder (default from config: .index)")
    if corpus:
        parser.add_argument("--corpus", metavar="DIR", help="documents folder (default from config: seeds)")


def _add_channel(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--channel", metavar="ID", help=messages.CHANNEL_OPTION_HELP)


def _scope(args: argparse.Namespace, settings: Settings) -> dict:
    """The `scope=` keyword for the service: the sources of `--channel ID`, else the console's."""
    from bot.core.service import scoped

    return scoped(settings.source_scope(getattr(args, "channel", None)))


def _overrides(args: argparse.Namespace) -> dict:
    return {"index": getattr(args, "index", None), "corpus": getattr(args, "corpus", None)}


class JsonLogFormatter(logging.Formatter):
    """`logging.format: json`: one JSON object a line (time, level, logger, message, traceback if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _configure_logging(settings: Settings, verbose: bool) -> None:
    level = logging.DEBUG if verbose else getattr(logging, settings.logging.level)
    handler = logging.StreamHandler(sys.stderr)
    if settings.logging.format == "json":
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    for noisy in ("faiss.loader", "sentence_transformers", "httpx", "urllib3", "bm25s", "filelock"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    if not sys.stderr.isatty():  # the weight-loading bar is noise in pipes; read when transformers loads
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def _error(text: str) -> None:
    print(f"citebot: {text}", file=sys.stderr)


def _service(settings: Settings):
    from bot import backends
    from bot.core.service import QAService

    backends.check_ready(settings)  # backend postgres: reachable (with retry), at this code's schema
    return QAService(settings)


def _table(settings: Settings):
    from bot import backends
    from bot.core.commands import CommandTable

    service = _service(settings)
    service.warm_up()
    return CommandTable(
        service,
        backends.feedback_store(settings),
        backends.conversation_store(settings),
        claims=backends.event_claims(settings),
    )


# -- commands ------------------------------------------------------------------------------------
def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    if settings.sources:
        return _index_sources(args, settings)
    if args.watch:
        _error(messages.WATCH_NEEDS_SCHEDULE)
        return EXIT_USAGE
    corpus, index = Path(settings.corpus), Path(settings.index)
    problem = _index_paths_problem(corpus, index)
    if problem:
        _error(problem)
        return EXIT_USAGE
    from bot import backends

    backends.check_ready(settings)
    return _quietly(lambda: _build(args, settings, index, _corpus_builder(args, settings)))


def _index_sources(args: argparse.Namespace, settings: Settings) -> int:
    """`citebot index` with `sources:` in the config: every source read into one generation (a source
    that cannot be read keeps what the index had of it, and the exit status is 1); `--watch` then
    keeps re-reading the sources that have refresh_minutes."""
    index = Path(settings.index)
    if index.exists() and not index.is_dir():
        _error(messages.index_not_a_folder(str(index)))
        return EXIT_USAGE
    scheduled = [source.name for source in settings.sources if source.refresh_minutes]
    if args.watch and not scheduled:
        _error(messages.WATCH_NEEDS_SCHEDULE)
        return EXIT_USAGE
    from bot import backends

    backends.check_ready(settings)
    state = backends.state_folder(settings)

    def build_all(show_progress: bool, strict: bool):
        from retrieval import build_sources

        config = settings.engine_config()
        return build_sources(config, settings.sources, state, show_progress=show_progress, strict=strict)

    status = _quietly(lambda: _build(args, settings, index, build_all))
    if not args.watch or status not in (EXIT_OK, EXIT_ERROR):
        return status
    print(messages.watching(scheduled), flush=True)
    _refresher(settings, index).run()
    return EXIT_OK


def _refresher(settings: Settings, index: Path, announce: bool = True):
    """The refresher of the sources with refresh_minutes; it records each build for `status` and, with
    `announce` (index --watch), prints its summary (the bot only logs it: stdout may be its console)."""
    from bot import backends
    from retrieval import Refresher

    def built(report) -> None:
        if settings.backend == "files":
            _write_build_record(index, report)
        if announce:
            print(_summary(report), flush=True)

    lock = index / BUILD_LOCK if settings.backend == "files" else None
    if lock is not None:
        index.mkdir(parents=True, exist_ok=True)
    return Refresher(
        settings.engine_config(),
        settings.sources,
        backends.state_folder(settings),
        lock_path=lock,
        on_built=built,
    )


def _quietly(run):
    """Run `run()` with the indexer's per-file warnings off (skipped files are reported once, after)."""
    indexer_log = logging.getLogger("retrieval.ingest.build")
    previous_level = indexer_log.level
    indexer_log.setLevel(logging.ERROR)
    try:
        return run()
    finally:
        indexer_log.setLevel(previous_level)


def _corpus_builder(args: argparse.Namespace, settings: Settings):
    def build_corpus(show_progress: bool, strict: bool):
        from retrieval import build

        return build(settings.engine_config(), show_progress=show_progress, strict=strict)

    return build_corpus


def _build(args: argparse.Namespace, settings: Settings, index: Path, builder) -> int:
    """Build under the index's lock with `builder(show_progress, strict) -> BuildReport`; print the summary."""
    from filelock import FileLock, Timeout

    from retrieval import UnreadFilesError

    made_here = not index.exists()  # a failed --strict build then leaves no empty index folder behind
    index.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index / BUILD_LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        _error(messages.index_locked(str(index)))
        return EXIT_ERROR
    try:
        report = builder(not args.quiet, args.strict)
    except UnreadFilesError as error:  # --strict: one line per kind of file not read; nothing published
        lock.release()
        if made_here:
            shutil.rmtree(index, ignore_errors=True)  # only what this command created: no index was made
        for line in messages.strict_failure(
            _pairs(error.unread), _pairs(error.skipped), str(index), made_here
        ):
            _error(line)
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error(messages.index_abandoned(str(index)))
        return EXIT_INTERRUPTED
    except Stopped:
        _error(messages.index_abandoned(str(index)))
        return EXIT_OK
    finally:
        lock.release()
    _write_build_record(index, report)
    for skipped in report.skipped:
        print(messages.skipped_file(skipped.source, skipped.reason), file=sys.stderr)
    print(_summary(report))
    for record in report.sources.values():
        failed = record.name in report.source_errors
        print(messages.source_indexed(record.name, record.documents, record.revision, record.pages, failed))
    if report.unread:  # after the summary, where it is seen: the files that are not in the index at all
        print("\n".join(messages.unread_files(_pairs(report.unread))), file=sys.stderr)
    for error in report.source_errors.values():
        _error(error)
    if report.source_errors:
        _error(messages.sources_not_read(len(report.source_errors)))
        return EXIT_ERROR
    return EXIT_OK


def _summary(report) -> str:
    return messages.index_built(
        report.files,
        report.passages,
        report.embedded_files,
        report.reused_files,
        len(report.removed),
        report.seconds,
        report.runtimes,
    )


def _pairs(files) -> list[tuple[str, str]]:
    """(source, reason) of SkippedFile values, for messages."""
    return [(f.source, f.reason) for f in files]


BUILD_LOCK = ".build.lock"  # held by the `citebot index` building this index
BUILD_RECORD = "last_build.json"  # what the last build did (files skipped or not read, and why): `status`


def _index_paths_problem(corpus: Path, index: Path) -> str | None:
    if not corpus.is_dir():
        return messages.corpus_not_a_folder(str(corpus))
    if index.exists() and not index.is_dir():
        return messages.index_not_a_folder(str(index))
    return None


def _write_build_record(index: Path, report) -> None:
    record = {
        "generation": report.generation,
        "files": report.files,
        "passages": report.passages,
        "embedded_files": report.embedded_files,
        "reused_files": report.reused_files,
        "removed": list(report.removed),
        "skipped": [{"source": s.source, "reason": s.reason} for s in report.skipped],
        "unread": [{"source": s.source, "reason": s.reason} for s in report.unread],
        "seconds": round(report.seconds, 1),
    }
    temporary = index / f".{BUILD_RECORD}.tmp"
    temporary.write_text(json.dumps(record, indent=1), "utf-8")
    os.replace(temporary, index / BUILD_RECORD)


def _inputs(args: argparse.Namespace, words: list[str]) -> Iterator[str] | None:
    """Questions from --batch (skipping blank lines) or the positional words; None when neither."""
    if args.batch:
        stream = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
        return (line.rstrip("\n") for line in stream if line.strip())
    if " ".join(words).strip():
        return iter([" ".join(words)])
    return None


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """`citebot ask`: each question through the command table, as the CLI (channel None, or --channel's);
    with --threads each thread one conversation, kept in memory for the run."""
    from bot.adapters.console.render import render
    from bot.core.models import Answer, Origin

    try:
        questions = _inputs(args, args.question)
    except OSError as error:
        _error(f"cannot read {args.batch}: {error.strerror}")
        return EXIT_USAGE
    if questions is None:
        _error(messages.CLI_EMPTY_QUESTION)
        return EXIT_USAGE
    if not args.batch and " ".join(args.question).strip().lower() in BARE_HELP:
        print(messages.CLI_HELP_HINT)  # `citebot ask help`: the person wants the CLI's help, not a search
        return EXIT_OK
    if args.threads and not args.batch:
        _error(messages.THREADS_NEED_BATCH)
        return EXIT_USAGE
    table = _ask_table(settings, args.threads)
    console = _console()
    status = EXIT_OK
    for number, line in enumerate(questions, 1):
        asked = _thread_turn(line) if args.threads else (line, None)
        if isinstance(asked, str):
            _error(messages.bad_thread_line("stdin" if args.batch == "-" else args.batch, number, asked))
            status = EXIT_USAGE
            continue
        question, thread = asked
        # `parent`: the channel the terminal answers as (--channel), whose sources it sees
        origin = Origin("cli", "batch", "", thread or "", parent=args.channel or "")
        reply = table.run("ask", question, origin)
        if isinstance(reply, Answer):
            if args.json:
                _print_json(reply.to_json())
            else:
                console.print(render(reply))
            continue
        status = max(status, EXIT_ERROR)
        if not args.json:
            _error(reply.text)
        elif thread is None:
            _print_json({"question": question, "answer": reply.text, "abstained": True, "citations": [],
                         "error": reply.text})  # fmt: skip
        else:
            _print_json({"question": question, "thread": thread, "answer": reply.text, "abstained": True,
                         "citations": [], "see_also": [], "error": reply.text})  # fmt: skip
    return status


def _ask_table(settings: Settings, threads: bool):
    """The command table `citebot ask` asks through: no feedback records; with `threads`, a conversation
    store in memory for this run. The index and the model are loaded first, so a missing index stops
    the run with its path and the fix (not a chat notice per question)."""
    from bot.core.commands import CommandTable
    from bot.state.conversations import MEMORY, SqliteConversationStore

    service = _service(settings)
    service.warm_up()
    if not threads:
        return CommandTable(service)
    kept = settings.conversation
    return CommandTable(
        service, conversations=SqliteConversationStore(MEMORY, kept.max_turns, kept.expiry_minutes * 60)
    )


def _thread_turn(line: str) -> tuple[str, str] | str:
    """(question, thread) from one JSON line, or what is wrong with the line."""
    try:
        value = json.loads(line)
    except ValueError as error:
        return f"not JSON ({error.msg})"
    if not isinstance(value, dict):
        return 'expected an object like {"question": "...", "thread": "ID"}'
    question, thread = value.get("question"), value.get("thread")
    if not isinstance(question, str) or not question.strip():
        return '"question" must be a non-empty string'
    if isinstance(thread, bool) or not isinstance(thread, str | int) or str(thread) == "":
        return '"thread" must be a string or a number'
    return question, str(thread)


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.console.render import render
    from bot.core.models import SourceList

    try:
        queries = _inputs(args, args.query)
    except OSError as error:
        _error(f"cannot read {args.batch}: {error.strerror}")
        return EXIT_USAGE
    service = _service(settings)
    if queries is None:
        listing = service.sources(None, **_scope(args, settings))
        if args.json:
            _print_json(
                {
                    "documents": [
                        {"source": d.source, "title": d.title, "url": d.url, "passages": d.passage_count}
                        for d in listing.documents
                    ]
                }
            )
        else:
            _console().print(render(listing))
        return EXIT_OK
    if args.k < 1:
        _error("-k must be at least 1")
        return EXIT_USAGE
    status = EXIT_OK
    for query in queries:
        listing = service.sources(query, k=args.k, **_scope(args, settings))
        if not isinstance(listing, SourceList):
            status = EXIT_ERROR
            if args.json:
                _print_json({"query": query, "hits": [], "error": listing.text})
            else:
                _error(listing.text)
            continue
        if args.json:
            _print_json(
                {
                    "query": query,
                    "hits": [_hit_json(h) for h in listing.hits],
                }
            )
        else:
            _console().print(render(listing))
    return status


def _hit_json(hit) -> dict:
    return {
        "source": hit.source,
        "id": hit.passage_id,
        "passage": hit.text,
        "score": round(hit.score or 0, 6),
        "link": hit.link,
    }


def cmd_source(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.console.render import render
    from bot.core.models import Notice, SourceList

    reply = _service(settings).source(args.id, **_scope(args, settings))
    if isinstance(reply, Notice):
        _error(reply.text)
        return EXIT_ERROR
    if isinstance(reply, SourceList):  # the words were no id: the passages they match best
        if args.json:
            _print_json({"query": reply.query, "hits": [_hit_json(h) for h in reply.hits]})
        else:
            _console().print(render(reply))
        return EXIT_OK
    if args.json:
        views = [reply.passage] if reply.passage else list(reply.document_passages)
        _print_json(
            {
                "id": args.id,
                "document": None
                if not reply.document
                else {
                    "source": reply.document.source,
                    "title": reply.document.title,
                    "url": reply.document.url,
                },
                "passages": [
                    {
                        "id": v.passage_id,
                        "source": v.source,
                        "title": v.title,
                        "url": v.url,
                        "link": v.link,
                        "passage": v.text,
                        "location": v.location.describe(),
                    }
                    for v in views
                ],
            }
        )
    else:
        _console().print(render(reply))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation import EvalFileError, evaluate, load_questions, summary_json

    try:
        questions = load_questions(Path(args.questions))
    except EvalFileError as error:
        _error(str(error))
        return EXIT_USAGE
    service = _service(settings)
    results = evaluate(service, questions)
    if args.json:
        _print_json(summary_json(results))
    else:
        for result in results:
            if not result.passed:
                question = result.question
                print(messages.eval_miss(question.id, question.kind, question.question, list(result.misses)))
        print(messages.eval_summary(sum(r.passed for r in results), len(results)))
    score = sum(r.passed for r in results) / max(len(results), 1)
    if args.min_score is not None and score < args.min_score:
        _error(messages.eval_below_minimum(score, args.min_score))
        return EXIT_ERROR
    return EXIT_OK


def _fraction(text: str) -> float:
    """argparse type for --min-score: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a number from 0 to 1 (0.8 means 80%)")
    return value


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters import build_adapter, required_secrets

    settings.require(*required_secrets(args.adapter, settings))
    adapter = build_adapter(args.adapter, settings, _table(settings))
    refresher = None
    if any(source.refresh_minutes for source in settings.sources):  # sources kept fresh in the background
        refresher = _refresher(settings, Path(settings.index), announce=False)
        refresher.start()
    try:
        adapter.run()
    finally:
        if refresher is not None:
            refresher.stop()
    return EXIT_OK


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """The live index (generation, build, corpus, model, counts, files skipped or not read), each named
    source (documents, commit or pages, last read, last error) and feedback; no model loaded."""
    from bot import backends
    from retrieval import Engine, IndexMissingError

    index = Path(settings.index)
    backends.check_ready(settings)
    try:
        generation, manifest = Engine(settings.engine_config()).manifest()
    except IndexMissingError:
        if settings.sources and not args.json:  # no index yet: say what each source's last read met
            print("\n".join(messages.source_status_lines(_sources_status(settings, None))))
        raise
    build = _read_build_record(index)
    same_build = build.get("generation") == generation
    skipped = build.get("skipped") if same_build else None
    unread = build.get("unread") if same_build else None  # None: built by a citebot that did not record it
    feedback, turns = backends.state_counts(settings)
    status = {
        "version": version(),
        "index": backends.index_location(settings),
        "generation": generation,
        "built_at": manifest.built_at,
        "corpus": manifest.corpus,
        "model": manifest.model,
        "encoder": {
            "dimension": manifest.dimension,
            "index_type": manifest.index_type,
            "sentence_transformers": manifest.versions.get("sentence-transformers"),
        },
        "documents": len(manifest.files),
        "passages": manifest.passage_count,
        "skipped": skipped,
        "unread": unread,
        "state": _state_location(settings),  # where feedback and turns are counted: not the index's folder
        "feedback": feedback,
        "conversation_turns": turns,
        "held_replies": backends.held_reply_counts(settings),
        "sources": _sources_status(settings, manifest),
    }
    if args.json:
        _print_json(status)
    else:
        print("\n".join([messages.status_text(status), *messages.source_status_lines(status["sources"])]))
    return EXIT_OK


def _state_location(settings: Settings) -> str:
    """Where `status` counts feedback and conversation turns: the SQLite file `feedback.path` (relative
    paths are the current directory's, whatever --index says), or the database with backend postgres."""
    from bot import backends

    if settings.backend == "postgres":
        return backends.index_location(settings)
    return str(Path(settings.feedback.path).expanduser().resolve())


def _sources_status(settings: Settings, manifest) -> list[dict]:
    """Per named source: what the live index holds of it (nothing when `manifest` is None: no index yet)
    and its last refresh outcome ([] for `corpus`)."""
    if not settings.sources:
        return []
    from bot import backends
    from retrieval import sources_status

    records, files = (manifest.sources, list(manifest.files)) if manifest else ({}, [])
    return sources_status(settings.sources, records, files, backends.state_folder(settings))


def _read_build_record(index: Path) -> dict:
    try:
        record = json.loads((index / BUILD_RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from bot import backends

    records = backends.feedback_store(settings).feedback()
    if args.json:
        for record in records:
            _print_json(record.__dict__ | {"passage_ids": list(record.passage_ids)})
        return EXIT_OK
    for r in records:
        print(
            messages.feedback_line(r.created_at, r.vote, r.platform, r.channel, r.user, r.question, r.answer)
        )
    if not records:
        print(messages.NO_FEEDBACK_YET)
    return EXIT_OK


def cmd_gaps(args: argparse.Namespace, settings: Settings) -> int:
    from bot import backends

    gaps = backends.feedback_store(settings).gaps(args.n)
    if args.json:
        for gap in gaps:
            _print_json(gap.__dict__)
        return EXIT_OK
    for gap in gaps:
        print(messages.gap_line(gap.times, gap.question, gap.abstentions, gap.down_votes))
    if not gaps:
        print(messages.NO_GAPS_YET)
    return EXIT_OK


def cmd_db_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply the schema migrations the database lacks (whatever `backend` says: this is how it is set up)."""
    from bot import backends

    if settings.backend == "files" and not settings.database.url:  # nothing to migrate: not an error
        print(messages.files_backend_needs_no_migration(settings.index, settings.feedback.path))
        return EXIT_OK
    settings.require("database.url")
    print(backends.migrate(settings))
    return EXIT_OK


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True, emoji=False, markup=False)


def _print_json(value: dict) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
