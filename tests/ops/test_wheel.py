"""What a municipality's IT does, from a built wheel, outside this checkout: install it into a fresh
virtual environment, `homecare migrate`, `homecare create-admin`, start the server exactly as
docs/deploy/homecare.service starts it (several processes), find it ready, sign in; and, where nginx is
installed, serve it through docs/deploy/nginx-homecare.conf over TLS, where the session cookie is Secure
and the proxy's headers are believed from the proxy alone."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.settings import PROJECT_DIR
from tests.ops.conftest import free_port

pytestmark = pytest.mark.slow

DEPLOY = PROJECT_DIR / "docs" / "deploy"
SOURCES = ("app", "solver", "models", "exchange", "migrations", "pyproject.toml", "README.md", "LICENSE")
PASSWORD = "a-first-admin-passphrase"


def _run(*args: str | Path, **kw: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, **kw)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the wheel built from this checkout (and its dependencies)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in SOURCES:  # a copy: building writes build/ beside the sources
        path = PROJECT_DIR / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", tmp / "dist", source)
    (wheel,) = (tmp / "dist").glob("homecare_planner-*.whl")
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet",
         "--no-compile", wheel)
    shutil.rmtree(source)
    return venv


@dataclass
class Service:
    env: dict[str, str]
    home: Path
    venv: Path

    def homecare(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run(self.venv / "bin" / "homecare", *args, env=self.env, cwd=self.home)


def _unit(name: str) -> tuple[dict[str, str], list[str], list[str]]:
    """(Environment=, EnvironmentFile= paths, ExecStart= words) of a systemd unit in docs/deploy."""
    env: dict[str, str] = {}
    files: list[str] = []
    command: list[str] = []
    for line in (DEPLOY / name).read_text().splitlines():
        key, _, value = line.partition("=")
        if key == "Environment":
            k, _, v = value.partition("=")
            env[k] = v
        elif key == "EnvironmentFile":
            files.append(value)
        elif key == "ExecStart":
            command = shlex.split(value)
    return env, files, command


def _env_file(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {k: v for k, v in pairs}


@pytest.fixture(scope="module")
def service(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Service:
    home = tmp_path_factory.mktemp("service")
    unit_env, files, _command = _unit("homecare.service")
    assert files == ["/etc/homecare/homecare.env"]
    settings = _env_file((DEPLOY / "homecare.env").read_text())
    assert settings["SECRET_KEY"] == ""  # the example has none: the server would refuse to start
    settings["SECRET_KEY"] = "k" * 20 + os.urandom(16).hex()
    # The cookie's Secure flag is to come from the proxy's X-Forwarded-Proto here, not be forced.
    settings.pop("SESSION_COOKIE_SECURE")
    settings["METRICS_ALLOWED_IPS"] = '["10.9.8.7/32"]'
    unit_env["HOMECARE_DATA_DIR"] = str(home / "data")
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR", "HOME")}
    return Service(env={**keep, **settings, **unit_env}, home=home, venv=installed)


@pytest.fixture(scope="module")
def server(service: Service) -> Iterator[str]:
    """The unit's ExecStart, its program and port swapped for the test's."""
    migrated = service.homecare("migrate")
    assert "migrated from an empty database" in migrated.stderr
    (service.home / "admin-password").write_text(PASSWORD + "\n")
    service.homecare("create-admin", "it-admin", "--password-file", str(service.home / "admin-password"))

    _env, _files, command = _unit("homecare.service")
    assert command[0] == "/opt/homecare/venv/bin/homecare" and command[1] == "serve"
    port = free_port()
    command = [str(service.venv / "bin" / "homecare"), *command[1:]]
    command[command.index("--port") + 1] = str(port)
    log = (service.home / "serve.log").open("w")
    proc = subprocess.Popen(command, env=service.env, cwd=service.home, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    processes = int(command[command.index("--workers") + 1])
    try:
        deadline = time.monotonic() + 90
        while True:  # ready, and every server process started
            logged = (service.home / "serve.log").read_text()
            assert proc.poll() is None, logged[-3000:]
            try:
                ready = httpx.get(f"{base}/health/ready", timeout=2).status_code == 200
            except httpx.HTTPError:
                ready = False
            if ready and logged.count("Started server process") == processes:
                break
            assert time.monotonic() < deadline, logged[-3000:]
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server's own process group
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()


def test_the_installed_wheel_runs_from_its_own_environment(installed: Path) -> None:
    code = ("import app.migrate as m; "
            "print(m.__file__, m.MIGRATIONS_DIR, len(list(m.MIGRATIONS_DIR.glob('versions/0*.py'))))")
    where = _run(installed / "bin" / "python", "-c", code, cwd=installed.parent,
                 env={"PATH": os.environ["PATH"]})
    module, migrations, count = where.stdout.split()
    assert Path(module).is_relative_to(installed) and Path(migrations).is_relative_to(installed)
    assert int(count) == len(list((PROJECT_DIR / "migrations" / "versions").glob("0*.py")))
    # The licence travels with the package: declared in its metadata, its text among its files.
    licence = _run(installed / "bin" / "python", "-c",
                   "import importlib.metadata as md; d = md.distribution('homecare-planner'); "
                   "print(d.metadata['License-Expression']); "
                   "print(any(str(f).endswith('licenses/LICENSE') for f in d.files))",
                   cwd=installed.parent, env={"PATH": os.environ["PATH"]})
    assert licence.stdout.split() == ["MIT", "True"]


def test_migrate_create_admin_and_serve_from_the_wheel_answer_ready_and_sign_in(server: str,
                                                                             service: Service) -> None:
    ready = httpx.get(f"{server}/health/ready").json()
    assert ready["status"] == "ready" and ready["checks"] == {"database": "ok", "schema": "ok"}
    version = re.search(r'^version = "(.+)"$', (PROJECT_DIR / "pyproject.toml").read_text(), re.M)
    assert version and ready["version"] == version.group(1)
    assert (service.home / "data" / "homecare.db").exists()  # the data folder the unit names

    token = httpx.post(f"{server}/api/auth/token", data={"username": "it-admin", "password": PASSWORD})
    assert token.status_code == 200, token.text
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    me = httpx.get(f"{server}/api/me", headers=auth).json()
    assert me["username"] == "it-admin" and me["role"] == "admin"
    assert httpx.get(f"{server}/api/teams", headers=auth).json()["total"] == 0  # no demo data

    # Several server processes, one set of figures: every request counted, whichever process took it.
    for _ in range(6):
        httpx.get(f"{server}/health")
    metrics = httpx.get(f"{server}/metrics", headers=auth).text
    counted = re.search(r'homecare_http_requests_total\{method="GET",route="/health",status="200"\} (\S+)',
                        metrics)
    assert counted and float(counted.group(1)) >= 6
    log = (service.home / "serve.log").read_text()
    assert log.count("Started server process") == 2  # the unit's --workers 2
    assert PASSWORD not in log


@pytest.mark.parametrize(("unit", "said"), [("homecare-prune-access-log.service", "access-log entries"),
                                            ("homecare-anonymise-ended.service", "past the retention")])
def test_the_daily_jobs_run_from_the_wheel_as_their_units_start_them(server: str, service: Service, unit: str,
                                                                     said: str) -> None:
    _env, _files, command = _unit(unit)
    assert command[0] == "/opt/homecare/venv/bin/homecare"
    done = service.homecare(*command[1:])
    assert said in done.stderr


def test_the_proxy_s_headers_are_believed_from_the_proxy_s_address_only(server: str) -> None:
    """The unit trusts 127.0.0.1; a request from 127.0.0.2 claiming another address is taken at its word
    no more than one from anywhere else (METRICS_ALLOWED_IPS names 10.9.8.7 here)."""
    claim = {"X-Forwarded-For": "10.9.8.7", "X-Forwarded-Proto": "https"}
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.1")) as proxy:
        assert proxy.get(f"{server}/metrics", headers=claim).status_code == 200
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2")) as stranger:
        assert stranger.get(f"{server}/metrics", headers=claim).status_code == 403


@pytest.fixture(scope="module")
def tls_proxy(server: str, service: Service) -> Iterator[str]:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is absent: install Debian's nginx-light (.ci/run does)")
    root = service.home / "nginx"
    (root / "logs").mkdir(parents=True)
    _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", root / "key.pem", "-out", root / "cert.pem")
    http_port, tls_port = free_port(), free_port()
    site = (DEPLOY / "nginx-homecare.conf").read_text()
    for old, new in (("127.0.0.1:8000", server.removeprefix("http://")),
                     ("listen 80;", f"listen {http_port};"), ("listen 443 ", f"listen {tls_port} "),
                     ("/etc/ssl/homecare/fullchain.pem", str(root / "cert.pem")),
                     ("/etc/ssl/homecare/privkey.pem", str(root / "key.pem"))):
        assert old in site, old
        site = site.replace(old, new)
    (root / "site.conf").write_text(site)
    (root / "nginx.conf").write_text(f"""
