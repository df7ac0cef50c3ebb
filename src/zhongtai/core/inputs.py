"""What the API accepts as ids and as text, so that only a 4xx ever says no.

- Ids are positive and within what the database can store: a bigger number cannot name a
  row, and would make the driver fail (SQLite raises ``OverflowError`` past 64 bits).
- Text carries no control characters: PostgreSQL refuses NUL in text (a server error
  instead of a 422), and the others have no business in a ticket. Multi-line text keeps
  tab, line feed and carriage return.
"""

from __future__ import annotations

from typing import Annotated

from ninja.params import functions as param_functions
from pydantic import Field

MAX_ID = 2**63 - 1  # the largest BigAutoField / PositiveBigIntegerField value

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, param_functions.Path(ge=1, le=MAX_ID)]

TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
