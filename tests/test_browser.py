"""The workshop in a real browser: Debian's Chromium driven by Playwright against a real
`workshop serve` process. A phone is an old small one (360x640, touch), the projector is
1920x1080, the facilitator's laptop 1366x768. Every page is watched for console errors,
uncaught exceptions and CSP violations.

Set WORKSHOP_SCREENSHOTS=1 to (re)write the pictures in docs/screenshots/.
"""

from __future__ import annotations

import json
import time

import requests
from browser_support import (
    BROWSER_MARKS,
    LAPTOP,
    PHONE,
    PROJECTOR,
    Watcher,
    add_idea,
    approve,
    assert_fits_the_screen,
    assert_not_reloaded,
    assert_thumb_friendly,
    close_and_reveal,
    command,
    create_workshop,
    dots_of,
    idea_item,
    mark_page,
    minus,
    option,
    phase_moved,
    plus,
    serious_violations,
    shoot,
    start_vote,
)
from playwright.sync_api import expect

pytestmark = BROWSER_MARKS

TITLE = "Priorités régionales contre la pauvreté"
IDEAS = [
    "Un transport collectif abordable entre les MRC",
    "Des logements sociaux près des services",
    "L'aide alimentaire accessible sans honte",
    "Un accès Internet abordable en région",
    "Des services de garde pour les horaires atypiques",
    "Reconnaître l'expertise des personnes en situation de pauvreté",
]


def test_whole_loop_on_a_small_phone(server, browser, watch):
    """Create, collect, moderate, vote and reveal, with the phone and projector following
    every move by themselves; the README screenshots are taken along the way."""
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, secret = create_workshop(facilitator, server.url, TITLE)
    expect(facilitator.locator("#panel")).to_be_visible()

    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{code}")
    expect(projector.locator(".join-code [data-code]")).to_have_text(code)
    expect(projector.locator(".qr svg")).to_be_visible()

    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}")
    expect(phone.locator("#panel [data-view-key^='lobby']")).to_be_visible()
    expect(projector.locator(".counts [data-connected]")).to_have_text("1")
    mark_page(phone)

    # Idea collection opens: the phone switches to the form by itself.
    command(facilitator, "open-ideas")
    phase_moved(facilitator, "open-ideas")
    expect(phone.locator("#idea-form textarea")).to_be_visible()
    assert_not_reloaded(phone)

    phone.locator("#idea-form textarea").fill(IDEAS[0])
    phone.locator("#idea-form button[type='submit']").tap()
    expect(phone.locator("[data-live='mine']")).to_contain_text(IDEAS[0])
    expect(phone.locator("#idea-form textarea")).to_have_value("")
    sent = phone.locator("#idea-form").get_attribute("data-sent-text")
    expect(phone.locator("#idea-form .form-status")).to_have_text(sent)  # still shown

    expect(idea_item(facilitator, IDEAS[0])).to_be_visible()
    approve(facilitator, IDEAS[0])
    expect(projector.locator(".wall .wall-card")).to_have_text([IDEAS[0]])
    expect(phone.locator("[data-live='wall'] li")).to_have_text([IDEAS[0]])
    for text in IDEAS[1:]:
        add_idea(facilitator, text)
    expect(projector.locator(".wall .wall-card")).to_have_count(len(IDEAS))
    expect(projector.locator(".wall")).to_contain_text(IDEAS[-1])
    expect(phone.locator("[data-live='wall'] li")).to_have_count(len(IDEAS))
    assert_not_reloaded(phone)
    assert_thumb_friendly(phone)
    assert_fits_the_screen(projector, ".wall-card", ".join-code", ".counts")
    shoot(phone, "phone-ideas.png")
    shoot(projector, "projector-ideas.png")

    # A dot vote with the defaults (5 dots, at most 1 per priority).
    start_vote(facilitator)
    expect(phone.locator("#ballot-form")).to_be_visible()
    assert_not_reloaded(phone)
    remaining = phone.locator("#ballot-form [data-remaining]")
    expect(remaining).to_have_text("5")
    expect(projector.locator(".voted-count")).to_have_text("0")

    plus(phone, IDEAS[0]).tap()
    expect(remaining).to_have_text("4")
    expect(dots_of(phone, IDEAS[0])).to_have_value("1")
    expect(option(phone, IDEAS[0])).to_have_class("option chosen")
    plus(phone, IDEAS[0]).tap()  # at the cap of 1 already: refused
    expect(dots_of(phone, IDEAS[0])).to_have_value("1")
    expect(remaining).to_have_text("4")
    minus(phone, IDEAS[1]).tap()  # already 0: refused
    expect(dots_of(phone, IDEAS[1])).to_have_value("0")
    expect(remaining).to_have_text("4")
    for text in IDEAS[1:]:
        plus(phone, text).tap()
    expect(remaining).to_have_text("0")  # the sixth dot did not exist
    expect(dots_of(phone, IDEAS[5])).to_have_value("0")
    minus(phone, IDEAS[4]).tap()
    minus(phone, IDEAS[3]).tap()
    expect(remaining).to_have_text("2")
    assert_thumb_friendly(phone)
    shoot(phone, "phone-vote.png")
    phone.locator("#ballot-form button[type='submit']").tap()
    expect(phone.locator("#panel .flash-ok")).to_be_visible()
    expect(remaining).to_have_text("2")
    assert_not_reloaded(phone)

    expect(projector.locator(".voted-count")).to_have_text("1")
    expect(projector.locator(".bars .bar-row")).to_have_count(len(IDEAS))
    expect(facilitator.locator("#panel [data-voted]")).to_have_text("1")

    # A few more phones vote, so the bars differ.
    for number, picks in enumerate([IDEAS[:2], IDEAS[1:3], [IDEAS[1], IDEAS[4]]], start=2):
        other = watch.page(watch.context(browser, **PHONE), f"phone {number}")
        other.goto(f"{server.url}/j/{code}")
        for text in picks:
            plus(other, text).tap()
        other.locator("#ballot-form button[type='submit']").tap()
        expect(other.locator("#panel .flash-ok")).to_be_visible()
    expect(projector.locator(".voted-count")).to_have_text("4")
    expect(projector.locator(".bars .bar-row").first).to_contain_text(IDEAS[1])
    expect(projector.locator(".bars .bar-row").first.locator(".bar-score")).to_have_text("4")
    expect(projector.locator(".counts [data-connected]")).to_have_text("4")
    facilitator.goto(f"{server.url}/f/{secret}")  # the bookmarked link, reopened
    expect(facilitator.locator("#panel [data-voted]")).to_have_text("4")
    shoot(facilitator, "facilitator.png")

    close_and_reveal(facilitator)
    ranking = phone.locator("#panel ol.ranking li")
    expect(ranking).to_have_count(len(IDEAS))
    expect(ranking.first).to_contain_text(IDEAS[1])
    assert_not_reloaded(phone)
    expect(projector.locator(".bars .bar-row")).to_have_count(len(IDEAS))
    expect(projector.locator(".stage-sub")).to_contain_text("4")
    assert_fits_the_screen(projector, ".bar-row", ".join-code", ".counts")
    assert_thumb_friendly(phone)
    shoot(projector, "projector-results.png")


