"""A store URL's credentials never reach an error message (messages end up in logs and terminals)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from configs.call import ProfileStoreConfig
from configs.campaigns import load_campaigns_config
from serving.profile_store import RedisProfileStore, SqliteProfileStore, open_profile_store
from serving.redis_stream import RedisStream
from serving.store_errors import StoreUnavailable, redacted, store_name
from serving.template_store import RedisTemplateStore, SqliteTemplateStore, open_template_store

SECRET = "s3cret-Pa55"


@pytest.mark.parametrize(("url", "shown"), [
    (f"redis://:{SECRET}@cache.internal:6379/0", "redis://cache.internal:6379/0"),
    (f"rediss://yunmao:{SECRET}@cache.internal:6380/2", "rediss://cache.internal:6380/2"),
    ("redis://cache.internal:6379/0", "redis://cache.internal:6379/0"),
    ("sqlite:////var/lib/yunmao/profiles.db", "sqlite:////var/lib/yunmao/profiles.db"),
])
def test_a_url_is_shown_without_its_user_part(url: str, shown: str) -> None:
    assert redacted(url) == shown


def test_a_sqlite_store_is_named_by_its_path(tmp_path: Path) -> None:
    profiles, templates = tmp_path / "profiles.db", tmp_path / "templates.db"
    assert store_name(SqliteProfileStore(profiles)) == str(profiles)
    assert store_name(SqliteTemplateStore(templates, busy_timeout_s=1.0)) == str(templates)


def test_a_redis_store_is_named_by_its_url_without_its_password() -> None:
    url = f"redis://:{SECRET}@cache.internal:6379/0"  # no server needed: a Redis client connects on first use
    assert store_name(RedisProfileStore(url)) == "redis://cache.internal:6379/0"
    assert store_name(RedisTemplateStore(url, "yunmao:template:", durability=None)) == "redis://cache.internal:6379/0"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once closed: nothing listens there


def test_an_unreachable_redis_store_is_named_without_its_password() -> None:
    url = f"redis://:{SECRET}@127.0.0.1:{_closed_port()}/0"
    stream = RedisStream(url, "yunmao:feedback", 0.5, "feedback store", None)
    with pytest.raises(StoreUnavailable) as caught:
        stream.check()
    assert "unreachable" in str(caught.value) and "127.0.0.1" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_an_unsupported_store_url_is_refused_without_its_password() -> None:
    url = f"memcached://admin:{SECRET}@cache.internal:11211"
    with pytest.raises(ValueError, match="unsupported profile store URL") as profile:
        open_profile_store(ProfileStoreConfig(), url)
    with pytest.raises(ValueError, match="unsupported template store URL") as template:
        open_template_store(load_campaigns_config().reputation, url)
    assert SECRET not in str(profile.value) and SECRET not in str(template.value)
    assert "cache.internal" in str(profile.value)
