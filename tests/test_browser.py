"""The built book as a reader meets it: every page in a real browser, offline.

``make book`` builds the book (quick when nothing changed: Sphinx rebuilds only what did,
and the executed notebooks come from the execution cache). A local HTTP server serves
``_build/html`` on 127.0.0.1, and headless Chromium, driven by Playwright, opens every page
of the table of contents, refusing every request to another host. On each page:

- no JavaScript error: no uncaught exception, nothing logged as an error;
- every local request answered (a missing script, font or image is a 404);
- no request to another host: MathJax, RequireJS and the widget manager are the book's
  own copies (Thebe's, fetched only when a reader asks for live code, is never requested);
- MathJax has typeset every formula: no raw ``\\(``, ``\\[`` or ``$$`` left in the text,
  no TeX error, no undefined macro;
- every widget snapshot rendered, and every Output widget shows what it held (the first
  plot of an ``interact`` or ``interactive_output``);
- every image loaded;
- on a chapter notebook, the Binder and Colab launch buttons open that notebook from the
  repository named in ``_config.yml``.

A full-page screenshot of every page is saved under ``_build/screenshots/`` for people to
look at. Where Debian's Chromium is not installed the test is skipped, saying so.
"""

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from local_server import serve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
PAGES = list(parse_toc_yaml(ROOT / "_toc.yml"))

CHROMIUM = Path("/usr/bin/chromium")
# No first-run, sync, update or background traffic: a build machine's network is closed.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# Milliseconds: a page of the book loads in about a second.
LOAD_TIMEOUT = 30_000
RENDER_TIMEOUT = 15_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"Debian's Chromium is not installed ({CHROMIUM}): "
    "apt-get install chromium (.ci/run installs it)",
)

# Every widget view of the page has been rendered by the widget manager: it inserts a
# div.widget-subarea before the view's script tag and draws the widget into it.
WIDGETS_RENDERED = """() => Array.from(
    document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')
).every(tag => {
    const area = tag.previousElementSibling;
    return area && area.classList.contains('widget-subarea') && area.childElementCount > 0;
})"""

# Wait until MathJax (if the page loads it) has typeset the page and whatever was queued
# after it (widget descriptions). "absent" when MathJax never started on the page.
MATHJAX_DONE = """async (timeout) => {
    const mathjax = window.MathJax;
    if (!mathjax || !mathjax.startup || !mathjax.startup.promise) return "absent";
    const done = (async () => {
        let promise;
        do {
            promise = mathjax.startup.promise;
            await promise;
        } while (promise !== mathjax.startup.promise);
        return "done";
    })().catch(error => "failed: " + error);
    const late = new Promise(resolve => setTimeout(() => resolve("still busy"), timeout));
    return Promise.race([done, late]);
}"""

IMAGES_LOADED = """() => {
    const images = Array.from(document.images);
    images.forEach(img => { if (img.loading === 'lazy') img.loading = 'eager'; });
    return images.every(img => img.complete);
}"""

