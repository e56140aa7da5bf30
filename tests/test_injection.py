"""Injection: a corpus of XSS and spreadsheet-formula payloads (tests/data/xss_payloads.txt)
typed as ideas, as the facilitator's edits, as workshop titles and as round titles, then
looked at in Debian's Chromium on the phone, projector and facilitator pages (nothing runs,
no element appears, the text shows as typed) and read back from every export (plain text,
formulas neutralised).

"No element appears" is checked against a control: the same workshop built with plain
words instead of the payloads must give pages with exactly the same elements.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pytest
import requests
from browser_support import CHROMIUM, PHONE, PROJECTOR
from conftest import csrf_of, join_over_http
from openpyxl import load_workbook
from playwright.sync_api import Page

from workshop.core.export.cells import needs_quote, unformula
from workshop.core.export.formats import FORMULA_STARTS
from workshop.core.text import clean_text as _clean_text
from workshop.store.views import LIST_PAGE_SIZE, WALL_MAX

ROOT = Path(__file__).resolve().parents[1]


def in_chromium(test):
    """Mark a test that drives Chromium against a real server."""
    for mark in (pytest.mark.browser, pytest.mark.server,
                 pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason=f"Chromium is not installed at {CHROMIUM}")):
        test = mark(test)
    return test


CORPUS = Path(__file__).with_name("data") / "xss_payloads.txt"
PAYLOADS = [line for line in CORPUS.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("# ")]
PER_PHONE = 5  # ideas one phone sends (under the per-participant limit and its 5 waiting ideas)

# Any of these makes the check fail: a dialog, a call to a trapped function, a CSP report.
TRAP = """
(() => {
  window.__xss = [];
  for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
    window[name] = (...args) => { window.__xss.push(name + ":" + args.join(",")); };
  }
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__xss.push("csp:" + event.violatedDirective + " " + event.blockedURI);
  });
})();
"""

INSPECT = """
() => {
  const all = [...document.querySelectorAll("*")];
  const tags = {};
  for (const node of all) { tags[node.tagName] = (tags[node.tagName] || 0) + 1; }
  const handlers = all.filter(n => [...n.attributes].some(a => /^on/i.test(a.name)))
                      .map(n => n.outerHTML.slice(0, 120));
  const urls = all.filter(n => ["href", "src", "action", "formaction", "data", "background"]
      .some(a => /^\\s*(javascript|vbscript|data:text\\/html)/i.test(n.getAttribute(a) || "")))
      .map(n => n.outerHTML.slice(0, 120));
  const inline = [...document.scripts].filter(s => !s.src).map(s => s.outerHTML.slice(0, 120));
  return {ran: window.__xss || ["no trap"], tags, handlers, urls, inline,
          text: document.body.textContent.replace(/\\s+/g, " ")};
}
"""


def shown(payload: str) -> str:
    """The text a payload is stored and shown as (spaces folded, control characters out)."""
    return _clean_text(payload, 280, "bad_idea")


def plain(n: int) -> str:
    return f"Idée ordinaire numéro {n}"


# --- a facilitator and phones over HTTP -----------------------------------------------

class Facilitator:
    def __init__(self, base: str, title: str) -> None:
        self.base, self.http = base, requests.Session()
        form = self.http.get(f"{base}/new", timeout=10)
        made = self.http.post(f"{base}/new", data={"title": title,
                                                   "csrf_token": csrf_of(form.text)},
                              allow_redirects=False, timeout=10)
        assert made.status_code == 302, made.text
        self.secret = made.headers["Location"].split("?")[0].rsplit("/", 1)[1]
        page = self.http.get(f"{base}/f/{self.secret}", timeout=10).text
        self.code = re.search(r'data-code="([A-Z0-9]+)"', page).group(1)
        self.csrf = csrf_of(page)

    def do(self, command: str, **fields) -> dict:
        answer = self.http.post(f"{self.base}/f/{self.secret}/do/{command}", json=fields,
                                headers={"X-CSRFToken": self.csrf}, timeout=30)
        assert answer.status_code == 200, (command, fields, answer.text)
        return answer.json()

    def export(self, name: str) -> requests.Response:
        answer = self.http.get(f"{self.base}/f/{self.secret}/{name}", timeout=30)
        assert answer.status_code == 200
        return answer


class Phone:
    def __init__(self, base: str, code: str) -> None:
        self.base, self.code, self.http = base, code, requests.Session()
        self.csrf = join_over_http(self.http, base, code)

    def send(self, path: str, body: dict) -> dict:
        answer = self.http.post(f"{self.base}/j/{self.code}/{path}", json=body,
                                headers={"X-CSRFToken": self.csrf}, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()


def submitted_workshop(base: str, texts: list[str]) -> tuple[Facilitator, list[Phone]]:
    """Phones type every text as an idea; the facilitator approves them all."""
    boss = Facilitator(base, "Atelier des idées tapées")
    boss.do("open-ideas")
    phones = [Phone(base, boss.code) for _ in range(math.ceil(len(texts) / PER_PHONE))]
    ids = []
    for n, text in enumerate(texts):
        answer = phones[n // PER_PHONE].send("ideas", {"text": text,
                                                       "client_id": f"inject-{n:04d}-x"})
        ids.append(answer["idea"]["id"])
    for idea in ids:
        boss.do("approve", idea=idea)
    return boss, phones


def edited_workshop(base: str, texts: list[str]) -> Facilitator:
    """The facilitator adds plain ideas, then edits each one into a text."""
    boss = Facilitator(base, "Atelier des idées corrigées")
    boss.do("open-ideas")
    for n, text in enumerate(texts):
        boss.do("add-idea", text=plain(n))
    ids: set[int] = set()
    for page in range(1, math.ceil(len(texts) / LIST_PAGE_SIZE) + 1):  # 25 to a page
        html = boss.http.get(f"{base}/f/{boss.secret}?approved={page}", timeout=10).text
        ids |= {int(i) for i in re.findall(r'name="idea" value="(\d+)"', html)}
    ids = sorted(ids)
    assert len(ids) == len(texts)
    for idea, text in zip(ids, texts, strict=True):
        boss.do("edit", idea=idea, text=text)
    return boss


def vote_and_reveal(boss: Facilitator, phones: list[Phone], title: str) -> None:
    round_id = boss.do("open-round", title=title, dots=3, max_per_option=1, show_live=True)
    state = phones[0].http.get(f"{boss.base}/j/{boss.code}/state", timeout=10).json()
    options = state["round"]["options"]
    for n, phone in enumerate(phones[:3]):
        phone.send("ballot", {"client_id": f"inject-ballot-{n}-{round_id['round']}",
                              "ballot": {str(options[n]): 1}})
    boss.do("close-round")
    boss.do("reveal", reveal=True)


# --- fixtures -------------------------------------------------------------------------


class Eyes:
    """One browser context per screen kind, trapped; looks at pages and says what it saw."""

    def __init__(self, browser, base: str) -> None:
        self.base = base
        self.dialogs: list[str] = []
        self.contexts = {}
        for name, options in (("phone", PHONE), ("projector", PROJECTOR), ("laptop", {})):
            context = browser.new_context(**options)
            context.add_init_script(TRAP)
            # Only this machine is ever asked: an injected <script src=//elsewhere> that
            # got through would be caught by the trap, never sent out.
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith(base) else route.abort())
            self.contexts[name] = context
        self.pages: dict[str, Page] = {}
        self.parsers: dict[str, Page] = {}

    def page(self, kind: str, cookies: requests.Session | None = None) -> Page:
        context = self.contexts[kind]
        if cookies is not None:
            if kind in self.pages:
                # Stop the page shown before (its script's requests answer with its own
                # cookie, which would land after the switch and replace the new one).
                self.pages[kind].goto("about:blank")
            context.clear_cookies()
            context.add_cookies([{"name": c.name, "value": c.value, "url": self.base}
                                 for c in cookies.cookies])
        if kind not in self.pages:
            page = context.new_page()
            page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
            self.pages[kind] = page
        return self.pages[kind]

    def look(self, kind: str, path: str, ready: str, cookies=None) -> dict:
        page = self.page(kind, cookies)
        page.goto(self.base + path)
        page.wait_for_selector(ready, state="attached")
        return page.evaluate(INSPECT)

    def parse(self, kind: str, html: str) -> dict:
        """Have Chromium parse a page's HTML with no Content-Security-Policy at all to
        fall back on (and no page script), and say what it made of it."""
        page = self.parsers.get(kind)
        if page is None:
            page = self.parsers[kind] = self.contexts[kind].new_page()  # about:blank
            page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
            page.evaluate(TRAP)
        page.set_content(html, wait_until="domcontentloaded")
        return page.evaluate(INSPECT)

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture
def eyes(browser, server):
    looking = Eyes(browser, server.url)
    yield looking
    looking.close()


def assert_clean(seen: dict, control: dict | None, texts: list[str], where: str,
                 dialogs: list[str]) -> None:
    assert seen["ran"] == [] and dialogs == [], f"{where}: something ran: {seen['ran']}"
    assert seen["handlers"] == [], f"{where}: event handler attributes: {seen['handlers']}"
    assert seen["urls"] == [], f"{where}: script URLs: {seen['urls']}"
    assert seen["inline"] == [], f"{where}: inline scripts: {seen['inline']}"
    if control is not None:
        assert seen["tags"] == control["tags"], f"{where}: elements differ from the control"
    missing = [t for t in texts if " ".join(t.split()) not in seen["text"]]
    assert missing == [], f"{where}: not shown as typed: {missing[:5]}"


# --- the tests ------------------------------------------------------------------------

def test_the_corpus_is_large_and_fits_every_field():
    assert len(PAYLOADS) >= 50
    assert all(len(shown(p)) <= 120 for p in PAYLOADS)
    assert len(set(map(shown, PAYLOADS))) == len(PAYLOADS)


@in_chromium
def test_the_checks_catch_an_injection_that_got_through(eyes):
    """The detector itself: the same corpus pasted unescaped into a page is caught."""
    caught = 0
    for payload in PAYLOADS:
        if "<" not in payload:
            continue
        seen = eyes.parse("laptop", f"<!doctype html><title>t</title><p>{payload}</p>")
        try:
            assert_clean(seen, None, [shown(payload)], "unescaped", [])
        except AssertionError:
            caught += 1
    assert caught == sum(1 for p in PAYLOADS if "<" in p)


@in_chromium
def test_typed_and_edited_ideas_show_as_plain_text_everywhere(server, eyes):
    texts = [shown(p) for p in PAYLOADS]
    typed, phones = submitted_workshop(server.url, PAYLOADS)
    typed_control, control_phones = submitted_workshop(server.url,
                                                       [plain(n) for n in range(len(texts))])
    # Edited ideas have no author: their pages have the typed control's elements, as seen
    # by a phone that sent nothing.
    edited = edited_workshop(server.url, PAYLOADS)
    mine = texts[:PER_PHONE]

    # The wall shows the newest WALL_MAX ideas; the facilitator's list of ideas on the wall
    # is read page by page (docs/security.md, "Idea flood").
    newest = texts[-WALL_MAX:]
    pages = [("laptop", f"/f/{{secret}}?approved={n + 1}", "#panel", "boss",
              texts[n * LIST_PAGE_SIZE:(n + 1) * LIST_PAGE_SIZE])
             for n in range(math.ceil(len(texts) / LIST_PAGE_SIZE))]

    def look_all(boss, control, phone, control_phone, phase, wall=True):
        for kind, path, ready, who, expect in (
                ("phone", "/j/{code}", "#panel [data-view-key]", "phone",
                 mine if boss is typed else newest),
                ("projector", "/s/{code}", "#stage > *", None, newest if wall else []),
                *pages):
            cookies = {"phone": (phone, control_phone), "boss": (boss.http, control.http),
                       None: (None, None)}[who]
            # The facilitator page (slow to draw with 75 ideas) relies on the other checks:
            # markup that became elements could not also show as the typed text.
            seen_control = None if kind == "laptop" else eyes.look(
                kind, path.format(code=control.code, secret=control.secret), ready,
                cookies[1])
            seen = eyes.look(kind, path.format(code=boss.code, secret=boss.secret), ready,
                             cookies[0])
            assert_clean(seen, seen_control, expect, f"{phase} {kind}", eyes.dialogs)

    look_all(typed, typed_control, phones[0].http, control_phones[0].http, "ideas")
    look_all(edited, typed_control, requests.Session(), requests.Session(), "edited")
    vote_and_reveal(typed, phones, "Vos priorités")
    vote_and_reveal(typed_control, control_phones, "Vos priorités")
    look_all(typed, typed_control, phones[0].http, control_phones[0].http, "results",
             wall=False)


# Payloads whose title also goes through the projector's live path (screen.js), one of
# each kind; every payload goes through every server-rendered title.
LIVE_SAMPLE = [p for p in PAYLOADS if p.startswith(("<script", "<img src=x onerror",
                                                    "<svg onload", "</title>", "\"><", "{{7",
                                                    "<iframe src", "=HYPERLINK", "&lt;"))]


@in_chromium
def test_workshop_and_round_titles_show_as_plain_text_everywhere(server, eyes):
    boss = Facilitator(server.url, "Atelier des titres")
    boss.do("add-idea", text="Une idée")
    phone = Phone(server.url, boss.code)
    projector = requests.Session()
    for n, payload in enumerate(PAYLOADS):
        boss.do("rename", title=payload)
        if n:
            boss.do("close-round")
        boss.do("open-round", title=payload, dots=1, max_per_option=1)
        for kind, who, path in (("phone", phone.http, f"/j/{boss.code}"),
                                ("projector", projector, f"/s/{boss.code}"),
                                ("laptop", boss.http, f"/f/{boss.secret}")):
            html = who.get(server.url + path, timeout=10).text
            seen = eyes.parse(kind, html)
            assert_clean(seen, None, [shown(payload)], f"title {n} {kind}", eyes.dialogs)
    exported = json.loads(boss.export("export.json").text)["votes"]
    assert [r["title"] for r in exported] == [shown(p) for p in PAYLOADS]

    # The projector draws titles itself from pushes: watch it follow, live.
    assert len(LIVE_SAMPLE) >= 9
    live = eyes.page("projector")
    live.goto(f"{server.url}/s/{boss.code}")
    title = live.locator("[data-title]")
    for payload in LIVE_SAMPLE:
        text = shown(payload)
        boss.do("close-round")
        boss.do("open-lobby")
        boss.do("rename", title=payload)
        live.wait_for_function("t => document.querySelector('[data-title]').textContent === t",
                               arg=text)
        boss.do("open-round", title=f"Vote · {payload}", dots=1, max_per_option=1)
        live.wait_for_function("t => document.querySelector('[data-title]').textContent === t",
                               arg=shown(f"Vote · {payload}"))
        assert_clean(live.evaluate(INSPECT), None, [text], f"live title {payload}",
                     eyes.dialogs)
    assert title.count() == 1


def csv_rows(response: requests.Response) -> list[list[str]]:
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.server
def test_every_export_keeps_the_text_and_neutralises_formulas(server):
    texts = [shown(p) for p in PAYLOADS]
    boss, phones = submitted_workshop(server.url, PAYLOADS)
    vote_and_reveal(boss, phones, PAYLOADS[-1])
    ranking = json.loads(boss.export("export.json").text)["votes"]
    assert ranking[0]["title"] == texts[-1]
    assert sorted(r["text"] for r in ranking[0]["ranking"]) == sorted(texts)
    for name in ("export.csv", "ballots.csv"):
        rows = csv_rows(boss.export(name))
        cells = [cell for row in rows for cell in row]
        dangerous = [c for c in cells if c.startswith(FORMULA_STARTS) or
                     (needs_quote(c) and not c.startswith("'"))]
        assert dangerous == [], f"{name}: formulas a spreadsheet would run: {dangerous[:3]}"
        shown_cells = {unformula(c) for c in cells}
        if name == "ballots.csv":
            column = rows[0].index("options")
            shown_cells = {text for row in rows[1:] for _id, text in json.loads(row[column])}
        assert set(texts) <= shown_cells, f"{name}: {sorted(set(texts) - shown_cells)[:3]}"
    book = load_workbook(io.BytesIO(boss.export("export.xlsx").content))
    cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row
             if isinstance(c, str)]
    assert [c for c in cells if needs_quote(c) and not c.startswith("'")] == []
    assert set(texts) <= {unformula(c) for c in cells}
    formulas = [t for t in texts if t.startswith(FORMULA_STARTS)]
    assert len(formulas) >= 5


# --- the policy that backs all this up ------------------------------------------------

def test_every_page_sends_a_strict_policy_and_carries_no_inline_script(app, db):
    """script-src 'self' and nothing inline anywhere: even markup that got through could
    not run. Every GET route is asked, with the identity that may see it."""
    from tests.security_support import arrange, http_routes, url_for_role

    scene = arrange(app, db)
    for route in sorted(r for r in http_routes(app) if r.startswith("GET ")):
        who = "facilitator" if "<secret>" in route else "participant"
        answer = scene.browsers[who].get(url_for_role(route, scene, who))
        answer.close()
        policy = answer.headers["Content-Security-Policy"]
        directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in policy.split(";"))
        assert directives["script-src"] == "'self'", route
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
        assert directives["frame-ancestors"] == "'none'" and "default-src" in directives
        assert "unsafe" not in policy, route
        assert answer.headers["X-Content-Type-Options"] == "nosniff", route
        assert answer.headers["Referrer-Policy"] == "no-referrer", route
    for template in (ROOT / "templates").glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", text), template.name
        assert "javascript:" not in text, template.name
    for script in (ROOT / "static" / "js").glob("*.js"):
        text = script.read_text()
        assert not re.search(r"\beval\(|new Function|insertAdjacentHTML|document\.write|"
                             r"outerHTML\s*=", text), script.name
        # innerHTML is only ever emptied; text goes in with textContent.
        assert set(re.findall(r"innerHTML\s*=\s*([^;]+);", text)) <= {'""'}, script.name


@in_chromium
def test_the_facilitator_link_never_leaves_in_a_referer(server, eyes):
    """The secret link is in the facilitator page's address: no request the page makes, and
    no link followed from it to another site, may carry it in a Referer header."""
    boss = Facilitator(server.url, "Atelier secret")
    sent: list[tuple[str, str | None]] = []
    page = eyes.page("laptop", boss.http)
    page.on("request", lambda request: sent.append((request.url,
                                                    request.header_value("referer"))))
    elsewhere = "http://127.0.0.2:9/ailleurs"
    eyes.contexts["laptop"].route(elsewhere, lambda route: route.fulfill(body="ailleurs"))
    page.goto(f"{server.url}/f/{boss.secret}")
    page.wait_for_selector("#panel")
    page.evaluate("""url => { const a = document.createElement("a"); a.href = url;
                             a.textContent = "x"; document.body.appendChild(a); a.click(); }""",
                  elsewhere)
    page.wait_for_url(elsewhere)
    assert any(url == elsewhere for url, _ in sent)
    assert [(url, ref) for url, ref in sent if ref] == []
    assert not any(boss.secret in url for url, _ in sent if not url.startswith(server.url))