def test_phone_without_javascript_joins_proposes_and_votes(server, browser, watch):
    """Plain HTML forms are enough: every step reloads the page and says what happened."""
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, secret = create_workshop(facilitator, server.url, "Sans JavaScript")
    command(facilitator, "open-ideas")
    phase_moved(facilitator, "open-ideas")

    phone = watch.page(watch.context(browser, java_script_enabled=False, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}")
    phone.locator("#idea-form textarea").fill("Une épicerie solidaire dans chaque quartier")
    phone.locator("#idea-form button[type='submit']").click()
    expect(phone.locator(".flashes .flash-ok")).to_be_visible()
    expect(phone.locator("#panel")).to_contain_text("Une épicerie solidaire dans chaque quartier")

    approve(facilitator, "Une épicerie solidaire dans chaque quartier")
    add_idea(facilitator, "Des cuisines collectives")
    start_vote(facilitator)

    phone.reload()  # without JavaScript, the participant reloads to see the vote
    expect(phone.locator("#ballot-form button.step").first).to_be_hidden()
    dots_of(phone, "Une épicerie solidaire").fill("1")
    phone.locator("#ballot-form button[type='submit']").click()
    expect(phone.locator("#panel .flash-ok")).to_be_visible()
    expect(phone.locator(".flash-ok")).to_have_count(1)  # said once, by the page itself
    expect(dots_of(phone, "Une épicerie solidaire")).to_have_value("1")
    expect(facilitator.locator("#panel [data-voted]")).to_have_text("1")

    export = requests.get(f"{server.url}/f/{secret}/export.json", timeout=10)
    rounds = json.loads(export.text)["votes"]
    assert rounds[0]["voters"] == 1
    scores = {row["text"]: row["score"] for row in rounds[0]["ranking"]}
    assert scores == {"Une épicerie solidaire dans chaque quartier": 1,
                      "Des cuisines collectives": 0}


def test_phone_is_french_first_and_switches_to_english(server, browser, watch):
    """French unless asked; the "English" link switches, and the choice is remembered."""
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Langues")
    command(facilitator, "open-ideas")
    phase_moved(facilitator, "open-ideas")

    phone = watch.page(watch.context(browser, **PHONE), "phone")
    # Let the page's join finish before switching: a response to a request sent with the
    # old cookie would put the old session (French) back, since every response rewrites
    # the session cookie (see the report on SESSION_REFRESH_EACH_REQUEST).
    with phone.expect_response(lambda response: response.url.endswith("/join")):
        phone.goto(f"{server.url}/j/{code}")
    expect(phone.locator("html")).to_have_attribute("lang", "fr")
    expect(phone.locator("#panel h1")).not_to_have_text("Propose a priority")
    switch = phone.locator("nav.lang a[hreflang='en']")
    expect(switch).to_have_attribute("lang", "en")
    switch.tap()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("#panel h1")).to_have_text("Propose a priority")
    expect(phone.locator("nav.lang a[hreflang='fr']")).to_be_visible()
    # The choice is remembered: the live panel and the next visit stay in English.
    command(facilitator, "open-lobby")
    expect(phone.locator("#panel h1")).to_have_text("Welcome!")
    phone.goto(f"{server.url}/j/{code}")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("#panel h1")).to_have_text("Welcome!")


