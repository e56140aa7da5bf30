"""The verbs: every change a person can make to a workshop, one function per intention.

Verbs layer: the only code that writes. Each verb validates through the pure core,
commits, and only then announces the change (`live.broadcast`), so a push never shows
what the database does not hold and an acknowledgement is never sent before the commit.
May import the pure core, the store and the outbound pushes; never the Flask edges.
"""

from workshop.ops.activities import (
    EXTEND_MAX,
    TIMER_MAX,
    TIMER_MIN,
    close_activity,
    close_due_activities,
    close_round,
    edit_activity,
    extend_timer,
    move_activity,
    open_ideas,
    open_lobby,
    open_round,
    plan_activity,
    plan_ready_agenda,
    plan_solutions,
    remove_activity,
    set_timer,
    start_activity,
    start_next_activity,
    stop_timer,
)
from workshop.ops.ballots import cast_ballot
from workshop.ops.devices import (
    DEVICES_PER_WORKSHOP,
    enter_paper,
    issue_device,
    kiosk_vote,
    pin_matches,
    print_paper,
    revoke_device,
)
from workshop.ops.ideas import (
    APPROVE_MAX,
    PendingBounds,
    add_idea,
    approve_idea,
    approve_ideas,
    blocklist_of,
    edit_idea,
    hide_idea,
    import_ideas,
    merge_ideas,
    set_auto_approve,
    set_idea_theme,
    set_themes,
    submit_idea,
    support_idea,
    themes_of,
    unmerge_idea,
)
from workshop.ops.participants import join_workshop
from workshop.ops.polls import hide_answer, reveal_poll, submit_answer
from workshop.ops.profiles import (
    add_profile_question,
    add_template_questions,
    answer_profile,
    decide_consent,
    edit_profile_question,
    open_profiles,
    project_groups,
    remove_profile_question,
    set_expected_shares,
    set_min_group_size,
)
from workshop.ops.purge import purge_personal_data, set_retention
from workshop.ops.rounds import reveal_results, show_live_results
from workshop.ops.tickets import (
    TICKETS_PER_BATCH,
    TICKETS_PER_WORKSHOP,
    claim_ticket,
    issue_tickets,
)
from workshop.ops.workshops import (
    create_workshop,
    duplicate_workshop,
    rename_workshop,
    rotate_facilitator_link,
)

__all__ = [
    "APPROVE_MAX", "DEVICES_PER_WORKSHOP", "TICKETS_PER_BATCH", "TICKETS_PER_WORKSHOP", "add_idea",
    "add_profile_question", "add_template_questions", "answer_profile", "approve_idea",
    "approve_ideas", "blocklist_of", "cast_ballot", "claim_ticket", "close_activity", "close_round",
    "create_workshop", "decide_consent", "duplicate_workshop", "edit_activity", "edit_idea",
    "edit_profile_question", "enter_paper", "hide_idea", "import_ideas", "issue_device",
    "issue_tickets", "join_workshop", "kiosk_vote", "merge_ideas", "move_activity", "open_ideas",
    "open_lobby", "open_profiles", "open_round", "PendingBounds", "pin_matches", "plan_activity",
    "plan_ready_agenda", "plan_solutions", "print_paper", "project_groups", "purge_personal_data",
    "hide_answer", "reveal_poll", "submit_answer",
    "remove_activity", "remove_profile_question", "rename_workshop", "reveal_results",
    "revoke_device", "rotate_facilitator_link", "set_auto_approve", "set_expected_shares",
    "set_idea_theme", "set_themes", "themes_of",
    "set_min_group_size", "set_retention",
    "show_live_results", "start_activity", "start_next_activity", "submit_idea", "unmerge_idea",
    # the activities' timers
    "EXTEND_MAX", "TIMER_MAX", "TIMER_MIN", "close_due_activities", "extend_timer", "set_timer",
    "stop_timer",
    # +1 on ideas
    "support_idea",
]
