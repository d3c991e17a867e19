"""Settings, read from ``GRAPHSVC_*`` environment variables (or passed in by tests).

Nothing here is read at import time: callers build a :class:`Settings` when they
start (the CLI per command, the API in ``create_app``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from graphsvc.errors import ConfigError


def default_store_uri() -> str:
    """The embedded default: one SQLite file in the user's data directory."""
    return f"sqlite://{Path(platformdirs.user_data_dir('graphsvc')) / 'graph.db'}"


class Settings(BaseSettings):
    """Everything graphsvc can be configured with."""

    model_config = SettingsConfigDict(env_prefix="GRAPHSVC_", extra="ignore")

    store: str = Field(
        default_factory=default_store_uri, description="store URI: sqlite://PATH or bolt://USER@HOST:PORT"
    )
    neo4j_password: SecretStr | None = Field(default=None, description="password of the Neo4j user")
    neo4j_database: str = Field(default="neo4j", description="Neo4j database name")
    neo4j_retry_seconds: float = Field(
        default=5.0, ge=0, description="how long the Neo4j driver retries a transaction through transient errors"
    )
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="comma-separated keys allowed to write through the API"
    )
    read_requires_key: bool = Field(default=False, description="require an API key for reads too")
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list, description="comma-separated origins")
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="largest accepted upload or file")
    max_rows: int = Field(default=2_000_000, gt=0, description="most rows one load may carry")
    max_cell_chars: int = Field(default=10_000, gt=0, description="most characters in one value of a file")
    max_attribute_chars: int = Field(
        default=10_000, gt=0, description="most characters in one extra attribute (a column outside the format)"
    )
    max_record_chars: int = Field(default=100_000, gt=0, description="most characters in one row or record")
    max_entity_attribute_chars: int = Field(
        default=50_000, gt=0, description="most characters in all of one entity's extra attributes (as JSON)"
    )
    max_store_attribute_chars: int = Field(
        default=200_000_000, gt=0, description="most characters of extra attributes (as JSON) the store holds in all"
    )
    allow_lookalike_ids: bool = Field(
        default=False,
        description="accept a new entity id that differs only by case or width (C1, ｃ１) from another id of the "
        "load or the store; refused by default",
    )
    client_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description="how long `graphsvc serve` waits for a request's headers, and for its body before the "
        "minimum rate applies; a client past it is answered 408 and its connection closed",
    )
    client_min_bytes_per_second: int = Field(
        default=1024,
        gt=0,
        description="the slowest a request's body may arrive on average, after its first client_timeout_seconds",
    )
    store_busy_seconds: float = Field(
        default=5.0,
        ge=0,
        le=600,
        description="how long a write to a SQLite store waits for another writer before it is refused as busy",
    )
    freshness_ms: int = Field(
        default=500,
        ge=10,
        description="how often each API process checks the store's data version (a write by any process is "
        "served after at most this long plus one snapshot rebuild)",
    )

    stale_wait_ms: int = Field(
        default=1000,
        ge=0,
        le=60_000,
        description="how long a read waits, when the store holds newer data than the edition this process serves, "
        "for the new edition before it is answered 503 (stale) with Retry-After; no read is ever answered from "
        "data older than the store's version when the read arrived",
    )

    startup_wait_seconds: float = Field(
        default=30.0,
        ge=0,
        le=600,
        description="how long a read that arrives while the API is starting waits for the first edition of the "
        "data before it is answered 503 (the service is starting) with Retry-After",
    )

    page_area_budget: int = Field(
        default=400,
        gt=0,
        description="the most areas the overview page draws: with more streets, it draws the level of the area "
        "hierarchy that fits (districts, cities...)",
    )
    policy: str | None = Field(
        default=None,
        description="policy profile of the gap analyses (graphsvc.analysis.core.policy.PROFILES): hub (the five-"
        "society "
        "roles, street hub reach and district targets) or generic (needs and coverage only); unset: generic for "
        "communities made from a directory's areas (HSDS), hub otherwise",
    )

    @field_validator("policy")
    @classmethod
    def _known_policy(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        from graphsvc.analysis.core.policy import PROFILES  # the one registry of profiles (NetworkX with it: only here)

        if value.strip().lower() not in PROFILES:
            raise ValueError(f"no policy profile {value!r}: choose {' or '.join(PROFILES)}")
        return value.strip().lower()

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [k.strip() for k in value.split(",") if k.strip()]
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("store")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        from graphsvc.store.schemes import scheme_of, unknown_store_message  # the one registry of schemes

        value = value.strip()
        if scheme_of(value) is None:
            raise ValueError(unknown_store_message(value))
        return value


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment with ``overrides`` on top; a bad value is a :class:`ConfigError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        details = "; ".join(f"GRAPHSVC_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"bad setting: {details}") from None
