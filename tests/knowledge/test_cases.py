"""The case library and knowledge in the ticket: cases made from resolved tickets,
tickets in search, suggestions for a ticket, uses and votes that teach the ranking."""

from __future__ import annotations

import pytest

from tests import factories
from tests.factories import World
from zhongtai.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from zhongtai.customers.models import Asset, Customer
from zhongtai.knowledge import selectors, services, suggestions
from zhongtai.knowledge.choices import ArticleKind, ArticleStatus, SearchKind
from zhongtai.knowledge.models import ArticleQuestion, ArticleTicket, SearchDocument
from zhongtai.tickets import services as ticket_services
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _resolved(world: World, **kwargs: object) -> Ticket:
    ticket = factories.ticket(world.agent, **kwargs)  # type: ignore[arg-type]
    ticket_services.ticket_assign(actor=world.agent, ticket=ticket, assignee=world.agent.user)
    ticket_services.ticket_reply(
        actor=world.agent,
        ticket=ticket,
        body="Found a worn feed roller.",
        public=False,
    )
    ticket_services.ticket_reply(
        actor=world.agent,
        ticket=ticket,
        body="Replace the feed roller, then run the cleaning page twice.",
        public=True,
    )
    ticket.refresh_from_db()
    return ticket_services.ticket_transition(
        actor=world.agent, ticket=ticket, to_status="resolved", reason="Roller replaced"
    )


def _staff_search(world: World, text: str, kinds: set[str]) -> list[tuple[str, int]]:
    hits = selectors.knowledge_search(
        actor=world.agent, tenant_id=world.tenant.pk, text=text, kinds=frozenset(kinds)
    )
    return [(hit.kind, hit.object_id) for hit in hits]


def test_a_case_from_a_resolved_ticket_is_prefilled_from_its_timeline(world: World) -> None:
    asset = Asset.objects.create(
        tenant=world.tenant,
        customer=Customer.objects.get(tenant=world.tenant, name="Acme"),
        product_line="Laser printers",
        product_model="LP-9",
        serial_number="SN-1",
    )
    ticket = _resolved(world, asset=asset, tags=["jam"])

    case = services.case_from_ticket(actor=world.agent, ticket=ticket)

    assert (case.kind, case.status) == (ArticleKind.CASE, ArticleStatus.DRAFT)
    assert case.title == "Printer is jammed"
    assert "grinding noise" in case.problem
    assert case.cause == "Found a worn feed roller."
    assert "Replace the feed roller" in case.solution
    assert (case.asset_id, case.product_line, case.tags) == (asset.pk, "Laser printers", ["jam"])
    assert case.body.startswith("## Problem")
    assert ArticleTicket.objects.get(article=case).relation == "source"
    assert selectors.case_of_ticket(actor=world.l2, ticket_id=ticket.pk) == case
    with pytest.raises(Conflict):  # one case per ticket
        services.case_from_ticket(actor=world.agent, ticket=ticket)


def test_only_a_resolved_ticket_of_the_unit_makes_a_case(world: World) -> None:
    open_ticket = factories.ticket(world.agent)
    with pytest.raises(Conflict):
        services.case_from_ticket(actor=world.agent, ticket=open_ticket)
    with pytest.raises(NotFound):
        services.case_from_ticket(actor=world.other_agent, ticket=open_ticket)
    with pytest.raises(PermissionDenied):
        services.case_from_ticket(actor=world.customer, ticket=open_ticket)


