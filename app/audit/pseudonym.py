"""Stable pseudonyms for the municipality's auditor: keyed HMAC-SHA256, truncated.

The same id and key always give the same pseudonym, so an auditor can follow one citizen across reports and
months; without the key the pseudonym cannot be turned back into the id (nor checked against a guessed id).
Citizens, carers and visits get different prefixes and are hashed with their kind, so a carer and a citizen
sharing an id string do not share a pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from app.settings import Settings

PREFIX = {"citizen": "P-", "carer": "C-", "visit": "V-"}
DIGITS = 12  # hex digits kept: 48 bits, no collisions to expect among a municipality's ids


class Pseudonymiser:
    """Callable as an `Alias`: ``pseudo("citizen", "T1-p001") -> "P-3f9a0c1d2e4b"``."""

    def __init__(self, key: str | bytes, digits: int = DIGITS) -> None:
        if not key:
            raise ValueError("a pseudonymisation key is required")
        self._key = key.encode() if isinstance(key, str) else key
        self._digits = digits
        self._cached = lru_cache(maxsize=200_000)(self._compute)

    def _compute(self, kind: str, value: str) -> str:
        mac = hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return PREFIX.get(kind, "X-") + mac[: self._digits]

    def __call__(self, kind: str, value: str) -> str:
        return self._cached(kind, value)

    def citizen(self, value: str) -> str:
        return self("citizen", value)

    def carer(self, value: str) -> str:
        return self("carer", value)


def key_from_settings(settings: Settings) -> bytes:
    """The pseudonym key: `audit_pseudonym_key` (env AUDIT_PSEUDONYM_KEY) when set, else derived from the
    application's SECRET_KEY, so a deployment with its own secret needs no extra setting."""
    if settings.audit_pseudonym_key:
        return settings.audit_pseudonym_key.encode()
    return hmac.new(settings.secret_key.encode(), b"homecare-audit-pseudonym", hashlib.sha256).digest()
