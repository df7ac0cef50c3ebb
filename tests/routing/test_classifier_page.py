"""/agent/routing/classifier/: the unit's threshold and its classifier versions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from tests.routing import corpus
from zhongtai.routing import services
from zhongtai.routing.models import ClassifierModel, RoutingSettings

pytestmark = pytest.mark.django_db

PAGE = reverse("routing:classifier")
SETTINGS = reverse("routing:classifier_settings")
TRAIN = reverse("routing:classifier_train")


def _client(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def test_admin_sets_the_threshold_and_sees_the_versions(world):
    model = services.classifier_version_new(tenant=world.tenant, target="category", source="file")
    services.classifier_run(model=model, examples=corpus.examples(per_label=20))
    client = _client(world.admin)
    page = client.get(PAGE).content.decode()
    assert 'data-testid="classifier-version"' in page
    assert "0.60" in page
    response = client.post(SETTINGS, {"confidence_threshold": "0,75"})
    assert response.status_code == 302
    settings = RoutingSettings.objects.get(tenant=world.tenant)
    assert (settings.confidence_threshold, settings.classify_at_intake) == (0.75, False)


@pytest.mark.parametrize("value", ["1.5", "-0.1", "abc", ""])
def test_a_bad_threshold_changes_nothing(world, value):
    response = _client(world.l2).post(
        SETTINGS, {"confidence_threshold": value, "classify_at_intake": "on"}, follow=True
    )
    assert "between 0 and 1" in response.content.decode()
    assert not RoutingSettings.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_training_is_queued_for_the_worker(world):
    HUEY.flush()
    assert _client(world.admin).post(TRAIN).status_code == 302
    model = ClassifierModel.objects.get(tenant=world.tenant)
    assert (model.status, model.source, model.version) == ("queued", "tickets", 1)
    assert HUEY.pending_count() == 1
    HUEY.flush()


@pytest.mark.parametrize("role", ["agent", "lead", "l3"])
def test_other_staff_are_refused(world, role):
    client = _client(getattr(world, role))
    assert client.get(PAGE).status_code == 403
    assert client.post(SETTINGS, {"confidence_threshold": "0.1"}).status_code == 403
    assert client.post(TRAIN).status_code == 403
    assert not RoutingSettings.objects.exists()
    assert not ClassifierModel.objects.exists()
