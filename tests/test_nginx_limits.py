"""nginx's limits per client address in cluster mode (deploy/nginx.conf.template): an abusive
burst from one address gets 429s with a JSON message, people's pace does not, and Telegram's
webhook is not limited per address. nginx renders the template as in cluster mode, with
cluster.sh's defaults, in front of a stub upstream (no Rasa: the limits are nginx's alone)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests

from scripts.free_ports import free_port
from tests.servers import ROOT

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed here"),
]
LIMITS = ("PER_ADDRESS_RATE", "PER_ADDRESS_BURST", "PER_ADDRESS_CONNECTIONS")


def cluster_default(variable: str) -> int:
    cluster_sh = (ROOT / "scripts/cluster.sh").read_text()
    return int(re.search(rf"{variable}=\$\{{{variable}:-(\d+)\}}", cluster_sh)[1])


class Upstream(BaseHTTPRequestHandler):
    """Stands in for the Rasa replicas: counts requests; `/slow` takes a second."""

    served = 0
    lock = threading.Lock()

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer()

    def _answer(self) -> None:
        with Upstream.lock:
            Upstream.served += 1
        if self.path.startswith("/slow"):
            time.sleep(1)
        body = b'[{"text": "ok"}]'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def nginx_in_front_of_a_stub(tmp_path: Path, **limits: int) -> Iterator[str]:
    """nginx with the cluster template, its limits from cluster.sh unless given: its URL."""
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    stub = f"127.0.0.1:{upstream.server_address[1]}"
    port = free_port()
    values: Dict[str, object] = {
        "RASA_SERVERS": f"server {stub};",
        "ACTION_SERVER": stub,
        "CLUSTER_PORT": port,
        "ACTIONS_GATEWAY_PORT": free_port(),
        **{variable: limits.get(variable, cluster_default(variable)) for variable in LIMITS},
    }
    # What envsubst does with the listed variables (docker-compose), and cluster.sh's sed.
    template = (ROOT / "deploy/nginx.conf.template").read_text()
    rendered = re.sub(r"\$\{(\w+)\}", lambda m: str(values.get(m[1], m[0])), template)
    assert "${" not in rendered
    (tmp_path / "cluster.conf").write_text(rendered)
    (tmp_path / "nginx.conf").write_text(
        f"""worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/cluster.conf;
}}
"""
    )
    nginx = subprocess.Popen(
        [NGINX, "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")]
        + ["-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                requests.get(f"{url}/status", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or nginx.poll() is not None:
                    raise AssertionError((tmp_path / "error.log").read_text()) from None
                time.sleep(0.1)
        time.sleep(1.5)  # the probe's share of the bucket drains
        Upstream.served = 0
        yield url
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        upstream.shutdown()


def send_at_once(url: str, count: int, path: str = "/webhooks/rest/webhook") -> list:
    message = {"sender": "x", "message": "hi"}
    with ThreadPoolExecutor(50) as pool:
        return list(
            pool.map(lambda _: requests.post(url + path, json=message, timeout=30), range(count))
        )


def test_an_abusive_burst_from_one_address_gets_429s_with_a_json_message(tmp_path):
    burst = cluster_default("PER_ADDRESS_BURST")
    with nginx_in_front_of_a_stub(tmp_path) as url:
        responses = send_at_once(url, 300)
    refused = [r for r in responses if r.status_code == 429]
    assert {r.status_code for r in responses} == {200, 429}
    assert len(refused) >= 300 - burst - cluster_default("PER_ADDRESS_RATE") * 5
    assert Upstream.served == 300 - len(refused)  # refused ones never reached Rasa
    for response in refused[:5]:
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Retry-After"] == "1"
        assert "Too many requests from your address" in response.json()["message"]


def test_socketio_polls_are_limited_per_address_too(tmp_path):
    with nginx_in_front_of_a_stub(tmp_path) as url:
        responses = send_at_once(url, 200, path="/socket.io/?EIO=4&transport=polling")
    assert 429 in {r.status_code for r in responses}


def test_people_behind_one_address_at_a_busy_pace_are_never_limited(tmp_path):
    # A tenth of the default rate, sustained, plus bursts of 10 at once: an office of
    # widget users behind one NAT address is far below this.
    with nginx_in_front_of_a_stub(tmp_path) as url:
        statuses = []
        for _ in range(4):
            statuses += [r.status_code for r in send_at_once(url, 10)]
            time.sleep(1)
    assert set(statuses) == {200}


def test_too_many_requests_at_a_time_from_one_address_get_429s(tmp_path):
    limits = {"PER_ADDRESS_RATE": 1000, "PER_ADDRESS_BURST": 1000, "PER_ADDRESS_CONNECTIONS": 5}
    with nginx_in_front_of_a_stub(tmp_path, **limits) as url:
        responses = send_at_once(url, 12, path="/slow")
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) <= 5 and statuses.count(429) >= 7, statuses
    refused = next(r for r in responses if r.status_code == 429)
    assert json.loads(refused.text)["status"] == 429


def test_telegrams_webhook_is_not_limited_per_address(tmp_path):
    with nginx_in_front_of_a_stub(tmp_path) as url:
        responses = send_at_once(url, 200, path="/webhooks/telegram/webhook")
    assert {r.status_code for r in responses} == {200}
