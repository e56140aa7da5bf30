"""Themes ideas can carry (logement, transport…): the workshop's list, an idea's theme set
while moderating (by facilitators and moderators), the wall grouped by theme on the
projector, and the theme in the results and the day's report."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from tests.factories import client_id, ids_of, participant, workshop_with_ideas
from workshop import ops
from workshop.core import themes
from workshop.core.errors import Refused
from workshop.store import views
from workshop.store.models import Idea, Workshop
from workshop.web import exports

JSON = {"Accept": "application/json"}


def pushes(sio, name):
    return [m["args"][0] for m in sio.get_received() if m["name"] == name]


# --- the list (pure) ------------------------------------------------------------------------

def test_the_default_list_is_french_and_plain():
    assert themes.DEFAULT == ("Logement", "Transport", "Sécurité alimentaire", "Revenu",
                              "Santé", "Emploi")


def test_a_typed_list_is_read_one_theme_per_line_spaces_folded_repeats_dropped():
    assert themes.read_themes("  Logement \n\nTransport   collectif ; LOGEMENT, Santé\n") == \
        ["Logement", "Transport collectif", "Santé"]
    assert themes.read_themes("") == []
    assert len(themes.read_themes("\n".join(f"T{n}" for n in range(themes.THEMES_MAX)))) == \
        themes.THEMES_MAX


@pytest.mark.parametrize("bad", [
    None, 12, ["Logement"], "x" * (themes.TEXT_MAX + 1), "a" * (themes.THEME_MAX + 1),
    "\n".join(f"T{n}" for n in range(themes.THEMES_MAX + 1)), "Log\u0000ement"])
def test_anything_else_is_refused(bad):
    with pytest.raises(ValueError):
        themes.read_themes(bad)


# --- the verbs --------------------------------------------------------------------------------

def test_an_idea_carries_one_of_the_workshops_themes_or_none(db):
    workshop, _secret, (transport, logement, _food) = workshop_with_ideas(db)
    assert ops.themes_of(workshop) == list(themes.DEFAULT) and workshop.themes is None
    ops.set_idea_theme(db, workshop, logement.id, "Logement")
    ops.set_idea_theme(db, workshop, transport.id, "Transport")
    assert (db.get(Idea, logement.id).theme, db.get(Idea, transport.id).theme) == \
        ("Logement", "Transport")
    ops.set_idea_theme(db, workshop, transport.id, "")
    assert db.get(Idea, transport.id).theme is None
    for wrong in ("Culture", "logement", 3, ["Logement"]):
        with pytest.raises(Refused) as refused:
            ops.set_idea_theme(db, workshop, logement.id, wrong)
        assert refused.value.code == "unknown_theme"
    db.rollback()
    assert db.get(Idea, logement.id).theme == "Logement"  # nothing changed
    other, _s, (elsewhere, *_rest) = workshop_with_ideas(db, ("Ailleurs",))
    with pytest.raises(Refused) as refused:
        ops.set_idea_theme(db, workshop, elsewhere.id, "Logement")
    assert refused.value.code == "idea_not_found"


def test_a_new_list_takes_a_removed_theme_off_its_ideas_and_the_grouping_is_a_setting(db):
    workshop, _secret, (transport, logement, food) = workshop_with_ideas(db)
    ops.set_idea_theme(db, workshop, logement.id, "Logement")
    ops.set_idea_theme(db, workshop, transport.id, "Transport")
    ops.set_idea_theme(db, workshop, food.id, "Sécurité alimentaire")
    ops.set_themes(db, workshop, True, "Logement\nMobilité\nSécurité alimentaire")
    db.expire_all()
    assert ops.themes_of(workshop) == ["Logement", "Mobilité", "Sécurité alimentaire"]
    assert workshop.wall_by_theme is True
    assert [db.get(Idea, i.id).theme for i in (transport, logement, food)] == \
        [None, "Logement", "Sécurité alimentaire"]
    ops.set_themes(db, workshop, False)  # no list sent: the list stays
    assert (workshop.wall_by_theme, ops.themes_of(workshop)) == \
        (False, ["Logement", "Mobilité", "Sécurité alimentaire"])
    with pytest.raises(Refused) as refused:
        ops.set_themes(db, workshop, True, "x" * 41)
    assert refused.value.code == "bad_themes" and refused.value.params == \
        {"limit": 20, "length": 40}
    db.rollback()
    assert db.get(Workshop, workshop.id).wall_by_theme is False
    ops.set_themes(db, workshop, False, "")  # an empty list: no theme at all
    db.expire_all()
    assert ops.themes_of(workshop) == [] and db.get(Idea, logement.id).theme is None


def test_a_merge_leaves_the_kept_idea_its_own_theme_and_a_copy_keeps_the_list(db):
    workshop, _secret, (transport, logement, _food) = workshop_with_ideas(db)
    ops.set_idea_theme(db, workshop, transport.id, "Transport")
    ops.set_idea_theme(db, workshop, logement.id, "Logement")
    ops.merge_ideas(db, workshop, transport.id, logement.id)
    assert db.get(Idea, logement.id).theme == "Logement"
    assert views.theme_counts(db, workshop) == {"Logement": 1, "": 1}  # merged not counted
    ops.set_themes(db, workshop, True, "Logement\nRevenu")
    copy, _copy_secret = ops.duplicate_workshop(db, workshop, lambda title: title + " 2")
    assert (ops.themes_of(copy), copy.wall_by_theme) == (["Logement", "Revenu"], True)


def test_a_theme_changes_no_ballot_and_may_be_set_during_a_vote(db):
    workshop, _secret, (transport, logement, _food) = workshop_with_ideas(db)
    ops.open_round(db, workshop, settings={"dots": 3, "max_per_option": 3})
    ops.cast_ballot(db, ids_of(workshop, participant(db, workshop)), {logement.id: 3},
                    client_id())
    ops.set_idea_theme(db, workshop, logement.id, "Logement")
    vote = views.current_round(db, workshop)
    result = views.results_view(db, vote)
    assert [(r["text"], r["theme"], r["score"]) for r in result["ranking"]][:2] == \
        [("Logement", "Logement", 3), ("Transport", None, 0)]


def test_the_views_carry_the_themes_the_grouping_and_each_ideas_theme(db):
    workshop, _secret, (transport, logement, food) = workshop_with_ideas(db)
    ops.set_themes(db, workshop, True, "Logement\nTransport")
    ops.set_idea_theme(db, workshop, transport.id, "Transport")
    public, screen, facilitator = views.audience_views(db, workshop, 0)
    assert [(i["text"], i["theme"]) for i in public["ideas"]] == \
        [("Transport", "Transport"), ("Logement", None), ("Alimentation", None)]
    assert (screen["themes"], screen["wall_by_theme"]) == (["Logement", "Transport"], True)
    assert facilitator["theme_counts"] == {"Transport": 1, "": 2}
    ops.hide_idea(db, workshop, food.id)
    before = views.facilitator_view(db, workshop, 0)["theme_counts"]
    ops.set_idea_theme(db, workshop, food.id, "Logement")  # a hidden idea: the view changes
    assert views.facilitator_view(db, workshop, 0)["theme_counts"] != before


# --- over HTTP ----------------------------------------------------------------------------

def test_the_facilitator_edits_the_list_and_sorts_ideas_from_the_page(client, db):
    workshop, secret, (transport, logement, _food) = workshop_with_ideas(db)
    base = f"/f/{secret}/do"
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert 'action="/f/' + secret + '/do/set-themes"' in page
    assert "Sécurité alimentaire\nRevenu" in page  # the default list in the textarea
    assert f'id="theme-{logement.id}" data-theme-idea="{logement.id}" data-theme=""' in page
    assert page.count('<option value="Revenu">') == 1  # one list of themes on the page
    assert client.post(f"{base}/set-themes", data={
        "group": "1", "themes": "Logement\n<b>Transport</b>"}).status_code == 302
    assert client.post(f"{base}/set-theme", data={
        "idea": str(transport.id), "theme": "<b>Transport</b>"}).status_code == 302
    answer = client.post(f"{base}/set-theme", json={"idea": logement.id, "theme": "Logement"})
    assert answer.json == {"ok": True}
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert f'data-theme-idea="{transport.id}" data-theme="&lt;b&gt;Transport&lt;/b&gt;"' \
        in page  # text, escaped
    assert '<span class="idea-theme theme-text">&lt;b&gt;Transport&lt;/b&gt;</span>' in page
    assert "<b>Transport</b>" not in page
    assert 'name="group" value="1" checked' in page
    assert "Thèmes · mur regroupé" in page
    bad = client.post(f"{base}/set-theme", json={"idea": logement.id, "theme": "Culture"})
    assert bad.status_code == 400 and bad.json["error"] == "unknown_theme"
    too_many = client.post(f"{base}/set-themes", json={
        "group": True, "themes": "\n".join(f"T{n}" for n in range(21))})
    assert too_many.status_code == 400 and too_many.json["error"] == "bad_themes"
    assert "au plus 20 thèmes, chacun d'au plus 40 caractères" in too_many.json["message"]
    assert client.post(f"{base}/set-themes", json={"group": True, "themes": ["Logement"]}
                       ).json["error"] == "bad_themes"


def test_a_moderator_sets_an_ideas_theme_but_not_the_list(client, db):
    workshop, _secret, (transport, _logement, _food) = workshop_with_ideas(db)
    _device, token = ops.issue_device(db, workshop, "moderator")
    moderator = client.application.test_client()
    page = moderator.get(f"/f/{token}").get_data(as_text=True)
    assert f'id="theme-{transport.id}"' in page and "do/set-themes" not in page
    assert moderator.post(f"/f/{token}/do/set-theme",
                          json={"idea": transport.id, "theme": "Transport"}).json["ok"]
    refused = moderator.post(f"/f/{token}/do/set-themes", json={"group": True})
    assert refused.status_code == 403 and refused.json["error"] == "moderators_moderate_only"
    db.expire_all()
    assert db.get(Idea, transport.id).theme == "Transport"
    assert db.get(Workshop, workshop.id).wall_by_theme is False


def test_the_results_show_each_ideas_theme(client, db):
    workshop, secret, (transport, logement, _food) = workshop_with_ideas(db)
    ops.set_idea_theme(db, workshop, logement.id, "Logement")
    ops.open_round(db, workshop, settings={"dots": 3, "max_per_option": 3})
    ops.cast_ballot(db, ids_of(workshop, participant(db, workshop)), {logement.id: 2},
                    client_id())
    ops.close_round(db, workshop)
    for path in (f"/f/{secret}", f"/f/{secret}/results"):
        page = " ".join(client.get(path).get_data(as_text=True).split())
        assert ('<td>Logement <span class="idea-theme"><span class="visually-hidden">'
                'Thème : </span>Logement</span></td>') in page, path  # NBSP folded
    report = client.get(f"/f/{secret}/export.json").get_json()
    assert [(i["text"], i["theme"]) for i in report["ideas"]] == \
        [("Transport", ""), ("Logement", "Logement"), ("Alimentation", "")]
    french = client.get(f"/f/{secret}/export.csv?table=idea_list&sep=;")
    assert french.headers["Content-Disposition"].endswith(f'-{workshop.code}-idea_list.csv"')
    lines = french.get_data(as_text=True).removeprefix("\ufeff").splitlines()
    assert lines[0].split(";")[:4] == ["idée", "priorité", "thème", "statut"]
    assert lines[1].split(";")[:4] == [str(transport.id), "Transport", "", "approuvée"]
    assert lines[2].split(";")[:4] == [str(logement.id), "Logement", "Logement", "approuvée"]
    with client.application.test_request_context(), force_locale("en"):
        english = exports.build(db, workshop, "csv", table="idea_list")[0].decode("utf-8")
    assert english.removeprefix("\ufeff").split(",")[:4] == ["idea", "priority", "theme",
                                                              "status"]


def test_a_theme_change_is_pushed_to_the_projector_and_the_moderators(app, db, sockets):
    workshop, secret, (transport, _logement, food) = workshop_with_ideas(db)
    _device, token = ops.issue_device(db, workshop, "moderator")
    screen, moderator = sockets(), sockets()
    assert screen.emit("join", {"code": workshop.code, "role": "screen"}, callback=True)["ok"]
    assert moderator.emit("join", {"code": workshop.code, "role": "moderator",
                                   "secret": token}, callback=True)["ok"]
    ops.hide_idea(db, workshop, food.id)
    app.extensions["workshop.broadcaster"].flush()
    screen.get_received()
    moderator.get_received()
    ops.set_themes(db, workshop, True, "Transport\nLogement")
    ops.set_idea_theme(db, workshop, transport.id, "Transport")
    app.extensions["workshop.broadcaster"].flush()
    shown = pushes(screen, "screen_changed")[-1]
    assert (shown["wall_by_theme"], shown["themes"]) == (True, ["Transport", "Logement"])
    assert shown["ideas"][0] == {"id": transport.id, "text": "Transport", "theme": "Transport"}
    # A hidden idea's theme is only in the moderators' panel: its push still comes.
    ops.set_idea_theme(db, workshop, food.id, "Logement")
    app.extensions["workshop.broadcaster"].flush()
    panel = pushes(moderator, "moderator_changed")[-1]["panel"]
    assert f'data-theme-idea="{food.id}" data-theme="Logement"' in panel
