"""Rasa-side extensions for this project: tracker and lock stores, configured in endpoints.yml
by module path, so every Rasa process that serves the bot imports this package."""

from stores import action_response_check, fail_safe

action_response_check.install()
fail_safe.install()
