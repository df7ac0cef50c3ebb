"""Enterprise chat: WeCom's callback, the chat sidebar and the unit's WeCom apps.

- The callback (``/channels/wecom/<app>/callback/``) is called by WeCom, not a person: no
  login, no CSRF token; the signature made with the app's token is the proof, and it is
  checked before anything is decrypted. A bad one is a 403 with no detail.
- The sidebar (``/agent/sidebar/?kind=…&value=…``) is built to be opened beside a chat —
  as a WeCom sidebar app (聊天工具栏) or by any chat tool that can open a URL with the chat
  identity. One request resolves the identity to the customer's 360: who it is, their
  open tickets, warranty and renewal; the agent creates a ticket from the chat or writes a
  note to the profile there, or links an unknown chat identity to a contact.
- The WeCom apps page is for the unit's administrators (``integrations.manage``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import staff_actor_with
from zhongtai.channels.wecom import selectors as wecom_selectors
from zhongtai.channels.wecom import service as wecom
from zhongtai.channels.wecom.errors import WeComError, WeComErrorCode
from zhongtai.core.errors import ApplicationError, NotFound
from zhongtai.customers import presenters, profile
from zhongtai.customers import selectors as customer_selectors
from zhongtai.customers import services as customer_services
from zhongtai.customers.models import IdentityKind
from zhongtai.tickets import services as ticket_services
from zhongtai.tickets.choices import Channel

MAX_CALLBACK_BODY = 64 * 1024
_SIGNATURE_ERRORS = {WeComErrorCode.VALIDATE_SIGNATURE}
# the query names chat tools use for the identity, besides ``kind`` + ``value``
_ALIASES = {
    "external_userid": IdentityKind.WECOM_EXTERNAL_USERID,
    "userid": IdentityKind.WECOM_USERID,
    "unionid": IdentityKind.WECOM_UNIONID,
    "email": IdentityKind.EMAIL,
    "phone": IdentityKind.PHONE,
}


# --- WeCom's callback ------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wecom_callback(request: HttpRequest, app_id: int) -> HttpResponse:
    app = wecom_selectors.wecom_app_for_callback(app_id=app_id)
    if app is None:
        raise Http404
    query = {k: request.GET.get(k, "")[:512] for k in ("msg_signature", "timestamp", "nonce")}
    try:
        if request.method == "GET":
            plain = wecom.callback_verify(
                app=app,
                signature=query["msg_signature"],
                timestamp=query["timestamp"],
                nonce=query["nonce"],
                echostr=request.GET.get("echostr", "")[:4096],
            )
            return HttpResponse(plain, content_type="text/plain; charset=utf-8")
        if len(request.body) > MAX_CALLBACK_BODY:
            return HttpResponse(status=413)
        wecom.callback_receive(
            app=app,
            signature=query["msg_signature"],
            timestamp=query["timestamp"],
            nonce=query["nonce"],
            body=request.body,
        )
    except WeComError as error:
        status = 403 if error.code in _SIGNATURE_ERRORS else 400
        return HttpResponse(status=status)
    return HttpResponse("success", content_type="text/plain")


# --- the chat sidebar ------------------------------------------------------------------


def _frameable(response: HttpResponse) -> HttpResponse:
    """Let the chat tools named in ``ZHONGTAI_SIDEBAR_FRAME_ANCESTORS`` embed the page."""
    ancestors = settings.SIDEBAR_FRAME_ANCESTORS
    if ancestors:
        response._csp_replace = {"frame-ancestors": ["'self'", *ancestors]}  # type: ignore[attr-defined]
    return response


def _identity_query(request: HttpRequest) -> tuple[str, str]:
    data = request.POST if request.method == "POST" else request.GET
    kind, value = data.get("kind", ""), data.get("value", "")
    if not kind:
        for name, alias in _ALIASES.items():
            if data.get(name):
                kind, value = alias, data[name]
                break
    return kind[:40], value.strip()[:200]


def _back(kind: str, value: str) -> str:
    return reverse("chat:sidebar") + "?" + urlencode({"kind": kind, "value": value})


class SidebarTicketForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("What the customer said"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    asset = forms.TypedChoiceField(
        label=gettext_lazy("Asset"), required=False, coerce=int, empty_value=None
    )


@xframe_options_exempt
@login_required
@require_GET
def sidebar(request: HttpRequest) -> HttpResponse:
    """The customer behind a chat identity, on one narrow page."""
    actor = staff_actor_with(request, "customers.view")
    kind, value = _identity_query(request)
    context: dict[str, Any] = {
        "kind": kind,
        "value": value,
        "kinds": IdentityKind.choices,
        "can_write": actor.can("customers.write"),
        "can_create": actor.can("tickets.create"),
    }
    identity = None
    if kind and value:
        try:
            identity = profile.identity_resolve(actor=actor, kind=kind, value=value)
        except ApplicationError:
            context["invalid"] = True
    if identity is not None:
        data = profile.customer_profile(
            actor=actor, customer_id=identity.contact.customer_id, language=request.LANGUAGE_CODE
        )
        presenters.label_history(data.history)
        form = SidebarTicketForm()
        form.fields["asset"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (a.pk, f"{a.product_model} · {a.serial_number}") for a in data.assets
        ]
        context.update(
            identity=identity,
            contact=identity.contact,
            p=data,
            open_tickets=[t for t in data.history if t.is_open],
            ticket_form=form,
        )
    else:
        context["unlinked"] = wecom_selectors.unlinked_external_contacts(actor=actor)
    return _frameable(render(request, "channels/sidebar.html", context))


@xframe_options_exempt
@login_required
@require_POST
def sidebar_ticket(request: HttpRequest) -> HttpResponse:
    """Open a ticket from the chat, for the contact behind the identity."""
    actor = staff_actor_with(request, "tickets.create")
    kind, value = _identity_query(request)
    identity = _identity_or_404(actor, kind, value)
    form = SidebarTicketForm(request.POST)
    assets = {
        a.pk: a
        for a in customer_selectors.asset_list(actor=actor).filter(
            customer_id=identity.contact.customer_id
        )
    }
    form.fields["asset"].choices = [("", "—")] + [(pk, str(a)) for pk, a in assets.items()]  # type: ignore[attr-defined]
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_back(kind, value))
    try:
        ticket = ticket_services.ticket_create(
            actor=actor,
            subject=form.cleaned_data["subject"],
            description=form.cleaned_data["description"],
            channel=Channel.CHAT,
            contact=identity.contact,
            asset=assets.get(form.cleaned_data["asset"]) if form.cleaned_data["asset"] else None,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_back(kind, value))
    messages.success(
        request,
        _("Ticket %(ref)s opened.") % {"ref": f"{actor.tenant.ticket_prefix}-{ticket.number:06d}"},
    )
    return redirect(_back(kind, value))


def _identity_or_404(actor: Actor, kind: str, value: str) -> Any:
    try:
        identity = profile.identity_resolve(actor=actor, kind=kind, value=value)
    except ApplicationError as exc:
        raise Http404 from exc
    if identity is None:
        raise Http404
    return identity


@xframe_options_exempt
@login_required
@require_POST
def sidebar_note(request: HttpRequest) -> HttpResponse:
    """A note from the chat, on the customer's profile."""
    actor = staff_actor_with(request, "customers.write")
    kind, value = _identity_query(request)
    identity = _identity_or_404(actor, kind, value)
    body = request.POST.get("body", "")
    try:
        customer_services.note_add(
            actor=actor,
            customer_id=identity.contact.customer_id,
            body=f"[{identity.get_kind_display()} {identity.value}] {body}" if body.strip() else "",
        )
        messages.success(request, _("Note added to the profile."))
    except ApplicationError as exc:
        messages.error(request, exc.errors[0]["message"] if exc.errors else exc.message)
    return redirect(_back(kind, value))


