"""The registry of voting methods: one interface, and everything the pages need declared.

(That the voting package stays pure, importing no web, database or socket code, is checked
with the rest of the core by tests/test_layers.py.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workshop.core.voting import METHODS, BallotError, get_method
from workshop.core.voting.declare import Setting, Texts

ROOT = Path(__file__).resolve().parent.parent


def test_pure_registry_lists_all_five_methods_by_name():
    assert set(METHODS) == {"dots", "approval", "points", "ranking", "pairwise"}
    for name, module in METHODS.items():
        assert get_method(name) is module
        assert name == module.NAME
    with pytest.raises(KeyError):
        get_method("plurality")


@pytest.mark.parametrize("name", sorted(METHODS))
def test_pure_every_method_exposes_the_same_interface(name):
    method = get_method(name)
    for attribute in ("NAME", "SETTINGS", "TEXTS", "PHONE", "STEPWISE", "DEFAULT_SETTINGS",
                      "check_settings", "validate", "tally", "tally_counted", "read_form",
                      "read_json"):
        assert hasattr(method, attribute)
    if method.STEPWISE:
        for attribute in ("add_step", "step_answer", "more_steps", "next_step", "check_step"):
            assert hasattr(method, attribute)
    assert method.check_settings({}) == method.check_settings(method.DEFAULT_SETTINGS)
    assert method.check_settings(method.check_settings({})) == method.check_settings({})
    result = method.tally([], [1, 2, 3], {})
    assert result.method == name and result.voters == 0
    assert [s.rank for s in result.standings] == [1, 1, 1]


@pytest.mark.parametrize("name", sorted(set(METHODS) - {"dots"}))
def test_pure_every_method_rejects_a_ballot_of_the_wrong_shape_as_bad_ballot(name):
    with pytest.raises(BallotError) as caught:
        get_method(name).validate(object(), [1, 2, 3], {})
    assert caught.value.code == "bad_ballot"


@pytest.mark.parametrize("name", sorted(METHODS))
def test_pure_every_method_module_has_a_docstring_and_documented_functions(name):
    method = get_method(name)
    assert method.__doc__ and method.__doc__.strip()
    for function in (method.check_settings, method.validate, method.tally):
        assert function.__doc__ and function.__doc__.strip()


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_declares_what_the_pages_are_built_from(name):
    """The facilitator's form, the texts and the phone page come from these declarations."""
    method = get_method(name)
    assert isinstance(method.TEXTS, Texts) and all(
        isinstance(text, str) and text for text in (method.TEXTS.name,
                                                     method.TEXTS.explanation,
                                                     method.TEXTS.unit))
    assert all(isinstance(setting, Setting) for setting in method.SETTINGS)
    assert [s.name for s in method.SETTINGS] == list(method.DEFAULT_SETTINGS)
    highest = {setting.name: setting.high for setting in method.SETTINGS}
    assert method.check_settings(highest) == highest  # the bounds the form offers hold
    for setting in method.SETTINGS:
        assert setting.low <= (setting.default if setting.default is not None else setting.low)
        assert (setting.default or setting.high) <= setting.high
        with pytest.raises(BallotError):
            method.check_settings({**highest, setting.name: setting.high + 1})
    assert (ROOT / "templates" / f"_ballot_{name}.html").is_file()
    script = (ROOT / "static" / "js" / "phone.js").read_text(encoding="utf-8")
    enhancers = re.search(r"var ENHANCERS = \{(.*?)\};", script, re.S).group(1)
    assert re.search(rf"\b{method.PHONE}:", enhancers), f"phone.js lacks {method.PHONE!r}"
