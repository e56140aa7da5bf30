"""Profiles (ADS+) in Chromium: the consent screen and the questions on a small phone by
touch, the facilitator's profiles page with results by group; axe finds nothing serious."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from browser_support import (
    CHROMIUM,
    LAPTOP,
    LAUNCH_ARGS,
    PHONE,
    Watcher,
    assert_thumb_friendly,
    create_workshop,
    serious_violations,
    shoot,
)
from conftest import Server, start_server, stop_server
from playwright.sync_api import expect, sync_playwright

pytestmark = [
    pytest.mark.browser,
    pytest.mark.server,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM}"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("profiles") / "instance")
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


@pytest.fixture
def watch(browser) -> Iterator[Watcher]:
    watcher = Watcher()
    yield watcher
    assert watcher.errors == [], "\n".join(watcher.errors)


def test_a_phone_consents_and_answers_by_touch_and_the_facilitator_asks(server, browser,
                                                                         watch):
    found: dict[str, list[str]] = {}
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, secret = create_workshop(facilitator, server.url, "Profils")
    facilitator.goto(f"{server.url}/f/{secret}/profiles")
    facilitator.locator('form[action$="/do/add-profile-template"] button').click()
    expect(facilitator.locator("details.profile-editor")).to_have_count(4)
    facilitator.locator('form[action$="/do/open-profiles"] button').click()
    expect(facilitator.locator('form[action$="/do/open-profiles"] input[name="open"]')) \
        .to_have_value("0")
    found["facilitator profiles"] = serious_violations(facilitator)

    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}")
    invite = phone.locator(f'a[href$="/j/{code}/profile"]')
    expect(invite).to_be_visible()
    invite.tap()
    expect(phone.locator("h1")).to_have_text("Quelques questions sur vous")
    phone.wait_for_load_state("load")  # the style sheet too, before measuring
    assert_thumb_friendly(phone)
    found["phone consent"] = serious_violations(phone)
    shoot(phone, "phone-consent.png")
    phone.locator('button[name="agreed"][value="yes"]').tap()
    expect(phone.locator("fieldset.profile-question")).to_have_count(4)
    phone.wait_for_load_state("load")
    assert_thumb_friendly(phone)
    found["phone questions"] = serious_violations(phone)
    phone.get_by_text("Une femme", exact=True).tap()
    phone.get_by_text("La Mitis", exact=True).tap()
    phone.locator('form[action$="/profile"] button[type="submit"]').tap()
    expect(phone.locator(".flash")).to_contain_text("Merci")
    # the invitation is gone once the phone has decided; the answers are kept
    expect(phone.locator(f'a[href$="/j/{code}/profile"]')).to_have_count(0)
    phone.goto(f"{server.url}/j/{code}/profile")
    expect(phone.get_by_label("Une femme")).to_be_checked()
    expect(phone.get_by_label("La Mitis")).to_be_checked()
    phone.locator('button.danger[name="agreed"][value="no"]').tap()
    phone.wait_for_url(f"{server.url}/j/{code}")
    phone.goto(f"{server.url}/j/{code}/profile")
    expect(phone.locator('button[name="agreed"][value="yes"]')).to_be_visible()
    expect(facilitator.locator("body")).to_be_visible()
    facilitator.reload()
    expect(facilitator.locator("body")).to_contain_text("Ont refusé\u00a0: 1")

    report = {page: issues for page, issues in found.items() if issues}
    assert report == {}, json.dumps(report, indent=2, ensure_ascii=False)


def test_a_busy_answer_is_never_swapped_into_the_facilitator_panel(server, browser, watch):
    """A panel request answered 503 (a busy server) leaves the panel as it was; the page
    asks again and shows the new state."""
    from browser_support import command, phase_moved

    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    _code, _secret = create_workshop(facilitator, server.url, "Occupé")
    refused = []

    def busy_twice(route):
        if len(refused) < 2:
            refused.append(route.request.url)
            route.fulfill(status=503, body="<p class=busy>Serveur occupé</p>",
                          content_type="text/html")
        else:
            route.continue_()

    facilitator.route("**/panel", busy_twice)
    command(facilitator, "open-ideas")
    phase_moved(facilitator, "open-ideas")  # shown once the third request is answered
    assert len(refused) == 2
    expect(facilitator.locator("#panel .busy")).to_have_count(0)
    # the browser reports the two refused requests; nothing else may have gone wrong
    watch.errors[:] = [e for e in watch.errors if "status of 503" not in e]
