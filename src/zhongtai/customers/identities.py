"""How identities are spelled for comparison: the one normal form that intake, the chat
sidebar and imports all look up."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from zhongtai.core.errors import InvalidInput
from zhongtai.customers.models import IdentityKind

_CHAT_ID = re.compile(r"^[A-Za-z0-9_.@:+\-]{1,128}$")


def _invalid(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(errors=[{"field": field_name, "message": message}])


def identity_normalize(kind: str, value: str) -> str:
    """The one spelling of an identity that lookups compare: emails in lower case, phones
    as their digits (and a leading +), chat ids as given, trimmed."""
    value = value.strip()
    if kind not in IdentityKind.values:
        raise _invalid("kind", _("Unknown kind of identity."))
    if kind == IdentityKind.EMAIL:
        value = value.lower()
        try:
            validate_email(value)
        except ValidationError as exc:
            raise _invalid("value", _("Enter a valid email address.")) from exc
        return value
    if kind == IdentityKind.PHONE:
        digits = re.sub(r"[\s\-().]", "", value)
        if not re.fullmatch(r"\+?\d{5,20}", digits):
            raise _invalid("value", _("Enter a phone number of 5 to 20 digits."))
        return digits
    if not _CHAT_ID.fullmatch(value):
        raise _invalid(
            "value", _("A chat id is 1 to 128 letters, digits or the characters _ . @ : + -.")
        )
    return value
