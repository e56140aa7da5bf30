"""In Chromium against a real server: a moderator's page kept live, the author's phone told
at once when its ideas are approved, hidden or merged (no HTTP request after the push),
and the console's keyboard shortcuts. Screenshots of the facilitator's page (1366×768)
and the moderator's (a tablet, 1024×768) go to ../links-shots/ when LINKS_SHOTS=1."""

from __future__ import annotations

import os
import time
from pathlib import Path

from browser_support import (
    BROWSER_MARKS,
    LAPTOP,
    PHONE,
    add_idea,
    command,
    create_workshop,
    idea_item,
    serious_violations,
    start_vote,
)
from playwright.sync_api import expect

from tests.test_browser import count_requests

pytestmark = BROWSER_MARKS

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
SHOTS = Path(__file__).resolve().parents[2] / "links-shots"


def shot(page, name: str) -> None:
    if os.environ.get("LINKS_SHOTS") == "1":
        SHOTS.mkdir(exist_ok=True)
        page.wait_for_timeout(400)
        page.screenshot(path=str(SHOTS / name))


def propose(phone, text: str) -> None:
    phone.locator("#idea-form textarea").fill(text)
    phone.locator("#idea-form button[type='submit']").tap()
    expect(phone.locator("[data-live='mine'] li[data-idea]").filter(has_text=text)
           ).to_have_count(1)


def badge(phone, text: str):
    return phone.locator("[data-live='mine'] li[data-idea]").filter(has_text=text) \
        .locator(".badge")


def test_the_authors_phone_follows_a_moderators_decisions_without_asking(server, browser,
                                                                        watch):
    laptop = watch.context(browser, **LAPTOP)
    facilitator = watch.page(laptop, "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Modération en direct")
    command(facilitator, "open-ideas")
    add_idea(facilitator, "Des logements sociaux près des services")
    form = facilitator.locator('#panel form[action$="/links"]')
    form.locator('input[name="label"]').fill("Sam")
    with laptop.expect_page() as opened:
        form.locator('button[value="moderator"]').click()
    shown = opened.value
    shown.wait_for_load_state()
    expect(shown.locator("h1")).to_have_text("Lien de modération · Sam")
    link = shown.locator("a.device-link").get_attribute("href")
    shown.close()
    expect(facilitator.locator("#panel .team-links li")).to_have_text(
        "Modération · Sam Fermer ce lien")
    moderator = watch.page(watch.context(browser, **TABLET), "moderator")
    moderator.goto(link)
    expect(moderator.locator("#ideas")).to_be_visible()
    expect(moderator.locator('form[action$="/do/open-round"]')).to_have_count(0)
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    with phone.expect_response(lambda response: response.url.endswith("/join")):
        phone.goto(f"{server.url}/j/{code}")
    expect(facilitator.locator("#panel [data-connected]")).to_have_text("1")  # joined
    texts = ["Un transport collectif entre les MRC", "Hors sujet complètement",
             "Logements sociaux près des services", "Une épicerie solidaire"]
    for text in texts:
        propose(phone, text)
    expect(badge(phone, texts[0])).to_have_class("badge badge-pending")
    # The moderator's page shows the new ideas from its pushes.
    for text in texts:
        expect(idea_item(moderator, text, "pending")).to_have_count(1)
    shot(moderator, "moderator-1024x768.png")
    made = count_requests(phone)
    idea_item(moderator, texts[0], "pending").locator(
        'form[action$="/do/approve"] button').click()
    idea_item(moderator, texts[1], "pending").locator('form[action$="/do/hide"] button').click()
    # The near-duplicate suggestion's one-click merge into the idea on the wall.
    idea_item(moderator, texts[2], "pending").locator(
        '.suggestion form[action$="/do/merge"] button').click()
    expect(badge(phone, texts[0])).to_have_class("badge badge-approved")
    expect(badge(phone, texts[1])).to_have_class("badge badge-hidden")
    expect(badge(phone, texts[2])).to_have_class("badge badge-merged")
    expect(badge(phone, texts[1])).to_have_text("non retenue")
    expect(badge(phone, texts[3])).to_have_class("badge badge-pending")
    # A push later (the facilitator adds an idea) keeps what the phone was told.
    add_idea(facilitator, "Un accès Internet abordable en région")
    expect(phone.locator("[data-live='wall'] li")).to_have_count(3)
    expect(badge(phone, texts[1])).to_have_class("badge badge-hidden")
    assert made == []
    facilitator.locator("#panel .team-links").screenshot(path=str(SHOTS / "team-links.png")) \
        if os.environ.get("LINKS_SHOTS") == "1" else None
    # Automatic approval: on, with the default list; an insult waits, with its word shown
    # to the facilitator and the moderator, never to the phone.
    tools = facilitator.locator("#panel details.auto-approve")
    tools.locator("summary").click()
    tools.locator('input[name="on"]').check()
    tools.locator('button[type="submit"]').click()
    expect(facilitator.locator("#panel details.auto-approve summary")).to_have_text(
        "Approbation automatique : activée")
    # The phone's own list after its command comes from a GET of its panel; here the push
    # its approved idea makes is shown first (the GET held 1.5 s): the list must still
    # come, from that late answer.
    def late(route):
        time.sleep(1.5)
        route.continue_()

    phone.route("**/panel", late)
    propose(phone, "Une halte-garderie le soir")
    phone.unroute("**/panel")
    expect(badge(phone, "Une halte-garderie le soir")).to_have_class("badge badge-approved")
    propose(phone, "Le ministre est un CON")
    expect(badge(phone, "Le ministre est un CON")).to_have_class("badge badge-pending")
    held = idea_item(moderator, "Le ministre est un CON", "pending")
    expect(held.locator(".held-for")).to_have_text(
        "Retenue par le mot «\u00a0con\u00a0» de la liste.")
    expect(idea_item(facilitator, "Le ministre est un CON", "pending").locator(".held-for")
           ).to_have_count(1)
    assert "Retenue" not in phone.content()
    held.scroll_into_view_if_needed()
    shot(moderator, "moderator-held-1024x768.png")
    assert serious_violations(moderator) == []  # axe: nothing serious or critical
    facilitator.locator("#panel details.auto-approve summary").click()
    assert serious_violations(facilitator) == []


