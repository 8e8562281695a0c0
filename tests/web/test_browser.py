"""The dashboard in a real browser: headless Chromium (Debian's, driven by Playwright) against a
live dashboard on a loopback port. Content, tab switching by links (no script on the page at all),
a refused expired link, a phone-sized page, and screenshots: into a temporary folder, or, with
QUIZBOT_UPDATE_SCREENSHOTS=1, the ones the README shows (docs/images/), so a test run leaves the
checkout as it was."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import DASH_NOW, HOSTILE_NAME, ROOT
from tests.web.conftest import LiveDashboard, link

IMAGES = ROOT / "docs" / "images"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: docs/images/ with QUIZBOT_UPDATE_SCREENSHOTS=1, else a temporary folder."""
    return IMAGES if os.environ.get("QUIZBOT_UPDATE_SCREENSHOTS") == "1" else tmp_path_factory.mktemp("shots")


def _shoot(page: Any, path: Path, **kw: Any) -> None:
    data = page.screenshot(path=str(path), **kw)
    assert data[:8] == PNG and len(data) > 10_000


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, java_script_enabled=True)
    p = context.new_page()
    errors: list[str] = []
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield p
    context.close()
    # a CSP violation (an inline style or script) is reported on the console
    assert not [e for e in errors if "Content Security Policy" in e]


def test_a_members_link_opens_the_pages_and_the_tabs_switch(
    live: LiveDashboard, page: Any, shots: Path
) -> None:
    response = page.goto(live.url + link(1001))
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Study <Group> & co"
    assert page.locator("#active").inner_text() == "6"
    assert "2 answered so far" in page.locator("#daily").inner_text()
    assert page.locator("nav.tabs a.active").inner_text() == "Overview"
    _shoot(page, shots / "dashboard-overview.png", full_page=True)

    page.get_by_role("link", name="Leaderboard").click()
    page.wait_for_url("**/leaderboard")
    assert page.locator("nav.tabs a.active").inner_text() == "Leaderboard"
    me = page.locator("tr.me")
    assert me.count() == 1 and "Alice" in me.inner_text()
    assert page.get_by_text(HOSTILE_NAME).count() == 1  # shown as text, not run
    page.get_by_role("link", name="This week").click()
    page.wait_for_url("**period=week**")
    assert page.locator(".pills a.active").first.inner_text() == "This week"

    page.get_by_role("link", name="Team weakness").click()
    page.wait_for_url("**/weakness")
    assert page.locator("#sections svg").count() == 1
    first = page.locator("article.missed h3").first
    assert first.inner_text() == "H-666"
    page.set_viewport_size({"width": 1100, "height": 1500})  # the radar, the bars, the first questions
    _shoot(page, shots / "dashboard-weakness.png")
    page.locator("article.missed").first.get_by_role("link", name="Explanation").click()
    assert page.locator("p.answer").inner_text() == "Answer: A"
    assert "<script>alert('explanation')</script>" in page.locator("article.question").inner_text()

    page.get_by_role("link", name="My page").click()
    page.wait_for_url("**/me")
    assert "Alice's page" in page.locator("main h2").first.inner_text()
    assert page.evaluate("document.scripts.length") == 0


def test_an_expired_link_is_refused(live: LiveDashboard, page: Any) -> None:
    expired = link(1001, expires=int(DASH_NOW.timestamp()) - 60)
    response = page.goto(live.url + expired + "weakness")
    assert response.status == 403
    assert "This link has expired" in page.locator("#message").inner_text()
    assert page.locator("svg").count() == 0


def test_readable_on_a_phone(live: LiveDashboard, browser: Any, shots: Path) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2
    )
    try:
        p = context.new_page()
        p.goto(live.url + link(1001) + "weakness")
        # nothing wider than the screen: no sideways scrolling of the page
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        box = p.locator("#sections svg").bounding_box()
        assert box is not None and box["width"] <= 390
        p.goto(live.url + link(1001) + "leaderboard")
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
        _shoot(p, shots / "dashboard-phone.png")
    finally:
        context.close()


def test_screenshots_are_pictures() -> None:
    """The README's two, as committed (QUIZBOT_UPDATE_SCREENSHOTS=1 takes them again)."""
    for name in ("dashboard-overview.png", "dashboard-weakness.png"):
        data = Path(IMAGES / name).read_bytes()
        assert data[:8] == PNG and len(data) > 10_000