def test_pages_have_no_serious_accessibility_violations(server, browser, watch):
    """axe finds nothing serious or critical on the home, phone, projector and facilitator
    pages, in the ideas and vote phases."""
    found: dict[str, list[str]] = {}
    home = watch.page(watch.context(browser, **PHONE), "home")
    home.goto(server.url + "/")
    found["home"] = serious_violations(home)

    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Accessibilité")
    command(facilitator, "open-ideas")
    phase_moved(facilitator, "open-ideas")
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}")
    phone.locator("#idea-form textarea").fill("Des logements sociaux près des services")
    phone.locator("#idea-form button[type='submit']").tap()
    expect(phone.locator("[data-live='mine']")).to_be_visible()
    expect(idea_item(facilitator, "Des logements sociaux", "pending")).to_be_visible()
    found["facilitator (ideas)"] = serious_violations(facilitator)
    approve(facilitator, "Des logements sociaux près des services")
    add_idea(facilitator, "Un transport collectif abordable entre les MRC")
    expect(phone.locator("[data-live='wall'] li")).to_have_count(2)
    found["phone (ideas)"] = serious_violations(phone)

    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{code}")
    expect(projector.locator(".wall-card")).to_have_count(2)
    found["projector (ideas)"] = serious_violations(projector)

    start_vote(facilitator)
    expect(phone.locator("#ballot-form")).to_be_visible()
    plus(phone, "Des logements sociaux").tap()
    found["phone (vote)"] = serious_violations(phone)
    phone.locator("#ballot-form button[type='submit']").tap()
    expect(projector.locator(".bars .bar-row")).to_have_count(2)
    found["projector (vote)"] = serious_violations(projector)
    expect(facilitator.locator("#panel [data-voted]")).to_have_text("1")
    found["facilitator (vote)"] = serious_violations(facilitator)

    report = {page: issues for page, issues in found.items() if issues}
    assert report == {}, json.dumps(report, indent=2, ensure_ascii=False)


# Holds every panel fragment back a while and counts those on their way, so a test can
# act while one is still loading.
SLOW_PANEL = """
(function () {
  var original = window.fetch;
  window.__panelsInFlight = 0;
  window.fetch = function (url) {
    var answer = original.apply(this, arguments);
    if (!/\\/panel$/.test(String(url))) { return answer; }
    window.__panelsInFlight += 1;
    return answer.then(function (response) {
      return new Promise(function (resolve) {
        setTimeout(function () { window.__panelsInFlight -= 1; resolve(response); }, 1200);
      });
    });
  };
})();
"""


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll a page until an expression is true (page.wait_for_function would need eval,
    which the pages' Content-Security-Policy rightly forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout}s: {expression}"
        page.wait_for_timeout(25)


def test_facilitator_typing_survives_a_live_refresh(server, browser, watch):
    """A push that arrives while the facilitator types is held (the panel says so with
    data-held) and shown once they leave the field: what they typed is not wiped."""
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Saisie")
    facilitator.locator("#add-idea").fill("Des cuisines collectives")
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}")  # the connected count changes: a push
    expect(facilitator.locator("#panel[data-held]")).to_have_count(1)
    expect(facilitator.locator("#add-idea")).to_have_value("Des cuisines collectives")
    expect(facilitator.locator("#add-idea")).to_be_focused()
    expect(facilitator.locator("#panel [data-connected]")).to_have_text("0")  # not shown
    facilitator.locator('#panel form[action$="/do/add-idea"] button[type="submit"]').click()
    expect(idea_item(facilitator, "Des cuisines collectives", "approved")).to_have_count(1)
    expect(facilitator.locator("#panel [data-connected]")).to_have_text("1")
    expect(facilitator.locator("#panel[data-held]")).to_have_count(0)


