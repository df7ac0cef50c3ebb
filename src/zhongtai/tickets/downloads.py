"""File responses for attachments: always a download, never rendered inline."""

from __future__ import annotations

from django.http import FileResponse

from zhongtai.tickets.models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# Pictures a browser draws without running anything (SVG can carry scripts: downloaded).
DRAWN_INLINE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})


def attachment_image_response(attachment: Attachment) -> FileResponse:
    """A picture to show in the page (a mail's inline image, a thumbnail); any other file is
    downloaded as ``attachment_response`` does."""
    if attachment.content_type not in DRAWN_INLINE:
        return attachment_response(attachment)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=False,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=86400"  # a stored file never changes
    return response
