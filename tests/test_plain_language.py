"""Plain language on the phone, Québec French typography and numbers.

The phone says what to do in a sentence or two and never names a voting method nor its
technical note (those stay on the facilitator page, the projector's fine print and the
exports); numbers are written as the reader's language writes them; the templates hold no
punctuation glued after a translated string (French needs a no-break space before it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import join_phone
from factories import workshop_with_ideas
from flask_babel import gettext
from markupsafe import escape

from workshop import ops
from workshop.core.voting import METHODS
from workshop.web.i18n import number, said_score

ROOT = Path(__file__).resolve().parents[1]
TECHNICAL = ("Borda", "Schulze", "Condorcet", "Bradley", "statisti", "méthode", "method")


def technical_words(app, method: str, lang: str) -> list[str]:
    """Return the method's name and note in a language, and the words they rest on."""
    module = METHODS[method]
    with app.test_request_context(f"/?lang={lang}"):
        return [gettext(module.TEXTS.name), gettext(module.TEXTS.explanation), *TECHNICAL]


def visible_text(page: str) -> str:
    """Return the page's text as shown: no markup, no attribute values."""
    body = page.split("<body", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", body))


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("method", sorted(METHODS))
def test_the_phone_never_names_the_method(app, client, db, method, lang):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    ops.open_round(db, workshop, method=method)
    join_phone(client, workshop.code)
    page = client.get(f"/j/{workshop.code}?lang={lang}").get_data(as_text=True)
    assert 'id="ballot-form"' in page  # the ballot itself is shown
    text = visible_text(page)
    shown = [word for word in technical_words(app, method, lang)
             if str(escape(word)) in text]
    assert shown == []
    assert "data-read-aloud" in page
    assert 'class="method-note"' not in page


def test_the_facilitator_keeps_the_method_name_and_note(app, client, db):
    workshop, secret, _ideas = workshop_with_ideas(db)
    ops.open_round(db, workshop, method="ranking")
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    name, note = technical_words(app, "ranking", "fr")[:2]
    assert str(escape(note)) in page and "Schulze" in page
    assert str(escape(name)) in page


def test_the_phone_results_speak_plainly(app, client, db):
    workshop, _secret, ideas = workshop_with_ideas(db)
    ops.open_round(db, workshop, method="ranking")
    join_phone(client, workshop.code)
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    cid = re.search(r'name="client_id" value="([^"]+)"', page).group(1)
    form = {f"rank-{ideas[0].id}": "1", f"rank-{ideas[1].id}": "2", "client_id": cid}
    assert client.post(f"/j/{workshop.code}/ballot", data=form).status_code == 302
    ops.close_round(db, workshop)
    ops.reveal_results(db, workshop)
    for lang in ("fr", "en"):
        text = visible_text(client.get(f"/j/{workshop.code}?lang={lang}").get_data(as_text=True))
        assert "Borda" not in text and "Schulze" not in text
        assert ideas[0].text in text


def test_numbers_follow_the_language(app):
    with app.test_request_context("/?lang=fr"):
        assert number(52.34) == "52,3"
        assert number(12) == "12"
        assert number(12.0) == "12"
        assert re.fullmatch(r"1[\u00a0\u202f]234", number(1234))
        assert said_score("pairwise", 52.34) == "52,3 sur 100"
        assert said_score("ranking", 7) == ""
    with app.test_request_context("/?lang=en"):
        assert number(52.34) == "52.3"
        assert number(1234) == "1,234"
        assert said_score("pairwise", 52.34) == "52.3 out of 100"


@pytest.mark.parametrize(("count", "french", "english"), [
    (0, "0 pastille", "0 dots"), (1, "1 pastille", "1 dot"), (2, "2 pastilles", "2 dots")])
def test_plural_of_dots_follows_each_language(app, count, french, english):
    """French puts 0 and 1 in the singular (0 ou 1 pastille), English only 1."""
    with app.test_request_context("/?lang=fr"):
        assert said_score("dots", count) == french
    with app.test_request_context("/?lang=en"):
        assert said_score("dots", count) == english


# A translated string followed by punctuation written in the template: French needs a
# no-break space there, so the punctuation belongs inside the translated string.
GLUED = re.compile(r"""_\((["'])(?:(?!\1).)*\1[^)]*\)\s*\}\}\s?[:;?!]""")


def test_templates_put_high_punctuation_inside_the_translated_string():
    assert GLUED.search('<strong>{{ _("Join code") }}:</strong>')  # what it looks for
    assert not GLUED.search('<strong>{{ _("Join code:") }}</strong>')
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number_, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if GLUED.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number_}: {line.strip()}")
    assert found == [], "\n".join(found)
