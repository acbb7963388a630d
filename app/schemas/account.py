"""The signed-in user's own account: changing their password."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from app.schemas.core import _In
from app.schemas.passwords import NewPassword


class PasswordChange(_In):
    current_password: Annotated[str, Field(max_length=200)]
    new_password: NewPassword
