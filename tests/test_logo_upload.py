"""Uploaded logos must be small PNG, JPEG or WebP images; anything else is refused."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from retribus.validators import validate_logo


def image_file(name, image_format, size=(120, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#0b5c7a").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize(
    ("name", "image_format"), [("logo.png", "PNG"), ("logo.JPG", "JPEG"), ("logo.webp", "WEBP")]
)
def test_small_raster_logos_are_accepted(name, image_format):
    validate_logo(image_file(name, image_format))


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'/>"), "invalid_extension"),
        (SimpleUploadedFile("logo.png", b"<html><script>x</script></html>"), "invalid_image"),
        (SimpleUploadedFile("logo", b"\x89PNG\r\n\x1a\n"), "invalid_extension"),
        (SimpleUploadedFile("logo.webp", b"RIFF\x00\x00\x00\x00WAVEfmt "), "invalid_image"),
    ],
)
def test_other_files_are_refused_whatever_their_name(upload, code):
    with pytest.raises(ValidationError) as refused:
        validate_logo(upload)

    assert refused.value.code == code


def test_a_logo_over_the_size_limit_is_refused(settings):
    settings.LOGO_MAX_BYTES = 1000
    upload = image_file("logo.png", "PNG", size=(400, 400))
    upload.size = 5000

    with pytest.raises(ValidationError) as refused:
        validate_logo(upload)

    assert refused.value.code == "file_too_large"


def test_a_logo_with_too_many_pixels_is_refused(settings):
    settings.LOGO_MAX_PIXELS = 100

    with pytest.raises(ValidationError) as refused:
        validate_logo(image_file("logo.png", "PNG", size=(101, 20)))

    assert refused.value.code == "image_too_large"


def test_saving_a_partner_whose_stored_logo_file_is_gone_still_works(taxonomy, settings, tmp_path):
    from tests.factories import make_partner

    settings.MEDIA_ROOT = tmp_path
    partner = make_partner(taxonomy)
    partner.logo.save("logo.png", image_file("logo.png", "PNG"))
    (tmp_path / partner.logo.name).unlink()
    partner = type(partner).objects.get(pk=partner.pk)  # as the admin's change form loads it
    partner.name = "Umbenannt"

    partner.full_clean()
    partner.save()


def test_uploaded_logos_are_served_without_debug_and_nothing_else_is(
    client, taxonomy, settings, tmp_path
):
    from tests.factories import make_partner

    settings.MEDIA_ROOT = tmp_path
    partner = make_partner(taxonomy)
    partner.logo.save("logo.png", image_file("logo.png", "PNG"))
    (tmp_path / "secret.txt").write_text("not public")

    logo = client.get(f"/media/{partner.logo.name}")

    assert logo.status_code == 200
    assert b"".join(logo.streaming_content).startswith(b"\x89PNG")
    assert client.get("/media/secret.txt").status_code == 404
    assert client.get("/media/partner-logos/../secret.txt").status_code == 404
