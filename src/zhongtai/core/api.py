"""The REST API (``/api/v1``): authentication, problem responses, the routers of each app."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.selectors import actor_for_token
from zhongtai.core.errors import ApplicationError, problem_body

logger = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
API_PATH_PREFIX = "/api/"
_FALLBACK_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "server_error",
}


class TokenAuth(HttpBearer):
    """``Authorization: Bearer zt_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        actor = actor_for_token(secret=token)
        if actor is not None:
            request.actor = actor  # type: ignore[attr-defined]
            timezone.activate(actor.tenant.time_zone)
        return actor


class SessionActorAuth(SessionAuth):
    """The browser session of the web UI (with CSRF protection on writes)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        if super().authenticate(request, key) is None:
            return None
        actor: Actor | None = getattr(request, "actor", None)
        return actor


api = NinjaAPI(
    title="Zhongtai API",
    version="1.0.0",
    description=(
        "The REST API of Zhongtai, the service middle platform. Authenticate with a personal "
        "API token (`Authorization: Bearer zt_…`); every object belongs to the token's "
        "business unit. Errors are `application/problem+json`."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionActorAuth()],
    docs_url="/docs",
)


def problem(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    title: str,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request,
        problem_body(status=status, code=code, title=title, errors=errors),
        status=status,
        temporal_response=HttpResponse(content_type=PROBLEM_JSON, status=status),
    )


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return problem(request, status=exc.status, code=exc.code, title=exc.message, errors=exc.errors)


_LOCATIONS = ("body", "query", "path", "header", "form", "file", "cookie")
_PARAM_NAMES = ("payload", "data", "filters", "page", "params")


def _field_name(loc: Any) -> str:
    """``("body", "data", "tags", 0)`` → ``"tags.0"``: drop the location and our parameter
    name, keep the path of the field (which may itself be called ``body``)."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if parts and parts[0] in _PARAM_NAMES:
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(error.get("loc", ())), "message": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return problem(
        request, status=422, code="invalid", title=_("Some fields are invalid."), errors=errors
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        request, status=401, code="unauthenticated", title=_("Authentication is required.")
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, status=404, code="not_found", title=_("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    return problem(request, status=exc.status_code, code=code, title=str(exc))


def actor_of(request: HttpRequest) -> Actor:
    """The authenticated actor of an API request (auth guarantees there is one)."""
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return actor


def register_routers() -> None:
    from zhongtai.accounts.api import router as accounts_router
    from zhongtai.channels.api import router as webhooks_router
    from zhongtai.channels.mail_api import router as mailboxes_router
    from zhongtai.customers.api import router as customers_router
    from zhongtai.knowledge.api import bot_router
    from zhongtai.knowledge.api import router as knowledge_router
    from zhongtai.macros.api import router as macros_router
    from zhongtai.routing.api import router as routing_router
    from zhongtai.routing.people_api import router as routing_people_router
    from zhongtai.sla.api import router as reports_router
    from zhongtai.sla.standards_api import router as standards_router
    from zhongtai.tickets.api import router as tickets_router

    api.add_router("/", accounts_router)
    api.add_router("/customers", customers_router)
    api.add_router("/tickets", tickets_router)
    api.add_router("/reports", reports_router)
    api.add_router("/sla", standards_router)
    api.add_router("/routing", routing_router)
    api.add_router("/routing", routing_people_router)
    api.add_router("/knowledge", knowledge_router)
    api.add_router("/bot", bot_router)
    api.add_router("/macros", macros_router)
    api.add_router("/webhooks", webhooks_router)
    api.add_router("/mailboxes", mailboxes_router)


register_routers()


class ApiProblemMiddleware:
    """Answer errors under ``/api/`` that never reach our exception handlers as problems too.

    Django answers an unknown path (or a path parameter that fails its converter, such as
    ``/tickets/abc``) with an HTML 404, and ninja answers a wrong method with a plain-text
    405; integrators should get ``application/problem+json`` with a ``code`` for every error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(API_PATH_PREFIX)
            or response.get("Content-Type", "").startswith(PROBLEM_JSON)
            or response.streaming
        ):
            return response
        status = response.status_code
        code = _FALLBACK_CODES.get(status, "error")
        title = response.reason_phrase or code
        body = problem_body(status=status, code=code, title=title)
        problem_response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_JSON)
        if response.has_header("Allow"):
            problem_response["Allow"] = response["Allow"]
        return problem_response
