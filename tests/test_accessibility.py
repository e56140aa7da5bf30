"""The axe audit matrix: every page a participant or a facilitator sees, in every phase of
the day (idea collection, a vote by each method, its results), in French and in English.
axe-core runs in Debian's Chromium against a real `workshop serve`; no serious or critical
violation may be found. The phone's touch targets are measured in every cell too.

Set WORKSHOP_A11Y_SHOTS=DIR to keep a 360x640 picture of the phone in every cell (the
ones docs/accessibility.md speaks of).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import time
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM,
    LAPTOP,
    PHONE,
    PROJECTOR,
    TABLET,
    Watcher,
    add_idea,
    assert_thumb_friendly,
    close_and_reveal,
    command,
    create_workshop,
    device_link,
    phase_moved,
    serious_violations,
)
from playwright.sync_api import Page, expect

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
    form.locator('input[name="show_live"]').check()  # the live bars are watched
    form.locator('button[type="submit"]').click()
    expect(page.locator('#panel form[action$="/do/close-round"]')).to_have_count(1)


def vote(phone: Page, method: str) -> None:
    """Cast a ballot by touch, and wait for the phone's confirmation."""
    if method == "pairwise":
        for step in range(2):
            # The next pair is drawn once the step is recorded: "Comparison 2 of 2".
            expect(phone.locator(".remaining")).to_have_text(re.compile(rf"^\D*{step + 1}\D"))
            phone.locator(".pair-card").first.tap()
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
    expect(phone.locator("#panel .flash-ok")).to_be_visible()  # drawn once it is stored


# The smallest control on the page, both ways, for docs/accessibility.md.
SMALLEST = """
() => {
  let small = null;
  for (const node of document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), textarea, select, summary")) {
    const box = node.getBoundingClientRect();
    if (!box.width || !box.height || box.right < 0 || box.bottom < 0) continue;
    const side = Math.min(box.width, box.height);
    if (!small || side < small.side) {
      small = {side: Math.round(side), size: `${Math.round(box.width)}x${Math.round(box.height)}`,
               what: node.outerHTML.slice(0, 60)};
    }
  }
  return small;
}
"""


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

    # The kiosk (a tablet at the back of the room) and a helper's entry screen, opened
    # from their links, in the collection and then in every vote.
    tablet = watch.page(watch.context(browser, **TABLET), "kiosk")
    kiosk = device_link(laptop, facilitator, "kiosks", pin="4321")
    tablet.goto(f"{kiosk}?lang={lang}")
    audit(tablet, "kiosk / start")
    tablet.locator('form[action*="/k/"] button[type="submit"]').click()
    tablet.wait_for_url(re.compile(r"/kiosk$"))
    audit(tablet, "kiosk / ideas")
    helper = watch.page(watch.context(browser, **PHONE), "helper")
    entry = device_link(laptop, facilitator, "helpers", label="Louise")
    helper.goto(f"{entry}?lang={lang}")
    assert_thumb_friendly(helper, TOUCH)
    audit(helper, "helper / ideas")

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
        print(f"\nsmallest phone control ({lang}, {method}):", phone.evaluate(SMALLEST))
        picture(phone, f"{lang}-phone-vote-{method}")
        for name, page in (("phone", phone), ("projector", projector),
                           ("facilitator", facilitator)):
            audit(page, f"{name} / vote {method}")
        # The kiosk and the helper's entry screen during each vote (a pairwise vote says
        # there that it is for phones only).
        tablet.goto(f"{server.url}/kiosk")
        audit(tablet, f"kiosk / vote {method}")
        helper.reload()
        audit(helper, f"helper / vote {method}")
        close_and_reveal(facilitator)
        expect(phone.locator(".ranking li").first).to_be_visible()
        expect(projector.locator(".bars .bar-row").first).to_be_visible()
        # Scores as the language writes them (pairwise scores have decimals): 52,3 / 52.3.
        scores = projector.locator(".bar-score").all_inner_texts()
        assert not [s for s in scores if ("." if lang == "fr" else ",") in s], scores
        assert_thumb_friendly(phone, TOUCH)
        picture(phone, f"{lang}-phone-results-{method}")
        for name, page in (("phone", phone), ("projector", projector),
                           ("facilitator", facilitator)):
            audit(page, f"{name} / results {method}")

    # 3 pages in the collection, the tickets page, 3 pages in each method's vote and
    # results; the kiosk's start page, the kiosk and the helper's entry screen in the
    # collection and in each method's vote.
    assert len(audited) == 3 + 1 + 3 * 2 * len(METHODS) + 1 + 2 * (1 + len(METHODS)), audited
    print(f"\naxe matrix ({lang}): {len(audited)} pages audited")
    report = {cell: issues for cell, issues in found.items() if issues}
    for context in list(browser.contexts):
        context.close()
    assert report == {}, json.dumps(report, indent=2, ensure_ascii=False)
    assert watch.errors == [], "\n".join(watch.errors)


# --- checks docs/accessibility.md reports (figures printed with -s) --------------------

