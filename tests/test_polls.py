"""Questions (multiple choice, scale, word cloud, open question) through the verbs and over
HTTP: planned, started, answered once per person, revealed, closed, purged."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import join_phone
from tests.factories import client_id, participant
from workshop import ops
from workshop.core.errors import Refused
from workshop.store import polls, views
from workshop.store.models import Activity, Answer

JSON = {"Accept": "application/json"}


def refused_code(call, *args, **kwargs) -> str:
    with pytest.raises(Refused) as info:
        call(*args, **kwargs)
    return info.value.code


def started(db, kind, settings=None, prompt="Votre avis?"):
    workshop, secret = ops.create_workshop(db, "Atelier")
    activity = ops.plan_activity(db, workshop, kind, prompt=prompt, settings=settings or {})
    ops.start_activity(db, workshop, activity.id)
    return workshop, secret, activity


def test_an_answer_is_one_per_person_replaced_and_never_counted_twice(db):
    workshop, _secret, activity = started(db, "choice", {"choices": ["Oui", "Non", "Peut-être"]})
    assert workshop.phase == "poll"
    ana, bob = participant(db, workshop), participant(db, workshop)
    first = client_id()
    assert ops.submit_answer(db, workshop, ana, {"choice": "0"}, first)["answer"] == {
        "choices": [0]}
    # The same command re-sent (its answer lost): the first answer back, nothing redone.
    again = ops.submit_answer(db, workshop, ana, {"choice": "1"}, first)
    assert again["duplicate"] and again["answer"] == {"choices": [0]}
    ops.submit_answer(db, workshop, bob, {"choice": "1"}, client_id())
    ops.submit_answer(db, workshop, ana, {"choice": "1"}, client_id())  # changes her mind
    assert db.scalar(select(Answer.id).where(Answer.participant_id == ana.id)) is not None
    assert len(db.scalars(select(Answer)).all()) == 2
    results = polls.poll_results(db, db.get(Activity, activity.id))
    assert [row["count"] for row in results["rows"]] == [0, 2, 0] and results["voters"] == 2


def test_answers_are_refused_when_bad_or_when_no_question_runs(db):
    workshop, _secret, activity = started(db, "scale")
    ana = participant(db, workshop)
    assert refused_code(ops.submit_answer, db, workshop, ana, {"value": "9"}, client_id()) \
        == "bad_answer"
    assert refused_code(ops.submit_answer, db, workshop, ana, {"value": "3"}, "court") \
        == "bad_client_id"
    other, _ = ops.create_workshop(db, "Ailleurs")
    stranger = participant(db, other)
    assert refused_code(ops.submit_answer, db, workshop, stranger, {"value": "3"},
                        client_id()) == "workshop_not_found"
    ops.close_activity(db, workshop)
    assert workshop.phase == "poll"  # phones thank, then show the results once revealed
    assert refused_code(ops.submit_answer, db, workshop, ana, {"value": "3"}, client_id()) \
        == "poll_closed"
    assert not db.scalars(select(Answer)).all()


def test_results_are_hidden_from_the_room_until_the_facilitator_reveals_them(db):
    workshop, _secret, activity = started(db, "open_question")
    ana = participant(db, workshop)
    ops.submit_answer(db, workshop, ana, {"text": "<b>Plus</b> de logements"}, client_id())
    public, screen, facilitator = views.audience_views(db, workshop, 1)
    assert public["poll"]["results"] is None and screen["poll"]["results"] is None
    assert public["poll"]["answered"] == 1
    assert facilitator["poll"]["results"]["answers"] == ["<b>Plus</b> de logements"]
    ops.reveal_poll(db, workshop, True)
    public, screen, _f = views.audience_views(db, workshop, 1)
    assert screen["poll"]["results"]["answers"] == ["<b>Plus</b> de logements"]
    ops.reveal_poll(db, workshop, False)
    assert views.public_view(db, workshop)["poll"]["results"] is None


def test_the_agenda_runs_questions_between_the_other_steps(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    cloud = ops.plan_activity(db, workshop, "wordcloud", prompt="Un mot?",
                              settings={"max_words": 2})
    ideas = ops.plan_activity(db, workshop, "ideas")
    scale = ops.plan_activity(db, workshop, "scale", settings={"low_label": "Pas du tout"})
    ana = participant(db, workshop)
    ops.start_next_activity(db, workshop)
    ops.submit_answer(db, workshop, ana, {"word_1": "Logement", "word_2": "logement!"},
                      client_id())
    ops.start_next_activity(db, workshop)  # the question closes on the way
    assert db.get(Activity, cloud.id).status == "closed" and workshop.phase == "ideas"
    assert refused_code(ops.submit_answer, db, workshop, ana, {"word_1": "x"}, client_id()) \
        == "poll_closed"
    assert refused_code(ops.reveal_poll, db, workshop, True) == "no_poll"
    ops.start_next_activity(db, workshop)
    assert db.get(Activity, ideas.id).status == "closed" and workshop.phase == "poll"
    assert db.get(Activity, scale.id).status == "open"
    ops.open_lobby(db, workshop)
    assert workshop.phase == "lobby" and db.get(Activity, scale.id).status == "closed"
    asked = polls.polls_of(db, workshop)
    assert [(a.id, r["voters"]) for a, r in asked] == [(cloud.id, 1), (scale.id, 0)]
    assert asked[0][1]["words"][0]["word"] == "Logement"


def test_a_question_is_planned_with_checked_settings(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    assert refused_code(ops.plan_activity, db, workshop, "choice", settings={}) == \
        "bad_activity_setting"
    assert refused_code(ops.plan_activity, db, workshop, "wordcloud",
                        settings={"max_words": 0}) == "bad_activity_setting"


def test_a_purge_keeps_the_answers_anonymous(db):
    workshop, _secret, activity = started(db, "scale")
    ops.submit_answer(db, workshop, participant(db, workshop), {"value": "4"}, client_id())
    ops.close_activity(db, workshop)
    ops.purge_personal_data(db, workshop)
    answer = db.scalars(select(Answer)).one()
    assert answer.participant_id is None and answer.content == {"value": 4}


# --- over HTTP -----------------------------------------------------------------------

def test_a_phone_without_script_answers_with_a_plain_form(client, db):
    workshop, _secret, activity = started(
        db, "choice", {"choices": ["Logement", "Transport"], "multiple": True})
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    assert 'type="checkbox" name="choice_1"' in page and "Votre avis" in page
    cid = re.search(r'name="client_id" value="([^"]+)"', page).group(1)
    back = client.post(f"/j/{workshop.code}/answer",
                       data={"choice_0": "1", "choice_1": "1", "client_id": cid},
                       follow_redirects=True).get_data(as_text=True)
    assert back.count("flash-ok") == 1
    assert 'name="choice_0" value="1" checked' in back  # the answer shown back, to change
    # the same form again (a double tap): still one answer
    client.post(f"/j/{workshop.code}/answer", data={"choice_0": "1", "client_id": cid})
    assert [a.content for a in db.scalars(select(Answer))] == [{"choices": [0, 1]}]


def test_answers_over_json_and_their_refusals(client, db):
    workshop, secret, activity = started(db, "wordcloud", {"max_words": 1})
    join_phone(client, workshop.code)
    url = f"/j/{workshop.code}/answer"
    ok = client.post(url, json={"words": ["Santé"], "client_id": client_id()}, headers=JSON)
    assert ok.status_code == 200 and ok.get_json()["answer"] == {"words": ["Santé"]}
    bad = client.post(url, json={"words": ["a", "b"], "client_id": client_id()}, headers=JSON)
    assert bad.status_code == 400 and bad.get_json()["error"] == "bad_answer"
    too_long = client.post(url, json={"words": ["x" * 41], "client_id": client_id()},
                           headers=JSON)
    assert too_long.get_json()["error"] == "bad_answer"
    client.post(f"/f/{secret}/do/close-activity")
    closed = client.post(url, json={"words": ["Logement"], "client_id": client_id()},
                         headers=JSON)
    assert closed.status_code == 409 and closed.get_json()["error"] == "poll_closed"


def test_the_facilitator_plans_starts_reveals_and_sees_the_results(client, db):
    workshop, secret = ops.create_workshop(db, "Atelier")
    base = f"/f/{secret}/do"
    planned = client.post(f"{base}/plan-activity", data={
        "kind": "choice", "prompt": "Quel thème?", "choices": "Logement\nTransport\n"},
        headers=JSON)
    assert planned.status_code == 200, planned.get_data(as_text=True)
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert "Planifier une question à choix multiples" in page
    client.post(f"{base}/start-next")
    phone = client.application.test_client()
    join_phone(phone, workshop.code)
    phone.post(f"/j/{workshop.code}/answer", json={"choice": 1, "client_id": client_id()})
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert "1 personne a répondu." in page and "Afficher les résultats au grand écran" in page
    assert client.post(f"{base}/reveal-poll", data={"reveal": "1"}, headers=JSON).get_json()[
        "ok"]
    shown = phone.get(f"/j/{workshop.code}").get_data(as_text=True)
    assert "Résultats" in shown and "100\u00a0%" in shown
    results = client.get(f"/f/{secret}/results").get_data(as_text=True)
    assert "Quel thème?" in results and "Transport" in results


def test_the_days_files_carry_every_question(client, db):
    from io import BytesIO

    from openpyxl import load_workbook

    workshop, secret, activity = started(db, "scale", {"low_label": "Pas du tout"},
                                         prompt="=HYPERLINK(\"x\") D'accord?")
    for value in ("2", "3", "3"):
        ops.submit_answer(db, workshop, participant(db, workshop), {"value": value},
                          client_id())
    report = client.get(f"/f/{secret}/export.json").get_json()
    (question,) = report["questions"]
    assert question["kind"] == "scale" and question["results"]["mean"] == pytest.approx(8 / 3)
    book = load_workbook(BytesIO(client.get(f"/f/{secret}/export.xlsx").data))
    sheet = book["Questions"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[1][:4] == ["question", "type", "statut", "réponses"]
    three = next(row for row in rows if row[4] == 3)
    assert three[5] == 2 and three[7] == 2.67 and three[8] == 3
    assert not str(rows[2][0]).startswith("=")  # participant or facilitator text: never a formula


def test_the_pdf_report_has_a_section_per_question(client, db):
    from io import BytesIO

    from pypdf import PdfReader

    workshop, secret, activity = started(db, "wordcloud", prompt="Un mot pour la région")
    ops.submit_answer(db, workshop, participant(db, workshop), {"words": ["Entraide"]},
                      client_id())
    body = client.get(f"/f/{secret}/export.pdf").data
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(body)).pages)
    assert "Un mot pour la région" in text and "Entraide" in text and "Nuage de mots" in text
    assert re.search(r"Réponses\s:\s1", text)  # (the PDF's text gives NBSP back as a space)


def test_the_questions_csv_neutralises_participant_text(client, db):
    workshop, secret, activity = started(db, "open_question")
    ops.submit_answer(db, workshop, participant(db, workshop), {"text": "=1+2 logements"},
                      client_id())
    answer = client.get(f"/f/{secret}/export.csv?table=questions&sep=;")
    assert 'filename="workshop-' in answer.headers["Content-Disposition"]
    assert "-questions.csv" in answer.headers["Content-Disposition"]
    text = answer.get_data(as_text=True)
    assert text.startswith("\ufeffquestion;type;statut;réponses;réponse")
    assert "'=1+2 logements" in text and ";=1+2" not in text


def test_the_facilitator_hides_an_answer_from_every_tally_and_screen(client, db):
    workshop, secret, activity = started(db, "wordcloud", {"max_words": 2})
    troll, ana = participant(db, workshop), participant(db, workshop)
    ops.submit_answer(db, workshop, troll, {"words": ["Insulte", "Logement"]}, client_id())
    ops.submit_answer(db, workshop, ana, {"words": ["logement"]}, client_id())
    ops.reveal_poll(db, workshop, True)
    (newest, oldest) = views.facilitator_view(db, workshop, 0)["poll"]["written"]
    assert (oldest["text"], oldest["hidden"]) == ("Insulte · Logement", False)
    answer = client.post(f"/f/{secret}/do/hide-answer",
                         json={"answer": oldest["id"], "hidden": True})
    assert answer.get_json() == {"ok": True, "answer": oldest["id"]}
    db.rollback()  # read what the request committed
    public = views.public_view(db, workshop)["poll"]
    assert [(w["word"], w["count"]) for w in public["results"]["words"]] == [("logement", 1)]
    assert public["answered"] == 1
    # Answering again does not bring it back by itself.
    ops.submit_answer(db, workshop, troll, {"words": ["Autre insulte"]}, client_id())
    assert views.public_view(db, workshop)["poll"]["answered"] == 1
    screen = client.get(f"/s/{workshop.code}").get_data(as_text=True)
    assert "insulte" not in screen.lower()
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert "Autre insulte" in page and "Afficher de nouveau" in page
    # Another workshop's facilitator cannot reach it; a bad id is refused.
    other, other_secret = ops.create_workshop(db, "Ailleurs")
    stranger = client.post(f"/f/{other_secret}/do/hide-answer",
                           json={"answer": oldest["id"], "hidden": False})
    assert stranger.status_code == 404 and stranger.get_json()["error"] == "answer_not_found"
    assert refused_code(ops.hide_answer, db, workshop, "1", True) == "bad_request"
