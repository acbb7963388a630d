"""Errors services raise; app.main turns them into 4xx answers that say what and where."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status_code = 400
    kind = "bad_request"  # each listed error's `type` in the answer

    def __init__(self, message: str, *, path: str | None = None,
                 errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.errors = errors

    def detail(self) -> Any:
        if self.errors is not None:
            return self.errors
        if self.path is not None:
            return [{"path": self.path, "msg": self.message}]
        return self.message


class NotFound(ServiceError):
    status_code = 404
    kind = "not_found"


class Forbidden(ServiceError):
    """The user's role may not do this, whatever the team: 403."""

    status_code = 403
    kind = "forbidden"


class Conflict(ServiceError):
    status_code = 409
    kind = "conflict"


class Invalid(ServiceError):
    """Input that parses but does not make sense (unknown id, crossed times ...): 422."""

    status_code = 422
    kind = "invalid"