def test_phone_follows_two_quick_moves_on_slow_wifi(server, browser, watch):
    """Close then reveal at once, while the phone's own panel is still loading (a
    crowded Wi-Fi): the phone must end on the results, not on "results soon" nor on the
    ballot the slow answer shows."""
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Wi-Fi lent")
    add_idea(facilitator, "Des cuisines collectives")
    start_vote(facilitator)
    context = watch.context(browser, **PHONE)
    context.add_init_script(SLOW_PANEL)
    phone = watch.page(context, "phone")
    phone.goto(f"{server.url}/j/{code}")
    plus(phone, "Des cuisines collectives").tap()
    phone.locator("#ballot-form button[type='submit']").tap()
    expect(phone.locator("#panel .flash-ok")).to_be_visible()
    wait_until(phone, "window.__panelsInFlight === 0")

    # The ballot's own answer asked for the phone's panel (slow): the pushes of the close
    # and the reveal come while it is on its way, and its older answer must not win.
    phone.locator("#ballot-form button[type='submit']").tap()
    wait_until(phone, "window.__panelsInFlight > 0")
    command(facilitator, "close-round")
    command(facilitator, "reveal")
    expect(facilitator.locator('#panel form[action$="/do/reveal"] input[name="reveal"]')
           ).to_have_value("0")
    expect(phone.locator("#panel ol.ranking li")).to_have_count(1)
    expect(phone.locator("#panel ol.ranking")).to_contain_text("Des cuisines collectives")


XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


def test_text_typed_by_participants_stays_text(server, browser, watch):
    """Markup in an idea is shown as its letters everywhere and never runs."""
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Texte")
    command(facilitator, "open-ideas")
    phase_moved(facilitator, "open-ideas")
    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{code}")
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}")

    phone.locator("#idea-form textarea").fill(XSS)
    phone.locator("#idea-form button[type='submit']").tap()
    expect(idea_item(facilitator, XSS)).to_be_visible()
    approve(facilitator, XSS)
    expect(projector.locator(".wall-card")).to_have_text([XSS])
    expect(phone.locator("[data-live='wall'] li")).to_have_text([XSS])
    start_vote(facilitator)  # the ballot and, once someone voted, the live bars show it too
    expect(option(phone, XSS)).to_be_visible()
    plus(phone, XSS).tap()
    phone.locator("#ballot-form button[type='submit']").tap()
    expect(projector.locator(".bar-text")).to_have_text([XSS])

    pages = (("phone", phone), ("projector", projector), ("facilitator", facilitator))
    for reloaded in (False, True):  # as the scripts drew it, then as the server renders it
        for name, page in pages:
            if reloaded:
                page.reload()
            expect(page.get_by_text(XSS, exact=False).first).to_be_visible()
            assert page.evaluate("typeof window.__xss") == "undefined", name
            assert page.locator('img[src="x"]').count() == 0, name
            assert page.locator("script:not([src])").count() == 0, name


def open_round(page, method: str, **fields: str) -> None:
    """Start a vote with another method from the facilitator's form."""
    form = page.locator("#panel form[data-round-form]")
    form.locator("[data-method-select]").select_option(method)
    for name, value in fields.items():
        form.locator(f'input[name="{name}"]').fill(value)
    form.locator('input[name="show_live"]').check()  # the live bars are watched
    form.locator('button[type="submit"]').click()
    expect(page.locator('#panel form[action$="/do/close-round"]')).to_have_count(1)


def test_every_method_works_by_touch_on_a_small_phone(server, browser, watch):
    laptop = watch.context(browser, **LAPTOP)
    facilitator = watch.page(laptop, "facilitator")
    code, secret = create_workshop(facilitator, server.url, "Méthodes")
    for text in IDEAS[:4]:
        add_idea(facilitator, text)
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}")
    mark_page(phone)

    # Approval: tick boxes, at most two.
    open_round(facilitator, "approval", max_approvals="2")
    boxes = phone.locator('#ballot-form input[type="checkbox"]')
    expect(boxes).to_have_count(4)
    phone.locator(".option-check label").nth(0).tap()
    phone.locator(".option-check label").nth(2).tap()
    expect(boxes.nth(1)).to_be_disabled()  # the limit is reached
    assert_thumb_friendly(phone)
    phone.locator('#ballot-form button[type="submit"]').tap()
    expect(phone.locator(".flash-ok")).to_be_visible()
    close_and_reveal(facilitator)

    # Points: steppers move by a tenth of the budget and never overspend.
    open_round(facilitator, "points", points="100")
    plus_buttons = phone.locator('#ballot-form button.step[data-step="1"]')
    expect(plus_buttons).to_have_count(4)
    for _ in range(12):
        plus_buttons.nth(1).tap()
    expect(phone.locator("#ballot-form [data-remaining]")).to_have_text("0")
    expect(phone.locator('#ballot-form input[type="number"]').nth(1)).to_have_value("100")
    phone.locator('#ballot-form button.step[data-step="-1"]').nth(1).tap()
    plus_buttons.nth(3).tap()
    phone.locator('#ballot-form button[type="submit"]').tap()
    expect(phone.locator(".flash-ok")).to_be_visible()
    close_and_reveal(facilitator)

    # Ranking: tap in order, tap again to take one out.
    open_round(facilitator, "ranking")
    rows = phone.locator(".option-rank")
    for index in (3, 1, 0):
        rows.nth(index).tap()
    expect(rows.nth(3).locator("[data-place]")).to_have_text("1")
    rows.nth(1).tap()  # out again: the next one moves up
    expect(rows.nth(0).locator("[data-place]")).to_have_text("2")
    assert_thumb_friendly(phone)
    phone.locator('#ballot-form button[type="submit"]').tap()
    expect(phone.locator(".flash-ok")).to_be_visible()
    close_and_reveal(facilitator)

    # Pairwise: two big cards, until every comparison is made.
    open_round(facilitator, "pairwise", pairs="3")
    for _ in range(3):
        card = phone.locator(".pair-card").first
        expect(card).to_be_visible()
        assert_thumb_friendly(phone)
        card.tap()
    expect(phone.locator(".flash-ok")).to_be_visible()
    close_and_reveal(facilitator)
    assert_not_reloaded(phone)

    export = requests.get(f"{server.url}/f/{secret}/export.json", timeout=10).json()["votes"]
    by_method = {r["method"]: r for r in export}
    assert [r["voters"] for r in export] == [1, 1, 1, 1]
    approval = {row["text"]: row["score"] for row in by_method["approval"]["ranking"]}
    assert approval == {IDEAS[0]: 1, IDEAS[1]: 0, IDEAS[2]: 1, IDEAS[3]: 0}
    points = {row["text"]: row["score"] for row in by_method["points"]["ranking"]}
    assert points == {IDEAS[0]: 0, IDEAS[1]: 90, IDEAS[2]: 0, IDEAS[3]: 10}
    ranking = by_method["ranking"]["ranking"]
    assert [row["text"] for row in ranking[:2]] == [IDEAS[3], IDEAS[0]]


