"""The fitted scorers of the extractive composer: which unit answers, and whether to answer at all.

Two linear scorers over named features (see `UNIT_FEATURES` and `CONFIDENCE_FEATURES`), both stored as
`Logistic` (standardise, dot product, sigmoid):

- the **unit scorer** (a conditional logit: fitted over each question's candidates together) gives every candidate unit (sentence, list item, table row, code block, definition)
  the log-odds that it holds the answer; the composer quotes the best;
- the **confidence scorer** (a logistic regression) gives the probability that the answer built on the best unit is right; below
  `threshold` the composer abstains ("the sources don't say").

Both are fitted by `benchmarks/train_answerer.py` on the calibration split of benchmarks/answer_sets.py
(never on validation) and stored in `answer_model.json` beside this module, with the script's version,
a hash of the training rows and the threshold's derivation. Applying them is a dot product per unit:
no library, no file read after the first use.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).with_name("answer_model.json")

# What a candidate unit is described by. All in [0, 1] or small counts; see compose.py `_featured`.
UNIT_FEATURES = (
    "dense",  # cosine of the unit's (matched) text and the question
    "passage_dense",  # cosine of the unit's passage and the question
    "own_coverage",  # idf-weighted share of the question's terms in the unit and its headings
    "around_coverage",  # ... in the unit, its neighbours, headings, folder and file names
    "passage_coverage",  # ... anywhere in its passage, title or path
    "missing_weight",  # the largest share of the question's weight one term absent from the passage has
    "agreement",  # other documents saying much the same (0, 0.5, 1)
    "kind_match",  # holds the kind of thing asked for (a date for "when", ...)
    "kind_missing",  # a kind was asked for and the unit lacks it
    "identifier_missing",  # the question names a version/identifier the passage lacks
    "focus_missing",  # a yes/no question's subject the passage never mentions
    "list_item",  # unit kinds (a sentence is none of these)
    "table_row",
    "code",
    "definition",
    "rank",  # rank of the unit's passage among the hits (0 = first)
    "log_words",  # log(1 + words in the unit)
    "dense_gap",  # dense minus the best dense among the candidates (<= 0)
    "coverage_gap",  # own_coverage minus the best own_coverage among the candidates (<= 0)
    "lexical_share",  # the passage's keyword score over the best keyword score among the hits
    "heading_coverage",  # idf-weighted share of the question's terms in the unit's section headings
    "first_unit",  # the first unit of its passage (a section's opening sentence)
    "dense_order",  # 1 / (1 + the unit's place among the candidates by dense), 1 for the closest
    "coverage_order",  # 1 / (1 + its place by own_coverage)
)

# What the answer as a whole can be described by: the best unit's features plus these. A fitted
# confidence scorer uses the subset the training script chose (stored with it).
CONFIDENCE_FEATURES = (
    "unit_logit",  # the unit scorer's log-odds for the best unit
    "margin",  # its lead over the best unit of another passage (log-odds)
    *UNIT_FEATURES,
    "kind_asked",  # the question asks for a kind of thing
    "log_terms",  # log(1 + content terms of the question)
    "top_dense",  # cosine of the first hit's passage and the question
    "unknown_share",  # the share of the question's terms that no passage of the corpus uses
    # The share of the candidates that are list items, table rows, code or definitions: reference
    # documentation is mostly these, encyclopaedic prose almost none, and how sure an answer from
    # either can be differs (a docs question rarely echoes its answer's words).
    "structured_share",
)


@dataclass(frozen=True)
class Logistic:
    """A logistic regression over named features: p = sigmoid(coef · (x - mean) / scale + intercept)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def logits(self, rows: np.ndarray) -> np.ndarray:
        """Log-odds for a (n, len(features)) matrix of raw feature values; shape (n,)."""
        return ((rows - self.mean) / self.scale) @ self.coef + self.intercept

    def matrix(self, described: list[dict[str, float]]) -> np.ndarray:
        """The (n, len(features)) matrix of this scorer's features from feature dicts."""
        return np.array([[values[name] for name in self.features] for values in described], dtype=np.float64)

    def probability(self, values: dict[str, float]) -> float:
        """The probability for one feature dict (feature name -> raw value)."""
        return 1.0 / (1.0 + math.exp(-float(self.logits(self.matrix([values]))[0])))

    def to_json(self) -> dict:
        return {
            "features": list(self.features),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "intercept": round(float(self.intercept), 6),
        }

    @classmethod
    def from_json(cls, data: dict, available: tuple[str, ...]) -> Logistic:
        """Raises ValueError when a stored feature is not one this code computes (of `available`)."""
        unknown = [name for name in data["features"] if name not in available]
        if unknown:
            raise ValueError(
                f"{MODEL_FILE.name} was fitted on features this code does not compute ({unknown}); "
                "refit it with benchmarks/train_answerer.py"
            )
        array = lambda key: np.asarray(data[key], dtype=np.float64)  # noqa: E731
        return cls(
            tuple(data["features"]), array("mean"), array("scale"), array("coef"), float(data["intercept"])
        )


@dataclass(frozen=True)
class AnswerModel:
    """The two scorers, the abstention threshold and how they were made (`meta`: script version, data
    hash, sets, sizes, the precision the threshold gives on calibration)."""

    unit: Logistic
    confidence: Logistic
    threshold: float  # abstain when the confidence is below this probability
    second_unit: float  # a second (and third) unit is quoted when its probability is this share of the best's
    meta: dict = field(default_factory=dict, compare=False)

    def to_json(self) -> dict:
        return {
            "meta": self.meta,
            "threshold": self.threshold,
            "second_unit": self.second_unit,
            "unit": self.unit.to_json(),
            "confidence": self.confidence.to_json(),
        }


def read_model(path: Path) -> AnswerModel:
    """The model stored at `path`. Raises OSError, ValueError or KeyError on a missing or foreign file."""
    data = json.loads(Path(path).read_text("utf-8"))
    return AnswerModel(
        Logistic.from_json(data["unit"], UNIT_FEATURES),
        Logistic.from_json(data["confidence"], CONFIDENCE_FEATURES),
        float(data["threshold"]),
        float(data["second_unit"]),
        data.get("meta", {}),
    )


@lru_cache(maxsize=1)
def answer_model() -> AnswerModel:
    """The model the project ships (answer_model.json), read once per process."""
    return read_model(MODEL_FILE)
