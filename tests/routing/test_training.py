"""Training versions per business unit: from tickets or files, judged, activated or not;
``zhongtai classifier train|evaluate`` and its bad input."""

from __future__ import annotations

import io
import json
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from huey.contrib.djhuey import HUEY

from tests import factories
from tests.routing import corpus
from zhongtai.routing import services
from zhongtai.routing.classifier import Example
from zhongtai.routing.models import ClassifierModel
from zhongtai.tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("classifier", *args, stdout=out)
    return out.getvalue()


def _resolved_tickets(world, per_label: int = 20) -> None:
    """Resolved tickets of unit A in three categories, written with the corpus' phrases."""
    for item in corpus.examples(per_label=per_label, seed=5):
        category, _created = Category.objects.get_or_create(tenant=world.tenant, name=item.label)
        ticket = factories.ticket(world.agent, subject=item.text[:60], description=item.text)
        Ticket.objects.filter(pk=ticket.pk).update(
            category=category, is_open=False, status="closed"
        )


def test_a_first_version_trained_on_resolved_tickets_becomes_active(world):
    _resolved_tickets(world)
    factories.ticket(world.other_agent, subject="another unit's ticket")  # never read

    output = _run("train", "--tenant", "sh")

    model = ClassifierModel.objects.get(tenant=world.tenant)
    assert model.status == "active"
    assert model.source == "tickets"
    assert (model.version, model.progress) == (1, 100)
    assert model.examples + model.held_back == 60
    assert model.labels == ["access", "billing", "refrigeration"]
    assert model.metrics["held_back"]["accuracy"] > 0.8
    assert "Version 1: Active" in output
    found = services.classifier_active(tenant_id=world.tenant.pk, target="category")
    assert found is not None
    assert found[1].predict(["账号被锁定，无法登录"])[0][0][0] == "access"
    assert services.classifier_active(tenant_id=world.other_tenant.pk, target="category") is None


def test_a_worse_version_is_kept_but_not_activated(world, tmp_path):
    good = corpus.write_jsonl(tmp_path / "good.jsonl", corpus.examples(per_label=30))
    _run("train", "--tenant", "sh", "--from-jsonl", str(good))
    rng = random.Random(3)
    noise = [Example(e.text, rng.choice(["access", "billing", "refrigeration"])) for e in
             corpus.examples(per_label=30)]  # fmt: skip
    worse = corpus.write_jsonl(tmp_path / "worse.jsonl", noise)

    output = _run("train", "--tenant", "sh", "--from-jsonl", str(worse))

    first, second = ClassifierModel.objects.filter(tenant=world.tenant).order_by("version")
    assert (first.status, second.status) == ("active", "rejected")
    assert second.metrics["active_on_held_back"]["version"] == 1
    assert "not activated" in output


def test_a_better_version_retires_the_active_one(world, tmp_path):
    few = corpus.write_jsonl(tmp_path / "few.jsonl", corpus.examples(per_label=4, seed=9))
    more = corpus.write_jsonl(tmp_path / "more.jsonl", corpus.examples(per_label=40, seed=9))
    _run("train", "--tenant", "sh", "--from-jsonl", str(few))
    _run("train", "--tenant", "sh", "--from-jsonl", str(more))
    statuses = list(
        ClassifierModel.objects.filter(tenant=world.tenant)
        .order_by("version")
        .values_list("status", flat=True)
    )
    assert statuses == ["retired", "active"]


def test_a_malformed_line_is_reported_and_nothing_is_trained(world, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine", "label": "a"}\n{"text": "oops", "label": \n', "utf-8")
    with pytest.raises(CommandError, match="line 2: not JSON"):
        _run("train", "--tenant", "sh", "--from-jsonl", str(path))
    assert not ClassifierModel.objects.exists()


def test_unknown_unit_and_missing_file_are_errors(world, tmp_path):
    with pytest.raises(CommandError, match="No business unit"):
        _run("train", "--tenant", "nowhere")
    with pytest.raises(CommandError):
        _run("train", "--tenant", "sh", "--from-jsonl", str(tmp_path / "missing.jsonl"))
    with pytest.raises(CommandError, match="No examples"):
        _run("train", "--tenant", "sh")  # no resolved tickets with a category
    assert not ClassifierModel.objects.exists()


def test_too_few_examples_fail_the_version_with_its_reason(world, tmp_path):
    path = corpus.write_jsonl(tmp_path / "one.jsonl", [Example("x", "a"), Example("y", "b")])
    with pytest.raises(CommandError, match="two labels"):
        _run("train", "--tenant", "sh", "--from-jsonl", str(path))
    model = ClassifierModel.objects.get(tenant=world.tenant)
    assert model.status == "failed"


def test_evaluate_prints_the_scores_and_writes_json(world, tmp_path):
    train = corpus.write_jsonl(tmp_path / "train.jsonl", corpus.examples(per_label=30, seed=1))
    test = corpus.write_jsonl(tmp_path / "test.jsonl", corpus.examples(per_label=10, seed=2))
    _run("train", "--tenant", "sh", "--from-jsonl", str(train))
    out_file = tmp_path / "result.json"

    output = _run("evaluate", "--tenant", "sh", "--jsonl", str(test), "--json", str(out_file))

    assert "accuracy" in output
    assert "macro-F1" in output
    assert "refrigeration" in output
    result = json.loads(out_file.read_text("utf-8"))
    assert result["examples"] == 30
    assert result["accuracy"] > 0.7  # (trained on 80 %: a fifth is held back)
    assert {row["label"] for row in result["per_label"]} == {"access", "billing", "refrigeration"}


def test_evaluate_without_an_active_version_says_so(world, tmp_path):
    test = corpus.write_jsonl(tmp_path / "test.jsonl", corpus.examples(per_label=2))
    with pytest.raises(CommandError, match="no active classifier"):
        _run("evaluate", "--tenant", "sh", "--jsonl", str(test))


@pytest.mark.django_db(transaction=True)  # (the task closes its database connection)
def test_queued_training_runs_in_the_worker(world):
    _resolved_tickets(world, per_label=6)
    HUEY.flush()
    output = _run("train", "--tenant", "sh", "--queue")
    model = ClassifierModel.objects.get(tenant=world.tenant)
    assert (model.status, "queued" in output) == ("queued", True)
    task = HUEY.dequeue()
    assert task is not None
    HUEY.execute(task)
    model.refresh_from_db()
    assert model.status == "active"
    HUEY.flush()


def test_each_units_model_is_loaded_once_per_process(world, monkeypatch):
    ids = []
    for tenant in (world.tenant, world.other_tenant):
        model = services.classifier_version_new(tenant=tenant, target="category", source="file")
        services.classifier_run(model=model, examples=corpus.examples(per_label=10))
        ids.append(model.pk)
    services.classifiers_forget()
    loads = []
    real = services.Trained.from_bytes
    monkeypatch.setattr(services.Trained, "from_bytes", lambda blob: loads.append(1) or real(blob))
    for model_id in ids + ids + ids:  # two units filing tickets in turn
        assert services.classifier_fitted(model_id=model_id) is not None
    assert len(loads) == 2
