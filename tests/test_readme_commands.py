"""The README's two set-up commands work from a fresh clone in a new virtual environment."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", (REPO / "README.md").read_text(), re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"VIRTUAL_ENV", "PACT_INSTANCE", "DATABASE_URL", "DATABASE_OWNER_URL",
                        "REDIS_URL", "STORAGE_URL", "SECRET_KEY", "PYTEST_XDIST_WORKER"}}
    env["PATH"] = ":".join(p for p in env["PATH"].split(":") if ".venv" not in p)
    return {**env, **extra}


def _wait_for(url: str, proc, seconds: int) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        assert proc.poll() is None, "the demo command stopped"
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(2)
    raise AssertionError(f"{url} did not answer within {seconds}s")


def _sign_in(base: str) -> tuple:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": "zhou.jianhua@xhyb.example",
                                   "password": "Pact-demo-2026", "csrf_token": token}).encode()
    landing = opener.open(f"{base}/login", data=data)
    return landing.status, landing.geturl(), landing.read().decode(), opener


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    target = tmp_path_factory.mktemp("fresh") / "pact"
    subprocess.run(["git", "clone", "-q", str(REPO), str(target)], check=True)
    return target


def test_first_command_installs_and_serves_the_demo(clone):
    install_and_demo = readme_commands()[0]
    port = _free_port()
    with open(clone / "demo.log", "w") as log:
        proc = subprocess.Popen(["bash", "-c", install_and_demo], cwd=clone, stdout=log,
                                stderr=subprocess.STDOUT, env=_clean_env(PORT=str(port)),
                                start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(f"{base}/healthz", proc, 600)
            status, url, html, opener = _sign_in(base)
            assert status == 200 and url.endswith("/"), url
            assert 'id="workbench"' in html  # the bureau admin lands on the 工作台
            assert "西湖区中心医院" in opener.open(f"{base}/institutions").read().decode()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    assert "demo password" in (clone / "demo.log").read_text()


def test_second_command_runs_the_tests(clone):
    run_tests = readme_commands()[1]
    assert run_tests.rstrip().endswith("pytest -n auto")
    # The same command, pointed at one small test file so the suite does not recurse.
    result = subprocess.run(["bash", "-c", run_tests + " tests/domain/test_points.py"],
                            cwd=clone, env=_clean_env(), capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout)


def test_ci_runs_the_readmes_test_command_word_for_word():
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert readme_commands()[1] in ci, "the last line of .ci/run must be the README's test command"
