"""Questions in a real browser: a phone (360 × 640) answers with script, the projector
(1920 × 1080) shows the distribution and the word cloud once revealed, large enough to be
read from the back of a hall. Screenshots go to $POLL_SHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import requests
from browser_support import BROWSER_MARKS, LAPTOP, PHONE, PROJECTOR

from tests.conftest import Facilitator, join_over_http
from tests.factories import client_id

pytestmark = BROWSER_MARKS

SHOTS = os.environ.get("POLL_SHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        page.wait_for_timeout(700)
        page.screenshot(path=str(Path(SHOTS) / name))


def answer_from(base: str, code: str, body: dict) -> None:
    http = requests.Session()
    token = join_over_http(http, base, code)
    reply = http.post(f"{base}/j/{code}/answer", json={**body, "client_id": client_id()},
                      headers={"X-CSRFToken": token, "Accept": "application/json"}, timeout=10)
    assert reply.status_code == 200, reply.text


def test_a_phone_answers_and_the_projector_shows_the_results(server, browser, watch):
    from playwright.sync_api import expect

    room = Facilitator(server.url, "Journée régionale")
    room.steer("plan-activity", {"kind": "choice", "prompt": "Quel thème d'abord ?",
                                 "choices": ["Logement", "Transport collectif",
                                             "Sécurité alimentaire", "Revenu"]})
    room.steer("plan-activity", {"kind": "wordcloud", "prompt": "Un mot pour la région ?",
                                 "max_words": 3})
    room.steer("plan-activity", {"kind": "scale", "prompt": "Êtes-vous d'accord ?",
                                 "low_label": "Pas du tout", "high_label": "Tout à fait"})
    room.steer("plan-activity", {"kind": "open_question",
                                 "prompt": "Qu'est-ce qui vous aiderait le plus ?"})
    room.steer("start-next")
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{room.code}")
    expect(phone.locator("h1")).to_have_text("Quel thème d'abord ?")
    shot(phone, "phone-choice.png")
    phone.get_by_label("Transport collectif").check()
    phone.locator("#answer-form button[type=submit]").click()
    expect(phone.locator("#answer-form .form-status")).to_contain_text("enregistrée")
    for pick in (0, 1, 1, 2):
        answer_from(server.url, room.code, {"choice": pick})
    screen = watch.page(watch.context(browser, **PROJECTOR), "screen")
    screen.goto(f"{server.url}/s/{room.code}")
    expect(screen.locator("#stage .voted")).to_contain_text("5 ont répondu")
    expect(screen.locator("#stage .bar-row")).to_have_count(0)  # hidden until revealed
    shot(screen, "projector-choice-hidden.png")
    room.steer("reveal-poll", {"reveal": True})
    expect(screen.locator("#stage .bar-row")).to_have_count(4)
    expect(screen.locator("#stage .bar-row").nth(1)).to_contain_text("3 · 60\u00a0%")
    shot(screen, "projector-choice.png")
    expect(phone.locator('[data-live="poll-results"]')).to_contain_text("60\u00a0%")
    shot(phone, "phone-choice-results.png")

    room.steer("start-next")  # the word cloud: the choice question closes on the way
    expect(phone.locator("h1")).to_have_text("Un mot pour la région ?")
    for words in (["Logement", "Solidarité"], ["logement!", "solidarite"], ["LOGEMENT"],
                  ["Transport"], ["Entraide", "Sécurité alimentaire", "Espoir"]):
        answer_from(server.url, room.code, {"words": words})
    phone.locator("#word-1").fill("Entraide")
    phone.locator("#answer-form button[type=submit]").click()
    expect(phone.locator("#answer-form .form-status")).to_contain_text("enregistrée")
    shot(phone, "phone-wordcloud.png")
    room.steer("close-activity")
    room.steer("reveal-poll", {"reveal": True})
    first = screen.locator("#stage .cloud-word").first
    expect(first).to_have_text("Logement")
    sizes = screen.locator("#stage .cloud-word").evaluate_all(
        "words => words.map(w => parseFloat(getComputedStyle(w).fontSize))")
    assert min(sizes) >= 31, sizes  # docs/accessibility.md: the stage's type at 1920 × 1080
    shot(screen, "projector-wordcloud.png")

    room.steer("start-next")
    for value in (1, 4, 4, 5):
        answer_from(server.url, room.code, {"value": value})
    room.steer("reveal-poll", {"reveal": True})
    expect(screen.locator("#stage .stage-sub")).to_contain_text("3,5")
    shot(screen, "projector-scale.png")
    shot(phone, "phone-scale.png")
    console = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    console.goto(server.url + room.path)
    card = console.locator(".poll-console")
    expect(card).to_contain_text("4 personnes ont répondu.")
    expect(card).to_contain_text("Moyenne\u00a0: 3,5 sur 5")
    console.wait_for_timeout(1000)  # the pushes of the page's socket settle
    console.evaluate("document.querySelector('.poll-console').scrollIntoView()")
    shot(console, "facilitator-scale.png")

    room.steer("start-next")  # the open question
    texts = ["Un transport collectif le soir pour aller travailler",
             "<script>alert(1)</script> des logements abordables près des services",
             "Insulte grossière", "Une épicerie solidaire dans chaque quartier",
             "Des repas communautaires gratuits", "Plus d'aide pour remplir les formulaires"]
    for text in texts:
        answer_from(server.url, room.code, {"text": text})
    console.goto(server.url + room.path)
    console.wait_for_timeout(1000)  # the page's first push has swapped its panel
    hide = console.locator(".poll-written li", has_text="Insulte grossière").locator("button")
    hide.click()
    expect(console.locator(".poll-written li.answer-hidden")).to_have_count(1)
    room.steer("reveal-poll", {"reveal": True})
    expect(screen.locator("#stage .wall-card")).to_have_count(5)
    expect(screen.locator("#stage")).not_to_contain_text("Insulte")
    expect(screen.locator("#stage")).to_contain_text("<script>alert(1)</script> des logements")
    shot(screen, "projector-open.png")
    console.wait_for_timeout(1000)
    console.evaluate("document.querySelector('.poll-console').scrollIntoView()")
    shot(console, "facilitator-open.png")
