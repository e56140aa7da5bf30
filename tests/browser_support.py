"""Helpers for the browser tests: launching Debian's Chromium, the three kinds of screen,
watching pages for errors, driving the facilitator page, running axe, and screenshots.

Selectors here use structure (form actions, ids, data attributes), never the interface
wording, so the tests hold in French and in English alike.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

# Every browser test module's marks: it starts a real server and Debian's Chromium, and is
# skipped, saying why, where Chromium is not installed.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.server,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"Chromium is not installed at {CHROMIUM} "
                              "(apt-get install chromium)"),
]


def keep_shot(page: Page, variable: str, name: str) -> None:
    """Save a screenshot of what a test looks at, when the environment variable
    `variable` names a folder (THEMES_SHOTS=/tmp/shots ...); nothing otherwise."""
    folder = os.environ.get(variable)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(400)
        page.screenshot(path=str(Path(folder) / name), full_page=False)


# Three ideas of a regional day, for the browser tests that need a few on the wall.
THREE_IDEAS = ["Un transport collectif abordable entre les MRC",
               "Des logements sociaux près des services",
               "L'aide alimentaire accessible sans honte"]

# An old, small phone; the hall's projector; a facilitator's laptop.
PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}

SHOTS = os.environ.get("WORKSHOP_SCREENSHOTS") == "1"
SHOT_DIR = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

SECRET_RE = re.compile(r"/f/([A-Za-z0-9_-]+)")

# Reports every Content-Security-Policy violation as a console error, so the console
# watcher sees them even when Chromium's own report is not an "error" message.
CSP_PROBE = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " " + event.blockedURI);
});
"""


@dataclass
class Watcher:
    """Collects console errors, uncaught exceptions and CSP violations of watched pages."""

    errors: list[str] = field(default_factory=list)

    def page(self, context: BrowserContext, name: str) -> Page:
        """Open a new watched page in a context."""
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and self.errors.append(
            f"{name}: console: {message.text} ({message.location.get('url', '')})"))
        page.on("pageerror", lambda error: self.errors.append(f"{name}: pageerror: {error}"))
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    def context(self, browser: Browser, **options: Any) -> BrowserContext:
        """Open a context whose pages report CSP violations to the console."""
        context = browser.new_context(**options)
        context.add_init_script(CSP_PROBE)
        return context


def shoot(page: Page, name: str) -> None:
    """Save a screenshot of the top of a page to docs/screenshots/ when
    WORKSHOP_SCREENSHOTS=1 is set."""
    if not SHOTS:
        return
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    # Let the bars' width transition finish and web fonts settle before the picture.
    page.wait_for_timeout(600)
    page.screenshot(path=str(SHOT_DIR / name), full_page=False)


def mark_page(page: Page) -> None:
    """Tag the loaded document, so a later check can prove it was never reloaded."""
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    """Check that the document tagged by mark_page is still the one shown."""
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"


# --- the facilitator ----------------------------------------------------------------

