"""Practitioner photos: re-encoded as a resized JPEG without metadata, under MEDIA_ROOT, random names;
anything that is not a readable, reasonably sized image is refused with a specific message."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from PIL import Image
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from conftest import Cast, ClientResponse, streamed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def jpeg_with_gps(width: int = 3000, height: int = 2000) -> bytes:
    image = Image.new("RGB", (width, height), (40, 90, 120))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (40.0, 41.0, 12.0)}  # GPS block
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"taken at home")
    return out.getvalue()


def post_photo(
    client: HttpClient, cast: Cast, content: bytes, name: str = "me.jpg", content_type: str = "image/jpeg"
) -> ClientResponse:
    data = {
        "display_name": "Ana Silva",
        "style": "biodynamic",
        "active": "on",
        "services": [str(cast.session.pk)],
        "photo_upload": SimpleUploadedFile(name, content, content_type=content_type),
    }
    return client.post(f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/", data)


def test_a_photo_is_resized_stripped_of_metadata_and_stored_under_media_root(
    client: HttpClient, cast: Cast, media: Path
) -> None:
    client.force_login(cast.olga_user)
    response = post_photo(client, cast, jpeg_with_gps())
    assert response.status_code == 302
    cast.ana.refresh_from_db()
    stored = Path(cast.ana.photo.path)
    assert stored.is_relative_to(media) and stored.suffix == ".jpg" and "me" not in stored.name
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 800 and image.size == (800, 533)
        assert not image.getexif()
        assert "comment" not in image.info and "exif" not in image.info
    assert b"PhoneMaker" not in stored.read_bytes()
    public = HttpClient().get("/p/tidewater/practitioners/").text
    assert cast.ana.photo.url in public


def test_a_replaced_photo_file_is_deleted(
    client: HttpClient, cast: Cast, media: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client.force_login(cast.olga_user)
    post_photo(client, cast, jpeg_with_gps(400, 400))
    cast.ana.refresh_from_db()
    first = Path(cast.ana.photo.path)
    with django_capture_on_commit_callbacks(execute=True):
        post_photo(client, cast, jpeg_with_gps(500, 500))
    cast.ana.refresh_from_db()
    assert Path(cast.ana.photo.path).exists() and not first.exists()


def test_the_app_serves_the_current_photo_and_nothing_else_from_the_uploads(
    client: HttpClient, cast: Cast, media: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """Uploads are served by the app in every mode (web/public/media.py), not only with DEBUG."""
    client.force_login(cast.olga_user)
    post_photo(client, cast, jpeg_with_gps(400, 400))
    cast.ana.refresh_from_db()
    first_url = cast.ana.photo.url
    visitor = HttpClient()
    served = visitor.get(first_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert streamed(served) == Path(cast.ana.photo.path).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        post_photo(client, cast, jpeg_with_gps(500, 500))
    cast.ana.refresh_from_db()
    assert visitor.get(first_url).status_code == 404, "a replaced photo is no longer served"
    current = visitor.get(cast.ana.photo.url)
    assert current.status_code == 200
    assert streamed(current)  # read to the end: closes the file
    # A file under the uploads folder that no practitioner's photo is, or a path out of it: 404.
    (media / "practitioners" / ("0" * 24 + ".jpg")).write_bytes(b"\xff\xd8\xffnot a photo of anyone")
    for path in ("0" * 24 + ".jpg", "..%2F..%2Fsecret.txt", "notes.txt", "%00.jpg"):
        assert visitor.get(f"/media/practitioners/{path}").status_code == 404
    assert visitor.post(cast.ana.photo.url).status_code == 405


def test_a_transparent_png_is_flattened_onto_white(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    out = io.BytesIO()
    Image.new("RGBA", (100, 100), (0, 0, 0, 0)).save(out, format="PNG")
    assert post_photo(client, cast, out.getvalue(), "me.png", "image/png").status_code == 302
    cast.ana.refresh_from_db()
    with Image.open(cast.ana.photo.path) as image:
        assert image.getpixel((50, 50)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 not a photo", "cv.pdf", "That file is not a photo we can read"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "me.svg", "That file is not a photo we can read"),
        (b"", "empty.jpg", "The submitted file is empty."),
    ],
)
def test_files_that_are_not_photos_are_refused(
    client: HttpClient, cast: Cast, content: bytes, name: str, message: str
) -> None:
    client.force_login(cast.olga_user)
    response = post_photo(client, cast, content, name)
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Ana Silva"' in response.text
    cast.ana.refresh_from_db()
    assert not cast.ana.photo


def test_a_damaged_photo_is_refused(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    response = post_photo(client, cast, jpeg_with_gps(600, 600)[:400])
    assert "damaged or incomplete" in response.text or "not a photo we can read" in response.text


def test_a_bmp_is_refused_with_the_formats_we_take(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="BMP")
    response = post_photo(client, cast, out.getvalue(), "me.bmp", "image/bmp")
    assert "Upload a JPEG, PNG, WebP or GIF photo (this file is BMP)." in response.text


def test_a_huge_file_is_refused_before_it_is_decoded(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    response = post_photo(client, cast, jpeg_with_gps(100, 100) + b"\0" * (11 * 1024 * 1024))
    assert "photos can be at most 10 MB" in response.text


def test_a_decompression_bomb_is_refused(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, format="PNG")  # 144 megapixels in a few kilobytes
    assert len(out.getvalue()) < 1024 * 1024
    response = post_photo(client, cast, out.getvalue(), "bomb.png", "image/png")
    assert response.status_code == 422
    assert "megapixels" in response.text or "not a photo we can read" in response.text


def test_the_current_photo_can_be_removed(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    post_photo(client, cast, jpeg_with_gps(300, 300))
    data = {"display_name": "Ana Silva", "style": "biodynamic", "active": "on", "remove_photo": "on"}
    client.post(f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/", data)
    cast.ana.refresh_from_db()
    assert not cast.ana.photo
