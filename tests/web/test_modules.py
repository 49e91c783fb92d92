"""The staff pages' ES modules as files, without a browser: every import names a served
module and something it exports, no module is served that nothing loads, each stays
short, and no label table is kept in a script or a page (bot/labels.py is the one
source, served by GET /labels)."""

from __future__ import annotations

import posixpath
import re

import pytest

from bot.channels import pages
from bot.labels import label_tables

IMPORT = re.compile(r'^import \{([^}]*)\} from "([^"]+)";', re.M)
EXPORT = re.compile(r"^export (?:async )?(?:function|const|let) ([\w$]+)", re.M)
ENTRIES = ("console.js", "supervisor.js")
SCRIPTS = [name for name, kind in pages.ASSETS.items() if kind.startswith("text/javascript")]
MODULES = [name for name in SCRIPTS if name not in ("chat.js", "socket.io.min.js")]


def source(name: str) -> str:
    return pages.page(name)[0].decode("utf-8")


def imports(name: str):
    """(names, module) of every import of a module, the module's path resolved."""
    for names, target in IMPORT.findall(source(name)):
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
        yield [n.strip() for n in names.split(",") if n.strip()], resolved


@pytest.mark.parametrize("name", MODULES)
def test_every_import_is_a_served_module_and_an_export_of_it(name):
    for names, target in imports(name):
        assert target in pages.ASSETS, (name, target)
        exported = set(EXPORT.findall(source(target)))
        assert set(names) <= exported, (name, target, set(names) - exported)


def test_every_module_is_loaded_by_a_page():
    reached, todo = set(), list(ENTRIES)
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(target for _, target in imports(name))
    assert reached == set(MODULES)
    for page in ("console", "supervisor"):
        html = pages.page(page)[0].decode()
        assert f'<script type="module" src="static/{page}.js"></script>' in html


@pytest.mark.parametrize("name", MODULES)
def test_modules_are_short(name):
    assert len(source(name).splitlines()) <= 300


def test_no_label_table_is_kept_in_a_script_or_a_page():
    texts = {name: source(name) for name in SCRIPTS}
    texts.update({name: pages.page(name)[0].decode() for name in pages.PAGES})
    for table, labels in label_tables().items():
        for code, label in labels.items():
            pair = re.compile(rf"""["']?\b{code}\b["']?\s*:\s*["']{re.escape(label)}["']""")
            option = re.compile(rf"""<option value="{code}">\s*{re.escape(label)}""")
            for name, text in texts.items():
                assert not pair.search(text), (table, code, name)
                assert not option.search(text), (table, code, name)
