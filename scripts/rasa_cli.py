"""Rasa's command line, with the HTTP API's secrets from the environment, not the command line.

    python scripts/rasa_cli.py run --model models/careers.tar.gz ...

Rasa takes its API token and JWT secret only as options (`--auth-token`, `--jwt-secret`), and
a process's command line is readable by every user of the machine (`ps`, /proc/<pid>/cmdline).
This adds them to Rasa's arguments inside the process, from `RASA_AUTH_TOKEN` and
`RASA_JWT_SECRET` or the files `RASA_AUTH_TOKEN_FILE` and `RASA_JWT_SECRET_FILE` name (a
process's environment is readable only by its owner), and runs Rasa's own `main`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Mapping, Optional

# Option of `rasa run` -> the variable that holds its value.
SECRET_OPTIONS = {"--auth-token": "RASA_AUTH_TOKEN", "--jwt-secret": "RASA_JWT_SECRET"}


class SecretError(Exception):
    """A variable names a secret that cannot be read."""


def main(argv: List[str]) -> None:
    try:
        secret_arguments = api_arguments(os.environ)
    except SecretError as error:
        sys.exit(f"rasa_cli.py: {error}")
    if argv[:1] != ["run"]:
        secret_arguments = []  # only `rasa run` serves the HTTP API
    given = [option for option in SECRET_OPTIONS if option in argv]
    if given:
        sys.exit(
            f"rasa_cli.py: pass {', '.join(given)} through the environment, not the command line"
        )
    sys.argv = ["rasa", *argv, *secret_arguments]
    # Python put scripts/ first on the path: none of its files is a module Rasa means.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]
    from rasa.__main__ import main as rasa_main  # Rasa's imports take seconds: only now

    rasa_main()


def api_arguments(environ: Mapping[str, str]) -> List[str]:
    """Rasa's options for the secrets the environment holds: the HTTP API is on only with one."""
    arguments = []
    for option, variable in SECRET_OPTIONS.items():
        value = secret(variable, environ)
        if value:
            arguments += [option, value]
    return ["--enable-api", *arguments] if arguments else []


def secret(variable: str, environ: Mapping[str, str]) -> Optional[str]:
    """The value of `variable`, or of the file `<variable>_FILE` names; None if neither is set."""
    if environ.get(variable):
        return environ[variable]
    path = environ.get(f"{variable}_FILE")
    if not path:
        return None
    try:
        value = Path(path).read_text().strip()
    except OSError as error:
        raise SecretError(f"{variable}_FILE: cannot read {path}: {error.strerror}") from error
    if not value:
        raise SecretError(f"{variable}_FILE: {path} is empty")
    return value


if __name__ == "__main__":
    main(sys.argv[1:])
