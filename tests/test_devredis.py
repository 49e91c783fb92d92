import pytest
import redis

from bot.devredis import start
from tests.conftest import free_port


def test_the_embedded_server_is_a_real_redis_with_streams(redis_client):
    redis_client.xadd("kefu:test", {"event": "shown"})
    assert redis_client.xlen("kefu:test") == 1
    assert redis_client.info("server")["redis_version"].startswith("6.")


def test_data_survives_a_restart_through_the_append_only_file(tmp_path):
    port = free_port()
    server = start(tmp_path, port)
    redis.Redis(port=port).set("kefu:budget:agent1", 1500)
    server.stop()
    assert (tmp_path / "appendonly.aof").exists()
    server = start(tmp_path, port)
    try:
        assert redis.Redis(port=port).get("kefu:budget:agent1") == b"1500"
    finally:
        server.stop()


def test_a_port_another_redis_holds_is_an_error_not_that_redis(redis_server, tmp_path):
    from bot.devredis import RedisStartError

    with pytest.raises(RedisStartError, match="exited"):
        start(tmp_path, redis_server.port)
    assert redis.Redis(port=redis_server.port).ping()  # the other server is untouched
