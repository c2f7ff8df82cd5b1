"""Second factors for signing in: TOTP devices whose secret is encrypted at rest."""

from __future__ import annotations

import time
from base64 import b32encode
from binascii import unhexlify
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from steward.core.crypto import EncryptedTextField


def default_key() -> str:
    """20 random bytes, hex-encoded (160 bits, as RFC 4226 recommends)."""
    return random_hex(20)


class DeviceManager(models.Manager[Any]):
    """django-otp's DeviceManager, restated typed: django-otp finds a user's devices through
    ``devices_for_user`` on each device model."""

    def devices_for_user(self, user: Any, confirmed: bool | None = None) -> models.QuerySet[Any]:
        devices = self.filter(user=user)
        if confirmed is not None:
            devices = devices.filter(confirmed=bool(confirmed))
        return devices


if TYPE_CHECKING:
    # django-otp ships no type hints; mypy (and django-stubs, which must resolve the reverse
    # relation on User) see this typed outline of Device and its mixins instead.

    class _DeviceBase(models.Model):
        user = models.ForeignKey("tenancy.User", on_delete=models.CASCADE)
        name = models.CharField(max_length=64)
        confirmed = models.BooleanField(default=True)
        throttling_failure_timestamp = models.DateTimeField(null=True)
        throttling_failure_count = models.PositiveIntegerField(default=0)
        created_at = models.DateTimeField(null=True)
        last_used_at = models.DateTimeField(null=True)

        objects = DeviceManager()

        class Meta:
            abstract = True

        @property
        def persistent_id(self) -> str: ...
        def verify_is_allowed(self) -> tuple[bool, dict[str, Any] | None]: ...
        def throttle_reset(self, commit: bool = True) -> None: ...
        def throttle_increment(self, commit: bool = True) -> None: ...
        def set_last_used_timestamp(self, commit: bool = True) -> None: ...

else:

    class _DeviceBase(TimestampMixin, ThrottlingMixin, Device):
        """django-otp's device with timestamps and throttling, and a typed manager."""

        objects = DeviceManager()

        class Meta(Device.Meta):
            abstract = True


class EncryptedTOTPDevice(_DeviceBase):
    """An authenticator app (RFC 6238 TOTP) bound to a user.

    Mirrors django-otp's stock ``TOTPDevice`` (tolerance, drift sync, replay protection through
    ``last_t``, exponential throttling), except that the shared secret is Fernet-encrypted in the
    database: a leaked backup or SQL dump must not let anyone mint codes.
    """

    key = EncryptedTextField(default=default_key, help_text="Hex-encoded secret (encrypted)")
    step: models.PositiveSmallIntegerField = models.PositiveSmallIntegerField(default=30)
    t0: models.BigIntegerField = models.BigIntegerField(default=0)
    digits: models.PositiveSmallIntegerField = models.PositiveSmallIntegerField(
        choices=[(6, 6), (8, 8)], default=6
    )
    tolerance: models.PositiveSmallIntegerField = models.PositiveSmallIntegerField(default=1)
    drift: models.SmallIntegerField = models.SmallIntegerField(default=0)
    last_t: models.BigIntegerField = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    @property
    def base32_key(self) -> str:
        return b32encode(self.bin_key).decode().rstrip("=")

    def verify_token(self, token: object) -> bool:
        """Accept a code from the current step ± tolerance, never one at or before ``last_t``.

        1. Refuse while throttled (1, 2, 4 … seconds after successive failures).
        2. Compare against the steps around now (adjusted by the learned drift).
        3. On success remember the step (no replay), resync drift, reset the throttle.
        """
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            code = int(str(token).strip())
        except ValueError:
            code = -1
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        verified = code >= 0 and bool(totp.verify(code, self.tolerance, self.last_t + 1))
        if verified:
            self.last_t = totp.t()
            if getattr(settings, "OTP_TOTP_SYNC", True):
                self.drift = totp.drift
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    @property
    def config_url(self) -> str:
        """The otpauth:// URI that authenticator apps read from the QR code."""
        issuer = str(settings.STEWARD_MSP_NAME).replace(":", "")
        label = f"{issuer}:{self.user.get_username()}"
        params = urlencode(
            {
                "secret": self.base32_key,
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        return f"otpauth://totp/{quote(label)}?{params}&issuer={quote(issuer)}"
