"""The mailbox pages of the workspace, for the unit's administrators: the mailboxes with
their fetch health (the last error is shown, never swallowed), adding and changing one,
the mail each kept with what became of it, and the quarantine: the reason, the raw mail
to download, and taking it again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import staff_actor_with
from zhongtai.channels.mail import mailboxes
from zhongtai.channels.models import InboundState, MailAuth, Mailbox, MailSecurity
from zhongtai.core.errors import ApplicationError, NotFound
from zhongtai.core.pagination import keyset_page
from zhongtai.tickets import selectors as ticket_selectors

PAGE = 50


class MailboxForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    address = forms.EmailField(label=gettext_lazy("Address"))
    team = forms.TypedChoiceField(
        label=gettext_lazy("Team"), required=False, coerce=int, empty_value=None
    )
    auth = forms.ChoiceField(label=gettext_lazy("Sign-in"), choices=MailAuth.choices)
    imap_host = forms.CharField(label=gettext_lazy("IMAP host"), required=False, max_length=200)
    imap_port = forms.IntegerField(
        label=gettext_lazy("IMAP port"), min_value=1, max_value=65535, initial=993
    )
    imap_security = forms.ChoiceField(
        label=gettext_lazy("IMAP security"), choices=MailSecurity.choices
    )
    imap_username = forms.CharField(label=gettext_lazy("IMAP user"), required=False, max_length=200)
    imap_password = forms.CharField(
        label=gettext_lazy("IMAP password"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Left empty: the stored one stays."),
    )
    imap_folder = forms.CharField(
        label=gettext_lazy("IMAP folder"), max_length=200, initial="INBOX"
    )
    smtp_host = forms.CharField(label=gettext_lazy("SMTP host"), required=False, max_length=200)
    smtp_port = forms.IntegerField(
        label=gettext_lazy("SMTP port"), min_value=1, max_value=65535, initial=465
    )
    smtp_security = forms.ChoiceField(
        label=gettext_lazy("SMTP security"), choices=MailSecurity.choices
    )
    smtp_username = forms.CharField(label=gettext_lazy("SMTP user"), required=False, max_length=200)
    smtp_password = forms.CharField(
        label=gettext_lazy("SMTP password"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Left empty: the stored one stays."),
    )
    oauth_token_url = forms.URLField(
        label=gettext_lazy("OAuth token URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    oauth_client_id = forms.CharField(
        label=gettext_lazy("OAuth client id"), required=False, max_length=300
    )
    oauth_client_secret = forms.CharField(
        label=gettext_lazy("OAuth client secret"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
    )
    oauth_refresh_token = forms.CharField(
        label=gettext_lazy("OAuth refresh token"),
        required=False,
        max_length=4000,
        widget=forms.PasswordInput(render_value=False),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def to_input(self) -> mailboxes.MailboxInput:
        data = dict(self.cleaned_data)
        data["team_id"] = data.pop("team")
        return mailboxes.MailboxInput(**data)

    @classmethod
    def initial_of(cls, mailbox: Mailbox | None) -> dict[str, Any]:
        if mailbox is None:
            return {}
        values = {
            name: getattr(mailbox, name) for name in cls.base_fields if hasattr(mailbox, name)
        }
        values["team"] = mailbox.team_id
        for secret in mailboxes.SECRETS:
            values[secret] = ""
        return values


def _admin(request: HttpRequest) -> Actor:
    return staff_actor_with(request, mailboxes.PERM)


def _form(request: HttpRequest, actor: Actor, mailbox: Mailbox | None) -> MailboxForm:
    form = MailboxForm(request.POST or None, initial=MailboxForm.initial_of(mailbox))
    teams = ticket_selectors.team_list(actor=actor)
    form.fields["team"].choices = [("", "—"), *[(t.pk, t.name) for t in teams]]  # type: ignore[attr-defined]
    return form


def _save(
    request: HttpRequest, actor: Actor, form: MailboxForm, mailbox: Mailbox | None
) -> Mailbox | None:
    if not form.is_valid():
        return None
    try:
        return mailboxes.mailbox_save(
            actor=actor, data=form.to_input(), mailbox_id=mailbox.pk if mailbox else None
        )
    except ApplicationError as exc:
        for item in exc.errors or [{"field": "", "message": exc.message}]:
            name = item.get("field", "").removesuffix("_id")
            form.add_error(name if name in form.fields else None, item["message"])
    return None


@login_required
@require_http_methods(["GET", "POST"])
def mailbox_list(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = _form(request, actor, None)
    status = 200
    if request.method == "POST":
        saved = _save(request, actor, form, None)
        if saved is not None:
            messages.success(request, _("Mailbox “%(name)s” added.") % {"name": saved.name})
            return redirect("mail:mailbox_detail", saved.pk)
        status = 422
    rows = mailboxes.mailbox_overview(actor=actor)
    return render(
        request, "channels/mailbox_list.html", {"rows": rows, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def mailbox_detail(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    actor = _admin(request)
    try:
        mailbox = mailboxes.mailbox_get(actor=actor, mailbox_id=mailbox_id)
    except NotFound as exc:
        raise Http404 from exc
    form = _form(request, actor, mailbox)
    status = 200
    if request.method == "POST":
        saved = _save(request, actor, form, mailbox)
        if saved is not None:
            messages.success(request, _("Mailbox saved."))
            return redirect("mail:mailbox_detail", saved.pk)
        status = 422
    state = request.GET.get("state", "")
    state = state if state in InboundState.values else ""
    rows, cursor = keyset_page(
        mailboxes.inbound_list(actor=actor, mailbox=mailbox, state=state),
        cursor=request.GET.get("cursor") or None,
        limit=PAGE,
    )
    context = {
        "mailbox": mailbox,
        "relay_url": reverse("api:mail_receive_api", args=[mailbox.pk]),
        "form": form,
        "inbound": rows,
        "cursor": cursor,
        "state": state,
        "states": InboundState.choices,
    }
    return render(request, "channels/mailbox_detail.html", context, status=status)


@login_required
@require_POST
def mailbox_delete(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    actor = _admin(request)
    try:
        mailboxes.mailbox_delete(actor=actor, mailbox_id=mailbox_id)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("Mailbox removed."))
    return redirect("mail:mailbox_list")


@login_required
@require_POST
def inbound_reprocess(request: HttpRequest, inbound_id: int) -> HttpResponse:
    actor = _admin(request)
    try:
        inbound = mailboxes.mail_take_again(actor=actor, inbound_id=inbound_id)
    except NotFound as exc:
        raise Http404 from exc
    if inbound.state == InboundState.QUARANTINED:
        messages.error(request, _("Still quarantined: %(reason)s") % {"reason": inbound.reason})
    else:
        messages.success(
            request, _("Taken again: %(state)s.") % {"state": inbound.get_state_display()}
        )
    return redirect("mail:mailbox_detail", inbound.mailbox_id)


@login_required
@require_GET
def inbound_raw(request: HttpRequest, inbound_id: int) -> HttpResponse:
    """The mail as it arrived, to look at or to hand to the developers."""
    actor = _admin(request)
    try:
        inbound = mailboxes.inbound_get(actor=actor, inbound_id=inbound_id)
    except NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="mail-{inbound.pk}.eml"'
    return response
