"""The import rules of docs/design.md#layers, checked on the source (``ast``; nothing is imported).

Every ``import`` and ``from … import`` in bot/ and actions/ counts, at module level or
inside a function (a lazy import is still a dependency). A rule names the modules it
applies to, the imports they may not make, the imports it still allows among those, and
the exceptions known today. A known exception is a debt (docs/design.md#known-exceptions):
one that no longer happens fails the test too, so the list only shrinks.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent

Graph = Dict[str, FrozenSet[str]]

# the domain packages of bot/ (docs/design.md#layers)
DOMAIN = (
    "bot.nlu",
    "bot.assist",
    "bot.policy",
    "bot.knowledge",
    "bot.log",
    "bot.store",
    "bot.dialogue",
)
# HTTP servers and clients and sockets: the process edges own them
WEB = ("sanic", "sanic_cors", "socketio", "aiohttp", "requests", "httpx", "urllib.request")
# the glue: channels and pages, the per-process objects, the launcher, the demo loader, actions
GLUE = ("bot.channels", "bot.web", "bot.services", "bot.launcher", "bot.demo", "actions")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path, root: Path = ROOT) -> Set[str]:
    """Every name ``path`` imports; ``from a import b`` gives ``a`` and ``a.b`` (``b`` may
    be a module); relative imports are made absolute."""
    name = module_name(path, root)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def scan(root: Path, packages: Iterable[str] = ("bot", "actions")) -> Graph:
    files = [p for package in packages for p in sorted((root / package).rglob("*.py"))]
    return {module_name(p, root): frozenset(imported_names(p, root)) for p in files}


@lru_cache(maxsize=1)
def project() -> Graph:
    return scan(ROOT)


def within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def own_package(module: str) -> str:
    """``bot.nlu`` for ``bot.nlu.tokenizer``; ``actions`` for ``actions.stages``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "bot" and len(parts) > 1 else parts[0]


@dataclass(frozen=True)
class Rule:
    """Modules under ``applies_to`` (but not under ``except_in``) import nothing under
    ``forbids`` except what is under ``allows``, or their own package."""

    text: str
    applies_to: Tuple[str, ...]
    forbids: Tuple[str, ...]
    except_in: Tuple[str, ...] = ()
    allows: Tuple[str, ...] = ()
    known: FrozenSet[Tuple[str, str]] = frozenset()  # (module, what it imports)

    def violations(self, graph: Graph) -> Set[Tuple[str, str]]:
        """(module, import) pairs; ``from a import b`` counts once, as ``a``."""
        found = {
            (module, name)
            for module, names in graph.items()
            if within(module, self.applies_to) and not within(module, self.except_in)
            for name in names
            if within(name, self.forbids)
            and not within(name, self.allows)
            and not within(name, (own_package(module),))
        }
        return {(m, n) for m, n in found if not any((m, p) in found for p in _parents(n))}

    def unknown(self, found: Set[Tuple[str, str]]) -> Set[Tuple[str, str]]:
        return {
            (m, n) for m, n in found if not any(m == k and within(n, (i,)) for k, i in self.known)
        }


def _parents(name: str) -> Iterable[str]:
    parts = name.split(".")
    return (".".join(parts[:i]) for i in range(1, len(parts)))


