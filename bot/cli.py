"""citebot's command line: index, ask, sources, source, eval, run, feedback, gaps."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from bot import messages
from bot.settings import ConfigError, Settings, load_settings

log = logging.getLogger("citebot")

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


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
    from retrieval.errors import RetrievalError

    try:
        return args.handler(args, settings)
    except (RetrievalError, ConfigError) as error:
        _error(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


_CONFIG_HELP = "YAML config file (default: $CITEBOT_CONFIG or config/default.yaml)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citebot", description=__doc__)
    parser.add_argument("--config", help=_CONFIG_HELP)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    index = commands.add_parser("index", help="build or refresh the index")
    _add_paths(index, corpus=True)
    index.add_argument("--quiet", action="store_true", help="no progress bars")
    index.set_defaults(handler=cmd_index)

    ask = commands.add_parser("ask", help="answer a question with citations")
    _add_paths(ask)
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--batch", metavar="FILE", help="questions from FILE ('-' for stdin), one a line")
    ask.add_argument("question", nargs="*", help="the question")
    ask.set_defaults(handler=cmd_ask)

    sources = commands.add_parser("sources", help="list documents, or the best passages for a query")
    _add_paths(sources)
    sources.add_argument("--json", action="store_true")
    sources.add_argument("-k", type=int, default=5, help="passages per query (default 5)")
    sources.add_argument("--batch", metavar="FILE", help="queries from FILE ('-' for stdin), one a line")
    sources.add_argument("query", nargs="*")
    sources.set_defaults(handler=cmd_sources)

    source = commands.add_parser("source", help="show one document or passage by id")
    _add_paths(source)
    source.add_argument("--json", action="store_true")
    source.add_argument("id")
    source.set_defaults(handler=cmd_source)

    evaluate = commands.add_parser("eval", help="score a question file (seeds_dev.yaml format)")
    _add_paths(evaluate)
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("questions", help="YAML question file")
    evaluate.set_defaults(handler=cmd_eval)

    run = commands.add_parser("run", help="run the bot")
    _add_paths(run)
    run.add_argument("--adapter", choices=("console", "slack", "discord"), default="console")
    run.set_defaults(handler=cmd_run)

    feedback = commands.add_parser("feedback", help="list 👍/👎 votes")
    feedback.add_argument("--json", action="store_true")
    feedback.set_defaults(handler=cmd_feedback)

    gaps = commands.add_parser("gaps", help="questions abstained on or voted down, most frequent first")
    gaps.add_argument("--json", action="store_true")
    gaps.add_argument("-n", type=int, default=20, help="how many (default 20)")
    gaps.set_defaults(handler=cmd_gaps)
    for command in commands.choices.values():
        # Accepted after the subcommand too; SUPPRESS keeps a --config given before it.
        command.add_argument("--config", default=argparse.SUPPRESS, help=_CONFIG_HELP)
    return parser


def _add_paths(parser: argparse.ArgumentParser, corpus: bool = False) -> None:
    parser.add_argument("--index", metavar="DIR", help="index folder (default from config: .index)")
    if corpus:
        parser.add_argument("--corpus", metavar="DIR", help="documents folder (default from config: seeds)")


def _overrides(args: argparse.Namespace) -> dict:
    return {"index": getattr(args, "index", None), "corpus": getattr(args, "corpus", None)}


def _configure_logging(settings: Settings, verbose: bool) -> None:
    level = logging.DEBUG if verbose else getattr(logging, settings.logging.level)
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for noisy in ("faiss.loader", "sentence_transformers", "httpx", "urllib3", "bm25s", "filelock"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    if not sys.stderr.isatty():  # the weight-loading bar is noise in pipes; read when transformers loads
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def _error(text: str) -> None:
    print(f"citebot: {text}", file=sys.stderr)


def _service(settings: Settings):
    from bot.core.service import QAService

    return QAService(settings)


def _table(settings: Settings):
    from bot.core.commands import CommandTable
    from bot.core.feedback import FeedbackStore

    service = _service(settings)
    service.warm_up()
    return CommandTable(service, FeedbackStore(Path(settings.feedback.path)))


# -- commands ------------------------------------------------------------------------------------
def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.chunking import ChunkingParams
    from retrieval.encoders import indexing_embedder
    from retrieval.indexer import build_index

    logging.getLogger("retrieval.indexer").setLevel(logging.ERROR)  # skipped files are reported below, once
    report = build_index(
        Path(settings.corpus),
        Path(settings.index),
        indexing_embedder(settings.encoder, settings.model, settings.device),
        ChunkingParams(settings.retrieval.chunk_size, settings.retrieval.chunk_overlap),
        settings.retrieval.index_type,
        show_progress=not args.quiet,
        sentence_vectors=settings.retrieval.sentence_vectors,
        exact_limit=settings.retrieval.exact_limit,
    )
    for skipped in report.skipped:
        print(messages.skipped_file(skipped.source, skipped.reason), file=sys.stderr)
    print(
        messages.index_built(
            report.files,
            report.passages,
            report.embedded_files,
            report.reused_files,
            len(report.removed),
            report.seconds,
        )
    )
    return EXIT_OK


def _inputs(args: argparse.Namespace, words: list[str]) -> Iterator[str] | None:
    """Questions from --batch (skipping blank lines) or the positional words; None when neither."""
    if args.batch:
        stream = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
        return (line.rstrip("\n") for line in stream if line.strip())
    if " ".join(words).strip():
        return iter([" ".join(words)])
    return None


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.console.render import render
    from bot.core.models import Answer

    try:
        questions = _inputs(args, args.question)
    except OSError as error:
        _error(f"cannot read {args.batch}: {error.strerror}")
        return EXIT_USAGE
    if questions is None:
        _error(messages.EMPTY_QUESTION)
        return EXIT_USAGE
    service = _service(settings)
    console = _console()
    status = EXIT_OK
    for question in questions:
        reply = service.ask(question)
        if not isinstance(reply, Answer):
            status = EXIT_ERROR
            if args.json:
                _print_json(
                    {
                        "question": question,
                        "answer": reply.text,
                        "abstained": True,
                        "citations": [],
                        "error": reply.text,
                    }
                )
            else:
                _error(reply.text)
            continue
        if args.json:
            _print_json(reply.to_json())
        else:
            console.print(render(reply))
    return status


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
        listing = service.sources(None)
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
        listing = service.sources(query, k=args.k)
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
                    "hits": [
                        {
                            "source": h.source,
                            "id": h.passage_id,
                            "passage": h.text,
                            "score": round(h.score or 0, 6),
                        }
                        for h in listing.hits
                    ],
                }
            )
        else:
            _console().print(render(listing))
    return status


def cmd_source(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.console.render import render
    from bot.core.models import Notice

    reply = _service(settings).source(args.id)
    if isinstance(reply, Notice):
        _error(reply.text)
        return EXIT_ERROR
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
        return EXIT_OK
    for result in results:
        if not result.passed:
            print(f"MISS {result.question.id} ({result.question.kind}) {result.question.question}")
            for miss in result.misses:
                print(f"     - {miss}")
    print(messages.eval_summary(sum(r.passed for r in results), len(results)))
    return EXIT_OK


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if args.adapter == "slack":
        needed = ["slack.bot_token"] + (
            ["slack.app_token"] if settings.slack.mode == "socket" else ["slack.signing_secret"]
        )
        settings.require(*needed)
        from bot.adapters.slack.app import run_slack

        run_slack(settings, _table(settings))
        return EXIT_OK
    if args.adapter == "discord":
        settings.require("discord.token")
        from bot.adapters.discord.client import run_discord

        run_discord(settings, _table(settings))
        return EXIT_OK
    from bot.adapters.console.adapter import ConsoleAdapter

    color = {"always": True, "never": False}.get(settings.console.color)
    adapter = ConsoleAdapter(_table(settings), color=color, history_file=settings.console.history)
    adapter.run(messages.CONSOLE_WELCOME.format(corpus=settings.corpus))
    return EXIT_OK


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.feedback import FeedbackStore

    records = FeedbackStore(Path(settings.feedback.path)).feedback()
    if args.json:
        for record in records:
            _print_json(record.__dict__ | {"passage_ids": list(record.passage_ids)})
        return EXIT_OK
    for record in records:
        mark = "👍" if record.vote == "up" else "👎"
        print(
            f"{record.created_at} {mark} {record.platform}/{record.channel} {record.user}: {record.question}"
        )
        print(f"    answer: {record.answer[:160]}")
    if not records:
        print("No feedback yet.")
    return EXIT_OK


def cmd_gaps(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.feedback import FeedbackStore

    gaps = FeedbackStore(Path(settings.feedback.path)).gaps(args.n)
    if args.json:
        for gap in gaps:
            _print_json(gap.__dict__)
        return EXIT_OK
    for gap in gaps:
        print(f"{gap.times:>4}x  {gap.question}  ({gap.abstentions} abstained, {gap.down_votes} 👎)")
    if not gaps:
        print("No gaps recorded yet.")
    return EXIT_OK


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True, emoji=False, markup=False)


def _print_json(value: dict) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