def test_a_pair_judged_in_another_tab_is_refused_and_the_next_pair_shown(server, browser,
                                                                         watch):
    """One phone, two tabs showing the same pair: the first tab's judgement counts; the
    second tab's, on a pair no longer served, is refused (pair_changed) and the tab shows
    the pair to judge now, which then counts."""
    laptop = watch.context(browser, **LAPTOP)
    facilitator = watch.page(laptop, "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Deux onglets")
    for text in IDEAS[:4]:
        add_idea(facilitator, text)
    open_round(facilitator, "pairwise", pairs="3")
    phone = watch.context(browser, **PHONE)
    tabs = [watch.page(phone, f"tab {n}") for n in (1, 2)]
    for tab in tabs:
        tab.goto(f"{server.url}/j/{code}")
        expect(tab.locator(".pair-card")).to_have_count(2)
        tab.wait_for_timeout(300)  # the socket's join answer
    cards = lambda tab: tab.locator(".pair-card").all_inner_texts()  # noqa: E731
    first, step = cards(tabs[0]), tabs[0].locator(".remaining").inner_text()
    assert cards(tabs[1]) == first
    tabs[0].locator(".pair-card").first.tap()
    expect(tabs[0].locator(".remaining")).not_to_have_text(step)
    following = cards(tabs[0])
    assert cards(tabs[1]) == first  # ballots push nothing to phones
    tabs[1].locator(".pair-card").first.tap()  # refused: the tab is shown the next pair
    expect(tabs[1].locator(".remaining")).not_to_have_text(step)
    assert cards(tabs[1]) == following
    second = tabs[1].locator(".remaining").inner_text()
    tabs[1].locator(".pair-card").last.tap()
    expect(tabs[1].locator(".remaining")).not_to_have_text(second)
    state = tabs[1].evaluate(f"fetch('/j/{code}/state').then(r => r.json())")
    text_of = {idea["id"]: idea["text"] for idea in state["ideas"]}
    assert [text_of[choice] for _left, _right, choice in state["ballot"]] == \
        [first[0], following[1]]

    # Without JavaScript: nobody is served a pair before joining; "Start comparing"
    # joins, and the pair shown then counts.
    plain = watch.page(watch.context(browser, **PHONE, java_script_enabled=False), "no js")
    plain.goto(f"{server.url}/j/{code}")
    expect(plain.locator(".pair-card")).to_have_count(0)
    plain.locator("form[data-join-first] button").tap()
    expect(plain.locator(".pair-card")).to_have_count(2)
    plain.locator(".pair-card").first.tap()
    expect(plain.locator(".flash-ok")).to_be_visible()
    expect(plain.locator(".flash-error")).to_have_count(0)


