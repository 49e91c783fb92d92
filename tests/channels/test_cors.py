"""KEFU_CORS_ORIGINS: pages on the listed websites may use the customer socket and the REST
assist API; any other origin gets no CORS header and no socket. In-process (tests/channels/
inprocess.py): a real Rasa app with our channels and a real Redis, no model."""

from __future__ import annotations

import json

import aiohttp
import pytest
import socketio

from bot.channels.cors import origin_allowed
from tests.channels.inprocess import serving

SHOP = "http://shop.test:8080"
EVIL = "http://evil.test"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type,authorization",
}


async def socketio_connect(
    http: aiohttp.ClientSession, base: str, connect: str, origin: str
) -> str:
    """What a browser's socket.io client gets for its namespace CONNECT packet, by hand
    (Engine.IO 4 polling): the server's answer packet."""
    url = base + "/socket.io/?EIO=4&transport=polling"
    headers = {"Origin": origin}
    async with http.get(url, headers=headers) as r:
        sid = json.loads((await r.text())[1:])["sid"]
    async with http.post(f"{url}&sid={sid}", data=connect, headers=headers) as r:
        assert await r.text() == "OK"
    async with http.get(f"{url}&sid={sid}", headers=headers) as r:
        return await r.text()


def cors_headers(response: aiohttp.ClientResponse) -> dict:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control")}


@pytest.fixture()
def environ(redis_server, tmp_path) -> dict:
    return {
        "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0",
        "KEFU_DATA_DIR": str(tmp_path),
        "KEFU_CORS_ORIGINS": f"{SHOP}, https://other.test",
    }


async def test_a_listed_origin_gets_its_preflight_and_headers_on_every_answer(environ):
    async with serving(environ) as server, aiohttp.ClientSession() as http:
        assist = server["base"] + "/webhooks/assist"
        async with http.options(assist + "/login", headers={"Origin": SHOP, **PREFLIGHT}) as r:
            assert r.status == 200
            assert cors_headers(r) == {
                "Access-Control-Allow-Origin": SHOP,
                "Access-Control-Allow-Methods": "GET, OPTIONS, POST",
                "Access-Control-Allow-Headers": "authorization, content-type",
                "Access-Control-Max-Age": "600",
                "Access-Control-Expose-Headers": "Retry-After",
            }
            assert r.headers["Vary"] == "Origin"
        # answers of every kind: a success, a refusal in words, an unknown route
        for method, path, body, status in (
            ("GET", "/health", None, 200),
            ("POST", "/login", b"{}", 400),
            ("GET", "/conversations", None, 401),
            ("GET", "/no-such-route", None, 404),
        ):
            async with http.request(
                method, assist + path, data=body, headers={"Origin": SHOP}
            ) as r:
                assert r.status == status, path
                assert r.headers["Access-Control-Allow-Origin"] == SHOP, path
                assert "Access-Control-Allow-Credentials" not in r.headers  # bearer tokens only
        async with http.get(
            server["base"] + "/socket.io/?EIO=4&transport=polling", headers={"Origin": SHOP}
        ) as r:
            assert r.status == 200 and r.headers["Access-Control-Allow-Origin"] == SHOP
        for connect in ("40", '40/agent,{"token":"x"}'):
            answer = await socketio_connect(http, server["base"], connect, SHOP)
            # the customer is in; the agent namespace is open to the origin, but the token
            # is checked as ever
            assert answer.startswith("40{" if connect == "40" else "44/agent"), answer


async def test_any_other_origin_gets_no_cors_header_and_no_socket(environ):
    async with serving(environ) as server, aiohttp.ClientSession() as http:
        assist = server["base"] + "/webhooks/assist"
        for origin in (EVIL, "null", SHOP + ".evil.test", "http://shop.test:8081"):
            async with http.options(
                assist + "/login", headers={"Origin": origin, **PREFLIGHT}
            ) as r:
                assert cors_headers(r) == {}, origin
            async with http.get(assist + "/health", headers={"Origin": origin}) as r:
                assert r.status == 200 and cors_headers(r) == {}, origin
            async with http.get(
                server["base"] + "/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}
            ) as r:
                assert cors_headers(r) == {}, origin
            for connect in ("40", '40/agent,{"token":"x"}'):  # customers; agents
                assert (await socketio_connect(http, server["base"], connect, origin)).startswith(
                    "44"  # CONNECT_ERROR: refused
                ), (origin, connect)
        # Rasa's own routes and our pages stay same-origin only, listed origin or not
        for path in ("/webhooks/live/chat", "/webhooks/live/static/chat.js", "/"):
            async with http.get(server["base"] + path, headers={"Origin": SHOP}) as r:
                assert cors_headers(r) == {}, path


async def test_unset_means_the_servers_own_pages_only_as_before(environ):
    environ["KEFU_CORS_ORIGINS"] = ""
    async with serving(environ) as server, aiohttp.ClientSession() as http:
        async with http.options(
            server["base"] + "/webhooks/assist/login", headers={"Origin": SHOP, **PREFLIGHT}
        ) as r:
            assert cors_headers(r) == {}
        own = server["base"]  # the chat page's origin: the same host and port
        assert (await socketio_connect(http, server["base"], "40", own)).startswith("40{")
        assert (await socketio_connect(http, server["base"], "40", SHOP)).startswith("44")
        customer = socketio.AsyncClient(reconnection=False)  # no Origin: not a browser
        await customer.connect(server["base"], transports=["polling"])
        assert customer.connected
        await customer.eio.disconnect(abort=True)


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),
        ({"HTTP_ORIGIN": "https://kefu.example", "HTTP_HOST": "kefu.example"}, True),
        ({"HTTP_ORIGIN": "https://kefu.example", "HTTP_HOST": "kefu.example:443"}, True),
        ({"HTTP_ORIGIN": "https://KEFU.example", "HTTP_HOST": "kefu.example"}, True),
        (  # behind a proxy that says where the request was sent
            {
                "HTTP_ORIGIN": "https://kefu.example",
                "HTTP_HOST": "10.0.0.5:5005",
                "HTTP_X_FORWARDED_HOST": "kefu.example",
            },
            True,
        ),
        ({"HTTP_ORIGIN": "https://shop.example", "HTTP_HOST": "kefu.example"}, True),  # listed
        ({"HTTP_ORIGIN": "https://evil.example", "HTTP_HOST": "kefu.example"}, False),
        ({"HTTP_ORIGIN": "null", "HTTP_HOST": "kefu.example"}, False),
        ({"HTTP_ORIGIN": "https://kefu.example:8443", "HTTP_HOST": "kefu.example"}, False),
    ],
)
def test_which_origins_may_open_a_socket(headers, allowed):
    assert origin_allowed(headers, ("https://shop.example",)) is allowed
