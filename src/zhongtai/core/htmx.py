"""htmx helpers for server-rendered views: partial or full page, redirects, user errors.

One view serves both the full page and its htmx partial (``htmx_partial``). After a
successful POST, ``redirect_after_post`` answers a plain form with a 302 and an htmx
request with ``HX-Redirect``. ``user_errors`` turns the services' ``ApplicationError``
into something a person can read: a flash message and a redirect for a plain form, or
the messages partial with the error's 4xx status for htmx (swapped into ``#messages``;
``app.js`` tells htmx to swap those statuses).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect

from zhongtai.core.errors import ApplicationError, NotFound

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]

MESSAGES_TARGET = "#messages"


def htmx_partial(request: HttpRequest) -> bool:
    """True for an htmx request that wants only a fragment (not a boosted navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted  # type: ignore[union-attr]


def redirect_after_post(request: HttpRequest, url: str) -> HttpResponse:
    """Post/redirect/get for plain forms; a client-side full redirect for htmx."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def error_text(exc: ApplicationError) -> str:
    """The error's message followed by its field messages, for a flash message."""
    details = [item.get("message", "") for item in exc.errors if item.get("message")]
    extra = [text for text in details if text and text != exc.message]
    return " ".join([exc.message, *extra])


def messages_partial(request: HttpRequest, *, status: int) -> HttpResponse:
    """Render the pending flash messages as a fragment that replaces ``#messages``."""
    response = render(request, "partials/_messages.html", status=status)
    response["HX-Retarget"] = MESSAGES_TARGET
    response["HX-Reswap"] = "innerHTML"
    return response


def user_errors(
    redirect_to: Callable[..., str],
) -> Callable[[View[P]], View[P]]:
    """Show an ``ApplicationError`` to the person instead of a server error.

    ``NotFound`` becomes ``Http404`` (another tenant's object never shows it exists).
    Other errors become an error message: for htmx a 4xx messages fragment (so the form
    keeps what was typed), otherwise a redirect to ``redirect_to(request, **kwargs)``.
    """

    def decorator(view: View[P]) -> View[P]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except ApplicationError as exc:
                messages.error(request, error_text(exc))
                if getattr(request, "htmx", False):
                    return messages_partial(request, status=exc.status)
                target: Any = redirect_to(request, *args, **kwargs)
                return HttpResponseRedirect(target)

        return cast(View[P], wrapper)

    return decorator
