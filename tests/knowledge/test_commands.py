"""``zhongtai knowledge import|learn|evaluate`` on files of the stated form."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.factories import World
from zhongtai.knowledge.models import Article, ArticleQuestion

pytestmark = pytest.mark.django_db

ARTICLES = [
    {
        "external_id": "reset",
        "title": "Reset the printer",
        "body": "Hold the power key for ten seconds.",
        "language": "en",
        "tags": ["printer"],
        "visibility": "public",
    },
    {
        "external_id": "jam",
        "title": "打印机卡纸",
        "body": "打开纸盒，取出卡住的纸张。",
        "language": "zh",
        "tags": [],
        "visibility": "internal",
    },
]


def _file(tmp_path: Path, name: str, rows: list[object]) -> str:
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return str(path)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("knowledge", *args, stdout=out)
    return out.getvalue()


def test_import_is_idempotent_and_a_change_makes_a_version(world: World, tmp_path: Path) -> None:
    path = _file(tmp_path, "a.jsonl", ARTICLES)

    assert "2 created" in _run("import", "--tenant", "sh", "--jsonl", path)
    assert "2 unchanged" in _run("import", "--tenant", "sh", "--jsonl", path)
    changed = [ARTICLES[0], {**ARTICLES[1], "body": "先关机，再取出纸张。"}]
    assert "1 updated" in _run(
        "import", "--tenant", "sh", "--jsonl", _file(tmp_path, "b.jsonl", changed)
    )

    jam = Article.objects.get(tenant=world.tenant, external_id="jam")
    assert (jam.version, jam.published_version, jam.language) == (2, 2, "zh-hans")
    assert not Article.objects.filter(tenant=world.other_tenant).exists()


def test_a_bad_line_is_named_and_nothing_is_imported(world: World, tmp_path: Path) -> None:
    rows: list[object] = [ARTICLES[0], "{not json", {**ARTICLES[1], "visibility": "all"}]
    path = _file(tmp_path, "bad.jsonl", rows)

    with pytest.raises(CommandError) as caught:
        _run("import", "--tenant", "sh", "--jsonl", path)

    assert "line 2: not JSON" in str(caught.value)
    assert "line 3: visibility" in str(caught.value)
    assert not Article.objects.exists()
    with pytest.raises(CommandError, match="No business unit"):
        _run("import", "--tenant", "nowhere", "--jsonl", path)


def test_learn_then_evaluate_prints_and_writes_the_scores(world: World, tmp_path: Path) -> None:
    _run("import", "--tenant", "sh", "--jsonl", _file(tmp_path, "a.jsonl", ARTICLES))
    learn = [{"question": "machine frozen, what now", "external_id": "reset"}]
    _run("learn", "--tenant", "sh", "--jsonl", _file(tmp_path, "l.jsonl", learn))
    assert ArticleQuestion.objects.filter(article__external_id="reset").count() == 1
    questions = [
        {"question": "my machine is frozen", "external_id": "reset"},
        {"question": "纸卡住了怎么办", "external_id": "jam"},
        {"question": "how do I pay an invoice", "external_id": "reset"},
    ]
    out = tmp_path / "score.json"

    printed = _run(
        "evaluate", "--tenant", "sh", "--jsonl", _file(tmp_path, "q.jsonl", questions),
        "--json", str(out),
    )  # fmt: skip

    score = json.loads(out.read_text())
    assert "top-1 0.667" in printed
    assert score["questions"] == 3
    assert score["top1"] == pytest.approx(2 / 3)
    assert score["mrr"] == pytest.approx(2 / 3)
    with pytest.raises(CommandError, match="line 1"):
        _run("learn", "--tenant", "sh", "--jsonl", _file(tmp_path, "x.jsonl", [{"q": 1}]))


def test_reindex_writes_articles_and_tickets_again(world: World, tmp_path: Path) -> None:
    from tests import factories
    from zhongtai.knowledge.models import SearchDocument

    _run("import", "--tenant", "sh", "--jsonl", _file(tmp_path, "a.jsonl", ARTICLES))
    factories.ticket(world.agent, subject="Printer jam in tray 2")
    SearchDocument.objects.all().delete()  # as if written by an older tokenizer, or never

    printed = _run("reindex", "--tenant", "sh")

    assert printed.strip() == f"{len(ARTICLES)} articles and cases, 1 tickets reindexed"
    kinds = sorted(SearchDocument.objects.values_list("kind", flat=True))
    assert kinds == ["article"] * len(ARTICLES) + ["ticket"]
    with pytest.raises(CommandError):
        _run("reindex", "--tenant", "nowhere")
