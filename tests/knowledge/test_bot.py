"""The bot: answers when sure, with the source; a person (a chat ticket with the
transcript) otherwise or when asked; ratings; its API's bad input, roles and units; the
report's rates; and a customer never gets an internal article from it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import World
from tests.support import problem
from zhongtai.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from zhongtai.knowledge import bot, reports, services
from zhongtai.knowledge.choices import BotOutcome
from zhongtai.knowledge.models import ArticleQuestion, BotConversation, BotMessage
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _publish(world: World, title: str, body: str, visibility: str = "customers") -> int:
    data = services.ArticleInput(title=title, body=body, visibility=visibility)
    return services.article_create(actor=world.l2, data=data, publish=True).pk


def test_a_sure_answer_comes_from_the_article_with_its_source(world: World) -> None:
    reset = _publish(world, "Reset the printer", "Hold the power key for ten seconds.")

    reply = services.bot_message(actor=world.customer, text="How do I reset the printer?")

    assert not reply.handed_off
    assert reply.message.article_id == reset
    assert "Hold the power key" in reply.message.text
    assert reply.message.confidence is not None
    assert reply.message.confidence >= 0.5
    assert reply.conversation.outcome == BotOutcome.ANSWERED
    assert Ticket.objects.count() == 0


def test_unsure_it_hands_over_with_the_transcript(world: World) -> None:
    _publish(world, "Reset the printer", "Hold the power key for ten seconds.")

    first = services.bot_message(actor=world.customer, text="How do I reset the printer?")
    second = services.bot_message(
        actor=world.customer,
        text="The invoice for March is missing",
        conversation_id=first.conversation.pk,
    )

    assert second.handed_off
    assert second.ticket is not None
    ticket = second.ticket
    assert ticket.channel == "chat"
    assert ticket.contact is not None
    assert ticket.contact.user_id == world.customer.user.pk
    assert ticket.subject == "How do I reset the printer?"
    assert "Hold the power key" in ticket.description  # the bot's answer is in it
    assert "invoice for March" in ticket.description
    with pytest.raises(Conflict):  # a person has it now
        services.bot_message(
            actor=world.customer, text="hello?", conversation_id=first.conversation.pk
        )


@pytest.mark.parametrize("text", ["I want to talk to a person", "转人工"])
def test_asking_for_a_person_in_words_hands_over(world: World, text: str) -> None:
    _publish(world, "Reset the printer", "Hold the power key for ten seconds.")
    assert services.bot_message(actor=world.customer, text=text).handed_off
    assert bot.wants_person(text)
    assert not bot.wants_person("reset the printer")


def test_the_threshold_is_the_units(world: World) -> None:
    _publish(world, "Reset the printer", "Hold the power key for ten seconds.")
    services.settings_update(actor=world.admin, publisher_roles=["l2"], bot_threshold=1.0)

    reply = services.bot_message(actor=world.customer, text="printer power cable")

    assert reply.handed_off


def test_a_customer_never_gets_an_internal_article(world: World) -> None:
    _publish(world, "Reset the printer", "Engineers: use the service PIN 4711.", "internal")

    reply = services.bot_message(actor=world.customer, text="reset the printer")

    assert reply.handed_off
    assert "4711" not in reply.message.text


def test_a_thumbs_up_teaches_the_article_the_question(world: World) -> None:
    reset = _publish(world, "Reset the printer", "Hold the power key for ten seconds.")
    reply = services.bot_message(actor=world.customer, text="printer frozen, how to reset")

    services.bot_rate(actor=world.customer, message_id=reply.message.pk, helpful=True)

    assert BotMessage.objects.get(pk=reply.message.pk).rating is True
    assert ArticleQuestion.objects.filter(
        article_id=reset, text="printer frozen, how to reset", source="bot"
    ).exists()
    with pytest.raises(NotFound):  # only the one who asked rates
        services.bot_rate(actor=world.customer2, message_id=reply.message.pk, helpful=False)


def test_bad_input_stores_nothing(world: World) -> None:
    for text in ["   ", "x" * 2001, "bad \ud800 half"]:
        with pytest.raises(InvalidInput):
            services.bot_message(actor=world.customer, text=text)
    with pytest.raises(PermissionDenied):
        services.bot_message(actor=world.agent, text="reset the printer")
    with pytest.raises(NotFound):
        services.bot_message(actor=world.customer2, text="hi", conversation_id=10**9)
    assert BotConversation.objects.count() == 0


def test_the_api(world: World, api_for: Any) -> None:
    reset = _publish(world, "Reset the printer", "Hold the power key for ten seconds.")
    customer = api_for(world.customer)

    answered = customer.post("/bot/messages", {"text": "reset the printer"})
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert body["source"]["id"] == reset
    assert body["source"]["url"].endswith(f"/portal/help/{reset}/")
    assert body["handed_off"] is False
    assert body["ticket"] is None
    rated = customer.post(f"/bot/messages/{body['message_id']}/rating", {"helpful": False})
    assert rated.status_code == 204

    handed = customer.post(
        "/bot/messages",
        {"text": "anything", "conversation_id": body["conversation_id"], "person": True},
    ).json()
    assert handed["handed_off"] is True
    assert handed["ticket"]["reference"].startswith("SH-")

    problem(customer.post("/bot/messages", {"text": ""}), 422)
    problem(customer.post("/bot/messages", {"text": "hi", "colour": "red"}), 422)
    problem(api_for(world.agent).post("/bot/messages", {"text": "hi"}), 403)
    other = api_for(world.other_customer)
    problem(
        other.post("/bot/messages", {"text": "hi", "conversation_id": body["conversation_id"]}),
        404,
    )
    problem(other.post(f"/bot/messages/{body['message_id']}/rating", {"helpful": True}), 404)


def test_the_report_counts_the_bot_and_the_gaps(world: World, api_for: Any) -> None:
    _publish(world, "Reset the printer", "Hold the power key for ten seconds.")
    answered = services.bot_message(actor=world.customer, text="reset the printer")
    services.bot_rate(actor=world.customer, message_id=answered.message.pk, helpful=True)
    services.bot_message(actor=world.customer, text="where is my invoice")

    report = reports.knowledge_report(actor=world.lead, days=30)

    assert (report.bot_conversations, report.bot_answered, report.bot_handed_off) == (2, 1, 1)
    assert report.thumbs_up_rate == 1.0
    assert [m.text for m in report.missed] == ["where is my invoice"]
    with pytest.raises(PermissionDenied):
        reports.knowledge_report(actor=world.agent)
    api = api_for(world.l2).get("/knowledge/report", days=7).json()
    assert api["bot_answered_rate"] == 0.5
    problem(api_for(world.l2).get("/knowledge/report", days=0), 422)
    problem(api_for(world.customer).get("/knowledge/report"), 403)
    other = api_for(world.other_agent)
    assert other.get("/knowledge/report").status_code == 403
