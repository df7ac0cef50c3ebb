"""Placeholders: only the documented names are filled in, in one pass, and nothing written
in a macro is ever evaluated (no template engine, no ``str.format``)."""

from __future__ import annotations

import pytest

from zhongtai.macros.placeholders import (
    MISSING,
    PLACEHOLDERS,
    placeholder_errors,
    placeholder_names,
    placeholders_fill,
)

VALUES = {
    "customer.name": "Acme",
    "contact.name": "Li Na",
    "ticket.number": "SH-000007",
    "ticket.subject": "Printer is jammed",
    "ticket.due": "2025-06-02 17:00 UTC+8",
    "agent.name": "Agent",
}


def test_the_whitelist_is_the_documented_one() -> None:
    assert sorted(PLACEHOLDERS) == sorted(VALUES)


def test_known_names_are_filled_in_with_or_without_spaces() -> None:
    text = (
        "Dear {{contact.name}} of {{ customer.name }}, {{\tticket.number\t}} is due {{ticket.due}}."
    )

    assert placeholders_fill(text, VALUES) == (
        "Dear Li Na of Acme, SH-000007 is due 2025-06-02 17:00 UTC+8."
    )
    assert placeholder_names(text) == {
        "contact.name",
        "customer.name",
        "ticket.number",
        "ticket.due",
    }
    assert placeholder_errors(text) == []


def test_a_missing_value_shows_as_a_dash() -> None:
    assert placeholders_fill("Due: {{ticket.due}}", {"ticket.due": ""}) == f"Due: {MISSING}"
    assert placeholders_fill("Hi {{contact.name}}", {}) == f"Hi {MISSING}"


@pytest.mark.parametrize(
    "text",
    [
        "{{ticket.customer.__class__}}",
        "{{settings.SECRET_KEY}}",
        "{{ request.user.password }}",
        "{{ticket.number|safe}}",
        "{{ ticket.customer.name }}",
        "{{agent}}",
        "{{ {0.__class__} }}",
        "{% load static %}",
        "{% debug %}",
    ],
)
def test_anything_else_in_braces_is_refused_when_saved(text: str) -> None:
    errors = placeholder_errors(f"Hello {text} bye")

    assert len(errors) == 1
    assert text.split()[0][:12] in errors[0]


@pytest.mark.parametrize(
    "text",
    [
        "{{ticket.customer.__class__}}",
        "{{settings.SECRET_KEY}}",
        "{% load static %}{% debug %}",
        "{{ request.user.password }}",
        "{0.__class__} {0.__init__.__globals__} %(agent)s ${agent.name} {agent.name}",
        "{{ticket.number.__class__.__mro__}}",
    ],
)
def test_nothing_written_is_ever_evaluated(text: str) -> None:
    # given text that was never checked (say, written into the database by hand)
    # when it is filled in, then it comes out exactly as written
    assert placeholders_fill(text, VALUES) == text


def test_values_are_not_filled_in_again() -> None:
    values = {**VALUES, "customer.name": "{{agent.name}} {0.__class__} {% load %}"}

    assert (
        placeholders_fill("{{customer.name}}", values) == "{{agent.name}} {0.__class__} {% load %}"
    )


def test_single_braces_and_percent_signs_are_plain_text() -> None:
    text = "50% off {0} {x} } {"

    assert placeholder_errors(text) == []
    assert placeholders_fill(text, VALUES) == text