def test_paper_tickets_are_printed_then_typed_or_scanned_on_a_small_phone(server, browser,
                                                                          watch):
    """The facilitator prints three tickets (a page opens in a new tab, laid out three
    across for paper), opens a one-person-one-vote round; one phone types its code, one
    opens its ticket's QR address (the code travels after the #), a third tries a spent
    code and is told so; only holders see the ballot."""
    laptop = watch.context(browser, **LAPTOP)
    facilitator = watch.page(laptop, "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Un vote par personne")
    for text in IDEAS[:3]:
        add_idea(facilitator, text)
    form = facilitator.locator('#panel form[action$="/tickets"]')
    form.locator('input[name="count"]').fill("3")
    with laptop.expect_page() as opened:
        form.locator('button[type="submit"]').click()
    sheet = opened.value
    sheet.wait_for_load_state()
    watch_errors(watch, sheet, "tickets")
    expect(sheet.locator(".slip")).to_have_count(3)
    codes = [text.split()[-1] for text in sheet.locator(".slip-code").all_inner_texts()]
    assert len(set(codes)) == 3 and all(len(c) == 11 and c[5] == "-" for c in codes)
    assert serious_violations(sheet) == []
    shoot(sheet, "tickets-sheet.png")
    sheet.emulate_media(media="print")
    tops = sheet.evaluate("[...document.querySelectorAll('.slip')].map(s => s.offsetTop)")
    assert tops[0] == tops[1] == tops[2], "three slips side by side on paper"
    assert not sheet.locator("header.bar").is_visible()
    expect(facilitator.locator("#panel [data-tickets-issued]")).to_have_text("3")

    round_form = facilitator.locator("#panel form[data-round-form]")
    round_form.locator('input[name="require_ticket"]').check()
    round_form.locator('button[type="submit"]').click()
    expect(facilitator.locator('#panel form[action$="/do/close-round"]')).to_have_count(1)

    typing = watch.page(watch.context(browser, **PHONE), "phone typing")
    typing.goto(f"{server.url}/j/{code}")
    expect(typing.locator("#ticket-form")).to_be_visible()
    expect(typing.locator("#ballot-form")).to_have_count(0)
    assert_thumb_friendly(typing)
    shoot(typing, "phone-ticket.png")
    typing.locator("#ticket-code").fill(codes[0].lower().replace("-", " "))
    typing.locator("#ticket-form button[type='submit']").tap()
    expect(typing.locator("#ballot-form")).to_be_visible()
    plus(typing, IDEAS[0][:20]).tap()
    typing.locator("#ballot-form button[type='submit']").tap()
    expect(typing.locator(".flash-ok").first).to_be_visible()

    scanning = watch.page(watch.context(browser, **PHONE), "phone scanning")
    scanning.goto(f"{server.url}/j/{code}#ticket={codes[1]}")
    expect(scanning.locator("#ballot-form")).to_be_visible()
    assert "#" not in scanning.url and codes[1] not in scanning.url

    # A spent code: the server answers 400, which Chromium logs as a console error, so
    # this page is opened outside the watcher.
    late = watch.context(browser, **PHONE).new_page()
    late.goto(f"{server.url}/j/{code}#ticket={codes[0]}")
    expect(late.locator("#ticket-form .form-status")).to_contain_text("billet")
    expect(late.locator("#ballot-form")).to_have_count(0)
    expect(facilitator.locator("#panel [data-tickets-claimed]")).to_have_text("2")
    expect(facilitator.locator("#panel [data-voted]")).to_have_text("1")


def watch_errors(watch: Watcher, page, name: str) -> None:
    """Watch a page the browser opened by itself (a form with target=_blank)."""
    page.on("console", lambda message: message.type == "error" and watch.errors.append(
        f"{name}: console: {message.text}"))
    page.on("pageerror", lambda error: watch.errors.append(f"{name}: pageerror: {error}"))


def test_a_ballot_goes_over_the_socket_and_by_post_when_the_socket_is_down(server, browser,
                                                                           watch):
    """With its socket up the phone sends its ballot as a socket event (no HTTP request);
    with no socket it posts the same form; both are counted once."""
    laptop = watch.context(browser, **LAPTOP)
    facilitator = watch.page(laptop, "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Deux chemins")
    for text in IDEAS[:2]:
        add_idea(facilitator, text)
    start_vote(facilitator)

    online = watch.page(watch.context(browser, **PHONE), "phone with socket")
    posts: list[str] = []
    online.on("request", lambda r: r.method == "POST" and "/socket.io/" not in r.url
              and posts.append(r.url))
    online.goto(f"{server.url}/j/{code}")
    expect(online.locator("#connection")).to_be_hidden()
    wait_until(online, "document.querySelector('#ballot-form') !== null")
    online.wait_for_timeout(300)  # the socket's join answer
    plus(online, IDEAS[0][:20]).tap()
    online.locator("#ballot-form button[type='submit']").tap()
    expect(online.locator(".flash-ok").first).to_be_visible()
    expect(facilitator.locator("#panel [data-voted]")).to_have_text("1")
    # One POST: the join, before the socket connected (so that it votes as this phone).
    assert posts == [f"{server.url}/j/{code}/join"], posts

    # No socket at all (a proxy that refuses WebSockets and polling): the form is posted.
    # Its failing socket requests are console errors, so this page is not watched.
    offline_context = watch.context(browser, **PHONE)
    offline_context.route("**/socket.io/**", lambda route: route.abort())
    offline = offline_context.new_page()
    sent: list[str] = []
    offline.on("request", lambda r: r.method == "POST" and sent.append(r.url))
    offline.goto(f"{server.url}/j/{code}")
    plus(offline, IDEAS[1][:20]).tap()
    offline.locator("#ballot-form button[type='submit']").tap()
    expect(offline.locator(".flash-ok").first).to_be_visible()
    assert [url.rsplit("/", 1)[-1] for url in sent] == ["join", "ballot"]
    expect(facilitator.locator("#panel [data-voted]")).to_have_text("2")


