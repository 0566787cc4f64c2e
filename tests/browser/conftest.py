"""Real-browser fixtures: Debian's Chromium driven by Playwright, axe-core, screenshots.

Browsers are never downloaded: Playwright launches /usr/bin/chromium. Without it the tests
are skipped with a visible reason, except in CI (env CI set), where that is a failure.
"""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = Path(os.environ.get("AXE_CORE_JS", settings.BASE_DIR / "node_modules/axe-core/axe.min.js"))
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what}: browser tests must run in CI", pytrace=False)
    pytest.skip(f"{what}: browser tests skipped (they run in CI)")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def screenshot(request):
    """screenshot(page, "name"): a full-page PNG under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe_violations():
    """axe_violations(page): serious or critical axe-core violations on the current page."""
    if not AXE.exists():
        _missing(f"axe-core not found at {AXE} (make axe)")
    source = AXE.read_text()

    def run(page) -> list[dict]:
        # Evaluated through the DevTools protocol, which the page's CSP does not govern:
        # a <script> tag would (rightly) be blocked by script-src 'self'.
        page.evaluate(f"() => {{ {source}\n }}")
        assert page.evaluate("() => typeof window.axe") == "object"
        result = page.evaluate("async () => await axe.run(document)")
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return run


@pytest.fixture(autouse=True)
def _requests_finish_before_the_reset(transactional_db):
    """Wait out requests a closing page left running before the database is flushed.

    Closing a page sends a last background save; on the shared in-memory SQLite database a
    request still writing then makes the flush fail ("database table is locked") and leaves
    the rows to the next test. Set up after the database fixture, so torn down before it.
    """
    yield
    from django.db import OperationalError, connection

    if connection.vendor != "sqlite":
        return
    deadline = time.monotonic() + 10
    while True:
        try:
            with connection.cursor() as cursor:
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute("ROLLBACK")
            break
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    # A request that only reads holds no write lock but still blocks the flush: let it end.
    time.sleep(0.2)
