"""Activity timers in a real browser against a real `workshop serve`: the countdown on a
small phone, on the projector and on the facilitator's laptop, counted from the pushed
deadline against the server's clock; and the automatic close done by the server.

No assertion depends on how fast anything runs: the countdown's text is checked for its
form (m:ss), deadlines are injected, and the automatic close is awaited, not timed.
Set TIMER_SHOTS=<folder> to keep the pictures looked at.
"""

from __future__ import annotations

import re

import requests
from browser_support import BROWSER_MARKS, LAPTOP, PHONE, PROJECTOR, THREE_IDEAS, keep_shot
from playwright.sync_api import expect

from tests.conftest import Facilitator, join_over_http

pytestmark = BROWSER_MARKS

IDEAS = THREE_IDEAS
CLOCK = re.compile(r"^\d{1,2}:\d\d$")


def shot(page, name: str) -> None:
    keep_shot(page, "TIMER_SHOTS", name)


def vote_with_timer(server, seconds: int, auto_close: bool) -> Facilitator:
    host = Facilitator(server.url, "Priorités régionales")
    for text in IDEAS:
        host.steer("add-idea", {"text": text})
    vote = host.steer("plan-activity", {"kind": "vote", "title": "Nos priorités",
                                        "method": "approval"})["activity"]
    host.steer("set-timer", {"activity": vote, "seconds": seconds, "auto_close": auto_close})
    host.steer("start-activity", {"activity": vote})
    return host


def test_the_countdown_shows_on_phone_projector_and_facilitator(server, browser, watch):
    host = vote_with_timer(server, 300, True)
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{host.code}")
    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{host.code}")
    laptop = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    laptop.goto(server.url + host.path)

    for page, where in ((phone, ".countdown-phone"), (projector, ".countdown-screen"),
                        (laptop, ".countdown-facilitator")):
        box = page.locator(f"{where}[data-countdown]")
        expect(box).to_be_visible()
        expect(box.locator("[data-countdown-time]")).to_have_text(CLOCK)
        expect(box.locator("[data-countdown-auto]")).to_be_visible()
    expect(phone.locator("#ballot-form")).to_be_visible()
    shot(phone, "phone-countdown.png")
    shot(projector, "projector-countdown.png")
    shot(laptop, "facilitator-countdown.png")
    laptop.evaluate("document.getElementById('agenda-title').scrollIntoView()")
    shot(laptop, "facilitator-agenda-timer.png")

    # The facilitator stops the timer: every countdown leaves by the push alone.
    host.steer("stop-timer")
    for page in (phone, projector, laptop):
        expect(page.locator("[data-countdown]").first).to_be_hidden()


def test_a_phone_whose_clock_is_off_counts_the_servers_time(server, browser, watch):
    host = vote_with_timer(server, 600, False)
    context = watch.context(browser, **PHONE)
    # This phone's clock is an hour late: without the server's time it would show 1:10:00.
    context.add_init_script("(function () { var real = Date.now;"
                            " Date.now = function () { return real() - 3600000; }; })();")
    phone = watch.page(context, "phone")
    phone.goto(f"{server.url}/j/{host.code}")
    time = phone.locator(".countdown-phone [data-countdown-time]")
    expect(time).to_have_text(re.compile(r"^(10:00|9:\d\d)$"))
    expect(phone.locator(".countdown-phone [data-countdown-auto]")).to_be_hidden()