# Everything the checks need, from the rendered page.
INSPECT = r"""() => {
    const text = (element) => {
        const copy = element.cloneNode(true);
        copy.querySelectorAll(
            'pre, code, kbd, samp, script, style, template, textarea, noscript, mjx-container'
        ).forEach(e => e.remove());
        return copy.textContent;
    };
    const describe = (element) => {
        const cell = element.closest('.cell');
        const where = cell ? ' in cell ' + Array.from(cell.parentNode.children)
            .filter(e => e.classList.contains('cell')).indexOf(cell) : '';
        return (element.textContent || '').trim().slice(0, 80) + where;
    };
    const views = Array.from(
        document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'));
    return {
        mathjax: !!(window.MathJax && window.MathJax.startup),
        text: text(document.body),
        untypeset: Array.from(document.querySelectorAll('.math'))
            .filter(e => !e.querySelector('mjx-container')).map(describe),
        texErrors: Array.from(document.querySelectorAll('mjx-merror'))
            .map(e => e.getAttribute('data-mjx-error') || describe(e)),
        undefinedMacros: Array.from(document.querySelectorAll('mjx-assistive-mml mtext'))
            .filter(e => e.getAttribute('mathcolor') === 'red'
                         && e.textContent.startsWith('\\'))
            .map(e => e.textContent),
        widgetViews: views.length,
        unrenderedWidgets: views.filter(tag => {
            const area = tag.previousElementSibling;
            return !(area && area.classList.contains('widget-subarea')
                     && area.getBoundingClientRect().height > 0);
        }).map(tag => JSON.parse(tag.textContent).model_id),
        brokenWidgets: Array.from(document.querySelectorAll(
            '.widget-subarea .jupyter-widgets-error-widget, .widget-subarea .jupyter-widgets'
        )).filter(e => e.classList.contains('jupyter-widgets-error-widget')
                       || e.textContent === 'Error displaying widget').map(describe),
        emptyOutputs: Array.from(document.querySelectorAll('.widget-subarea .widget-output'))
            .filter(e => !Array.from(e.querySelectorAll('.jp-OutputArea-output'))
                .some(o => o.getBoundingClientRect().height > 0))
            .map(describe),
        brokenImages: Array.from(document.images)
            .filter(img => !(img.complete && img.naturalWidth > 0))
            .map(img => (img.currentSrc || img.src).slice(0, 120)),
        links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    };
}"""

RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{")


@pytest.fixture(scope="module")
def book():
    """Build the book as ``make book`` does; return the folder of its pages."""
    built = subprocess.run(
        ["make", "--no-print-directory", "book"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert built.returncode == 0, "make book failed:\n" + (built.stdout + built.stderr)[-4000:]
    assert "npm was not found" not in built.stdout, (
        "make book found no npm, so the pages load MathJax, RequireJS and the widget "
        "manager from CDNs: install Node.js and npm"
    )
    return HTML


@pytest.fixture(scope="module")
def server(book):
    """The book's pages over HTTP on 127.0.0.1, as a reader's browser gets them."""
    with serve(book) as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


def launch_links(docname):
    """The Binder and Colab addresses of a chapter notebook, from ``_config.yml``."""
    repository = CONFIG["repository"]
    owner_and_name = urlsplit(repository["url"]).path.strip("/")
    branch = repository.get("branch", "main")
    folder = repository.get("path_to_book", "").strip("/")
    notebook = "/".join(p for p in (folder, docname + ".ipynb") if p)
    buttons = CONFIG["launch_buttons"]
    binder = buttons["binderhub_url"].rstrip("/")
    colab = buttons["colab_url"].rstrip("/")
    return {
        "Binder": f"{binder}/v2/gh/{owner_and_name}/{branch}?urlpath=tree/{notebook}",
        "Colab": f"{colab}/github/{owner_and_name}/blob/{branch}/{notebook}",
    }


def open_page(browser, url):
    """Open ``url`` in a fresh browser profile; return the page and what it asked for."""
    local = urlsplit(url).netloc
    seen = {"errors": [], "failed": [], "foreign": []}
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")

    def refuse_other_hosts(route):
        request_url = route.request.url
        if urlsplit(request_url).netloc == local:
            route.continue_()
        else:
            seen["foreign"].append(request_url)
            route.abort("blockedbyclient")

    def console(message):
        if message.type == "error":
            source = message.location.get("url", "")
            seen["errors"].append((f"console error: {message.text} ({source})", source))

    def response(answer):
        if answer.status >= 400:
            seen["failed"].append((str(answer.status), answer.url))

    def request_failed(request):
        if urlsplit(request.url).netloc == local:
            seen["failed"].append((request.failure, request.url))

    context.route("**/*", refuse_other_hosts)
    page = context.new_page()
    page.on("pageerror", lambda error: seen["errors"].append((f"uncaught {error}", "")))
    page.on("console", console)
    page.on("response", response)
    page.on("requestfailed", request_failed)
    page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT)
    return context, page, seen


def wait_for(page, script):
    """Wait for ``script`` to hold on ``page``; the checks report what did not."""
    try:
        page.wait_for_function(script, timeout=RENDER_TIMEOUT)
    except PlaywrightError:
        pass


def problems_found(seen, mathjax, found):
    """What is wrong with a page, from what it asked for and what it shows."""
    reported = set(seen["foreign"]) | {url for _, url in seen["failed"]}
    problems = [error for error, source in seen["errors"] if source not in reported]
    problems += [f"not answered: {reason} {url}" for reason, url in seen["failed"]]
    problems += [f"request to another host: {url}" for url in seen["foreign"]]
    if mathjax not in ("done", "absent"):
        problems.append(f"MathJax {mathjax}")
    raw = sorted(set(RAW_TEX.findall(found["text"])))
    if raw:
        problems.append(f"raw TeX left in the text ({' '.join(raw)}): MathJax did not typeset it")
    if found["untypeset"] and found["mathjax"]:
        problems += [f"formula not typeset: {formula}" for formula in found["untypeset"]]
    elif found["untypeset"]:
        problems.append(f"{len(found['untypeset'])} formulas, and MathJax did not start")
    problems += [f"TeX error: {error}" for error in found["texErrors"]]
    problems += [f"undefined TeX macro: {macro}" for macro in found["undefinedMacros"]]
    problems += [f"widget view not rendered: model {m}" for m in found["unrenderedWidgets"]]
    problems += [f"widget could not be displayed: {w}" for w in found["brokenWidgets"]]
    problems += [f"Output widget shows nothing: {o}" for o in found["emptyOutputs"]]
    problems += [f"image not loaded: {src}" for src in found["brokenImages"]]
    return problems


def missing_links(docname, links):
    """The repository link every page has, and the launch buttons of a chapter notebook."""
    missing = []
    if (ROOT / f"{docname}.ipynb").exists():
        for button, link in launch_links(docname).items():
            if link not in links:
                missing.append(f"no {button} launch button opening {link}")
    if CONFIG["repository"]["url"] not in links:
        missing.append(f"no link to the repository {CONFIG['repository']['url']}")
    return missing


def page_problems(browser, url, docname, shot):
    """Open the page ``docname`` of a built book at ``url``; save a screenshot of it whole at
    ``shot``; return what is wrong with it (:func:`problems_found`, :func:`missing_links`)."""
    context, page, seen = open_page(browser, url)
    try:
        wait_for(page, WIDGETS_RENDERED)
        wait_for(page, IMAGES_LOADED)
        mathjax = page.evaluate(MATHJAX_DONE, RENDER_TIMEOUT)
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=shot, full_page=True)
        found = page.evaluate(INSPECT)
    finally:
        context.close()
    return problems_found(seen, mathjax, found) + missing_links(docname, found["links"])


@pytest.mark.parametrize("docname", PAGES)
def test_page_renders_offline(docname, browser, server):
    shot = SCREENSHOTS / f"{docname}.png"
    problems = page_problems(browser, f"{server}/{docname}.html", docname, shot)
    assert not problems, f"{docname} (screenshot {shot}):\n" + "\n".join(problems)


def test_navigation_on_a_wide_screen(browser, server):
    """One search field (in the sidebar), no empty bar above the page, a working toggle."""
    first_chapter = next(page for page in PAGES if (ROOT / f"{page}.ipynb").exists())
    context, page, _ = open_page(browser, f"{server}/{first_chapter}.html")
    try:
        header = page.evaluate("document.querySelector('#pst-header')"
                               "?.getBoundingClientRect().height ?? 0")
        fields = [f for f in page.query_selector_all(".search-button-field") if f.is_visible()]
        toggles = [t for t in page.query_selector_all(".primary-toggle") if t.is_visible()]
        assert len(toggles) == 1, f"{len(toggles)} visible toggles of the sidebar"
        toggles[0].click()
        page.wait_for_timeout(500)
        sidebar_after_click = page.is_visible("#pst-primary-sidebar .bd-links")
    finally:
        context.close()
    assert header == 0, f"a bar of {header} px across the top of the page"
    assert len(fields) == 1, f"{len(fields)} search fields on the page"
    assert not sidebar_after_click, "the toggle did not hide the sidebar"
