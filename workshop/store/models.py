"""The database tables, as typed SQLAlchemy 2 models.

Infra layer: may import SQLAlchemy and the pure core, never Flask. Ballots are stored as
facts (one row per participant and round); totals are always derived by the voting core.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from workshop.core.themes import THEME_MAX

IDEA_MAX = 280
TITLE_MAX = 120
PROMPT_MAX = 280
IDEA_STATUSES = ("pending", "approved", "hidden", "merged")


def utcnow() -> datetime:
    """Return the current time, timezone-aware, for row timestamps."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base shared by every table."""


class Workshop(Base):
    """One event: its join code, its facilitator secret, and where the room is."""

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    # Where the day takes place, for the report the organisers take home ("" unknown).
    place: Mapped[str] = mapped_column(String(TITLE_MAX), default="", server_default="")
    facilitator_digest: Mapped[str] = mapped_column(String(64), unique=True)
    phase: Mapped[str] = mapped_column(String(16), default="lobby")
    current_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("rounds.id", use_alter=True, name="fk_workshop_current_round"))
    # The agenda's step the room is on (open, or the last one run); phase and
    # current_round_id are kept in step with it by the activity verbs.
    current_activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", use_alter=True, name="fk_workshop_current_activity"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Results by group: the smallest group ever shown (never below cells.MIN_CELL), and
    # whether phones are asked the profile questions now.
    min_group_size: Mapped[int] = mapped_column(default=5, server_default="5")
    profiles_open: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Personal data (profiles, who cast which ballot, proposed which idea or held which
    # ticket) is purged by hand after the day, or at the latest this many days after the
    # workshop was created (`workshop purge --expired`).
    retention_days: Mapped[int] = mapped_column(default=90, server_default="90")
    purged_at: Mapped[datetime | None]
    # What the projector shows of a closed vote's results by group, computed (and
    # suppressed) once when the facilitator chose it: pushes only read it.
    projected_groups: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Ideas approved as they arrive, unless they hold a word of the blocklist (then they
    # wait, with the word shown to the facilitator); None: the default list
    # (core/blocklist.py).
    auto_approve: Mapped[bool] = mapped_column(default=False, server_default=false())
    blocklist: Mapped[str | None] = mapped_column(Text)
    # The themes ideas can carry (None: the default list, core/themes.py), and whether the
    # projector's wall shows the ideas under their theme.
    themes: Mapped[list[str] | None] = mapped_column(JSON)
    wall_by_theme: Mapped[bool] = mapped_column(default=False, server_default=false())

    rounds: Mapped[list[Round]] = relationship(
        back_populates="workshop", foreign_keys="Round.workshop_id", order_by="Round.number")
    current_round: Mapped[Round | None] = relationship(foreign_keys=[current_round_id],
                                                        post_update=True)


class Participant(Base):
    """A phone (or later a kiosk or helper) known only by a hashed cookie secret."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    secret_digest: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16), default="phone")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Idea(Base):
    """A proposed priority and its moderation status."""

    __tablename__ = "ideas"
    # A page of one status in id order (pushes, the facilitator's lists, counts by status),
    # and one participant's ideas (their phone's list, the pending bound).
    __table_args__ = (Index("ix_ideas_workshop_status", "workshop_id", "status", "id"),
                      Index("ix_ideas_participant_status", "participant_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    text: Mapped[str] = mapped_column(Text)
    # The wording as proposed, kept the first time the facilitator edits it (None: never
    # edited). The exports show both.
    original_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    # The blocklist's word that kept a waiting idea off the wall under automatic approval
    # (None: waiting for another reason, or not waiting). Shown to the facilitator only.
    held_for: Mapped[str | None] = mapped_column(String(60))
    # One of the workshop's themes (None: no theme). A merged idea's theme does not count:
    # the kept idea keeps its own.
    theme: Mapped[str | None] = mapped_column(String(THEME_MAX))
    # The idea collection it was proposed in (None: added outside any collection).
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", name="fk_idea_activity"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaSupport(Base):
    """A participant's "+1" on an approved idea during an idea collection that allows it:
    at most one per participant and idea (the unique constraint, not only the verb). A
    merge moves none: an idea's count is over its own +1s and those of the ideas merged
    into it, each person once (views.support_counts), so an unmerge gives them back."""

    __tablename__ = "idea_supports"
    __table_args__ = (UniqueConstraint("idea_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    # None once the workshop's personal data is purged: the +1 stays, anonymous.
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Activity(Base):
    """One step of a workshop's agenda: an idea collection, a vote, ...

    Its kind (core/activities) says what its settings mean. A vote's frozen options,
    method and ballots live in its Round, created when the vote starts.
    """

    __tablename__ = "activities"
    # The pusher looks for running activities whose timer ran out, every second.
    __table_args__ = (Index("ix_activities_workshop_position", "workshop_id", "position"),
                      Index("ix_activities_ends_at", "ends_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    prompt: Mapped[str] = mapped_column(Text, default="")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # A question's results shown on the projector and the phones (hidden by default: a
    # room sees live totals only when the facilitator wants, against the bandwagon).
    revealed: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The timer: planned as a duration (None: no timer); while the activity runs, its
    # deadline in server time (UTC; None: no countdown). With `auto_close`, the pusher
    # closes the activity when the deadline passes, through the same verb as the
    # facilitator's close (ops.activities.close_when_due).
    timer_seconds: Mapped[int | None]
    auto_close: Mapped[bool] = mapped_column(default=False, server_default=false())
    ends_at: Mapped[datetime | None]


class Answer(Base):
    """One participant's current answer to a question (multiple choice, scale, word
    cloud, open question); a second answer replaces the first. The content's shape is the
    kind's (core/activities/poll.py)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("activity_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    # None once the workshop's personal data is purged: the answer stays, anonymous.
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Taken off by the facilitator (words or a sentence nobody should read on the
    # projector): counted nowhere and shown to nobody but the facilitator. It stays hidden
    # when its author answers again, so a new wording cannot bring it back by itself.
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())


class Round(Base):
    """A vote on a frozen list of approved ideas, with its method and settings."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("workshop_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    method: Mapped[str] = mapped_column(String(16))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[list[int]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="open")
    show_live: Mapped[bool] = mapped_column(default=True)
    # One person, one vote: only participants who typed a printed ticket may vote.
    require_ticket: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Paper ballots printed for this vote: numbers 1..paper_printed may be entered.
    paper_printed: Mapped[int] = mapped_column(default=0, server_default="0")
    revealed: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    workshop: Mapped[Workshop] = relationship(back_populates="rounds",
                                              foreign_keys=[workshop_id])


class Ballot(Base):
    """One participant's current ballot in one round (replaced when they change it)."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("round_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    # None once the workshop's personal data is purged: the ballot stays, anonymous.
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    content: Mapped[Any] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(16), default="phone")
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)


