"""``zhongtai serve``: the web app under gunicorn, plus a Huey worker unless told not to."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhongtai.core.config import env_int


class Command(BaseCommand):
    help = "Serve Zhongtai with gunicorn (and a background worker for queued jobs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=env_int("WEB_WORKERS", 2))
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start a Huey worker alongside."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "zhongtai", "worker"])
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Zhongtai is serving on http://{bind}/ (Ctrl-C stops it)")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "zhongtai.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
        ]
        server = subprocess.Popen(command, env=os.environ.copy())  # noqa: S603
        try:
            server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGTERM)
            server.wait()
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGINT)
                worker.wait()
