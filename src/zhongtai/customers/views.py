"""The Customer 360 pages of the workspace: the customer list, one customer's profile
(contacts and identities, contracts, purchases, assets and warranty, tier, owner, tags,
custom fields, notes and the service history), and the unit's tier rules and custom
fields.

Thin: a form, a service or selector call, a render or a redirect. Customers and people
without a role find no page here (404); another unit's customer is a 404; an action the
role may not take is a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import staff_actor_with
from zhongtai.core.errors import ApplicationError, NotFound
from zhongtai.customers import forms, presenters, profile, selectors, services
from zhongtai.customers.models import CustomerTier, LifecycleStage
from zhongtai.tickets import selectors as ticket_selectors

PAGE = 50
ASSETS_SHOWN = 20  # the rest on demand (customer_assets)
TIER_BADGES = {
    CustomerTier.STANDARD: "secondary",
    CustomerTier.PREMIUM: "info",
    CustomerTier.VIP: "warning",
}


def _viewer(request: HttpRequest) -> Actor:
    return staff_actor_with(request, "customers.view")


def _owners(actor: Actor) -> list[tuple[int, str]]:
    return [
        (u.pk, u.get_full_name() or u.username) for u in ticket_selectors.agent_list(actor=actor)
    ]


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    """Customers by name, tier, lifecycle stage, owner and tag."""
    actor = _viewer(request)
    tier = request.GET.get("tier", "")
    stage = request.GET.get("stage", "")
    owner = request.GET.get("owner", "")
    filters = selectors.CustomerFilter(
        text=request.GET.get("q", "")[:100],
        tier=tier if tier in CustomerTier.values else "",
        lifecycle_stage=stage if stage in LifecycleStage.values else "",
        owner_id=actor.user.pk if owner == "me" else None,
        tag=request.GET.get("tag", "")[:50],
    )
    offset = _int(request.GET.get("offset"), 0)
    rows = list(selectors.customer_search(actor=actor, filters=filters)[offset : offset + PAGE + 1])
    context = {
        "customers": rows[:PAGE],
        "more": len(rows) > PAGE,
        "next_offset": offset + PAGE,
        "filters": filters,
        "owner": owner,
        "tiers": CustomerTier.choices,
        "stages": LifecycleStage.choices,
        "badges": TIER_BADGES,
        "can_create": actor.can("customers.write"),
    }
    return render(request, "customers/customer_list.html", context)


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, min(int(value or default), 1_000_000))
    except ValueError:
        return default


@login_required
@require_GET
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The 360: everything about one customer on one page."""
    actor = _viewer(request)
    try:
        data = profile.customer_profile(
            actor=actor,
            customer_id=customer_id,
            language=request.LANGUAGE_CODE,
            assets_limit=ASSETS_SHOWN,
        )
    except NotFound as exc:
        raise Http404 from exc
    presenters.label_profile(data)
    return render(request, "customers/customer_detail.html", _detail_context(actor, data))


def _detail_context(actor: Actor, data: profile.Profile, **extra: Any) -> dict[str, Any]:
    return {
        "p": data,
        "customer": data.customer,
        "badge": TIER_BADGES.get(CustomerTier(data.customer.tier), "secondary"),
        "can_write": actor.can("customers.write"),
        "can_manage": actor.can("customers.manage"),
        "note_form": forms.NoteForm(),
        "override_form": forms.OverrideForm(initial={"tier": data.customer.tier}),
        "contact_form": forms.ContactForm(),
        "identity_form": forms.IdentityForm(),
        "contract_form": forms.ContractForm(),
        **extra,
    }