def test_keyboard_shortcuts_start_the_next_step_and_reveal_never_while_typing(server,
                                                                              browser, watch):
    laptop = watch.context(browser, **LAPTOP)
    page = watch.page(laptop, "facilitator")
    create_workshop(page, server.url, "Raccourcis")
    add_idea(page, "Des logements sociaux près des services")
    add_idea(page, "Un transport collectif entre les MRC")
    expect(page.locator("[data-shortcuts]")).to_be_visible()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    expect(page.locator("#shortcuts [role=dialog]")).to_be_focused()
    shot(page, "shortcuts-1366x768.png")
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()
    # Plan a vote on the agenda, then: N in a field types an N, N outside starts the step.
    page.locator("#add-idea").fill("")
    page.locator("#add-idea").type("Non n")
    expect(page.locator("#add-idea")).to_have_value("Non n")
    page.locator("#add-idea").fill("")
    page.locator("#panel h2").first.click()
    page.keyboard.press("R")  # nothing to reveal: said, nothing done
    expect(page.locator("[data-shortcuts] .shortcut-status")).to_have_text(
        "Ce raccourci ne fait rien à cette étape.")
    command(page, "plan-ready-agenda")
    next_button = page.locator('#panel form[action$="/do/start-next"] button')
    expect(next_button).to_have_attribute("aria-keyshortcuts", "N")
    page.locator("#panel h2").first.click()
    page.keyboard.press("n")  # the agenda's first step, an idea collection, starts
    expect(page.locator("#panel .agenda-step.agenda-open")).to_have_count(1)
    expect(page.locator('#panel form[action$="/do/add-idea"]')).to_have_count(1)
    # T gives the running countdown one more minute (its "+1 min" button declares it).
    page.locator('#panel .agenda-open form[action$="/do/set-timer"] button').click()
    countdown = page.locator("#panel .countdown-facilitator")
    expect(countdown).to_be_visible()
    ends = int(countdown.get_attribute("data-ends-at"))
    expect(page.locator('#panel form[action$="/do/extend-timer"] button').first) \
        .to_have_attribute("aria-keyshortcuts", "T")
    page.locator("#panel h2").first.click()
    page.keyboard.press("t")
    page.wait_for_function(
        "e => Number(document.querySelector('#panel .countdown-facilitator')"
        ".getAttribute('data-ends-at')) >= e + 59000", arg=ends)
    command(page, "close-activity")
    expect(page.locator("#panel .agenda-step.agenda-open")).to_have_count(0)
    start_vote(page)
    command(page, "close-round")
    reveal = page.locator('#panel form[action$="/do/reveal"] button')
    expect(reveal).to_have_attribute("aria-keyshortcuts", "R")
    page.locator("#panel h2").first.click()
    page.keyboard.press("r")
    expect(reveal).to_have_text("Cacher les résultats")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "facilitator-1366x768.png")
    # Replacing the facilitator link: asked first, then the page at its new address.
    old = page.url.split("?")[0]
    page.locator('form[action$="/rotate"] button').click()  # the watcher accepts
    page.wait_for_url(lambda url: "rotated=1" in url)
    expect(page.locator("main .notice h1")).to_have_text("Votre lien d'animation est remplacé")
    assert page.url.split("?")[0] != old
    assert page.request.get(old).status == 404
