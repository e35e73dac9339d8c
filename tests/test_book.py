"""The website: it builds with warnings as errors, and a headless browser with no network access sees
typeset math and figures on a chapter page, the solutions behind a toggle and no hidden tests."""

import functools
import http.server
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

from notebooks import CHAPTERS, ROOT

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    bin_dir = Path(sys.executable).parent
    mathjax = ROOT / "_vendor" / "mathjax" / "tex-chtml.js"
    assert mathjax.exists(), (
        "MathJax is not in _vendor/mathjax: run `make _vendor/mathjax/tex-chtml.js` (make test does)"
    )
    env = dict(os.environ, NNBOOK_MODE="test", PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    stage = [sys.executable, str(ROOT / "tools" / "stage_book.py"), str(out / "stage"), "--execute-into", str(out)]
    subprocess.run(stage, check=True, env=env)
    done = subprocess.run(
        [
            str(bin_dir / "jupyter-book"),
            "build",
            str(out / "stage"),
            "-W",
            "-n",
            "--keep-going",
            "--path-output",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, (
        "the book does not build cleanly:\n"
        + "\n".join(line for line in log.splitlines() if "WARNING" in line or "ERROR" in line or "Error" in line)[
            -5000:
        ]
    )
    return out / "_build" / "html"


def test_every_chapter_page_is_built_without_hidden_tests(site):
    for chapter in CHAPTERS:
        page = site / "solutions" / chapter / f"{chapter}.html"
        assert page.exists(), f"{page} not built: is {chapter} in _toc.yml?"
        html = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in html and "END HIDDEN TESTS" not in html, (
            f"{chapter}: hidden tests on the page"
        )
        assert "BEGIN SOLUTION" not in html and "END SOLUTION" not in html, f"{chapter}: solution markers on the page"
        assert "hide-input" in html, f"{chapter}: solution code is not behind a toggle"
        assert "Show the model answer" in html, f"{chapter}: model answers are not behind a toggle labelled as such"
        assert "Test of " in html, f"{chapter}: visible tests are not behind a toggle that says what they check"
        assert "_downloads" in html and f"{chapter}.ipynb" in html, f"{chapter}: no link to the student notebook"


def test_every_page_link_resolves(site):
    """Every local link and resource of every page (href and src, fragments aside) points at a built file."""
    broken = []
    for page in (p for p in site.rglob("*.html") if "_static" not in p.parts):
        for target in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(errors="replace")):
            if re.match(r"^([a-z][a-z0-9+.-]*:|#|//)", target, re.I):
                continue  # another site, a fragment of this page, data: and mailto:
            path = target.split("#")[0].split("?")[0]
            if path and not (page.parent / urllib.parse.unquote(path)).resolve().exists():
                broken.append(f"{page.relative_to(site)} -> {target}")
    assert not broken, f"{len(broken)} links point nowhere: {broken[:10]}"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_Quiet, directory=str(site))
    with socketserver.TCPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
        httpd.shutdown()


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (apt-get install chromium); .ci/run installs it")
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_in_an_offline_browser(server, chapter):
    from playwright.sync_api import sync_playwright

    outside = []

    def only_local(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:  # the page must work with no internet: record and refuse everything else
            outside.append(route.request.url)
            route.abort()

    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", only_local)
        page.goto(f"{server}/solutions/{chapter}/{chapter}.html", wait_until="load")
        page.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=30000)
        page.wait_for_timeout(1500)  # let MathJax finish the page
        typeset = page.eval_on_selector_all("mjx-container", "els => els.length")
        # the visible prose and outputs, without code (code may legitimately contain TeX strings)
        text = page.evaluate("""() => { const m = document.querySelector('main').cloneNode(true);
            m.querySelectorAll('pre, code, .highlight, mjx-container').forEach(e => e.remove());
            return m.innerText; }""")
        images = page.eval_on_selector_all(
            "main img", "imgs => imgs.filter(i => i.complete && i.naturalWidth > 100).length"
        )
        page.screenshot(path=str(shots / f"{chapter}.png"))
        browser.close()
    assert typeset >= 5, f"{chapter}: only {typeset} typeset formulas"
    raw = [tex for tex in ("\\frac", "\\partial", "$$") if tex in text]
    assert not raw, f"{chapter}: raw TeX {raw} left in the visible text (MathJax did not run)"
    assert images >= 1, f"{chapter}: no figure rendered"
    local_only = [u for u in outside if not u.startswith("data:")]
    assert not [u for u in local_only if "mathjax" in u.lower()], f"MathJax requested from the network: {local_only}"


def test_student_edition_builds(tmp_path):
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "stage_book.py"), str(tmp_path / "stage"), "--student"],
        check=True,
        env=env,
    )
    done = subprocess.run(
        [
            str(bin_dir / "jupyter-book"),
            "build",
            str(tmp_path / "stage"),
            "-W",
            "-n",
            "--keep-going",
            "--path-output",
            str(tmp_path),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, "the student edition does not build cleanly:\n" + (done.stdout + done.stderr)[-4000:]
    for chapter in CHAPTERS:
        html = (tmp_path / "_build" / "html" / "notebooks" / chapter / f"{chapter}.html").read_text()
        assert "NotImplementedError" in html and "BEGIN SOLUTION" not in html, f"{chapter}: not the student version"
