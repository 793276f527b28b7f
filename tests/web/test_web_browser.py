"""The web checker in a real browser: headless Chromium (Debian's package) driven by Selenium.

The server is started by the command a course would run (``python -m symxai serve``) on a free
loopback port.  The tests type answers, wait for the preview of how each is read, check, and
check the whole sheet; screenshots are kept in output/test-artefacts/ for a person to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PROBLEMS, ROOT

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTEFACTS = ROOT / "output" / "test-artefacts"
READY_WAIT = 300  # seconds for the server to load, verify and start its workers on a loaded machine
UI_WAIT = 90  # seconds for a preview or a verdict to appear


def _require_browser():
    missing = [p for p in (CHROMIUM, DRIVER) if not Path(p).exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {', '.join(missing)} is missing: run scripts/setup.sh")
        pytest.skip(f"no browser: {', '.join(missing)} missing")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    _require_browser()
    port = _free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "symxai", "serve", str(PROBLEMS / "tub-ml-sheet14.yaml"),
                             "--port", str(port), "--workers", "1", "--solutions", "after-correct"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_WAIT
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
                    if json.load(r)["ready"]:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail("symxai serve did not start:\n" + log.read().decode(errors="replace")[-3000:])
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="symxai-chromium-")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1100,1600"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, condition, what):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, UI_WAIT, poll_frequency=0.2).until(condition, message=what)


def _text(driver, css):
    return driver.find_element("css selector", css).text


def _shot(driver, name):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTEFACTS / name))


def _type(driver, target, name, text):
    field = driver.find_element("id", f"in-{target}-{name}")
    field.clear()
    field.send_keys(text)


def test_shapley_preview_then_right(server, browser):
    browser.get(server + "/sheets/tub-ml-sheet14")
    for name, text in (("phi_1", "2/3"), ("phi_2", "1/6"), ("phi_3", "\\frac{1}{6}")):
        _type(browser, "shapley", name, text)
    preview = "#task-shapley .field[data-name=phi_3] .preview"
    _wait(browser, lambda d: "read as" in _text(d, preview), "the preview of phi_3")
    assert browser.find_element("css selector", preview + " math") is not None  # MathML, rendered
    assert _text(browser, preview).endswith("1/6")
    assert _text(browser, "#task-shapley .result") == ""  # the preview comes before any check
    browser.find_element("css selector", "#task-shapley button[type=submit]").click()
    _wait(browser, lambda d: "phi_3" in _text(d, "#task-shapley .result"), "the verdict")
    assert _text(browser, "#task-shapley .result").splitlines() == [
        "phi_1 = 2/3: right (exact)", "phi_2 = 1/6: right (exact)", "phi_3 = 1/6: right (exact)"]
    assert browser.find_element("css selector", "#task-shapley .result").get_attribute("data-exit") == "0"
    _wait(browser, lambda d: d.find_elements("css selector", "#task-shapley details.solution"), "the solution")
    _shot(browser, "web-shapley-right.png")


def test_prototype_inverse_covariance_feedback(server, browser):
    browser.get(server + "/sheets/tub-ml-sheet14")
    _type(browser, "prototypes", "x_star", "mu + Sigma^-1*w")
    preview = "#task-prototypes .preview"
    _wait(browser, lambda d: "read as" in _text(d, preview), "the preview of x_star")
    assert "inv(Sigma)*w + mu" in _text(browser, preview)
    browser.find_element("css selector", "#task-prototypes button[type=submit]").click()
    _wait(browser, lambda d: "x_star = " in _text(d, "#task-prototypes .result") and ": wrong" in _text(d, "#task-prototypes .result"), "the verdict")
    result = _text(browser, "#task-prototypes .result")
    assert "solving for x multiplies by Sigma, not by Sigma^-1 [inverse-covariance]" in result
    assert browser.find_element("css selector", "#task-prototypes .field").get_attribute("data-status") == "wrong"
    assert not browser.find_elements("css selector", "#task-prototypes details.solution")
    _shot(browser, "web-prototype-feedback.png")


def test_unreadable_answer_preview(server, browser):
    browser.get(server + "/sheets/tub-ml-sheet14")
    _type(browser, "shapley", "phi_1", "__import__('os')")
    preview = "#task-shapley .field[data-name=phi_1] .preview"
    _wait(browser, lambda d: "cannot read" in _text(d, preview), "the parser's message")


def test_whole_sheet(server, browser):
    browser.get(server + "/sheets/tub-ml-sheet14")
    for name, text in (("phi_1", "2/3"), ("phi_2", "1/6"), ("phi_3", "1/3")):
        _type(browser, "shapley", name, text)
    _type(browser, "prototypes", "x_star", "Sigma*w + mu")
    browser.find_element("id", "check-all").click()
    box = "#whole-sheet .sheet-result"
    _wait(browser, lambda d: "total:" in _text(d, box), "the sheet's total")
    lines = _text(browser, box).splitlines()
    assert "prototypes: 1/1 answers right, 25/25 points" in lines
    assert "shapley: 2/3 answers right, 16.67/25 points" in lines
    assert lines[-1] == "total: 41.67/100 points"
    browser.execute_script("document.getElementById('whole-sheet').scrollIntoView()")
    _shot(browser, "web-whole-sheet.png")
    upload = Path(tempfile.mkdtemp()) / "answers.yaml"
    upload.write_text("shapley: {phi_1: 2/3, phi_2: 1/6, phi_3: 1/6}\n")
    browser.find_element("css selector", "#upload input[type=file]").send_keys(str(upload))
    browser.find_element("css selector", "#upload button[type=submit]").click()
    _wait(browser, lambda d: "shapley: 3/3" in _text(d, box), "the uploaded sheet's report")
    assert "not answered: x_star" in _text(browser, box)
