"""Runtime settings, from the environment (or a .env file): `DATABASE_URL`, `SECRET_KEY`, ...

Read them through `get_settings()` so tests can clear the cache after changing the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_DIR / "var" / "homecare.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # SQLite by default so `make run` works from a fresh clone; PostgreSQL in production.
    database_url: str = Field(default=f"sqlite:///{DEFAULT_DB_PATH}")
    # Signs the bearer tokens and the web session cookie. Set it in production: the default
    # only suits a laptop demo (tokens signed with it are worthless elsewhere).
    secret_key: str = "dev-only-change-me-please-0123456789abcdef"
    jwt_algorithm: str = "HS256"
    access_token_minutes: int = 8 * 60  # one working shift
    # The Sundsvall goal: at most 12 distinct carers per citizen per calendar month.
    default_max_carers_per_month: int = 12
    sql_echo: bool = False
    # Sites besides this server's own host whose pages may send its forms (app/web/origin.py), e.g.
    # ["https://plan.example.se"] behind a proxy that changes the Host header. JSON in the environment.
    allowed_origins: list[str] = []
    # Keys the auditor's pseudonyms (HMAC); unset: derived from secret_key.
    # Changing it changes every pseudonym.
    audit_pseudonym_key: str | None = None
    # --- solve jobs (app/jobs) ---
    # Empty: solve jobs run inside the web process (a child process per job), no broker needed.
    # Set (e.g. redis://127.0.0.1:6379/0): they run on Celery workers (`homecare worker`).
    celery_broker_url: str = ""
    # Where Celery keeps task states; empty: the broker URL. Job state itself lives in the database.
    celery_result_backend: str = ""
    # Queue (and task id) prefix: installations, or test runs, sharing one Redis keep apart by it.
    celery_queue_prefix: str = "homecare"
    # Seconds before Redis hands an unacknowledged part (its worker machine died) to another worker.
    # Must exceed the longest part's solve time, or a slow part is started twice (harmless, wasted).
    celery_visibility_timeout: int = 3600
    # A part is tried at most this many times (each worker death costs one try), then the job fails.
    jobs_max_attempts: int = 3
    # In-process runner: jobs solved at the same time (each in its own child process).
    jobs_inprocess_parallel: int = 1
    # In-process runner: worker processes each job's planner may use (never more than the cores);
    # one team's plan then races other seeds on the spare cores and keeps the best.
    jobs_inprocess_workers: int = 2
    # The planner a job runs, as "module:function" so a child process or a worker on another machine
    # finds it. Always the product's planner, except in tests that name a stand-in.
    jobs_solve_function: str = "solver.solve:solve"


@lru_cache
def get_settings() -> Settings:
    return Settings()
