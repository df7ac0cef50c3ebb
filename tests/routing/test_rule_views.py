"""The routing rules pages /agent/routing/rules/: list, form, try, move, delete, roles."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from zhongtai.routing.models import RoutingRule

pytestmark = pytest.mark.django_db

LIST = reverse("routing:rule_list")
NEW = reverse("routing:rule_create")
FORM = {
    "name": "Compressors",
    "is_active": "on",
    "keywords": "compressor，压缩机",
    "set_priority": "high",
}


def _client(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def test_admin_creates_tries_moves_and_deletes(world):
    client = _client(world.admin)
    factories.ticket(world.customer, subject="compressor trips")
    tried = client.post(NEW, {**FORM, "days": "30", "try": "1"})
    assert tried.status_code == 200
    assert "would have matched 1 of the 1 tickets" in tried.content.decode()
    assert not RoutingRule.objects.exists()
    assert client.post(NEW, FORM).status_code == 302
    client.post(NEW, {**FORM, "name": "Second", "keywords": "invoice"})
    rules = list(RoutingRule.objects.filter(tenant=world.tenant))
    assert rules[0].keywords == ["compressor", "压缩机"]
    client.post(reverse("routing:rule_move", args=[rules[1].pk]), {"direction": "up"})
    page = client.get(LIST).content.decode()
    assert 'data-testid="rule-row"' in page
    assert [r.name for r in RoutingRule.objects.filter(tenant=world.tenant)] == [
        "Second",
        "Compressors",
    ]
    client.post(reverse("routing:rule_delete", args=[rules[0].pk]))
    assert RoutingRule.objects.count() == 1


def test_bad_rule_stays_in_the_form(world):
    response = _client(world.l2).post(NEW, {**FORM, "pattern": "(unclosed"})
    assert response.status_code == 422
    assert "Not a valid regular expression" in response.content.decode()
    assert not RoutingRule.objects.exists()


@pytest.mark.parametrize("role", ["agent", "lead", "l3"])
def test_other_staff_are_refused(world, role):
    assert _client(getattr(world, role)).get(LIST).status_code == 403
    assert _client(getattr(world, role)).post(NEW, FORM).status_code == 403
    assert not RoutingRule.objects.exists()


def test_another_units_rule_is_not_found(world):
    theirs = RoutingRule.objects.create(tenant=world.other_tenant, name="X", keywords=["x"])
    client = _client(world.admin)
    assert client.get(reverse("routing:rule_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("routing:rule_delete", args=[theirs.pk])).status_code == 404
    assert RoutingRule.objects.filter(pk=theirs.pk).exists()
