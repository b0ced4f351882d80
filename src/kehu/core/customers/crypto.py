"""Encryption at rest for sensitive customer fields (ID numbers).

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) with a key derived by HKDF-SHA256 from
``settings.FIELD_ENCRYPTION_KEY``, one derived key per purpose, so a key leaked for one field
cannot read another. Keys listed in ``settings.FIELD_ENCRYPTION_KEYS_PREVIOUS`` (optional) still
decrypt, which lets an operator rotate the key: set the new key, keep the old one in that list,
and re-save the rows.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PURPOSE_ID_NUMBER = "customers.id_number"
_SALT = b"kehu.field-encryption.v1"


class FieldDecryptionError(Exception):
    """The stored value cannot be decrypted with any configured key."""


def _derive(secret: str, purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose.encode()).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


@lru_cache(maxsize=16)
def _cipher(purpose: str, secrets: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_derive(secret, purpose) for secret in secrets])


def _configured_cipher(purpose: str) -> MultiFernet:
    current = str(settings.FIELD_ENCRYPTION_KEY)
    previous = tuple(str(k) for k in getattr(settings, "FIELD_ENCRYPTION_KEYS_PREVIOUS", ()))
    return _cipher(purpose, (current, *previous))


def encrypt_field(plaintext: str, *, purpose: str) -> str:
    """Ciphertext as ASCII text (a Fernet token); ``""`` stays ``""``."""
    if not plaintext:
        return ""
    return _configured_cipher(purpose).encrypt(plaintext.encode()).decode("ascii")


def decrypt_field(token: str, *, purpose: str) -> str:
    if not token:
        return ""
    try:
        return _configured_cipher(purpose).decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:
        raise FieldDecryptionError(purpose) from exc