def test_the_agenda_is_planned_and_run_from_the_facilitator_page(server, browser, watch):
    """The facilitator plans two idea collections with their questions on the agenda card,
    then starts them one after the other: the phone's idea form and the projector are
    headed by the running collection's question, and follow the move live."""
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Programme de la journée")
    for title, prompt in (("Défis", "Quels sont les défis?"),
                          ("Solutions", "Quelles solutions pour le transport?")):
        form = facilitator.locator('#panel form[data-plan-form="ideas"]')
        form.locator('input[name="title"]').fill(title)
        form.locator('input[name="prompt"]').fill(prompt)
        form.locator('button[type="submit"]').click()
        expect(facilitator.locator("#panel .agenda-title", has_text=title)).to_be_visible()
    expect(facilitator.locator("#panel .agenda-step.agenda-planned")).to_have_count(2)
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}")
    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{code}")

    command(facilitator, "start-next")
    expect(phone.locator("#panel h1")).to_have_text("Quels sont les défis?")
    expect(projector.locator("[data-title]")).to_have_text("Quels sont les défis?")
    expect(facilitator.locator("#panel .agenda-step.agenda-open")).to_have_count(1)
    command(facilitator, "start-next")
    expect(phone.locator("#panel h1")).to_have_text("Quelles solutions pour le transport?")
    expect(projector.locator("[data-title]")).to_have_text(
        "Quelles solutions pour le transport?")
    expect(facilitator.locator("#panel .agenda-step.agenda-closed")).to_have_count(1)


def test_a_duplicate_is_merged_by_its_number_from_one_shared_list(server, browser, watch):
    """A waiting idea's merge field takes an idea number, typed or picked in the one list
    of the wall's ideas (no menu per idea: docs/security.md, "Idea flood"); anything else
    is stopped by the browser with the field's hint. axe finds nothing serious there."""
    facilitator = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Doublons")
    command(facilitator, "open-ideas")
    phase_moved(facilitator, "open-ideas")
    add_idea(facilitator, "Un transport collectif abordable entre les MRC")
    add_idea(facilitator, "Des logements sociaux près des services")
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    phone.goto(f"{server.url}/j/{code}")
    phone.locator("#idea-form textarea").fill("Plus d'autobus entre les villages")
    phone.locator("#idea-form button[type='submit']").tap()
    duplicate = idea_item(facilitator, "Plus d'autobus", "pending")
    expect(duplicate).to_have_count(1)
    assert serious_violations(facilitator) == []
    target = idea_item(facilitator, "Un transport collectif", "approved")
    number = target.locator(".idea-number").text_content().lstrip("#")
    options = facilitator.locator("#merge-targets option")
    expect(options).to_have_count(2)
    expect(options.first).to_have_attribute("value", number)
    into = duplicate.locator('input[name="into"]')
    assert into.get_attribute("list") == "merge-targets"
    into.fill("autobus")  # words, not a number: the browser keeps the form back
    duplicate.locator('form[action$="/do/merge"] button').click()
    assert into.evaluate("field => !field.validity.valid")
    expect(duplicate).to_have_count(1)
    into.fill(number)
    duplicate.locator('form[action$="/do/merge"] button').click()
    expect(idea_item(facilitator, "Plus d'autobus", "merged")).to_have_count(1)
    expect(facilitator.locator("#panel li.idea-merged")).to_contain_text(f"#{number}")


def test_a_phone_joined_by_its_first_command_counts_as_connected(server, browser, watch):
    """Only participants count as connected. A phone whose join POST was lost connects
    its socket without a participant cookie (it counts for nobody); its first idea joins
    it over HTTP, and phone.js then connects the socket again, with the cookie: the
    projector shows it."""
    laptop = watch.context(browser, **LAPTOP)
    facilitator = watch.page(laptop, "facilitator")
    code, _secret = create_workshop(facilitator, server.url, "Qui est là")
    command(facilitator, "open-ideas")
    phase_moved(facilitator, "open-ideas")
    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{code}")
    counted = projector.locator("[data-connected]").first

    context = watch.context(browser, **PHONE)
    dropped: list[str] = []

    def drop_the_first_join(route) -> None:
        if not dropped:
            dropped.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route(f"**/j/{code}/join", drop_the_first_join)
    phone = context.new_page()  # not watched: the dropped request is a console error
    phone.goto(f"{server.url}/j/{code}")
    expect(phone.locator("#connection")).to_be_hidden()
    phone.wait_for_timeout(500)  # the socket's join, and a push of the count
    expect(counted).to_have_text("0")
    assert dropped == [f"{server.url}/j/{code}/join"]
    phone.locator("#idea-text").fill("Une idée envoyée avant d'avoir rejoint")
    phone.locator("#idea-form button[type='submit']").tap()
    expect(phone.locator("#idea-form .form-status")).not_to_have_text("…")
    expect(counted).to_have_text("1")


