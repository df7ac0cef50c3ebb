"""The ``zhongtai`` command: Django's management commands plus our own.

``zhongtai migrate``, ``zhongtai demo``, ``zhongtai serve``, ``zhongtai worker`` and every
other management command (``zhongtai check --deploy``, ``zhongtai createsuperuser``).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongtai.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhongtai", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
