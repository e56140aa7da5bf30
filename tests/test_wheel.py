"""The built wheel, installed in a fresh virtual environment, serves every page."""

from __future__ import annotations

import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import requests

from tests.conftest import csrf_of, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.server


def test_wheel_in_a_fresh_venv_serves_every_page(tmp_path, monkeypatch):
    # The repository on PYTHONPATH (as the tests are often run) would let pip take the
    # build's workshop.egg-info for an installed copy, and the server import the sources:
    # the fresh venv must see only the wheel.
    monkeypatch.delenv("PYTHONPATH", raising=False)
    vendor = ROOT / "static" / "vendor" / "socket.io.min.js"
    catalog = ROOT / "workshop" / "translations" / "fr" / "LC_MESSAGES" / "messages.mo"
    assert vendor.exists(), "run ./dev (npm ci) first: the wheel must carry the browser client"
    assert catalog.exists(), "run ./dev first: the wheel must carry compiled catalogs"
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(dist), str(ROOT)], check=True, capture_output=True)
    [wheel] = dist.glob("workshop-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-c", str(ROOT / "constraints.txt"), str(wheel)], check=True)
    server = start_server(tmp_path / "instance", command=(str(env_dir / "bin" / "workshop"),))
    try:
        base = server.url
        browser = requests.Session()
        home = browser.get(base + "/", timeout=10)
        assert home.status_code == 200 and 'lang="fr"' in home.text
        assert "Participer" in home.text  # French from the packaged catalog
        created = browser.post(base + "/new", data={"title": "Depuis la roue",
                                                     "csrf_token": csrf_of(home.text)},
                               allow_redirects=False, timeout=10)
        facilitator = created.headers["Location"].split("?")[0]
        page = browser.get(base + facilitator, timeout=10)
        code = re.search(r'data-code="([A-Z0-9]+)"', page.text).group(1)
        for path in ("/new", f"/j/{code}", f"/j/{code}/panel", f"/s/{code}", facilitator,
                     f"{facilitator}/panel", f"{facilitator}/export.csv",
                     f"{facilitator}/export.json", f"{facilitator}/export.xlsx",
                     f"{facilitator}/export.pdf", f"{facilitator}/poster-a4.png",
                     f"{facilitator}/tents-letter.pdf", "/?lang=en"):
            answer = browser.get(base + path, timeout=10)
            assert answer.status_code == 200, path
        for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', browser.get(
                f"{base}/j/{code}", timeout=10).text + page.text):
            assert browser.get(base + asset, timeout=10).status_code == 200, asset
        assert browser.get(base + "/static/vendor/socket.io.min.js", timeout=10).status_code \
            == 200
    finally:
        stop_server(server)
