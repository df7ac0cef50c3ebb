"""The customer portal's page of service standards: what the customer may expect, and when.

Only customer contacts get here (through the portal's ``customer_view`` gate: staff go to
the agent queue, a user without a membership gets a 404).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import customer_view
from zhongtai.sla import selectors
from zhongtai.tickets import selectors as ticket_selectors


@require_GET
@customer_view
def commitments(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The published SLA commitments that apply to the contact's customer tier."""
    contact = ticket_selectors.contact_for(actor=actor)
    tier = contact.customer.tier if contact is not None else ""
    context = {
        "commitments": selectors.published_commitments(
            tenant_id=actor.tenant.pk, customer_tier=tier
        )
    }
    return render(request, "sla/portal_commitments.html", context)
