"""Validation of uploaded files, shared by every model that accepts one."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.images import get_image_dimensions
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Magic numbers of the raster formats a logo may have. SVG is refused on purpose: it can
# carry scripts and links to other hosts.
_SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "webp": (b"RIFF",),
}
LOGO_EXTENSIONS = tuple(_SIGNATURES)


def validate_logo(upload):
    """A logo must be a PNG, JPEG or WebP file of at most LOGO_MAX_BYTES and LOGO_MAX_PIXELS.

    The file's first bytes must match its extension, so a renamed HTML or SVG file is
    refused even when it is called ``logo.png``. A file already in storage was checked
    when it was uploaded and is not opened again: re-reading it on every save would turn
    a logo file that went missing on disk into an error on an unrelated edit.
    """
    if getattr(upload, "_committed", False):
        return
    max_bytes = settings.LOGO_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The logo is %(size)s; at most %(max)s are allowed."),
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
        )
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in _SIGNATURES:
        raise ValidationError(
            _("Upload a PNG, JPEG or WebP image."),
            code="invalid_extension",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(12)
    upload.seek(position)
    is_webp = extension != "webp" or head[8:12] == b"WEBP"
    if not head.startswith(_SIGNATURES[extension]) or not is_webp:
        raise ValidationError(
            _("The file is not a valid %(format)s image."),
            code="invalid_image",
            params={"format": extension.upper()},
        )
    width, height = get_image_dimensions(upload)
    if width is None or height is None:
        raise ValidationError(
            _("The file is not a valid %(format)s image."),
            code="invalid_image",
            params={"format": extension.upper()},
        )
    if max(width, height) > settings.LOGO_MAX_PIXELS:
        raise ValidationError(
            _("The logo is %(width)s × %(height)s pixels; at most %(max)s pixels per side."),
            code="image_too_large",
            params={"width": width, "height": height, "max": settings.LOGO_MAX_PIXELS},
        )
