"""The website: it builds with warnings as errors, and a headless browser with no network access sees
typeset math and figures on a chapter page, the solutions behind a toggle and no hidden tests."""

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
import urllib.parse
from html import escape as html_escape
from pathlib import Path

import pytest

from notebooks import CHAPTERS, ROOT, is_test, read, solution_notebooks

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
SHOTS = ROOT / "_build" / "screenshots"
# axe-core, copied from the npm registry by tools/fetch_npm.sh (make test does)
AXE = ROOT / ".cache" / "axe-core" / "axe.min.js"
# the student edition's launch buttons in the test: a hub and the repository the notebooks are published to
HUB, STUDENT_REPOSITORY = "https://hub.example.edu", "https://github.com/example/nnbook-student"


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


@contextlib.contextmanager
def serve(directory: Path):
    """A local web server for a built site: its URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    with socketserver.TCPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
        httpd.shutdown()


@pytest.fixture(scope="module")
def server(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    if CHROMIUM is None:
        pytest.skip("no Chromium found (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


def offline_page(chromium, server, path: str, outside: list | None = None):
    """A page of the site in a browser that refuses (and records in `outside`) every request off the site."""

    def only_local(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:  # the page must work with no internet: record and refuse everything else
            if outside is not None:
                outside.append(route.request.url)
            route.abort()

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.route("**/*", only_local)
    page.goto(f"{server}/{path}", wait_until="load")
    return page


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_in_an_offline_browser(server, chromium, chapter):
    outside = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = offline_page(chromium, server, f"solutions/{chapter}/{chapter}.html", outside)
    page.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=30000)
    page.wait_for_timeout(1500)  # let MathJax finish the page
    typeset = page.eval_on_selector_all("mjx-container", "els => els.length")
    # screen readers read the math: MathJax's assistive MathML beside every formula
    assistive = page.eval_on_selector_all("mjx-container mjx-assistive-mml math", "els => els.length")
    # the visible prose and outputs, without code (code may legitimately contain TeX strings)
    text = page.evaluate("""() => { const m = document.querySelector('main').cloneNode(true);
        m.querySelectorAll('pre, code, .highlight, mjx-container').forEach(e => e.remove());
        return m.innerText; }""")
    images = page.eval_on_selector_all(
        "main img", "imgs => imgs.filter(i => i.complete && i.naturalWidth > 100).length"
    )
    page.screenshot(path=str(SHOTS / f"{chapter}.png"))
    page.close()
    assert typeset >= 5, f"{chapter}: only {typeset} typeset formulas"
    assert assistive == typeset, f"{chapter}: {typeset - assistive} of {typeset} formulas without assistive MathML"
    raw = [tex for tex in ("\\frac", "\\partial", "$$") if tex in text]
    assert not raw, f"{chapter}: raw TeX {raw} left in the visible text (MathJax did not run)"
    assert images >= 1, f"{chapter}: no figure rendered"
    local_only = [u for u in outside if not u.startswith("data:")]
    assert not [u for u in local_only if "mathjax" in u.lower()], f"MathJax requested from the network: {local_only}"


@pytest.fixture(scope="module")
def student_site(tmp_path_factory):
    """The student edition (make book-student), built once, with launch buttons for a hub."""
    out = tmp_path_factory.mktemp("student")
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    stage = [sys.executable, str(ROOT / "tools" / "stage_book.py"), str(out / "stage"), "--student"]
    subprocess.run([*stage, "--hub", HUB, "--student-repository", STUDENT_REPOSITORY], check=True, env=env)
    build = [str(bin_dir / "jupyter-book"), "build", str(out / "stage"), "-W", "-n", "--keep-going"]
    done = subprocess.run([*build, "--path-output", str(out)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, "the student edition does not build cleanly:\n" + (done.stdout + done.stderr)[-4000:]
    return out / "_build" / "html"


def test_student_edition_builds(student_site):
    for chapter in CHAPTERS:
        html = (student_site / "notebooks" / chapter / f"{chapter}.html").read_text()
        assert "NotImplementedError" in html and "BEGIN SOLUTION" not in html, f"{chapter}: not the student version"


def hub_links(html: str) -> list[str]:
    return [urllib.parse.unquote(u).replace("&amp;", "&") for u in re.findall(r'href="([^"]*git-pull[^"]*)"', html)]


def test_launch_button_opens_the_student_notebook_on_the_hub(student_site):
    """Every chapter of the student edition launches its student notebook on the hub through nbgitpuller."""
    repo = STUDENT_REPOSITORY.rsplit("/", 1)[1]
    for chapter in CHAPTERS:
        links = hub_links((student_site / "notebooks" / chapter / f"{chapter}.html").read_text())
        assert len(links) == 1, f"{chapter}: {len(links)} JupyterHub launch buttons"
        url = urllib.parse.urlsplit(links[0])
        query = dict(urllib.parse.parse_qsl(url.query))
        assert f"{url.scheme}://{url.netloc}{url.path}" == f"{HUB}/hub/user-redirect/git-pull", links[0]
        assert query == {
            "repo": STUDENT_REPOSITORY,
            "urlpath": f"lab/tree/{repo}/notebooks/{chapter}/{chapter}.ipynb",
            "branch": "main",
        }, f"{chapter}: the button does not open the student notebook: {links[0]}"
    assert not hub_links((student_site / "book" / "intro.html").read_text()), "a launch button on a prose page"


def test_no_launch_button_without_a_hub(site):
    """The book (and any edition without a hub in _config.yml) has no JupyterHub button, not a broken one."""
    import yaml

    sys.path.insert(0, str(ROOT / "tools"))
    from stage_book import launch_on_hub

    config = launch_on_hub({"course_hub": {"jupyterhub_url": "", "student_repository": STUDENT_REPOSITORY}})
    assert "jupyterhub_url" not in config["launch_buttons"] and "repository" not in config
    assert "jupyterhub_url" not in yaml.safe_load((site.parent.parent / "stage" / "_config.yml").read_text())
    for chapter in CHAPTERS:
        html = (site / "solutions" / chapter / f"{chapter}.html").read_text()
        assert not hub_links(html) and "logo_jupyterhub" not in html, f"{chapter}: a JupyterHub button"


def test_launch_button_screenshot(student_site, chromium):
    """The launch menu of a chapter of the student edition: _build/screenshots/launch-button.png."""
    chapter = CHAPTERS[1]
    with serve(student_site) as url:
        page = offline_page(chromium, url, f"notebooks/{chapter}/{chapter}.html")
        page.locator(".dropdown-launch-buttons button").first.click()
        page.locator(".dropdown-launch-buttons a[href*='git-pull']").first.wait_for(state="visible", timeout=10_000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "launch-button.png"))
        page.close()


def test_every_figure_has_alt_text(site):
    missing = {}
    for chapter in CHAPTERS:
        html = (site / "solutions" / chapter / f"{chapter}.html").read_text()
        main = html[html.find("<main") :]
        imgs = re.findall(r"<img\b[^>]*>", main)
        # docutils writes the file's path as the alt of an image that has none
        alts = [re.search(r'\balt="([^"]*)"', i) for i in imgs]
        bare = [a for a in alts if not a or not a.group(1).strip() or re.search(r"\.(png|svg|jpe?g|gif)$", a.group(1))]
        if bare:
            missing[chapter] = f"{len(bare)} of {len(imgs)}"
    assert not missing, f"images without alt text (nnbook.plots.show(alt=...), ![alt](...)): {missing}"


def test_read_up_links_find_their_sections(site):
    """The id that a failed test's read-up link points to (nnbook.checks.heading_id) is on the chapter page."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_lint import read_up_section

    from nnbook.checks import heading_id

    missing = []
    for chapter in CHAPTERS:
        html = (site / "solutions" / chapter / f"{chapter}.html").read_text()
        for path in solution_notebooks(chapter):
            for cell in filter(is_test, read(path).cells):
                section = read_up_section(cell.source)
                if section and f'id="{html_escape(heading_id(section))}"' not in html:
                    missing.append(f"{chapter}: {section}")
    assert not missing, f"read-up links that find no section on the website: {missing[:5]}"


