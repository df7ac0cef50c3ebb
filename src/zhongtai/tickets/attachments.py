"""Checks on uploaded files before they are stored: size, type and a safe file name."""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from zhongtai.core.errors import InvalidInput, PayloadTooLarge

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\<>:\"|?*]+")


def safe_filename(name: str) -> str:
    """The last path part of ``name`` without control or path characters (keeps CJK)."""
    name = unicodedata.normalize("NFC", PurePosixPath(name.replace("\\", "/")).name)
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[:200] or "file"


def attachment_check(upload: UploadedFile[bytes]) -> tuple[str, str]:
    """Validate one upload; return its safe file name and content type.

    Raises ``PayloadTooLarge`` over the size limit and ``InvalidInput`` for a type that
    is not allowed (judged by the extension, which decides how browsers open it).
    """
    filename = safe_filename(upload.name or "")
    size = upload.size or 0
    if size > settings.MAX_ATTACHMENT_BYTES:
        raise PayloadTooLarge(
            _("%(name)s is larger than %(limit)d MB.")
            % {"name": filename, "limit": settings.MAX_ATTACHMENT_BYTES // (1024 * 1024)},
            errors=[{"field": "attachments", "message": _("File too large.")}],
        )
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in settings.ALLOWED_ATTACHMENT_EXTENSIONS:
        raise InvalidInput(
            _("Files of type “.%(ext)s” are not allowed.") % {"ext": extension},
            code="forbidden_file_type",
            errors=[{"field": "attachments", "message": _("This file type is not allowed.")}],
        )
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return filename, content_type
