"""Training, judging and activating a business unit's ticket classifier.

``classifier_train`` records a new version and trains it (inline, or in a Huey task), on
the unit's resolved tickets or on given examples. A share of the examples is held back:
the new version becomes active only if its macro-F1 on them is not below the active
version's on the same examples; otherwise it is kept as *rejected*, for the record. A
bad file is refused before anything is recorded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team
from zhongtai.core.errors import InvalidInput
from zhongtai.core.models import Tenant
from zhongtai.core.permissions import ensure_can
from zhongtai.routing import classifier
from zhongtai.routing.classifier import BadInput, Evaluation, Example, Trained
from zhongtai.routing.models import ClassifierModel, ClassifierTarget, RoutingSettings
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Ticket, TicketEvent

HOLD_BACK = 0.2
# The new version may not be worse than the active one by more than rounding.
TOLERANCE = 0.0005

# (unit, target) → (version id, fitted model), per process: one version per unit and
# target, so a unit's new version replaces its old one and never another unit's.
_loaded: dict[tuple[int, str], tuple[int, Trained]] = {}
_lock = threading.Lock()


def ticket_text(subject: str, description: str) -> str:
    """What the classifier reads of a ticket: the subject, then the description."""
    return f"{subject}\n{description}".strip()


def examples_from_tickets(*, tenant: Tenant, target: str) -> list[Example]:
    """The unit's resolved and closed tickets, labelled with their final category (after
    any agent's correction), priority or team."""
    tickets = Ticket.objects.filter(
        tenant=tenant, is_open=False, merged_into__isnull=True
    ).order_by("pk")  # (the same tickets train the same model)
    if target == ClassifierTarget.CATEGORY:
        rows = tickets.filter(category__isnull=False).select_related("category__parent")
        return [Example(ticket_text(t.subject, t.description), str(t.category)) for t in rows]
    if target == ClassifierTarget.TEAM:
        rows = tickets.filter(team__isnull=False).select_related("team")
        return [Example(ticket_text(t.subject, t.description), t.team.name) for t in rows]
    values = tickets.values_list("subject", "description", "priority")
    return [Example(ticket_text(s, d), p) for s, d, p in values]


@transaction.atomic
def classifier_version_new(*, tenant: Tenant, target: str, source: str) -> ClassifierModel:
    """Record the next version of the unit's classifier for ``target``, queued."""
    if target not in ClassifierTarget.values:
        raise BadInput([_("Unknown target: %(target)s.") % {"target": target}])
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()  # (version numbers)
    last = ClassifierModel.objects.filter(tenant=tenant, target=target).aggregate(m=Max("version"))[
        "m"
    ]
    return ClassifierModel.objects.create(
        tenant=tenant, target=target, version=(last or 0) + 1, source=source
    )


def classifier_version_new_for(*, tenant_id: int, target: str) -> ClassifierModel:
    """A queued version trained on the unit's tickets (the admin's action)."""
    tenant = Tenant.objects.get(pk=tenant_id)
    return classifier_version_new(
        tenant=tenant, target=target, source=ClassifierModel.Source.TICKETS
    )


def _progress(model: ClassifierModel, percent: int, status: str | None = None) -> None:
    model.progress = percent
    fields = ["progress", "updated_at"]
    if status:
        model.status = status
        fields.append("status")
    model.save(update_fields=fields)


