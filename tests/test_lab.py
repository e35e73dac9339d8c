"""The student's and the instructor's path in JupyterLab, in a real browser (Playwright with the system
Chromium, as the website test): JupyterLab on loopback in a copy of the course folder; a student notebook
whose prose renders (math typeset, citations as text, no raw MyST); its first cells run; Validate reports
the unanswered exercises; the Formgrader lists every chapter, with no warning about the exchange.
Screenshots go to _build/screenshots/lab-*.png."""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from notebooks import CHAPTERS, ROOT

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHAPTER = "ch02-gradients"
SHOTS = ROOT / "_build" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab with the nbgrader extensions, serving a copy of the course folder on 127.0.0.1."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    for folder in ("solutions", "notebooks"):
        shutil.copytree(ROOT / folder, course / folder)
    port, token = free_port(), secrets.token_hex(16)
    bin_dir = Path(sys.executable).parent
    env = dict(
        os.environ,
        NNBOOK_MODE="test",
        PYTHONPATH=str(ROOT),
        JUPYTER_CONFIG_DIR=str(course / ".jupyter"),
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    )
    log = open(course / "lab.log", "w")
    server = subprocess.Popen(
        [
            str(bin_dir / "jupyter"),
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={course}",
            "--ServerApp.open_browser=False",
        ],
        cwd=course,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, "JupyterLab exited:\n" + (course / "lab.log").read_text()[-3000:]
                time.sleep(1)
        else:
            pytest.fail("JupyterLab did not answer within two minutes:\n" + (course / "lab.log").read_text()[-3000:])
        yield url, token, course
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


def local_only(page, url):
    """Refuse every request that leaves the machine: the flow must work offline."""
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort())


def dismiss_news(page):
    no = page.get_by_role("button", name="No", exact=True)
    if no.count():
        no.first.click()


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (apt-get install chromium); .ci/run installs it")
def test_student_reads_runs_and_validates(lab, browser):
    url, token, course = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    local_only(page, url)
    page.goto(f"{url}/lab/tree/notebooks/{CHAPTER}/{CHAPTER}.ipynb?token={token}")
    page.wait_for_selector(".jp-MarkdownCell .jp-RenderedMarkdown", timeout=120_000)
    page.wait_for_function("document.querySelectorAll('.jp-RenderedMarkdown mjx-container').length > 5", timeout=60_000)
    dismiss_news(page)
    prose = page.eval_on_selector_all(".jp-MarkdownCell .jp-RenderedMarkdown", "els => els.map(e => e.innerText)")
    text = "\n".join(prose)
    raw = [role for role in ("{cite}", "{doc}", "{download}", "{ref}", "```{") if role in text]
    assert not raw, f"MyST shown as raw text in JupyterLab: {raw}"
    assert "Bengio et al., 1994" in text, "citations are not rendered as author and year"
    assert "Student version" not in text, "the website's download link is in the student notebook"
    page.screenshot(path=str(SHOTS / "lab-notebook.png"))

    page.locator(".jp-CodeCell").first.click()
    page.keyboard.press("Shift+Enter")  # the set-up cell: imports, the run mode, seeds
    page.wait_for_function(
        "[...document.querySelectorAll('.jp-OutputArea-output')].some(e => e.innerText.includes('mode=test'))",
        timeout=240_000,
    )
    page.locator(".jp-CodeCell").nth(1).click()  # the next code cell (a markdown cell lies between)
    page.keyboard.press("Shift+Enter")  # sympy output, typeset
    page.wait_for_function(
        "document.querySelectorAll('.jp-OutputArea-output mjx-container').length > 0", timeout=120_000
    )
    page.screenshot(path=str(SHOTS / "lab-first-cells.png"))

    page.get_by_text("Validate", exact=True).first.click()
    page.wait_for_selector(".jp-Dialog", timeout=480_000)  # validation runs the whole notebook
    page.wait_for_timeout(500)
    result = page.inner_text(".jp-Dialog")
    page.screenshot(path=str(SHOTS / "lab-validate.png"))
    assert "Validation Results" in result, f"no validation result: {result[:500]}"
    assert "NotImplementedError" in result and "failed" in result, (
        f"validating the untouched notebook should list its unanswered exercises: {result[:500]}"
    )
    page.keyboard.press("Enter")
    page.close()


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (apt-get install chromium); .ci/run installs it")
def test_formgrader_lists_chapters_with_a_working_exchange(lab, browser):
    url, token, course = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    local_only(page, url)
    page.goto(f"{url}/formgrader?token={token}")
    page.wait_for_selector("text=Manage Assignments", timeout=60_000)
    page.wait_for_function(f"document.body.innerText.includes('{CHAPTERS[-1]}')", timeout=60_000)
    page.screenshot(path=str(SHOTS / "lab-formgrader.png"))
    text = page.inner_text("body")
    missing = [chapter for chapter in CHAPTERS if chapter not in text]
    assert not missing, f"the Formgrader does not list {missing}"
    assert not page.locator("#warning-exchange").count(), "the Formgrader warns that the exchange is missing"
    assert (course / "exchange").is_dir()
    page.close()