def create_workshop(page: Page, base: str, title: str) -> tuple[str, str]:
    """Create a workshop with the home page's form; return (code, facilitator secret)."""
    page.goto(base + "/")
    page.locator('a[href$="/new"]').click()
    page.locator("#title").fill(title)
    page.locator('form[action$="/new"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/f/[^/]+\?created=1$"))
    secret = SECRET_RE.search(page.url).group(1)
    code = page.locator("#panel").get_attribute("data-code")
    assert code
    return code, secret


def command(page: Page, name: str) -> None:
    """Press a facilitator command's button (forms post to /f/<secret>/do/<name>)."""
    page.locator(f'#panel form[action$="/do/{name}"] button[type="submit"]').first.click()


def phase_moved(page: Page, gone: str) -> None:
    """Wait until the facilitator panel no longer offers a command (the move happened)."""
    expect(page.locator(f'#panel form[action$="/do/{gone}"]')).to_have_count(0)


def idea_item(page: Page, text: str, status: str = ""):
    """Return the facilitator's moderation entry of an idea (by its own text, not by the
    merge menus of the other entries)."""
    kind = f"li.idea-{status}" if status else "li.idea"
    return page.locator(f"#panel {kind}").filter(
        has=page.locator("p.idea-text", has_text=text))


def approve(page: Page, text: str) -> None:
    """Approve a waiting idea and wait until it is on the wall."""
    item = idea_item(page, text)
    item.locator('form[action$="/do/approve"] button').click()
    expect(idea_item(page, text, "approved")).to_have_count(1)


def add_idea(page: Page, text: str) -> None:
    """Add an idea from the floor (approved at once) and wait until it is listed."""
    page.locator("#add-idea").fill(text)
    page.locator('#panel form[action$="/do/add-idea"] button[type="submit"]').click()
    expect(idea_item(page, text, "approved")).to_have_count(1)


def start_vote(page: Page, live: bool = True) -> None:
    """Start a dot vote with the form's defaults, live totals on the projector ticked
    (`live`: the form leaves them off)."""
    form = page.locator('#panel form[action$="/do/open-round"]')
    if live:
        form.locator('input[name="show_live"]').check()
    form.locator('button[type="submit"]').click()
    expect(page.locator('#panel form[action$="/do/close-round"]')).to_have_count(1)


def close_and_reveal(page: Page) -> None:
    """Close the vote (the confirmation is accepted) and reveal the results."""
    command(page, "close-round")
    expect(page.locator('#panel form[action$="/do/reveal"]')).to_have_count(1)
    command(page, "reveal")
    expect(page.locator('#panel form[action$="/do/reveal"] input[name="reveal"]')
           ).to_have_value("0")


# --- phones -------------------------------------------------------------------------

def option(page: Page, text: str):
    """Return a ballot line of the phone page."""
    return page.locator("#ballot-form li.option").filter(has_text=text)


def plus(page: Page, text: str):
    """Return a ballot line's "+" stepper."""
    return option(page, text).locator('button[data-step="1"]')


def minus(page: Page, text: str):
    """Return a ballot line's "-" stepper."""
    return option(page, text).locator('button[data-step="-1"]')


def dots_of(page: Page, text: str):
    """Return a ballot line's number input."""
    return option(page, text).locator('input[type="number"]')


# --- accessibility ------------------------------------------------------------------

def serious_violations(page: Page) -> list[str]:
    """Run axe on a page; return its serious and critical violations, described."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response.get("violations", []):
        if violation.get("impact") not in ("serious", "critical"):
            continue
        targets = [" ".join(map(str, node.get("target", []))) for node in violation["nodes"]]
        found.append(f"{violation['impact']} {violation['id']}: {violation['help']} "
                     f"-> {targets[:5]}")
    return found


# --- layout -------------------------------------------------------------------------

SMALL_TARGETS = """
(minimum) => {
  const found = [];
  const controls = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), textarea, select, summary");
  for (const node of controls) {
    const box = node.getBoundingClientRect();
    if (!box.width || !box.height || box.right < 0 || box.left > innerWidth) continue;
    if (box.height < minimum || box.width < minimum) {
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      found.push(`${node.outerHTML.slice(0, 80)}: ${size}`);
    }
  }
  return found;
}
"""


def assert_thumb_friendly(page: Page, minimum: int = 48) -> None:
    """Check a phone page: every control at least `minimum` px both ways, no sideways
    scrolling."""
    small = page.evaluate(SMALL_TARGETS, minimum)
    assert small == [], f"touch targets under {minimum}px: {small}"
    width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def assert_fits_the_screen(page: Page, *selectors: str) -> None:
    """Check a projector page: no scrolling, and each selector's last element in sight."""
    size = page.evaluate("[document.documentElement.scrollHeight, innerHeight,"
                         " document.documentElement.scrollWidth, innerWidth]")
    assert size[0] <= size[1] and size[2] <= size[3], f"the projector page scrolls: {size}"
    height = page.viewport_size["height"]
    for selector in selectors:
        box = page.locator(selector).last.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, \
            f"{selector} is off the screen: {box}"


# --- kiosk and helper links (a tablet at the back of the room, a helper's phone) --------

TABLET = {"viewport": {"width": 1024, "height": 768}, "is_mobile": True, "has_touch": True}


def device_link(laptop, facilitator, action: str, **fields: str) -> str:
    """Create a kiosk or helper link from the facilitator page; return its address."""
    form = facilitator.locator(f'#panel form[action$="/{action}"]')
    for name, value in fields.items():
        form.locator(f'input[name="{name}"]').fill(value)
    with laptop.expect_page() as opened:
        form.locator('button[type="submit"]').click()
    page = opened.value
    page.wait_for_load_state()
    address = page.locator("a.device-link").get_attribute("href")
    page.close()
    return address