@login_required
@require_GET
def customer_history(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The next page of the service history (htmx: rows to append)."""
    actor = _viewer(request)
    try:
        customer, rows, cursor = profile.history_page(
            actor=actor, customer_id=customer_id, cursor=request.GET.get("cursor") or None
        )
    except NotFound as exc:
        raise Http404 from exc
    presenters.label_history(rows)
    context = {"customer": customer, "history": rows, "cursor": cursor}
    return render(request, "customers/partials/history_rows.html", context)


@login_required
@require_GET
def customer_assets(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The rest of a customer's assets, after the first ones the profile shows (htmx)."""
    actor = _viewer(request)
    try:
        assets = profile.asset_list(
            actor=actor, customer_id=customer_id, offset=_int(request.GET.get("offset"), 0)
        )
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "customers/partials/asset_rows.html", {"assets": assets})


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, customer_id: int | None = None) -> HttpResponse:
    """Add a customer, or change a profile's own fields and custom fields."""
    actor = staff_actor_with(request, "customers.write")
    customer = None
    if customer_id is not None:
        try:
            customer = selectors.customer_get(actor=actor, customer_id=customer_id)
        except NotFound as exc:
            raise Http404 from exc
    form = forms.CustomerForm(
        request.POST or None,
        owners=_owners(actor),
        fields=list(selectors.custom_field_list(actor=actor)),
        language=request.LANGUAGE_CODE,
        customer=customer,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if customer is None:
                    saved = services.customer_create(actor=actor, data=form.to_input())
                else:
                    saved = services.customer_update(
                        actor=actor, customer_id=customer.pk, data=form.to_input()
                    )
                messages.success(request, _("Customer “%(name)s” saved.") % {"name": saved.name})
                return redirect("customers:customer_detail", saved.pk)
            except ApplicationError as exc:
                _form_errors(form, exc)
    context = {"form": form, "customer": customer}
    return render(request, "customers/customer_form.html", context, status=status)


def _form_errors(form: Any, exc: ApplicationError) -> None:
    for item in exc.errors or [{"field": "", "message": exc.message}]:
        name = item.get("field", "").removesuffix("_id").replace("custom.", "custom_")
        form.add_error(name if name in form.fields else None, item["message"])


def _profile_action(
    request: HttpRequest,
    customer_id: int,
    perm: str,
    form_class: type[Any] | None,
    act: Callable[[Actor, Any], str],
) -> HttpResponse:
    """Run one small form of the 360 page and come back to it with what happened."""
    actor = staff_actor_with(request, perm)
    form = form_class(request.POST) if form_class else None
    back = reverse("customers:customer_detail", args=[customer_id])
    if form is not None and not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
        return redirect(back)
    try:
        messages.success(request, act(actor, form.cleaned_data if form else None))
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        for item in exc.errors or [{"message": exc.message}]:
            messages.error(request, item["message"])
    return redirect(back)


@login_required
@require_POST
def note_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    def act(actor: Actor, data: dict[str, Any]) -> str:
        services.note_add(actor=actor, customer_id=customer_id, body=data["body"])
        return _("Note added.")

    return _profile_action(request, customer_id, "customers.write", forms.NoteForm, act)


@login_required
@require_POST
def tier_override(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Set the tier by hand, or (``clear``) give it back to the rules."""
    if "clear" in request.POST:

        def clear(actor: Actor, _data: None) -> str:
            services.tier_override_clear(actor=actor, customer_id=customer_id)
            return _("The tier follows the rules again.")

        return _profile_action(request, customer_id, "customers.manage", None, clear)

    def act(actor: Actor, data: dict[str, Any]) -> str:
        services.tier_override_set(
            actor=actor, customer_id=customer_id, tier=data["tier"], reason=data["reason"]
        )
        return _("Tier set by hand.")

    return _profile_action(request, customer_id, "customers.manage", forms.OverrideForm, act)


@login_required
@require_POST
def contact_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    def act(actor: Actor, data: dict[str, Any]) -> str:
        contact = services.contact_create(
            actor=actor, customer_id=customer_id, data=services.ContactInput(**data)
        )
        return _("Contact “%(name)s” added.") % {"name": contact.name}

    return _profile_action(request, customer_id, "customers.write", forms.ContactForm, act)


@login_required
@require_POST
def identity_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Give one of the customer's contacts an identity (chosen in one form for them all)."""

    def act(actor: Actor, data: dict[str, Any]) -> str:
        contact = selectors.contact_get(actor=actor, contact_id=data["contact"])
        if contact.customer_id != customer_id:
            raise NotFound()
        services.identity_add(
            actor=actor, contact_id=contact.pk, kind=data["kind"], value=data["value"]
        )
        return _("Identity added.")

    return _profile_action(request, customer_id, "customers.write", forms.IdentityForm, act)


@login_required
@require_POST
def identity_remove(request: HttpRequest, customer_id: int, identity_id: int) -> HttpResponse:
    def act(actor: Actor, _data: None) -> str:
        identity = selectors.identity_get(actor=actor, identity_id=identity_id)
        if identity.contact.customer_id != customer_id:
            raise NotFound()
        services.identity_remove(actor=actor, identity_id=identity_id)
        return _("Identity removed.")

    return _profile_action(request, customer_id, "customers.write", None, act)


@login_required
@require_POST
def contract_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    def act(actor: Actor, data: dict[str, Any]) -> str:
        data = {**data, "currency": data["currency"].upper()}
        services.contract_create(
            actor=actor, customer_id=customer_id, data=services.ContractInput(**data)
        )
        return _("Contract added.")

    return _profile_action(request, customer_id, "customers.manage", forms.ContractForm, act)


@login_required
@require_POST
def contract_delete(request: HttpRequest, customer_id: int, contract_id: int) -> HttpResponse:
    def act(actor: Actor, _data: None) -> str:
        contract = selectors.contract_get(actor=actor, contract_id=contract_id)
        if contract.customer_id != customer_id:
            raise NotFound()
        services.contract_delete(actor=actor, contract_id=contract_id)
        return _("Contract removed.")

    return _profile_action(request, customer_id, "customers.manage", None, act)


# --- the unit's settings: tier rules and custom fields ----------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def customer_settings(request: HttpRequest) -> HttpResponse:
    """Tier rules (in order) and custom profile fields; adding either, or removing one."""
    actor = staff_actor_with(request, "customers.manage")
    rule_form = forms.TierRuleForm(request.POST if "add_rule" in request.POST else None)
    field_form = forms.CustomFieldForm(request.POST if "add_field" in request.POST else None)
    status = 200
    if request.method == "POST":
        status = 422
        try:
            if "delete_rule" in request.POST:
                services.tier_rule_delete(actor=actor, rule_id=_int(request.POST["delete_rule"], 0))
                messages.success(request, _("Rule removed; tiers are being re-evaluated."))
                return redirect("customers:settings")
            if "delete_field" in request.POST:
                services.custom_field_delete(
                    actor=actor, field_id=_int(request.POST["delete_field"], 0)
                )
                messages.success(request, _("Field removed."))
                return redirect("customers:settings")
            if "add_rule" in request.POST and rule_form.is_valid():
                services.tier_rule_create(actor=actor, data=rule_form.to_input())
                messages.success(request, _("Rule added; tiers are being re-evaluated."))
                return redirect("customers:settings")
            if "add_field" in request.POST and field_form.is_valid():
                services.custom_field_create(actor=actor, data=field_form.to_input())
                messages.success(request, _("Field added."))
                return redirect("customers:settings")
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            bound = rule_form if "add_rule" in request.POST else field_form
            if bound.is_bound:
                _form_errors(bound, exc)
            else:
                messages.error(request, exc.message)
    context = {
        "rules": selectors.tier_rule_list(actor=actor),
        "fields": selectors.custom_field_list(actor=actor),
        "rule_form": rule_form,
        "field_form": field_form,
        "badges": TIER_BADGES,
    }
    return render(request, "customers/settings.html", context, status=status)
