"""The wall grouped by theme in a real browser against a real `workshop serve`: the
projector at 1920 × 1080 shows the ideas under their theme's heading (in the list's order,
those with no theme last), pages a long wall with the heading carried onto the next page,
and never sets text below the stage's minimum; the facilitator's laptop sorts an idea
under a theme with one choice, and the projector follows by the push alone.

Set THEMES_SHOTS=<folder> to keep the pictures looked at.
"""

from __future__ import annotations

from browser_support import (
    BROWSER_MARKS,
    LAPTOP,
    PROJECTOR,
    assert_fits_the_screen,
    keep_shot,
)
from playwright.sync_api import expect

from tests.conftest import Facilitator

pytestmark = BROWSER_MARKS

# (idea, theme) — 9 ideas, three themes and two ideas without one: one page at 1920 × 1080.
IDEAS = [("Des logements sociaux près des services", "Logement"),
         ("Un transport collectif abordable entre les MRC", "Transport"),
         ("L'aide alimentaire accessible sans honte", "Sécurité alimentaire"),
         ("Geler les loyers pendant deux ans", "Logement"),
         ("Un service de covoiturage pour les rendez-vous médicaux", "Transport"),
         ("Une halte-garderie gratuite les jours d'atelier", ""),
         ("Des cuisines collectives dans chaque quartier", "Sécurité alimentaire"),
         ("Inspecter les logements insalubres", "Logement"),
         ("Un local pour se rencontrer l'hiver", "")]


def shot(page, name: str) -> None:
    keep_shot(page, "THEMES_SHOTS", name)


def test_the_projector_groups_the_wall_by_theme_and_follows_the_facilitator(
        server, browser, watch):
    host = Facilitator(server.url, "Journée de priorités")
    host.steer("open-ideas")
    for text, _theme in IDEAS:
        host.steer("add-idea", {"text": text})
    laptop = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    laptop.goto(server.url + host.path)
    ids = {text: int(laptop.locator(f"#ideas li.idea:has-text(\"{text}\")").first
                     .get_attribute("id").removeprefix("idea-")) for text, _t in IDEAS}
    for text, theme in IDEAS[1:]:
        if theme:
            host.steer("set-theme", {"idea": ids[text], "theme": theme})
    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{host.code}")
    expect(projector.locator(".wall-card")).to_have_count(len(IDEAS))
    expect(projector.locator(".wall-theme")).to_have_count(0)  # not grouped yet

    host.steer("set-themes", {"group": True})
    headings = projector.locator(".wall-theme")
    expect(headings).to_have_text(["Logement", "Transport", "Sécurité alimentaire",
                                   "Idées sans thème"])
    # The ideas under their heading, in the list's order; within a theme, oldest first.
    # The first idea has no theme yet: it sits with the others without one, last.
    order = projector.evaluate(
        "[...document.querySelectorAll('.wall > li')].map(n => n.textContent)")
    assert order == ["Logement", IDEAS[3][0], IDEAS[7][0],
                     "Transport", IDEAS[1][0], IDEAS[4][0],
                     "Sécurité alimentaire", IDEAS[2][0], IDEAS[6][0],
                     "Idées sans thème", IDEAS[0][0], IDEAS[5][0], IDEAS[8][0]]
    sizes = projector.evaluate("[...document.querySelectorAll('.wall-text, .wall-theme')]"
                               ".map(n => parseFloat(getComputedStyle(n).fontSize))")
    assert min(sizes) >= 31, sizes  # docs/accessibility.md: the stage's type at 1920 × 1080
    shot(projector, "projector-wall-by-theme.png")
    assert_fits_the_screen(projector, ".wall-card >> visible=true", ".join-code", ".counts")

    # The facilitator sorts the first idea under Logement with one choice: no button, and
    # the projector moves it by the push alone (no page reload, no fetch).
    projector.evaluate("window.__notReloaded = true")
    requests_seen = []
    projector.on("request", lambda request: "/socket.io/" not in request.url and
                 requests_seen.append(request.url))
    choice = laptop.locator(f"#theme-{ids[IDEAS[0][0]]}")
    expect(choice).to_be_visible()
    expect(choice.locator("option")).to_have_count(7)  # none and the six default themes
    choice.select_option("Logement")
    expect(projector.locator(".wall > li").nth(1)).to_have_text(IDEAS[0][0])
    assert projector.evaluate("window.__notReloaded") is True
    assert requests_seen == []
    expect(laptop.locator(f"#theme-{ids[IDEAS[0][0]]}")).to_have_value("Logement")
    shot(laptop, "facilitator-themes.png")
    laptop.evaluate("document.getElementById('ideas-approved').scrollIntoView()")
    shot(laptop, "facilitator-themes-list.png")
    tablet = watch.page(watch.context(browser, viewport={"width": 1024, "height": 768}),
                        "tablet")
    tablet.goto(server.url + host.path)
    tablet.evaluate("document.getElementById('ideas-approved').scrollIntoView()")
    width = tablet.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], width  # the selects do not widen the page
    shot(tablet, "facilitator-themes-tablet.png")

    # A moderator's page sorts an idea the same way.
    link = host.http.post(f"{server.url}{host.path}/links", json={"kind": "moderator"},
                          headers={"X-CSRFToken": host.csrf}, timeout=10).json()["link"]
    moderator = watch.page(watch.context(browser, **LAPTOP), "moderator")
    moderator.goto(link)
    moderator.locator(f"#theme-{ids[IDEAS[5][0]]}").select_option("Transport")
    expect(projector.locator(".wall > li").nth(7)).to_have_text(IDEAS[5][0])  # after #5
    assert requests_seen == []

    host.steer("set-themes", {"group": False})
    expect(projector.locator(".wall-theme")).to_have_count(0)


