"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

- No Chromium at ``CHROMIUM``: the tests skip, unless ``STEWARD_REQUIRE_BROWSER=1`` (CI sets it),
  where they fail. Playwright never downloads a browser here.
- One browser per worker, started at the first browser test and closed after the last one of
  this package (package scope): the sync API keeps an asyncio loop running in the thread while
  it lives, which Django's async-safety check would otherwise trip on in every later test of
  the worker. Inside the package the check is switched off (``DJANGO_ALLOW_ASYNC_UNSAFE``):
  the tests' own database calls run beside that loop, never in it.
- Every page records console errors and uncaught page errors; a test that caused any fails.
- ``shot(page, name)`` saves a screenshot under var/screenshots/ (gitignored with var/).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from steward.tenancy import services
from steward.tenancy.choices import Role
from steward.tenancy.models import User
from tests.conftest import PASSWORD

CHROMIUM = Path(os.environ.get("STEWARD_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TIMEOUT_MS = 15_000


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("STEWARD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"STEWARD_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    _require_chromium()
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Problems:
    """Console errors and page errors seen by every page of a test. ``tolerate`` lets a test
    name a known defect of another part (a console error containing ``text`` on pages whose URL
    contains ``url``), with the reason; everything else still fails the test."""

    found: list[str] = field(default_factory=list)
    tolerated: list[tuple[str, str, str]] = field(default_factory=list)

    def tolerate(self, url: str, text: str, reason: str) -> None:
        self.tolerated.append((url, text, reason))

    def unexpected(self) -> list[str]:
        return [
            problem
            for problem in self.found
            if not any(u in problem and t in problem for u, t, _ in self.tolerated)
        ]

    def watch(self, page: Page) -> Page:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"page error: {error}"))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.found.append(f"console error on {message.location.get('url')}: {message.text}")


@dataclass
class Session:
    """A browser context (its own cookies) for one person, opened on the live server."""

    context: BrowserContext
    page: Page
    base_url: str

    def open(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        return self.page

    def sign_in(self, username: str, password: str = PASSWORD) -> Page:
        page = self.open("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def session_for(browser: Browser, live_server: Any, problems: Problems) -> Iterator[Any]:
    """``session_for()`` opens a new browser context (a person) on the live server."""
    contexts: list[BrowserContext] = []

    def make() -> Session:
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return Session(context, problems.watch(context.new_page()), live_server.url)

    yield make
    for context in contexts:
        context.close()
    unexpected = problems.unexpected()
    assert unexpected == [], "\n".join(unexpected)


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot of ``page`` in var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def technician(username: str, clients: list[Any]) -> User:
    """A technician without an authenticator: signing in is the password step only."""
    return services.create_user(
        username=username,
        role=Role.TECHNICIAN,
        password=PASSWORD,
        first_name="Tess",
        last_name="Tech",
        assigned_clients=clients,
    )
