"""Writes of the web shell: second-factor enrolment and removal.

Device rows are audited by model signals (web/apps.py), with the secret and the per-login
counters left out of the log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from steward.tenancy.models import User
from steward.tenancy.roles import STAFF_ROLES
from steward.web.models import EncryptedTOTPDevice


def start_totp_enrolment(user: User) -> EncryptedTOTPDevice:
    """Create a fresh unconfirmed authenticator for ``user``, replacing an earlier pending one.

    A confirmed device stays in force until the new one is confirmed, so a half-finished
    enrolment never leaves the account without its second factor.
    """
    if user.role not in STAFF_ROLES:
        raise PermissionDenied("two-factor sign-in is for MSP staff")
    with transaction.atomic():
        for old in EncryptedTOTPDevice.objects.filter(user_id=user.pk, confirmed=False):
            old.delete()
        return EncryptedTOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )


def confirm_totp_enrolment(device: EncryptedTOTPDevice, code: str) -> EncryptedTOTPDevice:
    """Confirm a pending authenticator with a code from it; other devices of the user go."""
    with transaction.atomic():
        locked = EncryptedTOTPDevice.objects.select_for_update().get(pk=device.pk)
        if locked.confirmed:
            return locked
        matched = locked.verify_token(code)
        if matched:
            _confirm(locked)
    if not matched:
        # Raised outside the transaction so the throttle's failure count is kept.
        raise ValidationError({"code": "this code does not match; check the app and retry"})
    return locked


def _confirm(locked: EncryptedTOTPDevice) -> None:
    for other in EncryptedTOTPDevice.objects.filter(user_id=locked.user_id).exclude(pk=locked.pk):
        other.delete()
    locked.confirmed = True
    locked.save()


def remove_totp(user: User) -> int:
    """Remove every authenticator of ``user``; returns how many were removed."""
    removed = 0
    with transaction.atomic():
        for device in EncryptedTOTPDevice.objects.filter(user_id=user.pk):
            device.delete()
            removed += 1
    return removed
