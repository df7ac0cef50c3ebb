"""Every translatable string of the code is in the Chinese catalog.

The other translation tests check the catalog that is committed; this one extracts the
strings of the code as they are now (Django's makemessages on a copy of the package)
and fails when one is missing from ``django.po``, so that a new page cannot ship with an
English string that was never translated. It needs GNU gettext (``make browser``
installs it with the browser-test tools).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_translations import parse_po

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "zhongtai"
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _msgids(text: str) -> set[tuple[str, str]]:
    _header, entries = parse_po(text)
    return {(entry.msgctxt or "", entry.msgid) for entry in entries}


def test_every_string_in_the_code_is_in_the_catalog(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: run `make browser` (Debian package gettext)")
    copy = tmp_path / "zhongtai"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    (copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").unlink()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ZHONGTAI_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "zhongtai.settings", "ZHONGTAI_DATA_DIR": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-m", "zhongtai", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = _msgids((copy / "locale/zh_Hans/LC_MESSAGES/django.po").read_text("utf-8"))
    missing = sorted(extracted - _msgids(PO.read_text("utf-8")))
    assert not missing, f"not in django.po (run `make messages` and translate): {missing}"