def classifier_run(*, model: ClassifierModel, examples: Sequence[Example]) -> ClassifierModel:
    """Train ``model`` on ``examples``, judge it on the held-back share against the active
    version, and activate it or not. A failure is recorded on the version, not raised."""
    started = time.perf_counter()
    _progress(model, 5, ClassifierModel.Status.TRAINING)
    try:
        fit_part, judge_part = classifier.held_back(examples, share=HOLD_BACK)
        trained = classifier.train(fit_part)
        _progress(model, 70)
        judged = classifier.evaluate(trained, judge_part) if judge_part else None
    except BadInput as exc:
        model.status, model.message, model.progress = ClassifierModel.Status.FAILED, str(exc), 100
        model.save(update_fields=["status", "message", "progress", "updated_at"])
        return model
    model.blob = trained.to_bytes()
    model.examples, model.held_back = trained.examples, len(judge_part)
    model.labels = trained.labels
    model.trained_at = timezone.now()
    model.seconds = round(time.perf_counter() - started, 2)
    model.metrics = {
        "held_back": judged.as_dict() if judged else None,
        "left_out": trained.left_out,
    }
    _judge_and_activate(model, judged, judge_part)
    return model


@transaction.atomic
def _judge_and_activate(
    model: ClassifierModel, judged: Evaluation | None, judge_part: Sequence[Example]
) -> None:
    active = (
        ClassifierModel.objects.select_for_update()
        .filter(tenant_id=model.tenant_id, target=model.target, status="active")
        .first()
    )
    better = True
    if active is not None and judged is not None and active.blob:
        incumbent = classifier.evaluate(_fitted(active), judge_part)
        model.metrics["active_on_held_back"] = {
            "version": active.version,
            "accuracy": round(incumbent.accuracy, 4),
            "macro_f1": round(incumbent.macro_f1, 4),
        }
        better = judged.macro_f1 + TOLERANCE >= incumbent.macro_f1
    if better:
        if active is not None:
            active.status = ClassifierModel.Status.RETIRED
            active.save(update_fields=["status", "updated_at"])
        model.status = ClassifierModel.Status.ACTIVE
        model.message = ""
    else:
        model.status = ClassifierModel.Status.REJECTED
        model.message = _("Worse than the active version on the held-back examples; not activated.")
    model.progress = 100
    model.save()


def classifiers_forget() -> None:
    """Drop the loaded models (between tests, whose rolled-back ids come again)."""
    with _lock:
        _loaded.clear()


def _cached(model_id: int) -> Trained | None:
    with _lock:
        return next((fitted for pk, fitted in _loaded.values() if pk == model_id), None)


def _fitted(model: ClassifierModel) -> Trained:
    fitted = _cached(model.pk)
    if fitted is None:
        fitted = Trained.from_bytes(bytes(model.blob or b""))
        with _lock:
            _loaded[(model.tenant_id, model.target)] = (model.pk, fitted)
    return fitted


def classifier_run_queued(*, model_id: int) -> ClassifierModel:
    """Train a queued version on its unit's resolved tickets (the task's work)."""
    model = ClassifierModel.objects.select_related("tenant").get(pk=model_id)
    examples = examples_from_tickets(tenant=model.tenant, target=model.target)
    return classifier_run(model=model, examples=examples)


def classifier_fitted(*, model_id: int) -> Trained | None:
    """A version's fitted model, loaded from the database once per process."""
    fitted = _cached(model_id)
    if fitted is not None:
        return fitted
    model = ClassifierModel.objects.filter(pk=model_id).first()
    if model is None or not model.blob:
        return None
    return _fitted(model)


def classifier_active(*, tenant_id: int, target: str) -> tuple[ClassifierModel, Trained] | None:
    """The unit's active version for ``target`` and its fitted model (loaded once)."""
    model = (
        ClassifierModel.objects.filter(tenant_id=tenant_id, target=target, status="active")
        .defer("blob")
        .first()
    )
    if model is None:
        return None
    fitted = classifier_fitted(model_id=model.pk)
    return (model, fitted) if fitted is not None else None


def classifier_evaluate(*, tenant: Tenant, target: str, examples: Sequence[Example]) -> Evaluation:
    """How the active version does on ``examples`` (``BadInput`` when there is none)."""
    found = classifier_active(tenant_id=tenant.pk, target=target)
    if found is None:
        raise BadInput([_("This business unit has no active classifier yet: train one.")])
    return classifier.evaluate(found[1], examples)


