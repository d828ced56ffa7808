"""The questions whose outcome flipped between two results files of `benchmarks.quality --results`.

    .venv/bin/python -m benchmarks.flips OLD.jsonl NEW.jsonl [--set NAME]

Prints, per set, each question that went from pass to fail or from fail to pass (with both answers'
first words and the new miss), then a per-set line: passed before -> after, of how many questions
each file holds, +gained -lost. A change that fixes one question and breaks another reads "+1 -1"
here, never "unchanged". A question that passed in OLD and is missing from NEW (a crashed or partial
run) counts as lost. Exits 1 when any question was lost.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path


def read_results(path: Path) -> dict[tuple[str, str], dict]:
    """(set, id) -> outcome, from a JSON-lines results file. Raises SystemExit on unreadable input."""
    found: dict[tuple[str, str], dict] = {}
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except OSError as error:
        raise SystemExit(f"cannot read {path}: {error.strerror}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row["passed"], bool):
                raise TypeError
            found[(row["set"], str(row["id"]))] = row
        except (json.JSONDecodeError, KeyError, TypeError):
            raise SystemExit(f"{path}:{number}: not a results line (set, id, passed)") from None
    if not found:
        raise SystemExit(f"{path}: no results lines")
    return found


def flips(old: dict, new: dict) -> dict[str, dict[str, list]]:
    """Per set: 'gained' and 'lost' (lists of (id, old row, new row)), and 'only_old' / 'only_new' ids."""
    by_set: dict[str, dict[str, list]] = defaultdict(lambda: {"gained": [], "lost": [], "only_old": [],
                                                              "only_new": []})  # fmt: skip
    for key in sorted(old.keys() | new.keys()):
        name, qid = key
        if key not in new:
            by_set[name]["only_old"].append(qid)
        elif key not in old:
            by_set[name]["only_new"].append(qid)
        elif old[key]["passed"] != new[key]["passed"]:
            which = "gained" if new[key]["passed"] else "lost"
            by_set[name][which].append((qid, old[key], new[key]))
    return dict(by_set)


def _brief(row: dict) -> str:
    return "(abstained)" if row.get("abstained") else repr(row.get("answer", "")[:70])


def _question(row: dict) -> str:
    return str(row.get("question", ""))[:70]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--set", help="only this set")
    args = parser.parse_args()
    old, new = read_results(Path(args.old)), read_results(Path(args.new))
    changes = flips(old, new)
    names = sorted({name for name, _ in old.keys() | new.keys()})
    if args.set and args.set not in names:
        raise SystemExit(f"no set {args.set!r} in either file; sets: {', '.join(names)}")
    lost_any = False
    for name in names:
        if args.set and name != args.set:
            continue
        found = changes.get(name, {"gained": [], "lost": [], "only_old": [], "only_new": []})
        before = sum(r["passed"] for (s, _), r in old.items() if s == name)
        after = sum(r["passed"] for (s, _), r in new.items() if s == name)
        total_old = sum(1 for s, _ in old if s == name)
        total_new = sum(1 for s, _ in new if s == name)
        vanished = [q for q in found["only_old"] if old[(name, q)]["passed"]]
        lost = len(found["lost"]) + len(vanished)
        counts = f"of {total_new}" if total_old == total_new else f"(of {total_old} -> {total_new})"
        print(f"{name}: {before} -> {after} {counts}, +{len(found['gained'])} -{lost}")
        for qid, was, now in found["gained"]:
            print(f"  + {qid}: {_question(now)!r}: {_brief(was)} -> {_brief(now)}")
        for qid, was, now in found["lost"]:
            miss = (now.get("misses") or [""])[0][:90]
            print(f"  - {qid}: {_question(now)!r}: {_brief(was)} -> {_brief(now)}; {miss}")
        for which in ("only_old", "only_new"):
            if found[which]:
                more = len(found[which]) - 10
                tail = f" and {more} more" if more > 0 else ""
                print(f"  {which.replace('_', ' ')}: {', '.join(found[which][:10])}{tail}")
        if vanished:
            print(f"  - {len(vanished)} question(s) that passed are missing from {args.new}")
        lost_any = lost_any or lost > 0
    sys.exit(1 if lost_any else 0)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # piped into head: the reader has what it wanted
        sys.exit(0)