class Receipt(Base):
    """A command already carried out, keyed by its client id, so a re-send is not redone."""

    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("participant_id", "client_id"),
                      Index("ix_receipts_participant", "participant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ticket(Base):
    """A printed single-use code; whoever types it first becomes a ticket holder.

    Only the digest is stored (the codes exist in clear on paper only). A ticket is held
    by at most one participant and a participant holds at most one ticket, so in a round
    that requires tickets each printed ticket is worth exactly one ballot.
    """

    __tablename__ = "tickets"
    # Whether a batch key was already used (a reloaded print page sends it again).
    __table_args__ = (Index("ix_tickets_workshop_batch", "workshop_id", "batch"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The key of the print form that drew it (None: drawn without one, by JSON).
    batch: Mapped[str | None] = mapped_column(String(32))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"),
                                                       unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]


class ProfileQuestion(Base):
    """An optional profile question of a workshop (gender, territory, sector...).

    `choices` lists {"key", "label"}: keys are stable (answers refer to them) while labels
    may be edited; the last choice is always "prefers not to answer" (template.PREFER_NOT).
    """

    __tablename__ = "profile_questions"
    __table_args__ = (Index("ix_profile_questions_workshop_position", "workshop_id",
                            "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(200))
    choices: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProfileAnswer(Base):
    """One participant's answer to one profile question, stored apart from ballots and
    ideas: only the anonymous participant links them, and a purge removes that link."""

    __tablename__ = "profile_answers"
    __table_args__ = (UniqueConstraint("question_id", "participant_id"),
                      Index("ix_profile_answers_participant", "participant_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("profile_questions.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    choice: Mapped[str] = mapped_column(String(40))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProfileConsent(Base):
    """A participant's answer to the consent screen: agreed to the profile questions or
    not. Declining (or withdrawing) erases the answers and changes nothing else."""

    __tablename__ = "profile_consents"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"),
                                                primary_key=True)
    agreed: Mapped[bool]
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublishedGroups(Base):
    """The results by group of a closed vote as they were shown, kept when the answers
    they came from are purged (suppressed figures only: no participant in them)."""

    __tablename__ = "published_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


DEVICE_KINDS = ("kiosk", "helper", "cofacilitator", "moderator")
# The links that open the facilitator's page (/f/<token>), with their powers
# (docs/security.md, "Facilitator links").
FACILITATOR_LINK_KINDS = ("cofacilitator", "moderator")


class Device(Base):
    """A link the facilitator handed out: to a shared tablet (kiosk), to a person typing in
    paper ballots (helper), to another facilitator (cofacilitator: the same powers) or to
    a moderator (the ideas' queue only). Only the link's digest is stored; revoking it
    closes it."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(60), default="")
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # A kiosk's exit PIN, stored as a digest mixed with the device id.
    pin_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class PaperEntry(Base):
    """One save of a paper ballot by a helper. The first save of a number in a vote is
    counted (its paper participant casts the ballot); a later save of the same number that
    is not a correction is kept for review, with what was typed, and counts for nothing."""

    __tablename__ = "paper_entries"
    __table_args__ = (Index("ix_paper_entries_round_number", "round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # counted, review, resolved
    # The sheet's participant, on its counted entry only: unique, so one counted entry
    # per sheet however many helpers save it at once.
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"),
                                                       unique=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
