"""Rasa's check of the action server's responses, with the schema checked once, not per call.

Rasa 3.6 checks every action-server response with `jsonschema.validate(response, schema)`.
That function first checks the schema itself against the JSON Schema meta-schema, and
Rasa's response schema (every event type) is large: about 6 ms of CPU per call here, a
fifth of a Rasa replica's work per message (docs/operations.md, What each choice bought),
for a schema that is a constant of Rasa's code. This module builds the validator once,
checking the schema then, and validates each response exactly as before: same schema, same
error, same message. Every Rasa process imports it through `stores` (endpoints.yml).

Only Rasa 3.6's `RemoteAction` is changed, and only if its check is the one this module
replaces; otherwise Rasa's own check stays and a warning says so.
"""

from __future__ import annotations

import logging
from typing import Any, Dict

import jsonschema
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

logger = logging.getLogger(__name__)

# The text Rasa adds to a validation error (rasa/core/actions/action.py, 3.6).
_RASA_HINT = (
    ". Failed to validate Action server response from API, "
    "make sure your response from the Action endpoint is valid. "
    "For more information about the format visit "
    f"{DOCS_BASE_URL}/custom-actions"
)

_RASA_CHECK = RemoteAction._validate_action_result


def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)  # what jsonschema.validate does on every call
    return cls(schema)


_RESPONSE_VALIDATOR = _validator()


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result`, with the validator built once."""
    error = best_match(_RESPONSE_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += _RASA_HINT
        raise error
    return True


def install() -> bool:
    """Use `validate_action_result` in RemoteAction; False if Rasa's check is not the
    expected one (another Rasa version), which then stays."""
    import rasa

    if RemoteAction._validate_action_result is validate_action_result:
        return True
    if not rasa.__version__.startswith("3.6.") or _RASA_CHECK.__qualname__ != (
        "RemoteAction._validate_action_result"
    ):
        logger.warning(
            "Rasa %s: keeping Rasa's own check of action-server responses.", rasa.__version__
        )
        return False
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    return True
