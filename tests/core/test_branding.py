from pathlib import Path

from django.test import override_settings

from steward.core.branding import DEFAULT_COLOUR, branding


def test_branding_reads_name_colours_and_inlines_the_logo(tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    with override_settings(
        STEWARD_MSP_NAME="Acme IT", STEWARD_MSP_LOGO=str(logo), STEWARD_MSP_COLOUR="#112233"
    ):
        brand = branding()
    assert brand.name == "Acme IT"
    assert brand.colour == "#112233"
    assert brand.logo_data_uri.startswith("data:image/svg+xml;base64,")


def test_bad_colour_and_missing_logo_fall_back(tmp_path: Path) -> None:
    with override_settings(
        STEWARD_MSP_LOGO=str(tmp_path / "gone.png"), STEWARD_MSP_COLOUR="red; }"
    ):
        brand = branding()
    assert brand.colour == DEFAULT_COLOUR
    assert not brand.has_logo
