"""Test factories that go through operations, never raw inserts."""

from __future__ import annotations

import itertools

from workshop import ops
from workshop.store.lookups import ParticipantIds

_ids = itertools.count(1)


def client_id() -> str:
    """Return a fresh, valid client command id."""
    return f"test-client-{next(_ids):06d}"


def workshop_with_ideas(db, texts=("Transport", "Logement", "Alimentation"), title="Atelier"):
    """Create a workshop whose ideas are approved; return (workshop, secret, ideas)."""
    workshop, secret = ops.create_workshop(db, title)
    ideas = [ops.add_idea(db, workshop, text) for text in texts]
    return workshop, secret, ideas


def voting_workshop(db, dots=5, cap=1, texts=("Transport", "Logement", "Alimentation")):
    """Create a workshop with approved ideas and an open dot round."""
    workshop, secret, ideas = workshop_with_ideas(db, texts)
    vote = ops.open_round(db, workshop, settings={"dots": dots, "max_per_option": cap})
    return workshop, secret, ideas, vote


def participant(db, workshop):
    """Join a workshop as a new phone."""
    person, _secret = ops.join_workshop(db, workshop)
    return person


def ids_of(workshop, person) -> ParticipantIds:
    """Return what the ballot writer needs of a participant loaded as a row."""
    return ParticipantIds.of(workshop, person)
