"""The agenda driven from the facilitator's page as a browser without script would: the
page's own forms, posted with their own fields."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.factories import client_id
from workshop import ops
from workshop.store import views


class Forms(HTMLParser):
    """Every form of a page: its action, its fields with their page values, its marks."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "attrs": attrs, "fields": {}})
        elif self.forms and tag == "input" and attrs.get("name"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif self.forms and tag == "select":
            self.select = attrs.get("name")
        elif self.forms and tag == "option" and self.select:
            self.forms[-1]["fields"].setdefault(self.select, attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def page_forms(client, secret: str) -> list[dict]:
    parser = Forms()
    parser.feed(client.get(f"/f/{secret}?lang=en").get_data(as_text=True))
    return parser.forms


def submit(client, form: dict, **changes) -> None:
    answer = client.post(form["action"], data={**form["fields"], **changes})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]


def form_for(client, secret: str, command: str, **marks) -> dict:
    found = [f for f in page_forms(client, secret) if f["action"].endswith("/do/" + command)
             and all(f["fields"].get(k) == str(v) for k, v in marks.items())]
    assert found, f"no {command} form with {marks} on the page"
    return found[0]


def test_plan_and_run_a_day_from_the_facilitator_page(client, db, app):
    workshop, secret = ops.create_workshop(db, "Atelier")
    plan_ideas = form_for(client, secret, "plan-activity", kind="ideas")
    submit(client, plan_ideas, title="Défis", prompt="Quels sont les défis?")
    submit(client, form_for(client, secret, "plan-activity", kind="vote"),
           title="Nos priorités", method="approval", max_approvals="2")
    submit(client, plan_ideas, title="Solutions", prompt="Quelles solutions?")
    db.rollback()  # a fresh read: the page wrote since
    agenda = views.facilitator_view(db, workshop, 0)["agenda"]
    assert [(s["kind"], s["title"], s["status"]) for s in agenda] == [
        ("ideas", "Défis", "planned"), ("vote", "Nos priorités", "planned"),
        ("ideas", "Solutions", "planned")]
    assert agenda[1]["settings"]["method_settings"] == {"max_approvals": 2}
    # The last collection goes up one step, before the vote.
    submit(client, form_for(client, secret, "move-activity", activity=agenda[2]["id"],
                            direction="up"))
    submit(client, form_for(client, secret, "start-next"))
    phone = app.test_client()
    assert "Quels sont les défis?" in phone.get(f"/j/{workshop.code}").get_data(as_text=True)
    state = phone.get(f"/j/{workshop.code}/state").json
    assert state["activity"]["title"] == "Défis" and state["phase"] == "ideas"
    idea = phone.post(f"/j/{workshop.code}/ideas", json={
        "text": "Transport", "client_id": client_id()}).json["idea"]["id"]
    client.post(f"/f/{secret}/do/approve", data={"idea": idea})
    submit(client, form_for(client, secret, "start-next"))
    assert "Quelles solutions?" in phone.get(f"/j/{workshop.code}").get_data(as_text=True)
    submit(client, form_for(client, secret, "start-next"))
    db.rollback()  # a fresh read: the page wrote since
    view = views.public_view(db, workshop)
    assert view["phase"] == "vote" and view["round"]["method"] == "approval"
    assert view["round"]["options"] == [idea] and view["activity"]["title"] == "Nos priorités"
    submit(client, form_for(client, secret, "close-activity"))
    db.rollback()  # a fresh read: the page wrote since
    assert views.public_view(db, workshop)["phase"] == "results"
    assert [s["status"] for s in views.facilitator_view(db, workshop, 0)["agenda"]] == \
        ["closed"] * 3
