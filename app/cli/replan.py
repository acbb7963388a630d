"""`homecare replan`: not written yet (owned by its issue)."""

from app.cli import app  # noqa: F401
