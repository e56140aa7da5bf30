"""Translations: every message has its French, the template is current, pages switch language.

The catalogs are compiled here (into the package, where Flask-Babel looks) when a .mo file
is missing or older than its .po, so the tests also pass on a clean clone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import ngettext
from markupsafe import escape

from workshop.core.errors import Refused
from workshop.web.i18n import refusal_message

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "workshop" / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = ("fr", "en")
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "en": "nplurals=2; plural=(n != 1);"}
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def load(path: Path, locale: str | None = None) -> Catalog:
    """Read a .po/.pot file, failing on any syntax error rather than skipping it."""
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, abort_invalid=True)


def compile_catalogs() -> None:
    """Write each language's .mo next to its .po when it is missing or stale."""
    for lang in LANGUAGES:
        po = po_path(lang)
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = load(po, lang)
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog)
        os.replace(tmp, mo)


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs() -> None:
    compile_catalogs()


def keys(catalog: Catalog) -> set[tuple[object, str | None]]:
    """Return the (msgid, context) of every message; a plural msgid is a (singular, plural)."""
    return {(m.id, m.context) for m in catalog if m.id}


def forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


# --- the catalogs ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_headers(lang):
    catalog = load(po_path(lang))
    assert str(catalog.locale) == lang
    assert catalog.plural_forms == PLURAL_FORMS[lang]
    assert catalog.charset.lower() == "utf-8"
    assert not catalog.fuzzy


def test_every_message_has_a_french_translation():
    template = load(POT)
    french = load(po_path("fr"))
    assert keys(template), "the template holds no message"
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = french.get(message.id, message.context)
        if translated is None:
            problems.append(f"missing: {message.id!r}")
            continue
        if translated.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = forms(translated.string)
        if message.pluralizable and len(strings) != french.num_plurals:
            problems.append(f"needs {french.num_plurals} plural forms: {message.id!r}")
        if not all(s.strip() for s in strings):
            problems.append(f"empty: {message.id!r}")
        wanted = set().union(*(placeholders(i) for i in forms(message.id)))
        for string in strings:
            if placeholders(string) != wanted:
                problems.append(f"placeholders {sorted(placeholders(string))} instead of "
                                f"{sorted(wanted)}: {string!r}")
    for message, errors in french.check():
        problems.extend(f"{error}: {message.id!r}" for error in errors)
    assert not problems, "\n".join(problems)


# French typography: a no-break space (or a narrow one) before ; : ? ! ending a clause.
LOOSE_PUNCTUATION = re.compile(r"(?<![\u00a0\u202f])[;:?!](?=\s|$|\)|»|\")")


# And inside « » (a no-break space after « and before »).
LOOSE_GUILLEMETS = re.compile(r"«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»")


def test_french_puts_a_no_break_space_before_high_punctuation():
    assert LOOSE_PUNCTUATION.search("Code d'accès :") and LOOSE_GUILLEMETS.search("« oui »")
    french = load(po_path("fr"))
    found = [string for message in french if message.id
             for string in forms(message.string)
             if LOOSE_PUNCTUATION.search(string) or LOOSE_GUILLEMETS.search(string)]
    assert found == [], "\n".join(repr(s) for s in found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogs_follow_the_template(lang):
    """Run `pybabel update` after extracting, so each catalog holds exactly the template."""
    assert keys(load(po_path(lang))) == keys(load(POT))


def test_template_is_up_to_date(tmp_path):
    """A string added or changed in the code must be extracted (see babel.cfg) and translated."""
    fresh = tmp_path / "messages.pot"
    run = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
         "-F", "babel.cfg", "-k", "_l", "-k", "N_", "-o", str(fresh), "."],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    committed, extracted = keys(load(POT)), keys(load(fresh))
    assert extracted == committed, (
        f"not in messages.pot: {sorted(map(str, extracted - committed))}\n"
        f"no longer in the code: {sorted(map(str, committed - extracted))}\n"
        "run: pybabel extract -F babel.cfg -k _l -k N_ -o workshop/translations/messages.pot . && "
        "pybabel update -i workshop/translations/messages.pot -d workshop/translations")


def test_lazy_and_plural_messages_are_extracted():
    template = load(POT)
    assert template.get("This idea does not exist.") is not None  # lazy_gettext (_l)
    assert template.get("Thank you! Your idea will appear once approved.") is not None
    plural = template.get("%(num)s ballot")
    assert plural is not None and plural.id == ("%(num)s ballot", "%(num)s ballots")


# --- the pages ------------------------------------------------------------------------

def french_of(msgid: str) -> str:
    message = load(po_path("fr")).get(msgid)
    assert message is not None and message.string and message.string != msgid
    return message.string


def test_pages_are_in_french_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert str(escape(french_of("Join a workshop"))) in page
    assert "Join a workshop" not in page


def test_english_is_chosen_with_lang_and_remembered(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Join a workshop" in page
    again = client.get("/new").get_data(as_text=True)
    assert '<html lang="en">' in again
    assert "Create a workshop" in again
    back = client.get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in back
    assert str(escape(french_of("Join a workshop"))) in client.get("/").get_data(as_text=True)


def test_unknown_language_falls_back_to_french(client):
    page = client.get("/?lang=de").get_data(as_text=True)
    assert '<html lang="fr">' in page


def test_plurals_in_both_languages(app):
    french = load(po_path("fr")).get("%(num)s ballot").string
    with app.test_request_context("/?lang=en"):
        assert ngettext("%(num)s ballot", "%(num)s ballots", 1) == "1 ballot"
        assert ngettext("%(num)s ballot", "%(num)s ballots", 2) == "2 ballots"
        assert ngettext("%(num)s ballot", "%(num)s ballots", 0) == "0 ballots"
    with app.test_request_context("/"):
        for n, form in ((0, 0), (1, 0), (2, 1), (5, 1)):
            assert ngettext("%(num)s ballot", "%(num)s ballots", n) == french[form] % {"num": n}


def test_lazy_refusal_messages_follow_the_language(app):
    error = Refused("bad_title", limit=120)
    with app.test_request_context("/?lang=en"):
        assert refusal_message(error) == "Give a title of 1 to 120 characters."
    with app.test_request_context("/"):
        expected = french_of("Give a title of 1 to %(limit)s characters.") % {"limit": 120}
        assert refusal_message(error) == expected
