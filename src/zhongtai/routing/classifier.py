"""The ticket classifier: text in, a label (a category, a priority, a team) with a confidence.

Word unigrams and bigrams (``zhongtai.core.text``: jieba for Chinese) and character
2–5-grams within words, TF-IDF weighted, feed a linear support-vector machine; sigmoid
calibration over three folds turns its scores into probabilities, so that a tenant's
confidence threshold means what it says. On CLINC150 this reaches about 92 % in-scope
accuracy (the paper's SVM: 91.0 %; bench/README.md). Training a few thousand tickets
takes seconds; a prediction well under a millisecond.

Pure: no models, no database. ``read_jsonl`` reads the evaluation interface's files
(``{"text": ..., "label": ...}`` per line) and reports every bad line with its number.

scikit-learn, SciPy, NumPy and joblib are imported where they are used: importing them
costs every web worker about 2 s and tens of MB at start, and a worker that never
classifies (a unit without a trained model, or the pages) never needs them.
"""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhongtai.core.text import words

if TYPE_CHECKING:
    from sklearn.pipeline import FeatureUnion, Pipeline

MIN_PER_LABEL = 3  # fewer examples than the calibration's folds: the label is left out
MAX_TEXT = 4000  # characters of a ticket that the classifier reads
FOLDS = 3


@dataclass(frozen=True)
class Example:
    text: str
    label: str


