"""The demo data set behind ``zhongtai demo``: two business units with a few months of
realistic tickets, in Chinese and in English. See ``loader.demo_load``."""

from zhongtai.core.demo.loader import (
    DEFAULT_SEED,
    DEFAULT_TICKETS,
    DemoLogin,
    DemoRefused,
    DemoResult,
    demo_load,
    demo_logins,
    demo_wipe,
    foreign_data,
)
from zhongtai.core.demo.units import DEMO_PASSWORD

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_TICKETS",
    "DEMO_PASSWORD",
    "DemoLogin",
    "DemoRefused",
    "DemoResult",
    "demo_load",
    "demo_logins",
    "demo_wipe",
    "foreign_data",
]
