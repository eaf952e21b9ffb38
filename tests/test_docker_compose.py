"""docker-compose.yml runs the cluster configuration the tests exercise (scripts/cluster.sh).

There is no Docker engine here, so these checks read the files: the same endpoints file,
nginx template and settings, and the package versions of requirements.lock.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Set

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def services() -> Dict[str, dict]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


@pytest.fixture(scope="module")
def locked() -> Dict[str, str]:
    """Package name (lower case) -> version pinned in requirements.lock for this Python."""
    versions = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match and ('python_version >= "3.11"' in line or ";" not in line):
            versions[match[1].lower()] = match[2]
    return versions


def replicas(services) -> Dict[str, dict]:
    return {name: s for name, s in services.items() if name.startswith("rasa-")}


def variables_in(path: Path) -> Set[str]:
    return set(re.findall(r"\$\{(\w+)\}", path.read_text()))


def cluster_default(variable: str) -> str:
    match = re.search(rf"{variable}=\$\{{{variable}:-([^}}]*)\}}", _read("scripts/cluster.sh"))
    return match[1]


def _read(path: str) -> str:
    return (ROOT / path).read_text()


def test_images_are_the_official_ones_at_the_locked_versions(services, locked):
    rasa_image = re.search(r"^FROM (\S+)", _read("deploy/rasa.Dockerfile"), re.M)[1]
    sdk_image = re.search(r"^FROM (\S+)", _read("deploy/action-server.Dockerfile"), re.M)[1]
    assert rasa_image.startswith(f"rasa/rasa:{locked['rasa']}-")
    assert sdk_image == f"rasa/rasa-sdk:{locked['rasa-sdk']}"
    for package in ("jsonschema", "hiredis"):
        assert f"{package}=={locked[package]}" in _read("deploy/rasa.Dockerfile")
    assert "-c /tmp/requirements.lock" in _read("deploy/action-server.Dockerfile")
    for replica in replicas(services).values():
        assert replica["build"]["dockerfile"] == "deploy/rasa.Dockerfile"


def test_two_or_more_replicas_run_with_the_cluster_endpoints_and_settings(services):
    rasa = replicas(services)
    assert len(rasa) >= 2
    needed = variables_in(ROOT / "deploy/endpoints.yml") | variables_in(ROOT / "credentials.yml")
    for replica in rasa.values():
        command = replica["command"].split()
        assert command[command.index("--endpoints") + 1] == "deploy/endpoints.yml"
        assert command[command.index("--credentials") + 1] == "credentials.yml"
        assert needed <= set(replica["environment"])
        environment = replica["environment"]
        for variable in ("TICKET_LOCK_LIFETIME", "SANIC_WORKERS", "LOCK_STORE_KEY_PREFIX"):
            assert environment[variable] == cluster_default(variable), variable
        run_sh_limit = re.search(r"SANIC_REQUEST_MAX_SIZE:-(\d+)", _read("scripts/run.sh"))[1]
        assert environment["SANIC_REQUEST_MAX_SIZE"] == run_sh_limit
        gateway = f"http://nginx:{services['nginx']['environment']['ACTIONS_GATEWAY_PORT']}"
        assert environment["ACTION_ENDPOINT_URL"] == f"{gateway}/webhook"


def test_replicas_mount_every_project_package_rasa_loads(services):
    config = yaml.safe_load(_read("config.yml"))
    endpoints = yaml.safe_load(_read("deploy/endpoints.yml"))
    credentials = yaml.safe_load(_read("credentials.yml"))
    names = [c["name"] for c in config["pipeline"] + config["policies"]]
    names += [section.get("type", "") for section in endpoints.values()]
    names += list(credentials)
    packages = {name.split(".")[0] for name in names if "." in name}
    assert {"components", "stores", "channels"} <= packages
    for replica in replicas(services).values():
        for package in packages:
            assert f"./{package}:/app/{package}:ro" in replica["volumes"], package


def test_nginx_renders_the_cluster_template_for_every_replica(services):
    nginx = services["nginx"]
    assert (
        "./deploy/nginx.conf.template:/etc/nginx/templates/cluster.conf.template:ro"
        in (nginx["volumes"])
    )
    assert variables_in(ROOT / "deploy/nginx.conf.template") <= set(nginx["environment"])
    upstreams = re.findall(r"server (rasa-\d+):5005", nginx["environment"]["RASA_SERVERS"])
    assert sorted(upstreams) == sorted(replicas(services))
    assert nginx["environment"]["ACTION_SERVER"] == "action-server:5055"


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed here")
def test_nginx_image_is_the_version_the_tests_run(services):
    output = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr
    version = re.search(r"nginx/([\d.]+)", output)[1]
    assert services["nginx"]["image"] == f"nginx:{version}"


def test_nginx_limits_per_address_default_as_in_cluster_mode(services):
    environment = services["nginx"]["environment"]
    for variable in ("PER_ADDRESS_RATE", "PER_ADDRESS_BURST", "PER_ADDRESS_CONNECTIONS"):
        assert environment[variable] == f"${{{variable}:-{cluster_default(variable)}}}"
