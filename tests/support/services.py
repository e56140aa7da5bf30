"""Outside services the heavier tests need (PostgreSQL, Redis, nginx): skip when one is
missing on a developer's machine, fail on CI, where each must be there.

Test support: imports pytest, sqlalchemy, redis and tests/support/cluster.py.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from tests.support.cluster import POSTGRES, REDIS, nginx_binary


def postgres_or_skip(url: str = POSTGRES) -> None:
    """Skip when PostgreSQL is not reachable (on CI, where it must be, fail instead)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable at {url}: {error}")
    finally:
        engine.dispose()


def redis_or_skip(url: str = REDIS) -> None:
    """Skip when Redis is not reachable (on CI, fail instead)."""
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not reachable at {url}: {error}")


def services_or_skip() -> None:
    """Skip unless Redis, PostgreSQL and nginx are all there (the scaled-out setup)."""
    redis_or_skip()
    postgres_or_skip(POSTGRES)
    if nginx_binary() is None:
        if os.environ.get("CI"):
            raise RuntimeError("nginx is missing (./dev test installs nginx-light)")
        pytest.skip("nginx is not installed")
