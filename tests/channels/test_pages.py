"""The files the live channel serves, and nothing else."""

from __future__ import annotations

import re

import pytest

from bot.channels import pages


def test_every_listed_page_and_asset_exists_and_has_its_type():
    for name in (*pages.PAGES, *pages.ASSETS):
        body, content_type = pages.page(name)
        assert body and content_type.endswith("charset=utf-8")


@pytest.mark.parametrize("name", ["../config.py", "chat.html", "nope.js", "", "vendor"])
def test_anything_else_is_unknown(name):
    with pytest.raises(KeyError):
        pages.page(name)


def test_pages_load_only_listed_assets_and_no_inline_script():
    for name in pages.PAGES:
        html = pages.page(name)[0].decode()
        for asset in re.findall(r'(?:src|href)="static/([^"]+)"', html):
            assert asset in pages.ASSETS, (name, asset)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # every script is a file
        assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
