"""The classifier itself: reading JSONL, training on Chinese and English, judging, storing."""

from __future__ import annotations

import json

import pytest

from tests.routing import corpus
from zhongtai.core.text import words
from zhongtai.routing import classifier
from zhongtai.routing.classifier import BadInput, Example, Trained


def test_chinese_is_segmented_and_english_split_into_words():
    assert words("压缩机排气温度过高 Compressor E-104!") == [
        "压缩机",
        "排气",
        "温度",
        "过高",
        "compressor",
        "e",
        "104",
    ]


def test_trains_and_predicts_both_languages_with_confidences():
    model = classifier.train(corpus.examples())
    ranked = model.predict(["冷水机组无法启动", "please refund my payment", "cannot log in"], k=3)
    assert [r[0][0] for r in ranked] == ["refrigeration", "billing", "access"]
    for suggestions in ranked:
        assert len(suggestions) == 3
        assert suggestions[0][1] >= suggestions[1][1] >= suggestions[2][1]
        assert 0 < sum(p for _label, p in suggestions) <= 1.0001


def test_evaluation_reports_accuracy_macro_f1_and_each_label():
    model = classifier.train(corpus.examples(seed=1))
    result = classifier.evaluate(model, corpus.examples(per_label=10, seed=2))
    assert result.examples == 30
    assert result.accuracy > 0.9
    assert result.macro_f1 > 0.9
    assert [s.label for s in result.per_label] == ["access", "billing", "refrigeration"]
    assert sum(s.support for s in result.per_label) == 30
    assert json.loads(json.dumps(result.as_dict()))["macro_f1"] == round(result.macro_f1, 4)


def test_an_unseen_label_counts_as_an_error():
    model = classifier.train(corpus.examples())
    result = classifier.evaluate(model, [Example("printer jam on floor 3", "printers")])
    assert result.unknown == 1
    assert result.accuracy == 0.0


def test_labels_with_too_few_examples_are_left_out_and_reported():
    items = [*corpus.examples(), Example("coffee machine broken", "kitchen")]
    model = classifier.train(items)
    assert model.left_out == {"kitchen": 1}
    assert "kitchen" not in model.labels


def test_one_label_is_not_enough_to_train():
    with pytest.raises(BadInput, match="two labels"):
        classifier.train([Example(f"text {i}", "only") for i in range(10)])


def test_a_stored_model_predicts_the_same():
    model = classifier.train(corpus.examples())
    again = Trained.from_bytes(model.to_bytes())
    assert again.predict(["重置密码"]) == model.predict(["重置密码"])
    with pytest.raises(TypeError):
        Trained.from_bytes(__import__("pickle").dumps({"not": "a model"}))


def test_held_back_share_is_stratified():
    fit, judge = classifier.held_back(corpus.examples(per_label=30), share=0.2)
    assert len(judge) == 18
    assert {e.label for e in judge} == {"access", "billing", "refrigeration"}
    assert not set(map(id, fit)) & set(map(id, judge))


def test_a_bad_file_names_every_bad_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"text": "ok", "label": "a"}\n'
        "\n"
        "{not json\n"
        '["a list"]\n'
        '{"text": "", "label": "a"}\n'
        '{"text": "no label"}\n',
        encoding="utf-8",
    )
    with pytest.raises(BadInput) as caught:
        classifier.read_jsonl(path)
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "line 3",
        "line 4",
        "line 5",
        "line 6",
    ]


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(BadInput, match="no examples"):
        classifier.read_jsonl(path)


@pytest.mark.parametrize("labels", [2, 3])
def test_fast_probabilities_equal_scikit_learns(labels):
    items = [e for e in corpus.examples() if e.label in sorted(corpus.PHRASES)[:labels]]
    model = classifier.train(items)
    texts = ["账号被锁定", "refund please", "chiller", ""]
    ours = model.probabilities(texts)
    theirs = model.pipeline.predict_proba(texts)
    assert ours.shape == theirs.shape == (4, labels)
    assert abs(ours - theirs).max() < 1e-9
