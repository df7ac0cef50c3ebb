"""The product settings plus one bench-only route (``bench.urls``); nothing else differs."""

from zhongtai.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
