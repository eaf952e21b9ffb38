"""Secrets in cluster mode and docker-compose: no default passwords (a start without them is
refused, saying which), Redis with a password at a supported version, and the HTTP API's token
and JWT secret handed to Rasa inside the process (scripts/rasa_cli.py), not on a command line.
Without servers; the command lines of running servers: tests/test_security.py,
tests/test_cluster.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts.rasa_cli import SecretError, api_arguments

ROOT = Path(__file__).resolve().parent.parent
SECRET_VARIABLE = re.compile(r"PASSWORD|TOKEN|SECRET")
# Redis releases with upstream support at the end of 2026 (7.0 ended in 2024).
SUPPORTED_REDIS = {"7.2", "7.4", "8.0", "8.2"}


@pytest.fixture(scope="module")
def compose_text() -> str:
    return (ROOT / "docker-compose.yml").read_text()


@pytest.fixture(scope="module")
def services(compose_text) -> dict:
    return yaml.safe_load(compose_text)["services"]


def test_compose_has_no_default_for_any_password_token_or_secret(compose_text):
    defaults = re.findall(r"\$\{(\w+):-([^}]*)\}", compose_text)
    assert [(var, value) for var, value in defaults if SECRET_VARIABLE.search(var) and value] == []
    required = set(re.findall(r"\$\{(\w+):\?[^}]+\}", compose_text))
    needed = {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "ACTIONS_TOKEN", "SOCKETIO_SESSION_SECRET"}
    assert needed <= required


def test_compose_redis_is_supported_and_requires_the_password_from_a_file(services):
    redis = services["redis"]
    image, _, tag = redis["image"].partition(":")
    assert image == "redis" and tag in SUPPORTED_REDIS
    start = " ".join(redis["command"])
    assert "requirepass" in start and "$$REDIS_PASSWORD" in start
    redis_server = start[start.index("redis-server") :]
    assert "PASSWORD" not in redis_server and "--requirepass" not in redis_server
    for replica in (s for name, s in services.items() if name.startswith("rasa-")):
        assert replica["environment"]["REDIS_PASSWORD"] == redis["environment"]["REDIS_PASSWORD"]


def test_lock_store_sends_the_redis_password():
    endpoints = yaml.safe_load((ROOT / "deploy/endpoints.yml").read_text())
    assert endpoints["lock_store"]["password"] == "${REDIS_PASSWORD}"


def test_compose_replicas_start_rasa_with_no_secret_on_the_command_line(services):
    for name, service in services.items():
        if not name.startswith("rasa-"):
            continue
        assert service["entrypoint"] == ["python", "scripts/rasa_cli.py"]
        assert "./scripts/rasa_cli.py:/app/scripts/rasa_cli.py:ro" in service["volumes"]
        assert not re.search(
            r"--auth-token|--jwt-secret|\$\{", service["command"].split("--cors")[0]
        )
        assert {"RASA_AUTH_TOKEN", "RASA_JWT_SECRET"} <= set(service["environment"])


def test_run_sh_gives_rasa_no_secret_on_its_command_line():
    run_sh = (ROOT / "scripts/run.sh").read_text()
    assert "--auth-token" not in run_sh and "--jwt-secret" not in run_sh
    assert "scripts/rasa_cli.py run" in run_sh


@pytest.mark.parametrize("missing", ["POSTGRES_PASSWORD", "REDIS_PASSWORD"])
def test_cluster_mode_refuses_to_start_without_a_password_naming_it(missing):
    env = {**os.environ, "POSTGRES_PASSWORD": "p", "REDIS_PASSWORD": "r", "NGINX": "/nonexistent"}
    del env[missing]
    result = subprocess.run(
        [str(ROOT / "scripts/cluster.sh")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert f"set {missing}" in result.stderr
    assert "logs in" not in result.stderr  # refused before starting anything


def test_api_secrets_come_from_the_environment_or_a_file(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("from-a-file\n")
    assert api_arguments({}) == []  # no secret, no HTTP API
    assert api_arguments({"RASA_AUTH_TOKEN": "t"}) == ["--enable-api", "--auth-token", "t"]
    assert api_arguments({"RASA_AUTH_TOKEN_FILE": str(token_file), "RASA_JWT_SECRET": "j"}) == [
        "--enable-api",
        "--auth-token",
        "from-a-file",
        "--jwt-secret",
        "j",
    ]
    with pytest.raises(SecretError, match="RASA_JWT_SECRET_FILE: cannot read"):
        api_arguments({"RASA_JWT_SECRET_FILE": str(tmp_path / "missing")})
    token_file.write_text("\n")
    with pytest.raises(SecretError, match="is empty"):
        api_arguments({"RASA_AUTH_TOKEN_FILE": str(token_file)})


def test_rasa_cli_refuses_a_secret_on_its_command_line():
    result = subprocess.run(
        [sys.executable, "scripts/rasa_cli.py", "run", "--auth-token", "x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "through the environment" in result.stderr