RULES = (
    Rule(
        "only bot/channels speaks HTTP and socket.io: nothing else in bot/ imports sanic, "
        "socketio or Rasa's input channels",
        applies_to=("bot",),
        except_in=("bot.channels",),
        forbids=("sanic", "sanic_cors", "socketio", "rasa.core.channels"),
    ),
    Rule(
        "the domain packages use no web framework and no HTTP client",
        applies_to=DOMAIN,
        forbids=WEB,
    ),
    Rule(
        "the domain packages never reach up into the glue",
        applies_to=DOMAIN,
        forbids=GLUE,
    ),
    Rule(
        "rasa_sdk belongs to the action server: nothing in bot/ imports it",
        applies_to=("bot",),
        forbids=("rasa_sdk",),
    ),
    Rule(
        "the actions are thin: no Rasa server internals, no web framework, no channels",
        applies_to=("actions",),
        forbids=("rasa", "bot.channels", *WEB),
    ),
    Rule(
        "what the agent is told, the policy, the knowledge and the log are Rasa-free",
        applies_to=("bot.assist", "bot.policy", "bot.knowledge", "bot.log"),
        forbids=("rasa", "rasa_sdk"),
    ),
    Rule(
        "pure logic touches no Redis: its facts come in as arguments",
        applies_to=(
            "bot.nlu",
            "bot.assist",
            "bot.policy",
            "bot.knowledge",
            "bot.dialogue",
            "bot.log.qa",
            "bot.log.kpis",
            "bot.log.pii",
            "bot.log.schema",
            "bot.log.export",
            "bot.log.parts",
        ),
        forbids=("redis",),
    ),
    Rule(
        "the NLU is the bottom layer: bot/nlu imports no other bot package",
        applies_to=("bot.nlu",),
        forbids=("bot",),
    ),
    Rule(
        "the dialogue policy imports no other bot package",
        applies_to=("bot.dialogue",),
        forbids=("bot",),
    ),
    Rule(
        "the knowledge articles build on the NLU's segmenter and nothing else of bot/",
        applies_to=("bot.knowledge",),
        forbids=("bot",),
        allows=("bot.nlu",),
    ),
    Rule(
        "the compensation policy stands alone: nothing of bot/ outside bot/policy but the labels",
        applies_to=("bot.policy",),
        forbids=("bot",),
        allows=("bot.labels",),
    ),
    Rule(
        "the label tables are the bottom layer: they import nothing of bot/",
        applies_to=("bot.labels",),
        forbids=("bot",),
    ),
    Rule(
        "the outcome log builds only on the store",
        applies_to=("bot.log",),
        forbids=("bot",),
        allows=("bot.store",),
    ),
    Rule(
        "the store keeps records and decides nothing: only the settings and the policy's "
        "typed facts from the rest of bot/",
        applies_to=("bot.store",),
        forbids=("bot",),
        allows=("bot.config", "bot.policy"),
    ),
    Rule(
        "what the agent is told reads the log only through its masking",
        applies_to=("bot.assist",),
        forbids=("bot.log", "bot.dialogue"),
        allows=("bot.log.pii",),
    ),
)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.text.split(":")[0][:50])
def test_rule(rule: Rule) -> None:
    found = rule.violations(project())
    new = sorted(rule.unknown(found))
    assert not new, f"{rule.text}:\n" + "\n".join(f"  {m} imports {n}" for m, n in new)
    gone = sorted(
        (k, i) for k, i in rule.known if not any(m == k and within(n, (i,)) for m, n in found)
    )
    assert not gone, f"no longer happens, delete from the rule's known exceptions: {gone}"


def test_the_scan_sees_the_project() -> None:
    graph = project()
    assert {"actions.stages", "bot.channels.assist", "bot.policy.engine", "bot.nlu"} <= set(graph)
    assert "rasa_sdk" in graph["actions.stages"]
    assert "bot.policy.model" in graph["bot.policy.engine"]


def test_relative_and_lazy_imports_count(tmp_path: Path) -> None:
    sub = tmp_path / "bot" / "assist"
    sub.mkdir(parents=True)
    (sub / "mod.py").write_text(
        "from . import sibling\nfrom ..store import keys\ndef f():\n    import sanic.response\n",
        encoding="utf-8",
    )
    graph = scan(tmp_path, ("bot",))
    assert graph["bot.assist.mod"] == {
        "bot.assist",
        "bot.assist.sibling",
        "bot.store",
        "bot.store.keys",
        "sanic.response",
    }
    assert RULES[0].violations(graph) == {("bot.assist.mod", "sanic.response")}


def test_own_package_allowed_exceptions_and_allows() -> None:
    graph = {
        "bot.nlu.a": frozenset({"bot.nlu.b", "bot.store"}),
        "bot.channels.z": frozenset({"sanic"}),
        "bot.assist.s": frozenset({"bot.log.pii", "bot.log.outcomes"}),
    }
    nlu = next(r for r in RULES if r.applies_to == ("bot.nlu",) and r.forbids == ("bot",))
    assert nlu.violations(graph) == {("bot.nlu.a", "bot.store")}
    assert RULES[0].violations(graph) == set()  # bot/channels may
    assert RULES[-1].violations(graph) == {("bot.assist.s", "bot.log.outcomes")}
