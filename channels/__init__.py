"""Rasa input channels made safe to expose, named in credentials.yml by module path.

Each subclasses Rasa's own connector and keeps its name, so URLs stay Rasa's:
`/webhooks/rest/webhook`, socket.io at `/socket.io`, `/webhooks/telegram/webhook`.
"""
