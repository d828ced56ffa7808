"""Build the `squad` question set (long Wikipedia articles, half unanswerable) from SQuAD 2.0's dev file.

    .venv/bin/python -m benchmarks.squad_set DEV-v2.0.json OUT_FOLDER [--questions 400] [--seed 20261206]

Writes OUT_FOLDER/corpus/NNN_<title>.txt (one whole article each: its title line, a blank line, then its
paragraphs in order, separated by blank lines) and OUT_FOLDER/questions.yaml in the pool's format: a
question with answers lists SQuAD's answer spans (any one is a gold span, checked against its paragraph),
one SQuAD marks impossible is `kind: unanswerable` (its "plausible answer" is kept as `plausible`, for
reading misses). The questions are a seeded random sample of the file's.

Why it is here: the pool's Wikipedia sets are short documents (wikiqa's summaries, selqa's sections,
clapnq's passages), while readers ask of whole articles, where every passage of the right article
competes with the one that answers. SQuAD 2.0 (Rajpurkar, Jia & Liang 2018; CC BY-SA 4.0, text from
Wikipedia) has whole articles of 24-49 paragraphs and questions written to be unanswerable from them.
The file read is any SQuAD 2.0 dev file (the official one, or a half of it as Stanford CS224N ships,
github.com/chrischute/squad data/dev-v2.0.json, 16 articles, 6,078 questions). The data stays outside
the repository (its path is an argument), as the pool does.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import yaml

DEFAULT_QUESTIONS = 400
DEFAULT_SEED = 20261206


def build(source: Path, out: Path, questions: int = DEFAULT_QUESTIONS, seed: int = DEFAULT_SEED) -> dict:
    """Write the corpus and questions.yaml under `out`; returns counts (articles, questions, unanswerable)."""
    articles = json.loads(source.read_text("utf-8"))["data"]
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    pool = []
    for number, article in enumerate(articles):
        title = article["title"].replace("_", " ")
        stem = f"{number:03d}_{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')}"
        paragraphs = [p["context"].strip() for p in article["paragraphs"]]
        (corpus / f"{stem}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                pool.append((stem, paragraph["context"], qa))
    chosen = random.Random(seed).sample(pool, min(questions, len(pool)))
    items = []
    for stem, context, qa in chosen:
        item = {"id": f"squad-{qa['id']}", "q": qa["question"].strip()}
        if qa["is_impossible"]:
            item.update(kind="unanswerable")
            plausible = sorted({a["text"] for a in qa.get("plausible_answers", [])})
            if plausible:
                item["plausible"] = plausible
        else:
            spans = sorted({a["text"].strip() for a in qa["answers"]})
            assert all(s in context for s in spans), qa["id"]
            item.update(answers=spans, docs=[stem.split("_")[0]], kind="fact")
        items.append(item)
    header = (
        f"# SQuAD 2.0 dev ({source.name}) converted for citebot measurement by benchmarks/squad_set.py:\n"
        f"# whole articles as documents, seed {seed}, {len(items)} questions. CC BY-SA 4.0 (Wikipedia text).\n"
    )
    text = yaml.safe_dump({"questions": items}, sort_keys=False, allow_unicode=True, width=1000)
    (out / "questions.yaml").write_text(header + text, "utf-8")
    return {
        "articles": len(articles),
        "questions": len(items),
        "unanswerable": sum(1 for i in items if i["kind"] == "unanswerable"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="a SQuAD 2.0 dev JSON file")
    parser.add_argument("out", type=Path, help="the set's folder (corpus/ and questions.yaml)")
    parser.add_argument("--questions", type=int, default=DEFAULT_QUESTIONS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    print(build(args.source, args.out, args.questions, args.seed))


if __name__ == "__main__":
    main()