FOCUSED = """
(selector) => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const name = el.getAttribute("aria-label") || el.textContent || el.value || el.name || "";
  return {label: el.tagName.toLowerCase() + " " + name.trim().replace(/\\s+/g, " ").slice(0, 60),
          matches: el !== document.body && el.matches(selector),
          ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2};
}
"""


def tab_to(page: Page, selector: str, stops: list[dict], limit: int = 150) -> None:
    """Press Tab until the focus is on `selector`, keeping every stop passed."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED, selector)
        stops.append(stop)
        if stop["matches"]:
            return
    raise AssertionError(f"{selector} is not reached with Tab: {[s['label'] for s in stops]}")


def test_the_facilitator_page_by_keyboard_alone(server, browser):
    """Create a workshop, add an idea, open the collection, start, close and reveal a vote
    with Tab and Enter only; every stop shows a focus ring."""
    watch = Watcher()
    page = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    stops: list[dict] = []
    page.goto(f"{server.url}/?lang=fr")
    tab_to(page, 'a[href$="/new"]', stops)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "#title", stops)
    page.keyboard.type("Au clavier")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#panel")).to_be_visible()
    order: list[dict] = []
    tab_to(page, "#add-idea", order)
    page.keyboard.type(IDEAS[0])
    page.keyboard.press("Enter")
    expect(page.locator("#panel li.idea-approved")).to_have_count(1)
    for name in ("open-ideas", "open-round", "close-round", "reveal"):
        selector = ('#panel form[data-round-form] button[type="submit"]' if name == "open-round"
                    else f'#panel form[action$="/do/{name}"] button[type="submit"]')
        tab_to(page, selector, stops)
        page.keyboard.press("Enter")
        if name != "reveal":
            phase_moved(page, name)
    expect(page.locator('#panel form[action$="/do/reveal"] input[name="reveal"]')
           ).to_have_value("0")
    stops += order
    print("\nfacilitator focus order:", " | ".join(s["label"] for s in order))
    print(f"keyboard stops passed: {len(stops)}")
    # The document itself is where Tab goes past the last control: not a stop.
    assert [s["label"] for s in stops if not s["ring"] and not s["label"].startswith("body")
            ] == []
    for context in list(browser.contexts):
        context.close()
    assert watch.errors == [], "\n".join(watch.errors)


def test_the_vote_confirmation_is_announced_and_focus_stays_in_the_ballot(server, browser):
    """The phone's answer to a ballot lands in a live region that was on the page before
    (a screen reader says it), and the focus goes to the new panel's heading."""
    watch = Watcher()
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Annonce")
    add_idea(facilitator, IDEAS[0])
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}?lang=fr")
    open_round(facilitator, "dots")
    region = phone.locator("#announce")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_text("")
    phone.locator('#ballot-form button.step[data-step="1"]').first.focus()
    phone.keyboard.press("Enter")
    phone.locator('#ballot-form button[type="submit"]').focus()
    phone.keyboard.press("Enter")
    voted = phone.locator("#panel").get_attribute("data-voted-text")
    expect(region).to_have_text(voted)
    expect(phone.locator("#panel h1")).to_be_focused()
    for context in list(browser.contexts):
        context.close()
    assert watch.errors == [], "\n".join(watch.errors)


SIDEWAYS = "[document.documentElement.scrollWidth, innerWidth]"


def test_pages_reflow_at_200_percent_zoom(server, browser):
    """At 200 % zoom a page has half the CSS pixels: the phone 180 px wide, the laptop
    683 px; nothing may need sideways scrolling."""
    watch = Watcher()
    facilitator = watch.page(watch.context(browser, viewport={"width": 683, "height": 384}),
                             "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Zoom")
    for text in IDEAS:
        add_idea(facilitator, text)
    # Not a "mobile" viewport: a mobile one widens itself to the content, hiding overflow.
    phone = watch.page(watch.context(browser, viewport={"width": 180, "height": 320},
                                     has_touch=True, device_scale_factor=4), "phone")
    phone.goto(f"{server.url}/j/{code}?lang=fr")
    widths = {}
    for method in METHODS:
        open_round(facilitator, method)
        expect(phone.locator("#ballot-form")).to_be_visible()
        widths[f"phone {method}"] = phone.evaluate(SIDEWAYS)
        widths[f"facilitator {method}"] = facilitator.evaluate(SIDEWAYS)
        picture(phone, f"zoom200-phone-{method}")
        close_and_reveal(facilitator)
        expect(phone.locator(".ranking li").first).to_be_visible()
        widths[f"phone results {method}"] = phone.evaluate(SIDEWAYS)
        widths[f"facilitator results {method}"] = facilitator.evaluate(SIDEWAYS)
    print("\nreflow at 200 %:", widths)
    assert {k: v for k, v in widths.items() if v[0] > v[1]} == {}
    for context in list(browser.contexts):
        context.close()
    assert watch.errors == [], "\n".join(watch.errors)


