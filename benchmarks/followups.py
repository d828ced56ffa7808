"""Follow-up questions in threads: later turns as written vs their standalone rewrites, and first turns.

python -m benchmarks.followups DIALOGUES.yaml --index seeds=DIR [--index docs_dev=DIR] [--verbose] [--json]

Each dialogue is asked in order as one conversation through the command table (the path chat threads and
`citebot ask --batch --threads` take); every later turn's `standalone` rewrite is also asked on its own.
A turn passes as in `citebot eval`. The target: later turns as written score >= 0.8 of the standalone score.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from bot.core.commands import CommandTable  # noqa: E402
from bot.core.models import Origin  # noqa: E402
from bot.core.service import QAService  # noqa: E402
from bot.evaluation import EvalQuestion, EvalResult, score  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.state.conversations import MEMORY, SqliteConversationStore  # noqa: E402


@dataclass(frozen=True)
class TurnScore:
    dialogue: str
    position: int  # 0 for the first turn
    ctx: str
    as_written: EvalResult
    standalone: EvalResult | None  # later turns only
    alone: EvalResult | None  # later turns as written but asked outside the thread (no context)


def load_dialogues(path: Path) -> list[dict[str, Any]]:
    """The `dialogues:` list of a followups YAML file."""
    raw = yaml.safe_load(Path(path).read_text("utf-8"))
    dialogues = raw.get("dialogues") if isinstance(raw, dict) else None
    if not isinstance(dialogues, list):
        raise ValueError(f"{path}: expected a top-level 'dialogues:' list")
    return dialogues


def _question(dialogue: str, position: int, turn: dict[str, Any], text: str) -> EvalQuestion:
    return EvalQuestion(
        id=f"{dialogue}.{position}",
        question=text,
        answers=tuple(str(a) for a in turn.get("answers") or ()),
        docs=tuple(str(d) for d in turn.get("docs") or ()),
        forbid=tuple(str(f) for f in turn.get("forbid") or ()),
        kind=str(turn.get("kind", "fact")),
    )


def score_dialogues(service: QAService, dialogues: list[dict[str, Any]]) -> list[TurnScore]:
    """Ask every dialogue as a thread, and each later turn's standalone rewrite alone."""
    table = CommandTable(service, conversations=SqliteConversationStore(MEMORY, expiry_s=10**9))
    scores = []
    for dialogue in dialogues:
        origin = Origin("benchmark", "followups", "", str(dialogue["id"]))
        for position, turn in enumerate(dialogue["turns"]):
            question = _question(dialogue["id"], position, turn, turn["q"])
            written = score(question, table.run("ask", turn["q"], origin))
            standalone = alone = None
            if position:
                rewrite = turn.get("standalone") or turn["q"]
                standalone = score(_question(dialogue["id"], position, turn, rewrite), service.ask(rewrite))
                alone = score(question, service.ask(turn["q"]))
            scores.append(
                TurnScore(dialogue["id"], position, str(turn.get("ctx", "")), written, standalone, alone)
            )
    return scores


def summary(scores: list[TurnScore]) -> dict[str, Any]:
    later = [s for s in scores if s.position]
    first = [s for s in scores if not s.position]
    written = sum(s.as_written.passed for s in later)
    standalone = sum(s.standalone.passed for s in later if s.standalone)
    return {
        "first_turns": f"{sum(s.as_written.passed for s in first)}/{len(first)}",
        "later_as_written": f"{written}/{len(later)}",
        "later_standalone": f"{standalone}/{len(later)}",
        "later_without_context": f"{sum(s.alone.passed for s in later if s.alone)}/{len(later)}",
        "ratio": round(written / standalone, 3) if standalone else None,
    }


def _service(index: Path) -> QAService:
    return QAService(Settings.model_validate({"index": str(index)}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dialogues", type=Path)
    parser.add_argument("--index", action="append", default=[], metavar="CORPUS=DIR", required=True)
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    dialogues = load_dialogues(args.dialogues)
    report: dict[str, Any] = {}
    for spec in args.index:
        corpus, _, index = spec.partition("=")
        chosen = [d for d in dialogues if d.get("corpus") == corpus]
        scores = score_dialogues(_service(Path(index)), chosen)
        report[corpus] = summary(scores)
        if args.verbose:
            for s in scores:
                for label, result in (("written", s.as_written), ("standalone", s.standalone)):
                    if result is not None and not result.passed:
                        print(f"MISS {label:10} {result.question.id} [{s.ctx}] {result.question.question}")
                        for miss in result.misses:
                            print(f"      - {miss}")
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for corpus, figures in report.items():
            print(corpus, " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
