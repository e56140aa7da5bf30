"""The axe audit matrix: every page a participant or a facilitator sees, in every phase of
the day (idea collection, a vote by each method, its results), in French and in English.
axe-core runs in Debian's Chromium against a real `workshop serve`; no serious or critical
violation may be found. The phone's touch targets are measured in every cell too.

Set WORKSHOP_A11Y_SHOTS=DIR to keep a 360x640 picture of the phone in every cell (the
ones docs/accessibility.md speaks of).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM,
    LAPTOP,
    LAUNCH_ARGS,
    PHONE,
    PROJECTOR,
    Watcher,
    add_idea,
    assert_thumb_friendly,
    close_and_reveal,
    command,
    create_workshop,
    phase_moved,
    serious_violations,
)
from conftest import Server, start_server, stop_server
from playwright.sync_api import Page, expect, sync_playwright

from workshop.core.voting import METHODS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.server,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"Chromium is not installed at {CHROMIUM}"),
]

IDEAS = [
    "Un transport collectif abordable entre les MRC",
    "Des logements sociaux près des services",
    "L'aide alimentaire accessible sans honte",
    "Un accès Internet abordable en région",
]
# Each method's settings for the audit, small enough for a quick ballot.
SETTINGS = {"dots": {"dots": "3", "max_per_option": "2"}, "approval": {"max_approvals": "2"},
            "points": {"points": "100"}, "ranking": {}, "pairwise": {"pairs": "2"}}
SHOTS = os.environ.get("WORKSHOP_A11Y_SHOTS")
# Touch targets on the phone: WCAG 2.5.5 asks 44 CSS px.
TOUCH = 44


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("a11y") / "instance")
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def browser():
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def picture(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def open_round(page: Page, method: str) -> None:
    form = page.locator("#panel form[data-round-form]")
    form.locator("[data-method-select]").select_option(method)
    for name, value in SETTINGS[method].items():
        form.locator(f'input[name="{name}"]').fill(value)
    form.locator('button[type="submit"]').click()
    expect(page.locator('#panel form[action$="/do/close-round"]')).to_have_count(1)


def vote(phone: Page, method: str) -> None:
    """Cast a ballot by touch, and wait for the phone's confirmation."""
    if method == "pairwise":
        for _ in range(2):
            card = phone.locator(".pair-card").first
            expect(card).to_be_visible()
            card.tap()
        expect(phone.locator(".flash-ok")).to_be_visible()
        return
    expect(phone.locator("#ballot-form")).to_be_visible()
    if method in ("dots", "points"):
        phone.locator('#ballot-form button.step[data-step="1"]').first.tap()
    elif method == "approval":
        phone.locator(".option-check label").first.tap()
    else:
        phone.locator(".option-rank").first.tap()
    phone.locator('#ballot-form button[type="submit"]').tap()
    expect(phone.locator("#ballot-form .form-status")).not_to_be_empty()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_axe_matrix_pages_by_phases(server, browser, lang):
    """Phone, projector and facilitator in the collection, during each method's vote and at
    its results, and the printed tickets page: nothing serious or critical, in each
    language; the phone's controls are at least 44 px both ways in every phase."""
    watch = Watcher()
    found: dict[str, list[str]] = {}
    audited: list[str] = []

    def audit(page: Page, cell: str) -> None:
        audited.append(cell)
        found[cell] = serious_violations(page)

    laptop = watch.context(browser, **LAPTOP)
    facilitator = watch.page(laptop, "facilitator")
    facilitator.goto(f"{server.url}/?lang={lang}")
    code, _secret = create_workshop(facilitator, server.url, "Accessibilité")
    for text in IDEAS:
        add_idea(facilitator, text)
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}?lang={lang}")
    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{code}?lang={lang}")
    expect(phone.locator("html")).to_have_attribute("lang", lang)

    command(facilitator, "open-ideas")
    phase_moved(facilitator, "open-ideas")
    phone.locator("#idea-form textarea").fill("Des jardins collectifs dans chaque MRC")
    phone.locator("#idea-form button[type='submit']").tap()
    expect(phone.locator("[data-live='mine']")).to_be_visible()
    expect(projector.locator(".wall-card")).to_have_count(len(IDEAS))
    assert_thumb_friendly(phone, TOUCH)
    picture(phone, f"{lang}-phone-ideas")
    for name, page in (("phone", phone), ("projector", projector),
                       ("facilitator", facilitator)):
        audit(page, f"{name} / ideas")

    with facilitator.expect_popup() as opened:
        tickets_form = facilitator.locator("form[action$='/tickets']")
        tickets_form.locator('input[name="count"]').fill("4")
        tickets_form.locator('button[type="submit"]').click()
    tickets = opened.value
    expect(tickets.locator(".slip-code").first).to_be_visible()
    audit(tickets, "tickets")
    tickets.close()

    for method in METHODS:
        open_round(facilitator, method)
        vote(phone, method)
        expect(facilitator.locator("#panel [data-voted]")).to_have_text("1")
        expect(projector.locator(".bars .bar-row").first).to_be_visible()
        assert_thumb_friendly(phone, TOUCH)
        picture(phone, f"{lang}-phone-vote-{method}")
        for name, page in (("phone", phone), ("projector", projector),
                           ("facilitator", facilitator)):
            audit(page, f"{name} / vote {method}")
        close_and_reveal(facilitator)
        expect(phone.locator(".ranking li").first).to_be_visible()
        expect(projector.locator(".bars .bar-row").first).to_be_visible()
        assert_thumb_friendly(phone, TOUCH)
        picture(phone, f"{lang}-phone-results-{method}")
        for name, page in (("phone", phone), ("projector", projector),
                           ("facilitator", facilitator)):
            audit(page, f"{name} / results {method}")

    # 3 pages in the collection, the tickets page, 3 pages in each method's vote and results.
    assert len(audited) == 3 + 1 + 3 * 2 * len(METHODS), audited
    print(f"\naxe matrix ({lang}): {len(audited)} pages audited")
    report = {cell: issues for cell, issues in found.items() if issues}
    for context in list(browser.contexts):
        context.close()
    assert report == {}, json.dumps(report, indent=2, ensure_ascii=False)
    assert watch.errors == [], "\n".join(watch.errors)
