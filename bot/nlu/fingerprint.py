"""Fingerprints for Rasa's training cache.

Rasa re-uses a trained graph node when its fingerprint is unchanged; by default that
fingerprint covers the node's config and inputs, not the component's code or the files
it reads. :func:`fingerprint` adds both, so editing a component, a dictionary or the
escalation cues retrains what it affects, and nothing else.
"""

from __future__ import annotations

import hashlib
import inspect
from pathlib import Path
from types import ModuleType
from typing import Iterable


def fingerprint(modules: Iterable[ModuleType], files: Iterable[Path] = ()) -> str:
    """A hash of the source of ``modules`` and the content of ``files`` (missing ones too)."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(inspect.getsource(module).encode())
    for path in sorted(Path(f) for f in files):
        digest.update(str(path).encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()
