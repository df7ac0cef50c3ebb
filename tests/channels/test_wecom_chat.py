"""WeCom's callback through our endpoint (with the official sample's vectors and our own
encryption of 客户联系 events), the unit's WeCom apps, and the chat sidebar."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.channels.test_wecom_crypto import (
    OFFICIAL_CORP,
    OFFICIAL_ECHO_PLAIN,
    OFFICIAL_KEY,
    OFFICIAL_POST_BODY,
    OFFICIAL_POST_QUERY,
    OFFICIAL_TOKEN,
    OFFICIAL_URL,
)
from tests.factories import World
from zhongtai.channels.models import WeComApp, WeComInbound
from zhongtai.channels.wecom import WeComCrypto
from zhongtai.channels.wecom import service as wecom
from zhongtai.core.errors import InvalidInput, PermissionDenied
from zhongtai.customers import services as customer_services
from zhongtai.customers.models import Contact, Customer, Identity, ProfileEvent
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _app(world: World, **kwargs: object) -> WeComApp:
    data = wecom.WeComAppInput(
        name=str(kwargs.get("name", "Service desk")),
        corp_id=str(kwargs.get("corp_id", OFFICIAL_CORP)),
        token=str(kwargs.get("token", OFFICIAL_TOKEN)),
        encoding_aes_key=str(kwargs.get("key", OFFICIAL_KEY)),
        agent_id=218,
    )
    return wecom.wecom_app_save(actor=world.admin, data=data)


def _callback(app: WeComApp) -> str:
    return reverse("chat:wecom_callback", args=[app.pk])


def _signed_post(app: WeComApp, inner: str, nonce: str = "n0nce") -> tuple[dict[str, str], bytes]:
    """What WeCom would POST: ``inner`` encrypted and signed with the app's settings."""
    outer = WeComCrypto(app.token, app.encoding_aes_key, app.corp_id).encrypt(
        inner, nonce, timestamp="1732400000"
    )
    encrypted = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", outer).group(1)  # type: ignore[union-attr]
    signature = re.search(r"<MsgSignature><!\[CDATA\[(.*?)\]\]>", outer).group(1)  # type: ignore[union-attr]
    query = {"msg_signature": signature, "timestamp": "1732400000", "nonce": nonce}
    body = (
        f"<xml><ToUserName><![CDATA[{app.corp_id}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    )
    return query, body.encode()


def _post(app: WeComApp, query: dict[str, str], body: bytes) -> object:
    url = _callback(app) + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return Client().post(url, data=body, content_type="text/xml")


def test_url_verification_answers_the_official_samples_echostr(world: World) -> None:
    app = _app(world)

    response = Client().get(_callback(app), OFFICIAL_URL)

    assert response.status_code == 200
    assert response.content.decode() == OFFICIAL_ECHO_PLAIN
    app.refresh_from_db()
    assert app.last_callback_at is not None


def test_the_official_sample_message_is_received_once(world: World) -> None:
    app = _app(world)

    first = _post(app, OFFICIAL_POST_QUERY, OFFICIAL_POST_BODY)
    retry = _post(app, OFFICIAL_POST_QUERY, OFFICIAL_POST_BODY)

    assert first.status_code == retry.status_code == 200  # type: ignore[attr-defined]
    assert first.content == b"success"  # type: ignore[attr-defined]
    inbound = WeComInbound.objects.get()
    assert (inbound.msg_type, inbound.from_user, inbound.content) == ("text", "mycreate", "hello")
    assert inbound.dedupe_key == "msg:4561255354251345929"


def test_a_bad_signature_is_refused_stores_nothing_and_shows_the_admin(world: World) -> None:
    app = _app(world)
    tampered = {**OFFICIAL_POST_QUERY, "msg_signature": "0" * 40}

    response = _post(app, tampered, OFFICIAL_POST_BODY)
    verify = Client().get(_callback(app), {**OFFICIAL_URL, "nonce": "1"})

    assert response.status_code == 403  # type: ignore[attr-defined]
    assert verify.status_code == 403
    assert not WeComInbound.objects.exists()
    app.refresh_from_db()
    assert app.last_error.startswith("-40001")
    page = _logged_in(world.admin).get(reverse("chat:wecom_apps")).content.decode()
    assert "-40001" in page


def test_garbage_bodies_and_unknown_apps(world: World) -> None:
    app = _app(world)

    garbage = _post(app, OFFICIAL_POST_QUERY, b"<xml><Encrypt>")
    bomb = _post(
        app,
        OFFICIAL_POST_QUERY,
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>',
    )
    huge = _post(app, OFFICIAL_POST_QUERY, b"x" * (65 * 1024))
    unknown = Client().get(reverse("chat:wecom_callback", args=[app.pk + 100]), OFFICIAL_URL)
    WeComApp.objects.filter(pk=app.pk).update(is_active=False)
    inactive = Client().get(_callback(app), OFFICIAL_URL)

    assert garbage.status_code == 400  # type: ignore[attr-defined]
    assert bomb.status_code == 400  # type: ignore[attr-defined]
    assert huge.status_code == 413  # type: ignore[attr-defined]
    assert unknown.status_code == inactive.status_code == 404
    assert not WeComInbound.objects.exists()


def test_a_new_external_contact_is_offered_for_linking_in_the_sidebar(world: World) -> None:
    app = _app(world, corp_id="ww0000000000000001")
    event = (
        "<xml><ToUserName><![CDATA[ww0000000000000001]]></ToUserName>"
        "<FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1732400000</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event>"
        "<ChangeType><![CDATA[add_external_contact]]></ChangeType>"
        "<UserID><![CDATA[zhangsan]]></UserID>"
        "<ExternalUserID><![CDATA[wmNewCustomer01]]></ExternalUserID>"
        "<WelcomeCode><![CDATA[w1]]></WelcomeCode></xml>"
    )
    query, body = _signed_post(app, event)
    assert _post(app, query, body).status_code == 200  # type: ignore[attr-defined]
    assert _post(app, query, body).status_code == 200  # type: ignore[attr-defined]
    assert WeComInbound.objects.count() == 1

    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    customer_services.contact_create(
        actor=world.agent,
        customer_id=acme.pk,
        data=customer_services.ContactInput(name="Li Wei", email="li.wei@acme.example"),
    )
    agent = _logged_in(world.agent)
    sidebar = agent.get(reverse("chat:sidebar")).content.decode()
    assert "wmNewCustomer01" in sidebar
    assert "zhangsan" in sidebar

    agent.post(
        reverse("chat:sidebar_link"),
        {
            "kind": "wecom_external_userid",
            "value": "wmNewCustomer01",
            "email": "LI.WEI@acme.example",
        },
    )
    linked = Identity.objects.get(kind="wecom_external_userid", value="wmNewCustomer01")
    assert linked.contact.name == "Li Wei"
    assert "wmNewCustomer01" not in agent.get(reverse("chat:sidebar")).content.decode()


def _logged_in(actor: factories.Actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def _chat_contact(world: World) -> Contact:
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    contact = customer_services.contact_create(
        actor=world.agent,
        customer_id=acme.pk,
        data=customer_services.ContactInput(name="Li Wei", email="li.wei@acme.example"),
    )
    customer_services.identity_add(
        actor=world.agent, contact_id=contact.pk, kind="wecom_external_userid", value="wmLiWei"
    )
    return contact


def test_the_sidebar_resolves_a_chat_in_one_request(world: World) -> None:
    contact = _chat_contact(world)
    factories.ticket(world.agent, contact=contact, subject="Spindle overheats")
    agent = _logged_in(world.agent)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = agent.get(reverse("chat:sidebar"), {"external_userid": "wmLiWei"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Li Wei" in html
    assert "Acme" in html
    assert "Spindle overheats" in html
    assert len(queries) < 40


def test_a_ticket_and_a_note_from_the_sidebar(world: World) -> None:
    contact = _chat_contact(world)
    agent = _logged_in(world.agent)
    identity = {"kind": "wecom_external_userid", "value": "wmLiWei"}

    agent.post(
        reverse("chat:sidebar_ticket"),
        {**identity, "subject": "Alarm 1040", "description": "Machine stops after 10 minutes"},
    )
    agent.post(reverse("chat:sidebar_note"), {**identity, "body": "Prefers WeCom voice calls"})
    empty = agent.post(
        reverse("chat:sidebar_ticket"), {**identity, "subject": "", "description": ""}
    )

    ticket = Ticket.objects.get(subject="Alarm 1040")
    assert (ticket.channel, ticket.contact, ticket.customer) == ("chat", contact, contact.customer)
    note = ProfileEvent.objects.get(type="note")
    assert "Prefers WeCom voice calls" in note.body
    assert empty.status_code == 302
    assert Ticket.objects.filter(subject="").count() == 0


def test_the_sidebar_is_for_the_units_staff(world: World) -> None:
    _chat_contact(world)
    query = {"kind": "wecom_external_userid", "value": "wmLiWei"}

    theirs = _logged_in(world.other_agent).get(reverse("chat:sidebar"), query)
    customer = _logged_in(world.customer).get(reverse("chat:sidebar"), query)
    other_ticket = _logged_in(world.other_agent).post(
        reverse("chat:sidebar_ticket"), {**query, "subject": "x", "description": "y"}
    )

    assert theirs.status_code == 200
    assert "Acme" not in theirs.content.decode()
    assert customer.status_code == 404
    assert other_ticket.status_code == 404
    assert not Ticket.objects.filter(subject="x").exists()


def test_apps_are_checked_and_for_administrators(world: World) -> None:
    with pytest.raises(InvalidInput):
        _app(world, key="too-short")
    with pytest.raises(InvalidInput):
        _app(world, token="has space")
    with pytest.raises(PermissionDenied):
        wecom.wecom_app_save(
            actor=world.lead,
            data=wecom.WeComAppInput(
                name="x", corp_id=OFFICIAL_CORP, token=OFFICIAL_TOKEN, encoding_aes_key=OFFICIAL_KEY
            ),
        )
    admin = _logged_in(world.admin)
    added = admin.post(
        reverse("chat:wecom_apps"),
        {"add": "1", "name": "Desk", "corp_id": OFFICIAL_CORP, "token": OFFICIAL_TOKEN,
         "encoding_aes_key": OFFICIAL_KEY},
    )  # fmt: skip
    assert added.status_code == 302
    page = admin.get(reverse("chat:wecom_apps")).content.decode()
    assert "/channels/wecom/" in page
    assert _logged_in(world.agent).get(reverse("chat:wecom_apps")).status_code == 403