class BadInput(ValueError):
    """A training or evaluation file that cannot be used; ``problems`` name the lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems[:20]))


def read_jsonl(path: str | Path) -> list[Example]:
    """Every line ``{"text": str, "label": str}``; blank lines are skipped. Any bad line
    makes the whole file refused (``BadInput`` lists each, with its line number)."""
    examples: list[Example] = []
    problems: list[str] = []
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {number}: not JSON ({exc.msg})")
                continue
            if not isinstance(row, dict):
                problems.append(f"line {number}: not an object")
                continue
            text, label = row.get("text"), row.get("label")
            if not isinstance(text, str) or not text.strip():
                problems.append(f'line {number}: "text" must be a non-empty string')
            elif not isinstance(label, str | int) or not str(label).strip():
                problems.append(f'line {number}: "label" must be a non-empty string')
            else:
                examples.append(Example(text=text, label=str(label).strip()))
    if problems:
        raise BadInput(problems)
    if not examples:
        raise BadInput(["the file has no examples"])
    return examples


def _features() -> FeatureUnion:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    tokenizer=words,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )


@dataclass
class Trained:
    """A fitted classifier and what it was fitted on."""

    pipeline: Pipeline
    labels: list[str]
    examples: int
    left_out: dict[str, int] = field(default_factory=dict)  # label → examples (too few)

    def probabilities(self, texts: Sequence[str]) -> Any:
        """The calibrated probability of every label (columns in ``classes_`` order).

        The same numbers as ``pipeline.predict_proba``, computed at once for all labels:
        scikit-learn applies each label's sigmoid in a Python loop, 5 ms of a 7 ms
        prediction over 150 labels (bench/README.md).
        """
        import numpy
        from scipy.special import expit

        calibrated = self.pipeline.named_steps["svm"].calibrated_classifiers_[0]
        features = self.pipeline.named_steps["features"].transform([_clip(t) for t in texts])
        scores = calibrated.estimator.decision_function(features)
        a = numpy.array([c.a_ for c in calibrated.calibrators])
        b = numpy.array([c.b_ for c in calibrated.calibrators])
        if scores.ndim == 1:  # two labels: one sigmoid, for the second
            positive = expit(-(a[0] * scores + b[0]))
            return numpy.column_stack([1 - positive, positive])
        proba = expit(-(scores * a + b))
        total = proba.sum(axis=1, keepdims=True)
        uniform = numpy.full_like(proba, 1 / proba.shape[1])
        return numpy.divide(proba, total, out=uniform, where=total != 0)

    def predict(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """The ``k`` likeliest labels of each text, with their probabilities, best first."""
        if not texts:
            return []
        probabilities = self.probabilities(texts)
        classes = list(self.pipeline.classes_)
        ranked = []
        for row in probabilities:
            order = row.argsort()[::-1][:k]
            ranked.append([(str(classes[i]), float(row[i])) for i in order])
        return ranked

    def to_bytes(self) -> bytes:
        import joblib

        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    @staticmethod
    def from_bytes(blob: bytes) -> Trained:
        """Load a model this code wrote (joblib is pickle: never load one from elsewhere)."""
        import joblib

        model = joblib.load(io.BytesIO(blob))
        if not isinstance(model, Trained):
            raise TypeError("not a Zhongtai classifier")
        return model


def _clip(text: str) -> str:
    return text[:MAX_TEXT]


def train(examples: Sequence[Example], *, c: float = 0.5, seed: int = 0) -> Trained:
    """Fit on ``examples``; labels with fewer than ``MIN_PER_LABEL`` are left out (and
    reported). Raises ``BadInput`` when fewer than two labels remain."""
    counts = Counter(example.label for example in examples)
    left_out = {label: n for label, n in counts.items() if n < MIN_PER_LABEL}
    kept = [example for example in examples if example.label not in left_out]
    if len({example.label for example in kept}) < 2:
        raise BadInput(
            [f"at least two labels with {MIN_PER_LABEL} examples each are needed to train"]
        )
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    pipeline = Pipeline(
        [
            ("features", _features()),
            (
                "svm",
                CalibratedClassifierCV(
                    LinearSVC(C=c, random_state=seed), cv=FOLDS, method="sigmoid", ensemble=False
                ),
            ),
        ]
    )
    pipeline.fit([_clip(e.text) for e in kept], [e.label for e in kept])
    return Trained(
        pipeline=pipeline,
        labels=sorted(str(label) for label in pipeline.classes_),
        examples=len(kept),
        left_out=left_out,
    )


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """How a model did on labelled examples; ``unknown`` counts examples whose label the
    model never saw (they count as errors)."""

    examples: int
    accuracy: float
    macro_f1: float
    per_label: tuple[LabelScore, ...]
    unknown: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "unknown_labels": self.unknown,
            "per_label": [
                {
                    "label": s.label,
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for s in self.per_label
            ],
        }


def evaluate(model: Trained, examples: Sequence[Example]) -> Evaluation:
    """Accuracy, macro-F1 (over the labels of ``examples``) and a per-label report."""
    if not examples:
        raise BadInput(["no examples to evaluate"])
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    truth = [example.label for example in examples]
    predicted = model.pipeline.predict([_clip(example.text) for example in examples])
    labels = sorted(set(truth))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    return Evaluation(
        examples=len(examples),
        accuracy=float(accuracy_score(truth, predicted)),
        macro_f1=float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
        per_label=tuple(
            LabelScore(label, float(p), float(r), float(f), int(n))
            for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)
        ),
        unknown=sum(1 for label in truth if label not in set(model.labels)),
    )


def held_back(
    examples: Iterable[Example], *, share: float = 0.2, seed: int = 0
) -> tuple[list[Example], list[Example]]:
    """A stratified split: ``share`` of each label's examples (at least one, when the label
    has enough to spare) is held back to judge a new model against the active one."""
    by_label: dict[str, list[Example]] = {}
    for example in examples:
        by_label.setdefault(example.label, []).append(example)
    rng = random.Random(seed)  # noqa: S311 - a reproducible split, not a secret
    train_part: list[Example] = []
    test_part: list[Example] = []
    for label in sorted(by_label):
        items = by_label[label]
        rng.shuffle(items)
        n = int(len(items) * share)
        if n == 0 and len(items) > MIN_PER_LABEL:
            n = 1
        test_part.extend(items[:n])
        train_part.extend(items[n:])
    return train_part, test_part
