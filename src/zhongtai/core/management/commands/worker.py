"""``zhongtai worker``: a Huey consumer for queued and periodic jobs."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from zhongtai.core.config import env_int


class Command(BaseCommand):
    help = "Run a Huey worker (SQLite queue by default, Redis when REDIS_URL is set)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=env_int("QUEUE_WORKERS", 2))

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("run_huey", workers=options["workers"], worker_type="thread")
