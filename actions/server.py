"""The action server, private: rasa_sdk's server on loopback, answering only Rasa.

rasa_sdk 3.6 listens on every address and runs any request it is sent: one 30,000-word
message posted straight to it took 10.7 s of CPU while every user's reply waited. So this
entry point runs rasa_sdk's own Sanic app (`rasa_sdk.endpoint.create_app`) with two
changes:

- it binds to `ACTIONS_HOST`, 127.0.0.1 unless set (containers set 0.0.0.0 inside their
  network);
- every request but `/health` must carry `Authorization: Bearer <ACTIONS_TOKEN>`, which
  Rasa sends from the endpoints file (`action_endpoint.headers`); others get a 401.
  A header, not Rasa's `token` query parameter: URLs end up in access logs.

    ACTIONS_TOKEN=... python -m actions.server --actions actions --port 5055

Takes rasa_sdk's command-line options. The token comes from the environment only, so it
is not visible in `ps`; without one the server refuses to start.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Optional

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
TOKEN_VARIABLE = "ACTIONS_TOKEN"
# A liveness check: no data, no work, and what health checks and the tests poll.
OPEN_PATHS = frozenset({"/health"})


def main() -> None:
    args = create_argument_parser().parse_args()
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not token.strip():
        raise SystemExit(
            f"actions.server: set {TOKEN_VARIABLE} (scripts/run.sh makes one per start); "
            "Rasa sends it with every call (endpoints.yml)."
        )
    host = os.environ.get("ACTIONS_HOST", DEFAULT_HOST)
    _configure_logging(args)

    app = create_app(args.actions, cors_origins=args.cors, auto_reload=args.auto_reload)
    require_token(app, token)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info("Action server on %s:%s, for requests with the token only", host, args.port)
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())


def require_token(app: Sanic, token: str) -> None:
    """Refuse, before any action runs, every request to `app` without the bearer token."""

    @app.on_request
    async def check_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        if not is_authorized(request.headers.get("Authorization"), token):
            return response.json({"error": "Missing or wrong action server token."}, status=401)
        return None


def is_authorized(authorization: Optional[str], token: str) -> bool:
    """Whether an Authorization header is `Bearer <token>`, compared in constant time."""
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def _configure_logging(args) -> None:
    """What `python -m rasa_sdk` does before it starts the server."""
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()


if __name__ == "__main__":
    main()