def test_a_case_needs_a_problem_and_a_solution(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.article_create(
            actor=world.l2,
            data=services.ArticleInput(
                title="Noise", body="", kind=ArticleKind.CASE, problem="It hums"
            ),
        )
    assert [e["field"] for e in caught.value.errors] == ["solution"]


def test_a_published_case_is_found_as_a_case_in_chinese(world: World) -> None:
    case = services.article_create(
        actor=world.l2,
        data=services.ArticleInput(
            title="螺杆空压机排气温度过高停机",
            body="",
            kind=ArticleKind.CASE,
            language="zh-hans",
            problem="客户反映空压机运行两小时后排气温度过高报警停机。",
            cause="油冷却器散热片被油泥堵塞。",
            solution="清洗油冷却器，更换机油和油过滤器。",
        ),
        publish=True,
    )

    assert case.body.startswith("## 问题")
    assert _staff_search(world, "排气温度高", {SearchKind.CASE}) == [(SearchKind.CASE, case.pk)]
    assert _staff_search(world, "排气温度高", {SearchKind.ARTICLE}) == []


def test_tickets_are_searchable_by_staff_and_resolved_ones_by_their_solution(
    world: World,
) -> None:
    ticket = _resolved(world, subject="Toner smears on every page")

    assert _staff_search(world, "toner smear", {SearchKind.TICKET}) == [
        (SearchKind.TICKET, ticket.pk)
    ]
    assert _staff_search(world, "feed roller", {SearchKind.TICKET}) == [
        (SearchKind.TICKET, ticket.pk)
    ]
    customer_hits = selectors.knowledge_search(
        actor=world.customer,
        tenant_id=world.tenant.pk,
        text="toner",
        kinds=frozenset({SearchKind.TICKET}),
    )
    assert customer_hits == []
    other_unit = selectors.knowledge_search(
        actor=world.other_agent,
        tenant_id=world.other_tenant.pk,
        text="toner",
        kinds=frozenset({SearchKind.TICKET}),
    )
    assert other_unit == []


def test_a_merged_ticket_leaves_search(world: World) -> None:
    first = factories.ticket(world.agent, subject="Scanner offline")
    second = factories.ticket(world.agent, subject="Scanner offline again")

    ticket_services.ticket_merge(actor=world.agent, source=second, target=first)

    docs = SearchDocument.objects.filter(kind=SearchKind.TICKET)
    assert set(docs.values_list("object_id", flat=True)) == {first.pk}


def _article(world: World, title: str, body: str, **kw: object) -> int:
    data = services.ArticleInput(title=title, body=body, **kw)  # type: ignore[arg-type]
    return services.article_create(actor=world.l2, data=data, publish=True).pk


def test_suggestions_follow_the_ticket_and_learn_from_votes(world: World) -> None:
    jam = _article(world, "Clearing a paper jam", "Open tray 2 and pull the sheet out.")
    toner = _article(world, "Replacing toner", "Shake the cartridge before you insert it.")
    ticket = factories.ticket(
        world.agent, subject="Paper jam in tray 2", description="Sheets stick in tray 2."
    )

    found = suggestions.ticket_suggestions(actor=world.agent, ticket=ticket)
    assert [s.hit.object_id for s in found] == [jam]

    services.article_ticket_feedback(
        actor=world.agent, article_id=jam, ticket=ticket, helpful=False
    )
    assert suggestions.ticket_suggestions(actor=world.agent, ticket=ticket) == []

    # a helpful vote elsewhere teaches the toner article a ticket's words
    other = factories.ticket(world.agent, subject="Grey streaks on prints", description="-")
    assert suggestions.ticket_suggestions(actor=world.agent, ticket=other) == []
    services.article_ticket_feedback(
        actor=world.agent, article_id=toner, ticket=other, helpful=True
    )
    assert ArticleQuestion.objects.filter(article_id=toner, source="ticket").exists()
    again = factories.ticket(world.agent2, subject="Grey streaks after refill", description="-")
    assert [
        s.hit.object_id for s in suggestions.ticket_suggestions(actor=world.agent2, ticket=again)
    ] == [toner]


def test_a_use_counts_once_per_ticket_and_is_a_reuse(world: World) -> None:
    jam = _article(world, "Clearing a paper jam", "Open tray 2 and pull the sheet out.")
    ticket = factories.ticket(world.agent, subject="Paper jam")

    services.article_use(actor=world.agent, article_id=jam, ticket=ticket)
    services.article_use(actor=world.agent2, article_id=jam, ticket=ticket)

    article = selectors.article_get(actor=world.agent, article_id=jam)
    assert article.use_count == 1
    assert selectors.reuse_count(article) == 1
    found = suggestions.ticket_suggestions(actor=world.agent, ticket=ticket)
    assert [(s.hit.object_id, s.used) for s in found] == [(jam, True)]


def test_uses_and_votes_stay_in_their_unit(world: World) -> None:
    jam = _article(world, "Clearing a paper jam", "Open tray 2 and pull the sheet out.")
    foreign = factories.ticket(world.other_agent, subject="Paper jam")

    with pytest.raises(NotFound):
        services.article_use(actor=world.other_agent, article_id=jam, ticket=foreign)
    with pytest.raises(NotFound):
        services.article_use(actor=world.agent, article_id=jam, ticket=foreign)
    with pytest.raises(PermissionDenied):
        suggestions.ticket_suggestions(actor=world.agent, ticket=foreign)


def test_the_prior_rewards_uses_and_punishes_unhelpful_votes() -> None:
    assert suggestions.prior(helpful=0, unhelpful=0, uses=0) == 1.0
    assert suggestions.prior(helpful=3, unhelpful=0, uses=5) > 1.0
    assert suggestions.prior(helpful=0, unhelpful=4, uses=0) < 1.0
