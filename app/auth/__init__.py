"""Ways to sign in besides a local password: the municipality's identity provider (`oidc`)."""

from __future__ import annotations

from app.settings import get_settings


def provider_name() -> str | None:
    """The identity provider's name for the login button ("" for the default text); None when sign-in
    through a provider is not configured."""
    settings = get_settings()
    return settings.oidc_display_name if settings.oidc_enabled else None
