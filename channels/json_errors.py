"""Errors of Rasa's web server answered in JSON, and `GET /` without Rasa's version.

Sanic renders its own errors (a body that is not JSON, a 404, a 413, a 500) as an HTML page
when the client looks like a browser, and Rasa answers `GET /` with "Hello from Rasa:
3.6.21", which tells a scanner which advisories to try. Rasa builds the Sanic app itself;
a channel's blueprint only reaches the app through its listeners, so every channel installs
this at start-up (`install`, once per app).
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from sanic import Sanic, response
from sanic.helpers import STATUS_CODES
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

SERVER_ERROR = "Something went wrong on our side; please try again."


def install(app: Sanic, _: Any = None) -> None:
    """A `before_server_start` listener: JSON errors and a version-free `GET /` for `app`."""
    if getattr(app.ctx, "json_errors", False):
        return
    app.ctx.json_errors = True
    # Rasa's own handlers (the HTTP API's ErrorResponse) match more exactly and still apply.
    app.error_handler.add(Exception, json_error)
    app.register_middleware(status_without_version, "request")


def json_error(request: Optional[Request], exception: Exception) -> HTTPResponse:
    status = getattr(exception, "status_code", 500)
    if status >= 500:
        logger.exception(f"Error answering {request.path if request else 'a request'}")
        message = SERVER_ERROR  # the details are in the log, not for the client
    else:
        message = str(exception)
    description = STATUS_CODES.get(status, b"Error").decode()
    return response.json(
        {"status": status, "description": description, "message": message or description},
        status=status,
        headers=getattr(exception, "headers", None),
    )


async def status_without_version(request: Request) -> Optional[HTTPResponse]:
    # Replaces Rasa's root route, which Rasa registers before any channel.
    if request.path == "/" and request.method == "GET":
        return response.json({"status": "ok"})
    return None
