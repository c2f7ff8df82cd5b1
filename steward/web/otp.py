"""Reading second-factor state and drawing the enrolment QR code (no writes here)."""

from __future__ import annotations

import segno

from steward.tenancy.models import User
from steward.web.models import EncryptedTOTPDevice


def has_confirmed_device(user: User) -> bool:
    return EncryptedTOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def confirmed_device(user: User) -> EncryptedTOTPDevice | None:
    return EncryptedTOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def pending_device(user: User) -> EncryptedTOTPDevice | None:
    return EncryptedTOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()


def qr_svg(device: EncryptedTOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG (no external request, no inline style or script)."""
    qr = segno.make(device.config_url, error="m")
    # omitsize gives a viewBox instead of fixed pixels, so the stylesheet can size it.
    svg: str = qr.svg_inline(scale=5, dark="#0f172a", light="#ffffff", omitsize=True)
    return svg


def grouped_secret(device: EncryptedTOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    key = device.base32_key
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