# --- profiles (ADS+) ----------------------------------------------------------------------

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
    # The panel comes with the pushes; without a socket the page asks for it after a
    # command: cut the socket (reloaded: the page starts without one).
    facilitator.route("**/socket.io/**", lambda route: route.abort())
    facilitator.reload()
    command(facilitator, "open-ideas")
    phase_moved(facilitator, "open-ideas")  # shown once the third request is answered
    assert len(refused) == 2
    expect(facilitator.locator("#panel .busy")).to_have_count(0)
    # the browser reports the two refused requests; nothing else may have gone wrong
    watch.errors[:] = [e for e in watch.errors if "status of 503" not in e and
                       "/socket.io/" not in e]  # and the socket cut on purpose


def count_requests(page) -> list[str]:
    """Record every HTTP request a page makes from now on, its socket's own excepted
    (Socket.IO may poll before it upgrades to a WebSocket; that is the push arriving,
    not the page reading state)."""
    made: list[str] = []
    page.on("request", lambda request: "/socket.io/" not in request.url and
            made.append(f"{request.method} {request.url}"))
    return made


def test_pushes_are_rendered_without_any_request(server, browser, watch):
    """After a push, no page reads state over HTTP: the phone, the projector and the
    facilitator page show each change another client makes (a phase change, an idea on
    the wall, a vote, a ballot, a pairwise vote and its pair) from what the push carries."""
    laptop = watch.context(browser, **LAPTOP)
    facilitator = watch.page(laptop, "facilitator")
    code, secret = create_workshop(facilitator, server.url, "Sans requête")
    driver = watch.page(laptop, "driver")  # another client: its requests are not counted
    driver.goto(f"{server.url}/f/{secret}")
    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{code}")
    phone = watch.page(watch.context(browser, **PHONE), "phone")
    with phone.expect_response(lambda response: response.url.endswith("/join")):
        phone.goto(f"{server.url}/j/{code}")
    expect(facilitator.locator("#panel [data-connected]")).to_have_text("1")
    made = {name: count_requests(page) for name, page in
            (("phone", phone), ("projector", projector), ("facilitator", facilitator))}

    command(driver, "open-ideas")  # a phase change
    expect(phone.locator("#idea-form")).to_be_visible()
    expect(projector.locator("#stage .stage-message")).to_be_visible()
    expect(facilitator.locator('#panel form[action$="/do/add-idea"]')).to_have_count(1)
    phone.locator("#idea-form textarea").fill(IDEAS[3])  # the phone's own command ...
    phone.locator("#idea-form button[type='submit']").tap()
    mine = phone.locator("[data-live='mine'] li[data-idea]")
    expect(mine.locator(".badge-pending")).to_have_count(1)
    made["phone"].clear()  # ... and its own requests (the idea, its list): not pushes
    for text in IDEAS[:3]:  # ideas on the wall
        add_idea(driver, text)
    approve(driver, IDEAS[3])  # the phone's own idea: its list says it is on the wall
    expect(mine.locator(".badge-approved")).to_have_count(1)
    expect(phone.locator("[data-live='wall'] li")).to_have_count(4)
    expect(projector.locator(".wall-card")).to_have_count(4)
    expect(idea_item(facilitator, IDEAS[3], "approved")).to_have_count(1)

    start_vote(driver)  # the next step: a dot vote
    expect(phone.locator("#ballot-form")).to_be_visible()
    expect(option(phone, IDEAS[0])).to_be_visible()
    expect(projector.locator("#stage .voted")).to_be_visible()
    expect(facilitator.locator('#panel form[action$="/do/close-round"]')).to_have_count(1)
    other = watch.page(watch.context(browser, **PHONE), "other phone")  # a ballot
    other.goto(f"{server.url}/j/{code}")
    plus(other, IDEAS[1]).tap()
    other.locator("#ballot-form button[type='submit']").tap()
    expect(facilitator.locator("#panel [data-voted]")).to_have_text("1")
    expect(projector.locator("#stage .voted-count")).to_have_text("1")

    command(driver, "close-round")  # and a pairwise vote: each phone's pair by socket
    expect(driver.locator('#panel form[action$="/do/close-round"]')).to_have_count(0)
    expect(phone.locator("#ballot-form")).to_have_count(0)
    open_round(driver, "pairwise", pairs="2")
    cards = phone.locator("#ballot-form .pair-card")
    expect(cards).to_have_count(2)
    expect(cards.first).not_to_have_text("")
    expect(cards.last).not_to_have_text("")
    assert set(cards.all_inner_texts()) <= set(IDEAS[:4])
    expect(facilitator.locator('#panel form[action$="/do/close-round"]')).to_have_count(1)
    expect(projector.locator("#stage .voted-count")).to_have_text("0")

    assert made == {"phone": [], "projector": [], "facilitator": []}
