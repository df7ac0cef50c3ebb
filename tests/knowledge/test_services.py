"""Articles: the review flow and who may take each step, versions, what readers see,
sanitizing, and search staying in step with every write."""

from __future__ import annotations

import pytest

from tests.factories import World
from zhongtai.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from zhongtai.knowledge import selectors, services
from zhongtai.knowledge.choices import ArticleStatus, SearchKind
from zhongtai.knowledge.markdown import render
from zhongtai.knowledge.models import Article, ArticleEvent, SearchDocument

pytestmark = pytest.mark.django_db


def _input(title: str = "Reset the printer", **kw: object) -> services.ArticleInput:
    fields: dict[str, object] = {"body": "Hold the **power** key for ten seconds.", **kw}
    return services.ArticleInput(title=title, **fields)  # type: ignore[arg-type]


def _search(actor: object, text: str, world: World) -> list[int]:
    hits = selectors.knowledge_search(
        actor=actor,  # type: ignore[arg-type]
        tenant_id=world.tenant.pk,
        text=text,
    )
    return [hit.object_id for hit in hits]


def test_a_draft_goes_through_review_to_the_customers(world: World) -> None:
    draft = services.article_create(
        actor=world.agent, data=_input(visibility="customers", language="en")
    )
    assert draft.status == ArticleStatus.DRAFT
    assert _search(world.agent, "printer", world) == []  # drafts are not searched

    with pytest.raises(PermissionDenied):
        services.article_transition(actor=world.agent, article_id=draft.pk, to_status="published")
    services.article_transition(actor=world.agent, article_id=draft.pk, to_status="in_review")
    with pytest.raises(PermissionDenied):
        services.article_transition(actor=world.lead, article_id=draft.pk, to_status="published")
    published = services.article_transition(
        actor=world.l2, article_id=draft.pk, to_status="published", note="Checked"
    )

    assert published.published_version == 1
    assert _search(world.customer, "printer", world) == [draft.pk]
    assert selectors.article_get(actor=world.customer, article_id=draft.pk).pk == draft.pk
    trail = list(ArticleEvent.objects.filter(article=draft).values_list("type", flat=True))
    assert trail == ["created", "submitted", "published"]


def test_an_edit_by_a_non_publisher_waits_for_review_and_the_old_version_stays_live(
    world: World,
) -> None:
    article = services.article_create(
        actor=world.l2, data=_input(visibility="customers"), publish=True
    )

    edited = services.article_update(
        actor=world.agent,
        article_id=article.pk,
        data=_input("Restart the copier", visibility="customers"),
    )

    assert edited.status == ArticleStatus.IN_REVIEW
    assert (edited.version, edited.published_version) == (2, 1)
    live = selectors.article_live(edited)
    assert live is not None
    assert live.title == "Reset the printer"
    assert _search(world.customer, "printer", world) == [article.pk]
    assert _search(world.customer, "copier", world) == []

    services.article_transition(actor=world.admin, article_id=article.pk, to_status="published")
    assert _search(world.customer, "copier", world) == [article.pk]
    assert _search(world.customer, "printer", world) == []


def test_a_publishers_edit_is_live_at_once_and_archiving_takes_it_down(world: World) -> None:
    article = services.article_create(actor=world.l2, data=_input(), publish=True)
    services.article_update(actor=world.l2, article_id=article.pk, data=_input("Printer reset"))
    article.refresh_from_db()
    assert (article.status, article.version, article.published_version) == ("published", 2, 2)

    services.article_transition(actor=world.l2, article_id=article.pk, to_status="archived")

    assert not SearchDocument.objects.filter(kind=SearchKind.ARTICLE, object_id=article.pk)
    with pytest.raises(Conflict):
        services.article_update(actor=world.l2, article_id=article.pk, data=_input("Again"))
    with pytest.raises(Conflict):
        services.article_transition(actor=world.l2, article_id=article.pk, to_status="in_review")


