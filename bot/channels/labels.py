"""``GET /labels``: the label tables of :mod:`bot.labels`, for the staff pages.

Mounted on the assist channel's blueprint (``/webhooks/assist/labels``) by
:func:`add_routes`. No login is needed: the labels are the names of codes (complaint
types, stages, moods …), no record of anyone, and they were served without a login
before, inside the pages' scripts. Answering before a login lets a page fill its menus
while the login form is still on screen.
"""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.labels import label_tables


def add_routes(bp: Blueprint) -> None:
    @bp.get("/labels")
    async def labels(_: Request) -> HTTPResponse:
        return response.json(label_tables(), headers={"Cache-Control": "no-cache"})
