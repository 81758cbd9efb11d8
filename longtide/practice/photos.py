"""Practitioner photos: check an upload is a real image of sensible size, then re-encode it ourselves.

Re-encoding (rather than storing the upload) strips every piece of metadata — EXIF with camera GPS
positions, comments, embedded profiles — and means we only ever serve a JPEG we wrote. The stored
name is random, so it says nothing about the original file.
"""

from __future__ import annotations

import io
import secrets
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Decoding a 40-megapixel photo takes ~120 MB; anything bigger is refused before it is decoded.
MAX_PIXELS = 40_000_000
# Shown at most ~400 CSS px wide; 800 px keeps it sharp on high-density screens.
LONGEST_SIDE = 800
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def prepare_photo(upload: UploadedFile[bytes]) -> ContentFile[bytes]:
    """Return the photo as a resized JPEG without metadata; raise ValidationError with a specific message."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The photo is %(size)s MB; photos can be at most %(max)d MB.")
            % {"size": f"{upload.size / 1024 / 1024:.1f}", "max": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise ValidationError(
                        _("Upload a JPEG, PNG, WebP or GIF photo (this file is %(format)s).")
                        % {"format": image.format or _("an unknown format")},
                        code="format",
                    )
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationError(
                        _("The photo is %(w)d × %(h)d pixels; use one of at most 40 megapixels.")
                        % {"w": image.width, "h": image.height},
                        code="too_many_pixels",
                    )
                image.load()
                upright = ImageOps.exif_transpose(image)
                if upright.mode not in ("RGB", "L"):
                    upright = _flatten(upright)
                upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
                rgb = upright.convert("RGB")
                # Pillow's JPEG writer falls back to the image's own info for a comment, an ICC
                # profile and more: emptied, and with no exif= given, the file carries no metadata.
                rgb.info = {}
                out = io.BytesIO()
                rgb.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("That file is not a photo we can read: upload a JPEG, PNG, WebP or GIF."), code="not_image"
        ) from None
    except (OSError, ValueError, SyntaxError):
        # Truncated or corrupt image data.
        raise ValidationError(
            _("That photo is damaged or incomplete; try exporting it again."), code="corrupt"
        ) from None
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(12)}.jpg")


def _flatten(image: Image.Image) -> Image.Image:
    """Put a transparent image on white (JPEG has no transparency)."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
