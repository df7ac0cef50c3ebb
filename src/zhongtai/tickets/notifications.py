"""E-mail notifications about timeline events (run by a Huey task, never in a request).

Who hears of what: the contact gets the acknowledgement of a new request and every
public reply from staff; the owner (and the L2/L3 engineer) gets the customer's replies;
a person gets told when a ticket is assigned to them; a team hears of an escalation to it;
the people working on a ticket and their team lead hear of SLA warnings and breaches.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhongtai.accounts.models import User
from zhongtai.channels.mail import outgoing
from zhongtai.core.permissions import Role
from zhongtai.tickets.choices import Channel, EventType
from zhongtai.tickets.models import Notification, TicketEvent


def _email(user: User | None) -> list[str]:
    return [user.email] if user is not None and user.email and user.is_active else []


def notification_recipients(event: TicketEvent) -> list[str]:
    """The addresses that should hear of this event (never the person who caused it)."""
    ticket = event.ticket
    contact_email = [ticket.contact.email] if ticket.contact and ticket.contact.email else []
    actor_is_customer = (
        event.actor is not None
        and event.actor.memberships.filter(tenant_id=ticket.tenant_id, role=Role.CUSTOMER).exists()
    )
    recipients: list[str] = []
    if event.type == EventType.CREATED and ticket.channel != Channel.API:
        recipients = contact_email
    elif event.type == EventType.PUBLIC_REPLY:
        recipients = (
            _email(ticket.assignee) + _email(ticket.engineer)
            if actor_is_customer
            else contact_email
        )
    elif event.type == EventType.ASSIGNMENT:
        # Whoever it was assigned to then, even if it has moved on since.
        to_id = (event.data.get("to") or {}).get("id")
        recipients = _email(User.objects.filter(pk=to_id).first() if to_id else None)
    elif event.type == EventType.ESCALATION:
        team_id = (event.data.get("to_team") or {}).get("id") or 0
        members = User.objects.filter(teams__id=int(team_id), teams__tenant_id=ticket.tenant_id)
        recipients = [u.email for u in members.filter(is_active=True) if u.email]
    elif event.type == EventType.SLA and event.data.get("notify"):
        # A warning or a breach: the owner, the engineer and the team lead at that moment
        # (a breach action may move the ticket on in the same transaction).
        people = [pk for pk in event.data.get("people", []) if isinstance(pk, int)]
        recipients = [
            u.email for u in User.objects.filter(pk__in=people, is_active=True) if u.email
        ]
    # Nobody is told of their own action, except the requester's acknowledgement.
    actor_email = event.actor.email if event.actor and event.type != EventType.CREATED else None
    return sorted({address for address in recipients if address and address != actor_email})


def ticket_event_notify(*, event_id: int) -> int:
    """Send the e-mails for one event; safe to run again (sends only what is unsent)."""
    event = (
        TicketEvent.objects.select_related(
            "ticket__tenant", "ticket__contact", "ticket__assignee", "ticket__engineer", "actor"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    sent = 0
    for recipient in notification_recipients(event):
        try:
            sent += _notify_once(event, recipient)
        except outgoing.MailboxSendError as error:
            outgoing.failure_record(error)  # (the notification's transaction rolled back)
            raise
    return sent


def _notify_once(event: TicketEvent, recipient: str) -> int:
    """Send one notification unless it was sent already (1 when sent now)."""
    with transaction.atomic():
        notification, _created = Notification.objects.select_for_update().get_or_create(
            event=event, recipient=recipient, defaults={"tenant_id": event.tenant_id}
        )
        if notification.sent_at is not None:
            return 0
        _send(event, recipient)
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at", "updated_at"])
        return 1


def _sla_context(event: TicketEvent) -> dict[str, object]:
    from zhongtai.sla.choices import Target

    timer = (event.data.get("timers") or [{}])[0]
    target = timer.get("target")
    due = timer.get("due_at")
    return {
        "action": event.data.get("action"),
        "target": Target(target).label if target in Target.values else target,
        "percent": event.data.get("percent"),
        "due_at": datetime.fromisoformat(due) if due else None,
    }


def _send(event: TicketEvent, recipient: str) -> None:
    ticket = event.ticket
    tenant = ticket.tenant
    context = {
        "event": event,
        "ticket": ticket,
        "tenant": tenant,
        "reference": f"{tenant.ticket_prefix}-{ticket.number:06d}",
        "base_url": settings.ZHONGTAI_BASE_URL.rstrip("/"),
    }
    with translation.override(tenant.language), timezone.override(tenant.time_zone):
        context["who"] = event.actor or _("Zhongtai")
        if event.type == EventType.SLA:
            context["sla"] = _sla_context(event)
        subject = render_to_string("tickets/email/subject.txt", context).strip()
        body = render_to_string("tickets/email/body.txt", context)
    if ticket.contact is not None and recipient == ticket.contact.email:
        # to the customer: through the ticket's mailbox, threaded, answerable
        outgoing.send_to_contact(
            ticket,
            recipient=recipient,
            subject=subject,
            body=body,
            automatic=event.type == EventType.CREATED,
        )
        return
    EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], headers=outgoing.internal_headers()
    ).send()
