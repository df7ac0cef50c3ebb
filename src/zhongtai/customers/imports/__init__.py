"""CRM sync: customers, contacts, contracts, assets and purchases from CSV or JSON Lines
files (the ``zhongtai import`` command) or JSON rows (the API), keyed by the source
system's external id and idempotent: the same file twice writes nothing the second time.

- ``reading``: files to rows, with the line each row starts on;
- ``cleaning``: cell values to field values;
- ``kinds``: the columns of each kind and how a row becomes a planned write;
- ``engine``: the batch, all or nothing (or ``partial``), in chunks, and its report.

The columns are documented in docs/customers.md; ``zhongtai.customers.exports`` writes the
same columns, so that an export imports again with no change.
"""

from zhongtai.customers.imports.engine import (
    ROWS_PER_REQUEST,
    ImportReport,
    RejectedRow,
    file_import,
    kind_get,
    rows_import,
)
from zhongtai.customers.imports.kinds import KINDS
from zhongtai.customers.imports.reading import BadFile

__all__ = [
    "KINDS",
    "ROWS_PER_REQUEST",
    "BadFile",
    "ImportReport",
    "RejectedRow",
    "file_import",
    "kind_get",
    "rows_import",
]
