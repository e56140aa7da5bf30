"""Moderation at the speed of a room: several ideas approved at once, near-duplicates
pointed at, merges that credit every author and can be undone."""

from __future__ import annotations

import pytest

from tests.factories import client_id, ids_of, participant, workshop_with_ideas
from workshop import ops
from workshop.core.errors import Refused
from workshop.store import views
from workshop.store.models import Idea

JSON = {"Accept": "application/json"}


def proposed(db, workshop, *texts, person=None):
    """Submit ideas from phones (a new phone each unless `person`); return their ids."""
    if workshop.phase != "ideas":
        ops.open_ideas(db, workshop)
    return [ops.submit_idea(db, workshop, person or participant(db, workshop), text,
                            client_id())["idea"]["id"] for text in texts]


def statuses(db, ids):
    db.rollback()  # a fresh read: the commands ran in other transactions
    return [db.get(Idea, idea).status for idea in ids]


def test_approving_several_ideas_approves_only_the_waiting_ones_of_this_workshop(db):
    workshop, _secret, (on_wall,) = workshop_with_ideas(db, ("Transport",))
    other, _other_secret, _ = workshop_with_ideas(db, ("Ailleurs",), title="Autre")
    waiting = proposed(db, workshop, "Logement", "Épicerie", "Garderies")
    hidden = proposed(db, workshop, "Hors sujet")[0]
    ops.hide_idea(db, workshop, hidden)
    elsewhere = proposed(db, other, "Pas d'ici")[0]
    changed = ops.approve_ideas(db, workshop, [waiting[0], waiting[2], hidden, on_wall.id,
                                               elsewhere])
    assert changed == 2
    assert statuses(db, waiting) == ["approved", "pending", "approved"]
    assert statuses(db, [hidden, on_wall.id, elsewhere]) == ["hidden", "approved", "pending"]


@pytest.mark.parametrize("ids", [[], list(range(1, ops.APPROVE_MAX + 2))])
def test_approving_none_or_too_many_at_once_is_refused(db, ids):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    with pytest.raises(Refused):
        ops.approve_ideas(db, workshop, ids)


def test_a_merge_can_be_undone_and_only_a_merge(db):
    workshop, _secret, (kept, other) = workshop_with_ideas(db, ("Logement", "Transport"))
    twin = proposed(db, workshop, "Logements")[0]
    ops.merge_ideas(db, workshop, twin, kept.id)
    ops.unmerge_idea(db, workshop, twin)
    db.rollback()  # a fresh read: the commands ran in other transactions
    idea = db.get(Idea, twin)
    assert (idea.status, idea.merged_into_id) == ("approved", None)
    with pytest.raises(Refused) as refused:
        ops.unmerge_idea(db, workshop, other.id)
    assert refused.value.code == "idea_not_merged"


def test_a_kept_idea_credits_every_other_author_once(db):
    workshop, _secret, (floor,) = workshop_with_ideas(db, ("Transport gratuit",))
    author = participant(db, workshop)
    kept = proposed(db, workshop, "Logement social", person=author)[0]
    ops.approve_idea(db, workshop, kept)
    same_author = proposed(db, workshop, "Logement social!", person=author)[0]
    first, second = proposed(db, workshop, "Logements sociaux", "logement social")
    again = participant(db, workshop)
    third, fourth = proposed(db, workshop, "Du logement social", "Logement, social",
                             person=again)
    middle = proposed(db, workshop, "Le logement social")[0]
    for idea in (same_author, first, third, fourth):
        ops.merge_ideas(db, workshop, idea, kept)
    ops.merge_ideas(db, workshop, second, middle)  # folded into one folded later
    ops.merge_ideas(db, workshop, middle, kept)
    # first, second, middle's author and `again` (twice): four other people, not the author
    assert views.merge_credits(db, workshop, [kept, middle, floor.id]) == {kept: 4}
    facilitator_added = ops.add_idea(db, workshop, "Transport").id
    ops.merge_ideas(db, workshop, facilitator_added, floor.id)
    assert views.merge_credits(db, workshop, [kept, floor.id]) == {kept: 4}
    assert views.merge_credits(db, workshop, [floor.id]) == {}


def test_the_page_points_at_likely_duplicates_and_merges_in_one_click(client, db):
    workshop, secret, (housing, transit) = workshop_with_ideas(
        db, ("Logement social abordable", "Transport en commun gratuit"))
    twin, unrelated, twin_of_twin = proposed(
        db, workshop, "Des logements sociaux abordables!", "Soins dentaires gratuits",
        "des logements sociaux abordables")
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    item = page.split(f'id="idea-{twin}"')[1].split("</li>")[0]
    assert f"#{housing.id}" in item and "Logement social abordable" in item
    assert f'name="into" value="{housing.id}"' in item
    assert f'name="into" value="{transit.id}"' not in item
    alone = page.split(f'id="idea-{unrelated}"')[1].split("</li>")[0]
    assert 'class="suggestion"' not in alone
    # a waiting idea is also compared with the waiting ones before it
    later = page.split(f'id="idea-{twin_of_twin}"')[1].split("</li>")[0]
    assert f'name="into" value="{twin}"' in later
    assert client.post(f"/f/{secret}/do/merge", json={"idea": twin, "into": housing.id}
                       ).json["ok"]
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert "+1 personne l’a aussi proposée" in page or "+1 personne l'a aussi proposée" in page
    assert client.post(f"/f/{secret}/do/unmerge", json={"idea": twin}).json["ok"]
    assert statuses(db, [twin]) == ["approved"]


