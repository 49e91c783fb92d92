from pathlib import Path

import pytest

from bot.config import ConfigError, RedisTarget, Settings


def test_defaults_use_an_embedded_redis_on_a_port_that_is_not_6379():
    settings = Settings.from_env({})
    assert settings.redis_url is None
    assert settings.redis_target() == RedisTarget("127.0.0.1", 6390, 0, "")
    assert settings.host == "127.0.0.1"
    assert settings.model_path == Path("models/kefu.tar.gz")


def test_redis_url_is_split_for_endpoints_yml():
    settings = Settings.from_env({"REDIS_URL": "redis://:s3cret@cache.internal:6400/2"})
    target = settings.redis_target()
    assert target == RedisTarget("cache.internal", 6400, 2, "s3cret")
    assert target.endpoint_env() == {
        "REDIS_HOST": "cache.internal",
        "REDIS_PORT": "6400",
        "REDIS_DB": "2",
        "REDIS_PASSWORD": "s3cret",
    }
    assert target.url == "redis://:s3cret@cache.internal:6400/2"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"REDIS_URL": "http://localhost"}, "is not a redis://host:port/db URL"),
        ({"REDIS_URL": "redis://localhost/abc"}, "bad port or database"),
        ({"KEFU_RASA_PORT": "eighty"}, "KEFU_RASA_PORT must be a port number"),
        ({"KEFU_REDIS_PORT": "70000"}, "KEFU_REDIS_PORT must be a port number"),
        ({"KEFU_LIBRARY_RATE": "0"}, "KEFU_LIBRARY_RATE must be a positive whole number"),
        ({"KEFU_LIBRARY_RATE": "lots"}, "KEFU_LIBRARY_RATE must be a positive whole number"),
    ],
)
def test_bad_settings_fail_with_a_sentence(environ, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(environ)


def test_assist_settings_have_defaults_and_fail_in_words():
    settings = Settings.from_env({})
    assert settings.demo_password == "kefu-demo" and settings.token_ttl == 8 * 3600
    assert not settings.load_demo
    assert Settings.from_env({"KEFU_LOAD_DEMO": "1", "KEFU_TOKEN_TTL": "60"}).token_ttl == 60
    with pytest.raises(ConfigError, match="KEFU_TOKEN_TTL"):
        Settings.from_env({"KEFU_TOKEN_TTL": "soon"})


def test_a_tls_url_stays_tls_with_its_options():
    url = "rediss://kefu:p%40ss@cache.example:6380/1?ssl_ca_certs=/etc/ssl/ca.pem"
    target = Settings.from_env({"REDIS_URL": url}).redis_target()
    assert target.tls and (target.username, target.password) == ("kefu", "p@ss")
    assert target.url == url
    assert target.endpoint_env()["REDIS_PASSWORD"] == "p@ss"
    assert not Settings.from_env({}).redis_target().tls


def test_the_tracker_ttl_is_seconds_or_unset():
    assert Settings.from_env({}).tracker_ttl is None
    assert Settings.from_env({"KEFU_TRACKER_TTL": "0"}).tracker_ttl is None
    assert Settings.from_env({"KEFU_TRACKER_TTL": "2592000"}).tracker_ttl == 2592000
    with pytest.raises(ConfigError, match="KEFU_TRACKER_TTL"):
        Settings.from_env({"KEFU_TRACKER_TTL": "30d"})


def test_cors_origins_are_kept_as_browsers_send_them_and_fail_in_words():
    assert Settings.from_env({}).cors_origins == ()
    raw = " https://Shop.Example/ , http://127.0.0.1:8080,https://shop.example:443,, http://[::1]:3000"
    assert Settings.from_env({"KEFU_CORS_ORIGINS": raw}).cors_origins == (
        "https://shop.example",
        "http://127.0.0.1:8080",
        "http://[::1]:3000",
    )
    for bad in ("*", "https://shop.example/chat", "shop.example", "ftp://x", "https://a:99999"):
        with pytest.raises(ConfigError, match="KEFU_CORS_ORIGINS: .* is not an origin"):
            Settings.from_env({"KEFU_CORS_ORIGINS": bad})


def test_the_kind_of_business_is_a_setting_and_unset_by_default():
    assert Settings.from_env({}).business is None
    assert Settings.from_env({"KEFU_BUSINESS": " hotel "}).business == "hotel"
    assert Settings.from_env({"KEFU_BUSINESS": ""}).business is None


def test_the_qa_first_response_threshold_is_seconds():
    assert Settings.from_env({}).qa_first_response_s == 60
    assert Settings.from_env({"KEFU_QA_FIRST_RESPONSE_S": "90"}).qa_first_response_s == 90
    with pytest.raises(ConfigError, match="KEFU_QA_FIRST_RESPONSE_S"):
        Settings.from_env({"KEFU_QA_FIRST_RESPONSE_S": "a minute"})
