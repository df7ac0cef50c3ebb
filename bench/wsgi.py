"""WSGI entry point of the benchmark server: ``gunicorn bench.wsgi:application``, the
product's own entry point (``zhongtai.wsgi``) with the bench settings."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from zhongtai.wsgi import application

__all__ = ["application"]
