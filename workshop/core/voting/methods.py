"""The registry of voting methods a round can use.

Pure core. Each method is one module that declares everything the rest of the app needs:
NAME; SETTINGS (whole numbers with defaults, bounds and their form labels), TEXTS (name,
one-sentence explanation, score unit) and PHONE (which phone page behaviour it uses);
STEPWISE (a phone sends its ballot one step at a time, each added by `add_step`, with
`step_answer`, `more_steps`, `next_step` (what the phone is served next, derived from
its stored steps and a seed, `rules.step_seed`) and `check_step` (which refuses a step
on anything but what was served)); `read_form` and `read_json`
(the phone's fields into a ballot); `check_settings`, `validate`, `tally` and
`tally_counted`. Its phone template is `templates/_ballot_<NAME>.html`. Adding a method
means writing such a module and listing it here.
"""

from __future__ import annotations

from types import ModuleType

from workshop.core.voting import approval, dots, pairwise, points, ranking

METHODS: dict[str, ModuleType] = {
    module.NAME: module for module in (dots, approval, points, ranking, pairwise)
}
DEFAULT_METHOD = dots.NAME  # what a vote uses when the facilitator picks nothing


def get_method(name: str) -> ModuleType:
    """Return the method module called `name`, or raise KeyError."""
    return METHODS[name]
