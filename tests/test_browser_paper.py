"""Nobody left out, in a real browser: a phone, a kiosk tablet and a helper typing paper
ballots vote in the same vote, and the projector and the export count each person once,
by channel. Chromium drives a real `workshop serve`; the tablet is 1024x768 with touch,
the helper uses a small phone (360x640).

Set WORKSHOP_SCREENSHOTS=1 to (re)write the pictures in docs/screenshots/.
"""

from __future__ import annotations

import io
import re

import requests
from browser_support import (
    BROWSER_MARKS,
    LAPTOP,
    PHONE,
    PROJECTOR,
    TABLET,
    THREE_IDEAS,
    add_idea,
    assert_thumb_friendly,
    create_workshop,
    device_link,
    option,
    plus,
    serious_violations,
    shoot,
    start_vote,
)
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = BROWSER_MARKS

IDEAS = THREE_IDEAS


def test_a_phone_a_kiosk_and_paper_are_each_counted_once(server, browser, watch, tmp_path):
    laptop = watch.context(browser, **LAPTOP)
    facilitator = watch.page(laptop, "facilitator")
    code, secret = create_workshop(facilitator, server.url, "Personne de côté")
    for text in IDEAS:
        add_idea(facilitator, text)
    start_vote(facilitator)
    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{code}")

    # A phone votes for the first priority.
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}")
    plus(phone, IDEAS[0][:20]).tap()
    phone.locator("#ballot-form button[type='submit']").tap()
    expect(phone.locator(".flash-ok").first).to_be_visible()

    # The kiosk: the link is opened once on the tablet, then its address shows no token.
    kiosk_link = device_link(laptop, facilitator, "kiosks", pin="4321", label="Tablette")
    tablet = watch.page(watch.context(browser, **TABLET), "kiosk")
    tablet.goto(kiosk_link)
    tablet.locator('form[action*="/k/"] button[type="submit"]').tap()
    tablet.wait_for_url(re.compile(r"/kiosk$"))
    expect(tablet.locator("#ballot-form")).to_be_visible()
    assert_thumb_friendly(tablet, 48)
    assert serious_violations(tablet) == []
    shoot(tablet, "kiosk-ballot.png")
    plus(tablet, IDEAS[1][:20]).tap()
    tablet.locator("#ballot-form button[type='submit']").tap()
    expect(tablet.locator(".kiosk-thanks")).to_be_visible()
    shoot(tablet, "kiosk-thanks.png")
    # The screen goes back by itself to a fresh, empty ballot for the next person.
    tablet.wait_for_url(re.compile(r"/kiosk$"), timeout=10_000)
    expect(tablet.locator("#ballot-form")).to_be_visible(timeout=10_000)
    expect(option(tablet, IDEAS[1][:20]).locator('input[type="number"]')).to_have_value("0")

    # Paper: the facilitator prints two numbered ballots (a PDF), a helper types them in.
    form = facilitator.locator('#panel form[action$="/paper"]')
    form.locator('input[name="count"]').fill("2")
    with facilitator.expect_download() as downloading:
        form.locator('button[type="submit"]').click()
    saved = tmp_path / "ballots.pdf"
    downloading.value.save_as(saved)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(saved.read_bytes()))
                    .pages)
    numbers = re.findall(r"\b\d{4}-\d\b", text)
    numbers = list(dict.fromkeys(numbers))
    assert len(numbers) == 2, text[:300]

    helper_link = device_link(laptop, facilitator, "helpers", label="Louise")
    helper = watch.page(watch.context(browser, **PHONE), "helper")
    helper.goto(helper_link)
    assert_thumb_friendly(helper)
    assert serious_violations(helper) == []

    def enter(number: str, idea: str) -> None:
        helper.locator('input[name="number"]').fill(number)
        helper.locator('input[name="number"]').press("Enter")  # as a scanner ends
        expect(helper.locator('input[name="number"]')).not_to_be_focused()
        plus(helper, idea[:20]).tap()
        helper.locator("#ballot-form button[type='submit']").tap()
        expect(helper.locator(".flash").first).to_contain_text(number)

    enter(numbers[0], IDEAS[2])
    enter(numbers[1], IDEAS[2])
    shoot(helper, "helper-entry.png")
    # The first sheet typed again (by mistake): kept for review, not counted.
    enter(numbers[0], IDEAS[0])
    expect(helper.locator("tr.entry-review")).to_have_count(1)
    helper.locator("#entries-title").scroll_into_view_if_needed()
    shoot(helper, "helper-review.png")

    # The projector and the export: four people, once each, by channel.
    expect(projector.locator(".voted-count")).to_have_text("4")
    expect(projector.locator(".voted-channels")).to_contain_text("1")
    channels = projector.locator(".voted-channels").inner_text()
    assert re.search(r"cellulaire 1 · kiosque 1 · papier 2", channels), channels
    shoot(projector, "projector-channels.png")
    export = requests.get(f"{server.url}/f/{secret}/export.json", timeout=10).json()
    assert export["votes"][0]["voters"] == 4
    assert export["votes"][0]["channels"] == {"kiosk": 1, "paper": 2, "phone": 1}
    assert export["participation"]["voted_by_channel"] == {"kiosk": 1, "paper": 2,
                                                           "phone": 1}
    scores = {row["text"]: row["score"] for row in export["votes"][0]["ranking"]}
    assert scores == {IDEAS[0]: 1, IDEAS[1]: 1, IDEAS[2]: 2}
    expect(facilitator.locator("#panel [data-channels]")).to_contain_text("2")
