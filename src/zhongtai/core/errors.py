"""Errors that services raise; the API and the UI render them as problem responses.

Each error carries a stable ``code`` for clients and an HTTP status, and an optional
list of field-level details ``[{"field": ..., "message": ...}]``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status = 400
    code = "invalid"
    default_message: Any = _("The request is invalid.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        self.message = str(message if message is not None else self.default_message)
        if code:
            self.code = code
        self.errors = errors or []
        super().__init__(self.message)


class InvalidInput(ApplicationError):
    status = 422
    code = "invalid"
    default_message = _("Some fields are invalid.")

    @classmethod
    def from_validation_error(cls, exc: ValidationError) -> InvalidInput:
        errors: list[dict[str, str]] = []
        if hasattr(exc, "error_dict"):
            for field, field_errors in exc.error_dict.items():
                for error in field_errors:
                    errors.append({"field": field, "message": " ".join(error.messages)})
        else:
            errors = [{"field": "", "message": message} for message in exc.messages]
        return cls(errors=errors)


class NotFound(ApplicationError):
    """Raised both for a missing object and for one the actor may not see."""

    status = 404
    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class Conflict(ApplicationError):
    status = 409
    code = "conflict"
    default_message = _("The request conflicts with the current state.")


class PayloadTooLarge(ApplicationError):
    status = 413
    code = "too_large"
    default_message = _("The request is too large.")


def problem_body(
    *, status: int, code: str, title: str, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """An RFC 9457 problem document with our ``code`` and field errors."""
    return {
        "type": f"https://zhongtai.dev/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
        "errors": errors or [],
    }