# the pages axe-core checks: the start page, two chapters (math, figures, toggles) and the results page
AXE_PAGES = ["book/intro.html", f"solutions/{CHAPTERS[1]}/{CHAPTERS[1]}.html"]
AXE_PAGES += [f"solutions/{CHAPTERS[5]}/{CHAPTERS[5]}.html", "book/results.html"]


def axe_violations(chromium, server, path: str) -> list[dict]:
    page = offline_page(chromium, server, path)
    page.wait_for_timeout(2000)  # MathJax typesets after load
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    page.close()
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "example": v["nodes"][0]["html"][:160]}
        for v in found
    ]


def test_accessibility_with_axe(server, chromium):
    """axe-core on the start page, two chapters and the results page, offline: no serious or critical
    violation of WCAG rules (the counts before and after the fixes: book/results.md, Accessibility)."""
    assert AXE.exists(), "axe-core is not in .cache/axe-core: run `make .cache/axe-core/axe.min.js` (make test does)"
    report, serious = {}, []
    for path in AXE_PAGES:
        violations = axe_violations(chromium, server, path)
        report[path] = {v["id"]: (v["impact"], v["nodes"]) for v in violations}
        serious += [f"{path}: {v}" for v in violations if v["impact"] in ("serious", "critical")]
    print(json.dumps(report, indent=1))
    assert not serious, f"{len(serious)} serious or critical accessibility violations:\n" + "\n".join(serious)
