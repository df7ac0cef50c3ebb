"""The demo units' macros: written by the people who would, filled in for a demo ticket in
the unit's language, and gone with the demo when it is wiped."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Membership
from zhongtai.core.models import Tenant
from zhongtai.macros import selectors, services
from zhongtai.macros.models import Macro
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _demo(*args: str) -> None:
    call_command("demo", "--tickets", "20", *args, stdout=io.StringIO())


def test_each_demo_unit_has_shared_team_and_personal_macros() -> None:
    _demo()

    for slug, first in (("sh", "问候与结束语"), ("saas", "Greeting and sign-off")):
        tenant = Tenant.objects.get(slug=slug)
        macros = Macro.objects.filter(tenant=tenant)
        assert set(macros.values_list("scope", flat=True)) == {"shared", "team", "personal"}
        assert macros.exclude(set_status="").exists()
        agent = Actor(
            Membership.objects.filter(tenant=tenant, role="agent").earliest("user__username")
        )
        greeting = selectors.macro_list(actor=agent).get(name=first)
        ticket = Ticket.objects.filter(tenant=tenant, contact__isnull=False).earliest("number")
        text = services.macro_render(actor=agent, ticket=ticket, macro=greeting)
        assert ticket.contact.name in text
        assert f"{tenant.ticket_prefix}-{ticket.number:06d}" in text
        assert "{{" not in text


def test_a_reset_wipes_the_demo_macros_and_writes_them_again() -> None:
    _demo()
    before = set(Macro.objects.values_list("pk", flat=True))

    _demo("--reset")

    after = set(Macro.objects.values_list("pk", flat=True))
    assert len(after) == len(before) == 10
    assert not before & after
