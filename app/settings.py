"""Runtime settings, from the environment (or a .env file): `DATABASE_URL`, `SECRET_KEY`, ...

Read them through `get_settings()` so tests can clear the cache after changing the environment.
"""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The development default of SECRET_KEY: `serve` refuses it unless started with --demo.
DEV_SECRET_KEY = "dev-only-change-me-please-0123456789abcdef"


def default_data_dir() -> Path:
    """The per-user data folder (~/.local/share/homecare on Linux): never inside the code, so installing
    a new version or cleaning a checkout cannot touch the database."""
    from platformdirs import user_data_path

    return user_data_path("homecare", appauthor=False)


class GroupGrant(BaseModel):
    """What membership of one identity-provider group gives: a role and the teams (external ids)."""

    role: Literal["member", "coordinator", "auditor", "admin"]
    teams: list[str] = []


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Where the SQLite database and its backups live when DATABASE_URL does not say otherwise.
    data_dir: Path = Field(default_factory=default_data_dir,
                           validation_alias=AliasChoices("homecare_data_dir", "data_dir"))
    # SQLite in the data folder by default so `make run` works from a fresh clone; PostgreSQL in
    # production. Set, it overrides the data folder.
    database_url: str = ""
    # Signs the bearer tokens and the web session cookie. Set it in production: the default
    # only suits a laptop demo (tokens signed with it are worthless elsewhere).
    secret_key: str = DEV_SECRET_KEY
    jwt_algorithm: str = "HS256"
    access_token_minutes: int = 8 * 60  # one working shift
    # Failed sign-ins: after `login_free_failures` each further try waits twice as long as the last
    # (1 s, 2 s, 4 s ...); `login_lock_after` failures of one user name within `login_lock_minutes`
    # lock that name for `login_lock_minutes`; `login_address_lock_after` failures from one client
    # address (many names tried) lock the address likewise.
    login_free_failures: int = Field(default=3, ge=1)
    login_lock_after: int = Field(default=6, ge=2)
    login_address_lock_after: int = Field(default=30, ge=2)
    login_lock_minutes: int = Field(default=15, ge=1)
    # How long the log of who read which citizen's data is kept (`homecare prune-access-log`).
    access_log_retention_days: int = Field(default=2 * 365, ge=1)
    # A citizen's personal data is anonymised this long after their care ended (a carer's after they
    # left): `homecare anonymise-ended`. Five years, as social services records are commonly kept
    # after the last entry; set it to the municipality's own rule.
    retention_after_end_days: int = Field(default=5 * 365, ge=1)
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
    # How much lower than the web server the planner's processes run (a Unix nice increment): a plan
    # job then takes the CPU the pages leave over, so on a small server a long solve does not slow
    # every page down. Applies to the in-process runner's solve children and to `homecare worker`.
    jobs_solve_nice: int = Field(default=10, ge=0, le=19)
    # On Linux, a plan job's planner processes also run in the idle scheduling class (SCHED_IDLE): a
    # nice value still leaves them a tenth of a core the pages want, and a waking page request waits
    # behind them; in the idle class they take only the CPU nobody else asks for, and on a server
    # whose pages leave a core over (the usual case) the plan loses next to nothing. Re-plans, which
    # a coordinator waits for, keep the nice value only. Applies where `jobs_solve_nice` does.
    jobs_solve_idle: bool = True
    # The planner a job runs, as "module:function" so a child process or a worker on another machine
    # finds it. Always the product's planner, except in tests that name a stand-in.
    jobs_solve_function: str = "solver.solve:solve"

    # --- running as a service ---
    # The municipality's time zone: the pages show moments (plan runs, versions) in it.
    time_zone: str = "Europe/Stockholm"
    # Addresses (comma-separated, or *) of reverse proxies whose X-Forwarded-For/-Proto headers are
    # believed: the TLS proxy's address when it runs on another machine. Headers from anyone else are
    # ignored, so nobody can claim to be https or another address.
    forwarded_allow_ips: str = "127.0.0.1"
    # The session cookie's Secure flag: unset follows the request's scheme (https through a trusted
    # proxy); true forces it, for a site that is only ever reached through TLS.
    session_cookie_secure: bool | None = None
    # Logs: one JSON object a line (for the municipality's log collector) or plain text.
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Addresses or networks (CIDR) that may read /metrics without a login, e.g. ["10.1.2.3/32"] for
    # the Prometheus server; everyone else needs an admin's token. JSON in the environment.
    metrics_allowed_ips: list[str] = []
    # --- sign-in through the municipality's identity provider (OpenID Connect) ---
    # All three set: the login page offers the provider beside local passwords.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid profile email"
    # The button's text, e.g. "Sundsvalls kommun"; empty: "the municipality's login".
    oidc_display_name: str = ""
    # The claim naming the user's groups, and the one giving their username.
    oidc_group_claim: str = "groups"
    oidc_username_claim: str = "preferred_username"
    # Group -> {"role": ..., "teams": [team external ids]}; several groups add their teams up and the
    # strongest role wins. A user in none of them is refused. JSON in the environment.
    oidc_groups: dict[str, GroupGrant] = {}

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Europe/Stockholm)") from None
        return value

    @field_validator("metrics_allowed_ips")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for net in value:
            try:
                ip_network(net, strict=False)
            except ValueError:
                raise ValueError(f"{net!r} is not an address or a network (10.1.2.3, 10.1.0.0/16)") from None
        return value

    @model_validator(mode="after")
    def _database_in_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'homecare.db'}"
        return self

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)


@lru_cache
def get_settings() -> Settings:
    return Settings()