def test_the_phone_page_is_light_and_works_on_slow_3g(server, browser):
    """The phone page's first load, gzip-compressed as a proxy would send it, stays under
    150 KB; on Chromium's slow-3G profile (2 s latency, 50 kB/s each way) the ballot shows
    and a vote is confirmed."""
    watch = Watcher()
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Léger")
    for text in IDEAS:
        add_idea(facilitator, text)
    open_round(facilitator, "dots")

    context = watch.context(browser, **PHONE)
    phone = watch.page(context, "phone")
    cdp = context.new_cdp_session(phone)
    cdp.send("Network.enable")
    responses: dict[str, dict] = {}
    cdp.on("Network.responseReceived", lambda e: responses.setdefault(e["requestId"], {
        "url": e["response"]["url"], "encoding": e["response"]["headers"].get(
            "Content-Encoding", e["response"]["headers"].get("content-encoding", ""))}))
    cdp.on("Network.loadingFinished", lambda e: responses.setdefault(e["requestId"], {})
           .update(sent=e["encodedDataLength"]))
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 2000, "downloadThroughput": 50_000,
        "uploadThroughput": 50_000})
    started = time.monotonic()
    phone.goto(f"{server.url}/j/{code}", timeout=120_000)
    expect(phone.locator("#ballot-form")).to_be_visible(timeout=120_000)
    shown = time.monotonic() - started
    phone.wait_for_load_state("load", timeout=120_000)
    loaded = time.monotonic() - started
    first_load = {rid: r for rid, r in responses.items() if "sent" in r and "url" in r
                  and "/socket.io/" not in r["url"]}
    sizes = {}
    for rid, response in first_load.items():
        body = cdp.send("Network.getResponseBody", {"requestId": rid})
        raw = (base64.b64decode(body["body"]) if body["base64Encoded"]
               else body["body"].encode("utf-8"))
        sizes[response["url"].removeprefix(server.url)] = (
            response["sent"], len(raw), len(gzip.compress(raw, 6)))
    phone.locator('#ballot-form button.step[data-step="1"]').first.tap()
    started = time.monotonic()
    phone.locator('#ballot-form button[type="submit"]').tap()
    expect(phone.locator("#announce")).not_to_be_empty(timeout=120_000)
    confirmed = time.monotonic() - started
    total = {"sent": sum(s[0] for s in sizes.values()), "raw": sum(s[1] for s in sizes.values()),
             "gzip": sum(s[2] for s in sizes.values())}
    print(f"\nphone first load: {json.dumps(sizes, indent=1)}\ntotal bytes: {total}")
    print(f"slow 3G: ballot shown after {shown:.1f} s, page loaded after {loaded:.1f} s, "
          f"vote confirmed {confirmed:.1f} s after the tap")
    assert len(sizes) >= 4  # the page, its stylesheet and scripts were all counted
    assert total["gzip"] < 150_000, total
    for context in list(browser.contexts):
        context.close()
    assert watch.errors == [], "\n".join(watch.errors)


# Stands in for the browser's voice: records what would be said, in which language.
SPEECH_STUB = """
(function () {
  window.__said = [];
  window.__cancelled = 0;
  var stub = { speak: function (u) { window.__said.push([u.text, u.lang]); },
               cancel: function () { window.__cancelled += 1; },
               getVoices: function () { return []; } };
  Object.defineProperty(window, "speechSynthesis", { value: stub, configurable: true });
})();
"""
NO_SPEECH = """
Object.defineProperty(window, "speechSynthesis", { value: undefined, configurable: true });
"""


def test_the_phone_reads_the_question_and_its_choices_aloud(server, browser):
    """The Listen button reads the vote's question, what to do and every choice, in the
    page's language, with the browser's own speech; it is hidden without speech."""
    watch = Watcher()
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Écoute")
    for text in IDEAS[:3]:
        add_idea(facilitator, text)
    open_round(facilitator, "approval")

    speaking = watch.context(browser, **PHONE)
    speaking.add_init_script(SPEECH_STUB)
    phone = watch.page(speaking, "phone")
    phone.goto(f"{server.url}/j/{code}?lang=fr")
    button = phone.locator("[data-read-aloud]")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-label", re.compile(r"^Écouter\u00a0: "))
    button.tap()
    expect(button).to_have_attribute("aria-pressed", "true")
    said = phone.evaluate("window.__said")
    texts = [text for text, _lang in said]

    def spoken(text: str) -> str:  # as speak.js passes it on: spaces made plain
        return " ".join(text.split())

    assert texts[0] == spoken(phone.locator("#panel h1").inner_text())
    assert spoken(phone.locator("#panel p.lead").inner_text()) in texts
    assert [t for t in texts if t in IDEAS] == IDEAS[:3]
    assert {lang for _text, lang in said} == {"fr-CA"}
    button.tap()  # again: stops
    expect(button).to_have_attribute("aria-pressed", "false")
    assert phone.evaluate("window.__cancelled") >= 1

    mute = watch.context(browser, **PHONE)
    mute.add_init_script(NO_SPEECH)
    silent = watch.page(mute, "silent phone")
    silent.goto(f"{server.url}/j/{code}?lang=en")
    expect(silent.locator("#ballot-form")).to_be_visible()
    expect(silent.locator("[data-read-aloud]")).to_be_hidden()
    for context in list(browser.contexts):
        context.close()
    assert watch.errors == [], "\n".join(watch.errors)
