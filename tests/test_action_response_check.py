"""Rasa's check of action-server responses: the same verdicts with the validator built once."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from stores import action_response_check

VALID = {
    "events": [{"event": "slot", "timestamp": None, "name": "job", "value": "qa_manager"}],
    "responses": [{"text": "A QA manager earns...", "buttons": []}],
}
INVALID = [
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot", "name": 3}], "responses": []},
    {"events": [], "responses": ["not an object"]},
]


def rasa_check(result: dict) -> None:
    """What Rasa 3.6 does, validator and schema check included, on every call."""
    jsonschema.validate(result, RemoteAction.action_response_format_spec())


def test_rasa_uses_the_validator_built_once():
    assert action_response_check.install()  # importing `stores` installed it already
    assert RemoteAction._validate_action_result is action_response_check.validate_action_result


def test_a_valid_response_passes_as_in_rasa():
    rasa_check(VALID)
    assert RemoteAction("action_answer_salary", None)._validate_action_result(VALID)


@pytest.mark.parametrize("result", INVALID)
def test_an_invalid_response_fails_with_rasas_error(result):
    with pytest.raises(jsonschema.ValidationError) as rasa_error:
        rasa_check(result)
    with pytest.raises(jsonschema.ValidationError) as error:
        RemoteAction("action_answer_salary", None)._validate_action_result(result)

    assert error.value.message.startswith(rasa_error.value.message)
    assert "Failed to validate Action server response" in error.value.message