def test_who_publishes_is_a_setting_of_the_unit(world: World) -> None:
    draft = services.article_create(actor=world.agent, data=_input())
    with pytest.raises(PermissionDenied):
        services.article_transition(actor=world.lead, article_id=draft.pk, to_status="published")

    services.settings_update(actor=world.admin, publisher_roles=["lead"], bot_threshold=0.7)

    services.article_transition(actor=world.lead, article_id=draft.pk, to_status="published")
    with pytest.raises(PermissionDenied):
        services.article_transition(actor=world.l2, article_id=draft.pk, to_status="archived")
    with pytest.raises(PermissionDenied):
        services.settings_update(actor=world.lead, publisher_roles=["lead"], bot_threshold=0.7)
    with pytest.raises(InvalidInput):
        services.settings_update(actor=world.admin, publisher_roles=["customer"], bot_threshold=1)


def test_customers_never_see_internal_articles_or_other_units(world: World) -> None:
    internal = services.article_create(actor=world.l2, data=_input(), publish=True)
    public = services.article_create(
        actor=world.l2, data=_input("Printer FAQ", visibility="public"), publish=True
    )

    assert _search(world.customer, "printer", world) == [public.pk]
    assert set(_search(world.agent, "printer", world)) == {internal.pk, public.pk}
    assert list(selectors.article_list(actor=world.customer)) == [public]
    with pytest.raises(NotFound):
        selectors.article_get(actor=world.customer, article_id=internal.pk)
    with pytest.raises(NotFound):
        selectors.article_get(actor=world.other_agent, article_id=public.pk)
    with pytest.raises(NotFound):
        services.article_update(actor=world.other_agent, article_id=public.pk, data=_input())
    other_hits = selectors.knowledge_search(
        actor=world.other_agent, tenant_id=world.other_tenant.pk, text="printer"
    )
    assert other_hits == []


def test_versions_keep_every_state_and_diff_names_the_changes(world: World) -> None:
    article = services.article_create(actor=world.agent, data=_input())
    services.article_update(
        actor=world.agent,
        article_id=article.pk,
        data=_input(body="Hold the power key.\nThen wait.", tags=["printer"]),
        note="Shorter",
    )

    versions = selectors.article_versions(actor=world.agent, article_id=article.pk)
    diff = selectors.article_diff(actor=world.agent, article_id=article.pk, older=1, newer=2)

    assert [v.number for v in versions] == [2, 1]
    assert versions[0].note == "Shorter"
    assert diff.fields == {"tags": ([], ["printer"])}
    assert "+Then wait." in diff.body
    with pytest.raises(NotFound):
        selectors.article_versions(actor=world.customer, article_id=article.pk)


def test_an_unchanged_save_makes_no_version(world: World) -> None:
    article = services.article_create(actor=world.agent, data=_input())
    services.article_update(actor=world.agent, article_id=article.pk, data=_input())
    assert Article.objects.get(pk=article.pk).version == 1


def test_bad_content_is_refused_and_nothing_is_stored(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.article_create(
            actor=world.agent,
            data=_input(" ", body=" ", visibility="everyone", category_id=999_999),
        )
    fields = {error["field"] for error in caught.value.errors}
    assert fields == {"title", "body", "visibility", "category_id"}
    assert not Article.objects.exists()
    with pytest.raises(PermissionDenied):
        services.article_create(actor=world.customer, data=_input())


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_markdown_and_html_are_sanitized(attack: str) -> None:
    html = render(f"Intro\n\n{attack}\n\n**bold**").lower()
    bad_markup = ("<script", "onerror=", 'href="javascript', "<iframe", "<svg", "onload=", "style=")
    for bad in bad_markup:
        assert bad not in html
    assert "<strong>bold</strong>" in html


def test_helpful_feedback_teaches_the_article_the_question(world: World) -> None:
    article = services.article_create(
        actor=world.l2, data=_input(visibility="customers"), publish=True
    )
    assert _search(world.customer, "machine frozen", world) == []

    services.article_feedback(
        actor=world.customer, article_id=article.pk, helpful=True, question="machine frozen"
    )

    assert _search(world.customer, "machine frozen", world) == [article.pk]
    article.refresh_from_db()
    assert article.helpful_count == 1