def test_ticked_boxes_of_a_plain_form_are_approved_together(client, db):
    workshop, secret, _ideas = workshop_with_ideas(db)
    waiting = proposed(db, workshop, "Un", "Deux", "Trois")
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert page.count('form="approve-selected"') == 3
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post(f"/f/{secret}/do/approve-ideas",
                         data={"csrf_token": token, "ideas": [str(waiting[0]), str(waiting[2])]})
    assert answer.status_code in (302, 303)
    assert statuses(db, waiting) == ["approved", "pending", "approved"]
    refused = client.post(f"/f/{secret}/do/approve-ideas", json={"ideas": "1,2"})
    assert refused.status_code == 400


def item_of(page: str, idea: int) -> str:
    return page.split(f'id="idea-{idea}"')[1].split("</li>")[0]


def test_what_the_open_vote_forbids_is_not_offered(client, db):
    workshop, secret, (option, other) = workshop_with_ideas(db, ("Logement", "Transport"))
    ops.open_round(db, workshop, settings={"dots": 2, "max_per_option": 1})
    later = ops.add_idea(db, workshop, "Épicerie").id  # on the wall, not in this vote
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    for idea in (option.id, other.id):
        assert "/do/hide" not in item_of(page, idea)
        assert "Dans le vote en cours" in item_of(page, idea)
    assert "/do/hide" in item_of(page, later)
    ops.close_round(db, workshop)
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert "/do/hide" in item_of(page, option.id)


def test_the_last_votes_count_leaves_with_its_step(client, db):
    workshop, secret, _ideas = workshop_with_ideas(db)
    ops.open_round(db, workshop, settings={"dots": 2, "max_per_option": 1})
    assert "data-voted" in client.get(f"/f/{secret}").get_data(as_text=True)
    ops.close_round(db, workshop)
    assert "data-voted" in client.get(f"/f/{secret}").get_data(as_text=True)
    ops.open_ideas(db, workshop)
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert "data-voted" not in page and "Votes reçus" not in page


def test_merging_a_duplicate_moves_what_was_merged_into_it_onto_the_kept_idea(db):
    workshop, _secret, (kept, twin, third) = workshop_with_ideas(
        db, ("Logement", "Logements", "Du logement"))
    ops.merge_ideas(db, workshop, third.id, twin.id)
    ops.merge_ideas(db, workshop, twin.id, kept.id)
    db.rollback()
    assert db.get(Idea, third.id).merged_into_id == kept.id
    ops.unmerge_idea(db, workshop, twin.id)
    db.rollback()
    assert (db.get(Idea, twin.id).status, db.get(Idea, third.id).merged_into_id) == \
        ("approved", kept.id)


def test_every_earlier_vote_stays_readable_and_the_workshop_can_be_renamed(client, db):
    workshop, secret, (housing, transit, food) = workshop_with_ideas(
        db, ("Logement", "Transport", "Épicerie"))
    voter = participant(db, workshop)
    first = ops.open_round(db, workshop, title="Premier tour",
                           settings={"dots": 1, "max_per_option": 1})
    ops.cast_ballot(db, ids_of(workshop, voter), {housing.id: 1}, client_id())
    ops.close_round(db, workshop)
    ops.open_round(db, workshop, title="Second tour", settings={"dots": 1, "max_per_option": 1})
    ops.cast_ballot(db, ids_of(workshop, voter), {food.id: 1}, client_id())
    page = client.get(f"/f/{secret}/results").get_data(as_text=True)
    assert page.index("Premier tour") < page.index("Second tour")
    earlier = page.split('id="vote-1"')[1].split("</section>")[0]
    assert "<td>1</td><td>Logement</td><td>1</td>" in earlier
    later = page.split('id="vote-2"')[1].split("</section>")[0]
    assert "<td>1</td><td>Épicerie</td><td>1</td>" in later and "bougent encore" in later
    assert first.number == 1
    token = client.get(f"/f/{secret}").get_data(as_text=True).split(
        'name="csrf_token" value="')[1].split('"')[0]
    renamed = client.post(f"/f/{secret}/do/rename",
                          data={"csrf_token": token, "title": "Journée 2027"})
    assert renamed.status_code == 302
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert "Journée 2027" in page.split("<title>")[1].split("</title>")[0]
