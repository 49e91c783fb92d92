"""One measured fix to Rasa's hot path, installed by the assist channel in the Rasa server.

Rasa 3.6 checks every action server response with ``jsonschema.validate``, which checks
the schema itself first and builds a new validator on every call: with jsonschema 4.17
that was half of the Rasa server's time per customer turn (py-spy, bench/assist_latency.py).
:func:`install` replaces ``RemoteAction._validate_action_result`` by the same check with
one validator built once; invalid responses are still refused with the same error.
"""

from __future__ import annotations

import functools
from typing import Any, Dict

_installed = False


@functools.lru_cache(maxsize=1)
def _validator():  # noqa: ANN202
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self, result: Dict[str, Any]) -> bool:  # noqa: ANN001
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


def install() -> None:
    """Idempotent: patch once per process."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result
    _installed = True