def test_a_long_grouped_wall_pages_with_its_heading_carried_over(server, browser, watch):
    host = Facilitator(server.url, "Journée de priorités")
    host.steer("open-ideas")
    host.steer("set-themes", {"group": True, "themes": "Logement\nTransport"})
    for n in range(30):
        idea = host.steer("add-idea", {"text": f"Idée numéro {n + 1} sur le logement, "
                                               "écrite assez longuement pour deux lignes"})
        assert idea["ok"]
    laptop = watch.page(watch.context(browser, **LAPTOP), "facilitator")
    laptop.goto(server.url + host.path)
    ids = [int(i.removeprefix("idea-")) for i in laptop.locator("#ideas-approved ~ ul li.idea")
           .evaluate_all("nodes => nodes.map(n => n.id)")]
    for idea in ids[:24]:
        host.steer("set-theme", {"idea": idea, "theme": "Logement"})
    projector = watch.page(watch.context(browser, **PROJECTOR), "projector")
    projector.goto(f"{server.url}/s/{host.code}")
    expect(projector.locator(".wall-pages")).to_be_visible()
    expect(projector.locator(".wall-theme:visible")).to_have_text(["Logement"])
    assert_fits_the_screen(projector, ".wall-card >> visible=true", ".wall-pages")
    shot(projector, "projector-wall-by-theme-page1.png")
    # The next page, ten seconds later: it starts inside Logement, whose heading comes again.
    expect(projector.locator(".wall-pages")).not_to_have_text(
        projector.locator(".wall-pages").inner_text(), timeout=15_000)
    visible = projector.locator(".wall-theme:visible").all_inner_texts()
    assert visible[0] == "Logement", visible
    sizes = projector.evaluate("[...document.querySelectorAll('.wall-text, .wall-theme')]"
                               ".filter(n => n.offsetParent)"
                               ".map(n => parseFloat(getComputedStyle(n).fontSize))")
    assert min(sizes) >= 31, sizes
    shot(projector, "projector-wall-by-theme-page2.png")
