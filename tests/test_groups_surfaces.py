"""Every surface that shows results by group applies the same suppression, over random
group sizes (hypothesis): the JSON, the spreadsheet, the workbook, the day's report, the
facilitator's page and the projector's push show no group under k voters and leave hidden
nobody or at least k."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.conftest import join_phone
from tests.factories import voting_workshop
from workshop import ops
from workshop.store.groups import profile_questions
from workshop.store.views import audience_views

JSON = {"Accept": "application/json"}
CHOICES = ["c1", "c2", "c3", "prefer_not", None]  # None: answered nothing
LABELS = {"c1": "A woman", "c2": "A man", "c3": "A non-binary person or another identity"}


@given(sizes=st.lists(st.integers(0, 8), min_size=5, max_size=5), k=st.sampled_from([5, 6]))
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_surface_leaves_small_groups_out(app, db, sizes, k):
    db.rollback()
    workshop, secret, ideas, vote = voting_workshop(db, dots=3, cap=3)
    ops.add_template_questions(db, workshop, lambda text: text)
    ops.set_min_group_size(db, workshop, k)
    ops.open_profiles(db, workshop)
    gender = profile_questions(db, workshop)[0]
    code = workshop.code
    n = 0
    for choice, size in zip(CHOICES, sizes, strict=True):
        for _ in range(size):
            phone = app.test_client()
            join_phone(phone, code)
            phone.post(f"/j/{code}/consent", json={"agreed": True})
            if choice:
                phone.post(f"/j/{code}/profile", json={"answers": {str(gender.id): choice}})
            phone.post(f"/j/{code}/ballot", headers=JSON, json={
                "client_id": f"client-{n:04d}-surfaces", "ballot": {str(ideas[n % 3].id): 3}})
            n += 1
    if not n:
        return
    client = app.test_client()
    client.post(f"/f/{secret}/do/close-round", json={})
    small = {LABELS[c] for c, size in zip(CHOICES[:3], sizes, strict=False) if 0 < size < k}

    votes = client.get(f"/f/{secret}/groups.json").get_json()["votes"]
    question = votes[0]["questions"][0]
    for group in question["groups"]:
        assert group["voters"] >= k
    assert question["hidden_voters"] == 0 or question["hidden_voters"] >= k \
        or not question["groups"]
    shown = {group["label"] for group in question["groups"]}
    assert not shown & small

    table = list(csv.reader(io.StringIO(
        client.get(f"/f/{secret}/groups.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert {row[3] for row in table[1:]} & small == set()
    assert {row[3] for row in table[1:]} - {"Tout le monde", "Chaque groupe compte autant"} \
        == shown

    book = load_workbook(io.BytesIO(client.get(f"/f/{secret}/export.xlsx").data))
    if "Résultats par groupe" in book.sheetnames:
        rows = list(book["Résultats par groupe"].iter_rows(values_only=True))
        in_book = {row[3] for row in rows[3:] if row and row[3]}
        assert not in_book & small
        assert in_book - {"Tout le monde", "Chaque groupe compte autant"} == shown
    else:
        assert not shown
    report = client.get(f"/f/{secret}/export.json").get_json()
    assert not any(label in str(report.get("groups")) for label in small)

    page = client.get(f"/f/{secret}/profiles").get_data(as_text=True)
    results = page[page.index('id="groups-title"'):]
    headers = set(re.findall(r'<th scope="col">([^<]+?) <span class="help">', results))
    assert headers == shown

    if question["groups"]:
        db.rollback()
        ops.project_groups(db, workshop, vote.id, gender.id, "groups")
        pushed = audience_views(db, workshop, 0)[1]["groups"]["question"]
        assert {group["label"] for group in pushed["groups"]} == shown
        assert not any(label in str(pushed) for label in small)
