"""Cell values to field values: text, choices, dates, money, yes/no, lists and people.

A cleaner takes what a row gives (text from CSV, any JSON value from JSON Lines) and returns
the value to store, or raises ``Bad`` with the message for the row's report. ``RowValues``
collects a row's cleaned values and every problem found, so that a rejected row names
all its faults at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from zhongtai.core.errors import InvalidInput
from zhongtai.core.inputs import LINE_PATTERN

T = TypeVar("T")
Reason = dict[str, Any]

_LINE = re.compile(LINE_PATTERN)
_SLASH_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_TRUE = ("true", "1", "yes", "y", "是")
_FALSE = ("false", "0", "no", "n", "否", "")
LIST_SEPARATOR = ";"


class Bad(Exception):
    """A value that cannot be stored; ``message`` says why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class RowRejected(Exception):
    def __init__(self, reasons: list[Reason]) -> None:
        self.reasons = reasons
        super().__init__(reasons)


class RowValues:
    """One row's cleaned values; every problem is kept (with the column it is about)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: list[Reason] = []

    def has(self, name: str) -> bool:
        return name in self.data

    def take(self, name: str, clean: Callable[[Any], T], default: T) -> T:
        """The cleaned value of column ``name``, or ``default`` when the row does not have
        the column (or its value is bad: the problem is kept)."""
        if name not in self.data:
            return default
        try:
            return clean(self.data[name])
        except Bad as exc:
            self.fail(name, exc.message)
        except InvalidInput as exc:
            for error in exc.errors or [{"message": exc.message}]:
                self.fail(name, str(error["message"]))
        return default

    def fail(self, name: str, message: str) -> None:
        self.errors.append({"field": name, "message": message})

    def fail_from(self, exc: InvalidInput) -> None:
        """The problems a service's validator found, under the fields it names."""
        for error in exc.errors or [{"field": "", "message": exc.message}]:
            self.fail(str(error.get("field", "")), str(error["message"]))

    def check(self) -> None:
        if self.errors:
            raise RowRejected(self.errors)


@functools.cache
def text(model: type[models.Model], name: str, *, required: bool = False) -> Callable[[Any], str]:
    """One line of text, trimmed, at most as long as the model's field."""
    field = model._meta.get_field(name)
    limit = int(getattr(field, "max_length", None) or 10_000)

    def clean(value: Any) -> str:
        if value is None:
            value = ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise Bad(_("Enter text."))
        value = str(value).strip()
        result: str = value
        if required and not value:
            raise Bad(_("This field is required."))
        if not _LINE.fullmatch(value):
            raise Bad(_("One line of text, without control characters."))
        if len(value) > limit:
            raise Bad(_("At most %(n)d characters.") % {"n": limit})
        return result

    return clean


@functools.cache
def choice(choices: type[models.TextChoices], default: str) -> Callable[[Any], str]:
    """One of the choices' values (blank: ``default``)."""
    values = frozenset(choices.values)

    def clean(value: Any) -> str:
        word = "" if value is None else str(value).strip()
        if not word:
            return default
        if word not in values:
            raise Bad(_("Choose one of: %(choices)s") % {"choices": ", ".join(choices.values)})
        return word

    return clean


def day(value: Any) -> date | None:
    """A date as YYYY-MM-DD (or YYYY/M/D, as spreadsheets write it); blank: none."""
    value = "" if value is None else value
    if not isinstance(value, str):
        raise Bad(_("Enter a date as YYYY-MM-DD."))
    value = value.strip()
    if not value:
        return None
    try:
        slashed = _SLASH_DATE.fullmatch(value)
        if slashed:
            return date(*(int(part) for part in slashed.groups()))
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Bad(_("Enter a date as YYYY-MM-DD.")) from exc


def day_required(value: Any) -> date:
    result = day(value)
    if result is None:
        raise Bad(_("This field is required."))
    return result


def money(value: Any) -> Decimal:
    """An amount of at most 12 digits and 2 decimals, not negative; blank: 0."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Bad(_("Enter an amount such as 1200.50."))
    value = str(value).strip().replace(",", "")
    if not value:
        return Decimal(0)
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise Bad(_("Enter an amount such as 1200.50.")) from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise Bad(_("Enter an amount from 0 to 999999999999.99."))
    if amount != amount.quantize(Decimal("0.01")):
        raise Bad(_("At most 2 decimals."))
    return amount


def count(value: Any) -> int:
    """A whole number from 0 (blank: 1)."""
    if isinstance(value, bool):
        raise Bad(_("Enter a whole number."))
    text_value = str(value).strip() if value is not None else ""
    if not text_value:
        return 1
    try:
        number = int(text_value)
    except ValueError as exc:
        raise Bad(_("Enter a whole number.")) from exc
    if not 0 <= number <= 2_000_000_000:
        raise Bad(_("Enter a whole number from 0."))
    return number


def yes_no(value: Any) -> bool:
    """true/false, yes/no, 1/0 or 是/否 (blank: no)."""
    if isinstance(value, bool):
        return value
    word = "" if value is None else str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise Bad(_("Enter true or false."))


def words(value: Any) -> list[str]:
    """A list: a JSON list of texts, or a text of items separated by ``;``."""
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]
    if isinstance(value, list) and all(
        isinstance(item, str | int) and not isinstance(item, bool) for item in value
    ):
        return [str(item).strip() for item in value if str(item).strip()]
    raise Bad(_("Enter a list of texts (in CSV: separated by ;)."))
