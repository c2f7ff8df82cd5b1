"""Encryption at rest for secrets (TOTP keys, check credentials, SMTP passwords).

One Fernet key per installation, in STEWARD_HOME/encryption.key unless STEWARD_ENCRYPTION_KEY is
set. Losing the key loses the secrets, so `steward backup` carries it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@cache
def _fernet() -> Fernet:
    return Fernet(settings.STEWARD_ENCRYPTION_KEY.encode())


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("stored secret cannot be decrypted with this installation's key") from None


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text field whose value is Fernet-encrypted in the database and plain in Python."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(str(value))
