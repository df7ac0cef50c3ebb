"""Building macros for the tests, through the service."""

from __future__ import annotations

from typing import Any

from zhongtai.accounts.actors import Actor
from zhongtai.macros import services
from zhongtai.macros.models import Macro


def macro(by: Actor, name: str = "Greeting", **kwargs: Any) -> Macro:
    kwargs.setdefault("body_en", "Dear {{contact.name}}, about {{ticket.number}}: {{agent.name}}")
    return services.macro_create(actor=by, data=services.MacroInput(name=name, **kwargs))