def classifier_evaluate_for(
    *, actor: Actor, target: str, examples: Sequence[Example]
) -> tuple[ClassifierModel, Evaluation]:
    """The API's evaluation: the unit's active version of ``target`` scored on the given
    labelled examples (nothing is stored)."""
    ensure_can(actor, "routing.manage")
    found = classifier_active(tenant_id=actor.tenant.pk, target=target)
    if found is None:
        raise InvalidInput(
            _("This business unit has no active classifier yet: train one."), code="no_classifier"
        )
    return found[0], classifier.evaluate(found[1], examples)


# --- the unit's routing settings and training requests (the workspace and the API) ---------


MANAGE = "routing.manage"


def ensure_manager(actor: Actor) -> None:
    """The unit's administrators and L2 set how intake routes."""
    ensure_can(actor, MANAGE)


@transaction.atomic
def routing_settings_save(
    *,
    actor: Actor,
    classify_at_intake: bool,
    confidence_threshold: float,
    auto_assign: bool | None = None,
    vip_team: Team | None = None,
) -> RoutingSettings:
    """Set whether new tickets are classified and how sure a prediction must be to apply;
    with ``auto_assign``, also whether they are given to people and the VIP lane."""
    ensure_can(actor, MANAGE)
    if not 0.0 <= confidence_threshold <= 1.0:
        raise InvalidInput(
            errors=[
                {
                    "field": "confidence_threshold",
                    "message": _("Give a confidence between 0 and 1, e.g. 0.6."),
                }
            ]
        )
    if vip_team is not None and vip_team.tenant_id != actor.tenant.pk:
        raise InvalidInput(errors=[{"field": "vip_team", "message": _("Unknown team.")}])
    defaults: dict[str, object] = {
        "classify_at_intake": classify_at_intake,
        "confidence_threshold": confidence_threshold,
    }
    if auto_assign is not None:
        defaults.update(auto_assign=auto_assign, vip_team=vip_team)
    settings, _created = RoutingSettings.objects.update_or_create(
        tenant=actor.tenant, defaults=defaults
    )
    return settings


def routing_settings_of(*, actor: Actor) -> RoutingSettings:
    found: RoutingSettings | None = RoutingSettings.objects.filter(tenant=actor.tenant).first()
    return found or RoutingSettings(tenant=actor.tenant)


def classifier_versions(*, actor: Actor, limit: int = 20) -> list[ClassifierModel]:
    """The unit's latest classifier versions, newest first (without the fitted models)."""
    ensure_can(actor, MANAGE)
    return list(
        ClassifierModel.objects.filter(tenant=actor.tenant)
        .defer("blob")
        .order_by("-created_at", "-id")[:limit]
    )


@transaction.atomic
def classifier_train_request(
    *, actor: Actor, target: str = ClassifierTarget.CATEGORY
) -> ClassifierModel:
    """Queue a new version trained on the unit's resolved tickets (in the worker)."""
    ensure_can(actor, MANAGE)
    model = classifier_version_new(tenant=actor.tenant, target=target, source="tickets")
    from zhongtai.routing.tasks import classifier_train_task  # (the task module imports this one)

    model_id = model.pk
    transaction.on_commit(lambda: classifier_train_task(model_id))
    return model


def classifier_corrections(*, actor: Actor, days: int = 30) -> dict[str, int]:
    """How often people overruled the classifier in the last ``days``: tickets it
    classified, and of those how many a person gave another category."""
    ensure_can(actor, MANAGE)
    since = timezone.now() - timedelta(days=days)
    events = TicketEvent.objects.filter(tenant=actor.tenant, created_at__gte=since)
    classified = events.filter(type=EventType.ROUTING, data__action="classified").count()
    corrected = (
        events.filter(type=EventType.FIELD_CHANGE, data__has_key="correction")
        .values("ticket_id")
        .distinct()
        .count()
    )
    return {"days": days, "classified": classified, "corrected": corrected}
