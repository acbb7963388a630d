"""The signed-in user's own account: changing their password."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from app.schemas.core import _In

Password = Annotated[str, Field(min_length=8, max_length=200)]


class PasswordChange(_In):
    current_password: Annotated[str, Field(max_length=200)]
    new_password: Password