pid {root}/nginx.pid;
error_log {root}/logs/error.log;
events {{}}
http {{
    access_log {root}/logs/access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/site.conf;
}}
""")
    proc = subprocess.Popen([nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"https://127.0.0.1:{tls_port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (root / "logs" / "error.log").read_text()[-2000:]
            try:
                httpx.get(f"{base}/health", verify=False, timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGQUIT)  # nginx's graceful stop
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_behind_the_tls_proxy_the_session_cookie_is_secure(tls_proxy: str, server: str) -> None:
    form = {"username": "it-admin", "password": PASSWORD, "next": "/"}
    with httpx.Client(verify=False) as browser:
        through = browser.post(f"{tls_proxy}/login", data=form, headers={"Origin": tls_proxy})
        ready = browser.get(f"{tls_proxy}/health/ready")
        hidden = browser.get(f"{tls_proxy}/metrics")
    assert through.status_code == 303, through.text
    cookie = through.headers["set-cookie"].lower()
    assert "homecare_session=" in cookie and "; secure" in cookie and "httponly" in cookie
    assert re.fullmatch(r"[0-9a-f]{32}", through.headers["x-request-id"])  # nginx's $request_id, answered
    assert ready.status_code == 200 and hidden.status_code == 404
    direct = httpx.post(f"{server}/login", data=form)  # plain http on the loopback: not Secure
    assert direct.status_code == 303 and "; secure" not in direct.headers["set-cookie"].lower()