@xframe_options_exempt
@login_required
@require_POST
def sidebar_link(request: HttpRequest) -> HttpResponse:
    """Give the chat identity to a contact found by their email (a new chat partner)."""
    actor = staff_actor_with(request, "customers.write")
    kind, value = _identity_query(request)
    email = request.POST.get("email", "").strip()[:254]
    try:
        holder = profile.identity_resolve(actor=actor, kind=IdentityKind.EMAIL, value=email)
        if holder is None:
            raise NotFound(_("No contact has this email address."))
        customer_services.identity_add(
            actor=actor, contact_id=holder.contact_id, kind=kind, value=value
        )
        messages.success(request, _("Linked to %(name)s.") % {"name": holder.contact.name})
    except ApplicationError as exc:
        messages.error(request, exc.errors[0]["message"] if exc.errors else exc.message)
    return redirect(_back(kind, value))


# --- the unit's WeCom apps -------------------------------------------------------------


class WeComAppForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    corp_id = forms.CharField(label=gettext_lazy("Corp ID (企业ID)"), max_length=64)
    agent_id = forms.IntegerField(label=gettext_lazy("AgentId"), required=False, min_value=1)
    token = forms.CharField(label=gettext_lazy("Token"), max_length=64)
    encoding_aes_key = forms.CharField(
        label=gettext_lazy("EncodingAESKey"), min_length=43, max_length=43
    )

    def to_input(self) -> wecom.WeComAppInput:
        return wecom.WeComAppInput(**self.cleaned_data)


@login_required
@require_http_methods(["GET", "POST"])
def wecom_apps(request: HttpRequest) -> HttpResponse:
    """The unit's WeCom apps: their callback URLs and health, and adding one."""
    actor = staff_actor_with(request, "integrations.manage")
    form = WeComAppForm(request.POST if "add" in request.POST else None)
    status = 200
    if request.method == "POST":
        status = 422
        try:
            if "delete" in request.POST:
                wecom.wecom_app_delete(actor=actor, app_id=int(request.POST["delete"] or 0))
                messages.success(request, _("WeCom app removed."))
                return redirect("chat:wecom_apps")
            if form.is_valid():
                app = wecom.wecom_app_save(actor=actor, data=form.to_input())
                messages.success(
                    request,
                    _(
                        "WeCom app “%(name)s” added. Paste its callback URL into the "
                        "WeCom admin console."
                    )
                    % {"name": app.name},
                )
                return redirect("chat:wecom_apps")
        except (NotFound, ValueError) as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            for item in exc.errors or [{"field": "", "message": exc.message}]:
                name = item.get("field", "")
                form.add_error(name if name in form.fields else None, item["message"])
    apps = [
        {
            "app": app,
            "url": request.build_absolute_uri(reverse("chat:wecom_callback", args=[app.pk])),
            "recent": list(wecom_selectors.inbound_recent(actor=actor, app=app, limit=10)),
        }
        for app in wecom_selectors.wecom_app_list(actor=actor)
    ]
    context = {"apps": apps, "form": form}
    return render(request, "channels/wecom_apps.html", context, status=status)
