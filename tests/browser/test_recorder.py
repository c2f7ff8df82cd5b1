"""The error recorder that every browser test relies on notices what it should."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser.conftest import Problems


def test_the_recorder_catches_console_and_page_errors(browser: Browser) -> None:
    problems = Problems()
    page = problems.watch(browser.new_page())
    try:
        page.set_content(
            "<script>console.error('boom'); console.log('fine');</script>"
            "<script>throw new Error('uncaught');</script>"
        )
    finally:
        page.close()
    assert len(problems.found) == 2
    assert any("boom" in p for p in problems.found)
    assert any("page error" in p and "uncaught" in p for p in problems.found)


def test_tolerated_errors_are_only_the_named_ones() -> None:
    problems = Problems(
        found=[
            "console error on http://x/reports/1/: Applying inline style violates CSP",
            "console error on http://x/portal/: Applying inline style violates CSP",
        ]
    )
    problems.tolerate("/reports/", "inline style", "known defect")
    assert problems.unexpected() == [problems.found[1]]