def test_injected_deadlines_are_drawn_and_announced_at_one_minute_and_the_end(
        server, browser, watch):
    host = vote_with_timer(server, 600, False)
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{host.code}")
    expect(phone.locator(".countdown-phone [data-countdown-time]")).to_have_text(CLOCK)
    # The phone's countdown and live region as the server drew them, on a page of their
    # own with countdown.js alone: no push comes to reset the deadlines injected.
    drawn = phone.locator(".countdown-phone").evaluate("e => e.outerHTML") + \
        phone.locator("#announce").evaluate("e => e.outerHTML")
    phone = watch.page(watch.context(browser, **PHONE), "countdown alone")
    phone.set_content(f'<!doctype html><html lang="fr"><body class="page phone">'
                      f'<main>{drawn}</main></body></html>')
    phone.add_style_tag(url=f"{server.url}/static/css/app.css")
    phone.add_script_tag(url=f"{server.url}/static/js/countdown.js")
    box = phone.locator(".countdown-phone")
    expect(box.locator("[data-countdown-time]")).to_have_text(CLOCK)
    phone.evaluate("WorkshopCountdown.set({activity: 999, ends_at: Date.now() + 3723500,"
                   " auto_close: true}, Date.now())")
    expect(box.locator("[data-countdown-time]")).to_have_text(re.compile(r"^1:02:0\d$"))
    announce = phone.locator("#announce")
    expect(announce).to_have_text(box.get_attribute("data-t-started").replace("{n}", "63"))
    # One minute left: said once, not every second.
    phone.evaluate("WorkshopCountdown.set({activity: 999, ends_at: Date.now() + 61500,"
                   " auto_close: true}, Date.now())")
    expect(announce).to_have_text(box.get_attribute("data-t-minute"))
    expect(box).to_have_class(re.compile(r"countdown-ending"))
    # The end: the time is up, said once.
    phone.evaluate("WorkshopCountdown.set({activity: 999, ends_at: Date.now() + 1500,"
                   " auto_close: true}, Date.now())")
    expect(box.locator("[data-countdown-time]")).to_have_text(box.get_attribute("data-t-ended"))
    expect(announce).to_have_text(box.get_attribute("data-t-end"))
    expect(box).to_have_class(re.compile(r"countdown-ended"))
    shot(phone, "phone-countdown-ended.png")


def test_the_server_closes_the_vote_when_its_timer_ends(server, browser, watch):
    host = vote_with_timer(server, 10, True)  # the shortest timer allowed
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{host.code}")
    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{host.code}")
    # A ballot acknowledged before the close counts.
    early = requests.Session()
    token = join_over_http(early, server.url, host.code)
    state = early.get(f"{server.url}/j/{host.code}/state", timeout=10).json()
    options = state["round"]["options"]
    sent = early.post(f"{server.url}/j/{host.code}/ballot", timeout=10,
                      json={"client_id": "a" * 32, "ballot": [options[0]]},
                      headers={"X-CSRFToken": token})
    assert sent.status_code == 200 and sent.json()["ok"], sent.text
    # The phone follows the room to the results by itself when the server closes the vote.
    expect(phone.locator("#panel [data-view-key^='results']")).to_be_visible(timeout=40_000)
    late = early.post(f"{server.url}/j/{host.code}/ballot", timeout=10,
                      json={"client_id": "b" * 32, "ballot": [options[1]]},
                      headers={"X-CSRFToken": token})
    assert late.status_code == 409 and late.json()["error"] == "round_closed", late.text
    votes = host.export()
    assert votes[-1]["status"] == "closed" and votes[-1]["voters"] == 1
    expect(projector.locator("[data-countdown]")).to_be_hidden()


def test_plus_ones_on_a_small_phone_reach_the_projector_and_the_facilitator(
        server, browser, watch):
    host = Facilitator(server.url, "Priorités régionales")
    step = host.steer("plan-activity", {"kind": "ideas", "title": "Défis",
                                        "supports": True, "supports_on_wall": True})
    host.steer("start-activity", {"activity": step["activity"]})
    for text in IDEAS:
        host.steer("add-idea", {"text": text})
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{host.code}")
    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{host.code}")
    buttons = phone.locator("[data-live='wall'] [data-support-form] button")
    expect(buttons).to_have_count(len(IDEAS))
    buttons.nth(1).tap()
    expect(buttons.nth(1)).to_have_attribute("aria-pressed", "true")
    card = projector.locator(".wall .wall-card").nth(1)
    expect(card.locator(".wall-supports")).to_have_text("+1")
    # A push redraws the wall: this phone's +1 stays pressed.
    host.steer("add-idea", {"text": "Un quatrième, pour pousser le mur"})
    expect(buttons).to_have_count(len(IDEAS) + 1)
    expect(buttons.nth(1)).to_have_attribute("aria-pressed", "true")
    expect(buttons.nth(0)).to_have_attribute("aria-pressed", "false")
    shot(phone, "phone-plus-one.png")
    shot(projector, "projector-plus-one.png")
    laptop = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    laptop.goto(server.url + host.path)
    expect(laptop.locator(".most-supported li")).to_have_count(1)
    laptop.evaluate("document.getElementById('ideas-supported').scrollIntoView()")
    shot(laptop, "facilitator-plus-one.png")
    buttons.nth(1).tap()  # taken back
    expect(buttons.nth(1)).to_have_attribute("aria-pressed", "false")
    expect(card.locator(".wall-supports")).to_have_count(0)
