"""A phone joining a workshop: an anonymous participant known by a hashed secret.

Verbs layer.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workshop.core import tokens
from workshop.store.models import Participant, Workshop


def join_workshop(session: Session, workshop: Workshop, channel: str = "phone"
                  ) -> tuple[Participant, str]:
    """Register a new anonymous participant; return it and its cookie secret."""
    secret = tokens.new_secret()
    participant = Participant(workshop_id=workshop.id, secret_digest=tokens.digest(secret),
                              channel=channel)
    session.add(participant)
    session.commit()
    return participant, secret
