"""Property-based API tests: Schemathesis drives /api/v1 from its own OpenAPI description.

For every role (a Bearer token of that role, or none) and every operation it sends valid
and invalid requests and checks that the API never fails with a server error, that invalid
input is rejected with a 4xx, and that documented answers match their schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
)

from tests import factories
from zhongtai.accounts import services as account_services
from zhongtai.core.models import Tenant

# A bounded run: every operation × role gets this many examples per mode. CI can raise it.
MAX_EXAMPLES = int(os.environ.get("ZHONGTAI_SCHEMATHESIS_EXAMPLES", "8"))
ROLES = ["anonymous", "customer", "agent", "lead", "l2", "l3", "admin", "other_agent"]
# CI's second pass (PostgreSQL) fuzzes as the roles that reach the most handlers.
ROLES = [r for r in os.environ.get("ZHONGTAI_SCHEMATHESIS_ROLES", ",".join(ROLES)).split(",") if r]
CHECKS = [not_a_server_error, negative_data_rejection, response_schema_conformance]

# The raw-message endpoint takes a mail as it is (message/rfc822): real-shaped mails,
# broken ones and arbitrary bytes.
schemathesis.openapi.media_type(
    "message/rfc822",
    st.one_of(
        st.binary(max_size=512),
        st.builds(
            lambda subject, body: (
                f"From: a@b.example\r\nSubject: {subject}\r\n"
                f"Message-ID: <{abs(hash(subject + body))}@b.example>\r\n\r\n{body}\r\n"
            ).encode(),
            st.text(max_size=40).map(lambda t: t.replace("\r", " ").replace("\n", " ")),
            st.text(max_size=200),
        ),
    ),
)


# One schema and one strategy per operation and mode for every role: building the
# strategies (regular expressions, nested bodies) costs more than running the examples.
_SCHEMA: list[Any] = []
_STRATEGIES: dict[tuple[str, str], Any] = {}


@pytest.fixture
def api_schema(db: None) -> Iterator[Any]:
    """The schema, served by the real WSGI application inside the test's transaction.

    Like Django's test client, keep the request signals from closing the connection: a
    connection in a transaction counts as unusable and would be closed (on PostgreSQL).
    """
    from zhongtai.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        if not _SCHEMA:
            schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
            # The role's token replaces whatever Authorization header would be generated,
            # so a generated (invalid) one must not count as the invalid part of a
            # negative example.
            schema.config.generation.update(with_security_parameters=False)
            _SCHEMA.append(schema)
        yield _SCHEMA[0]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _scene(world: factories.World, role: str) -> tuple[dict[str, str], int]:
    """The Authorization header of the role, and the number of a ticket it can see."""
    # Business unit B numbers its tickets from 1001, so that a number of one is not one of
    # the other's: a positive example then reaches a ticket only where the role may see it.
    Tenant.objects.filter(pk=world.other_tenant.pk).update(ticket_seq=1000)
    own = factories.ticket(world.customer, subject="Seen by Schemathesis")
    theirs = factories.ticket(world.other_customer, subject="Business unit B")
    if role == "anonymous":
        return {}, own.number
    _token, secret = account_services.api_token_create(
        actor=getattr(world, role), name="schemathesis"
    )
    return {"Authorization": f"Bearer {secret}"}, (
        theirs.number if role == "other_agent" else own.number
    )


def _fuzz(
    operation: Any, mode: GenerationMode, headers: dict[str, str], number: int, examples: int
) -> None:
    key = (operation.label, mode.value)
    if key not in _STRATEGIES:
        _STRATEGIES[key] = operation.as_strategy(generation_mode=mode)

    @given(case=_STRATEGIES[key])
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    def run(case: Any) -> None:
        if (
            mode is GenerationMode.POSITIVE
            and isinstance(case.path_parameters, dict)
            and isinstance(case.path_parameters.get("number"), int)
        ):
            # Aim valid ticket numbers at a ticket that exists; random ones only get 404s.
            case.path_parameters["number"] = number
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_api_rejects_invalid_input_and_never_fails(
    role: str, world: factories.World, api_schema: Any
) -> None:
    headers, number = _scene(world, role)
    # Without a token every operation answers 401 before it reads its input: two examples
    # per mode show that; the generated bodies would only cost time. A lead, L2 and L3
    # reach the handlers an agent or an administrator reaches, with other permissions
    # (which the route matrix checks route by route): three examples each find what
    # their answers add, at a third of the time.
    if role == "anonymous":
        examples = min(MAX_EXAMPLES, 2)
    elif role in ("lead", "l2", "l3"):
        examples = min(MAX_EXAMPLES, 3)
    else:
        examples = MAX_EXAMPLES
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, headers, number, examples)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # no parameters: nothing to get wrong
            except Exception as exc:  # collect every operation's failure, then report all
                failures.append(f"{operation.label} [{mode.value}]: {exc}")

    assert not failures, f"{len(failures)} failures as {role}:\n\n" + "\n\n".join(failures)
