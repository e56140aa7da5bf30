"""The voting engine stays a pure core: no web, database or socket imports, one interface."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import workshop.core.voting
from workshop.core.voting import METHODS, BallotError, get_method

FORBIDDEN = {"flask", "sqlalchemy", "socketio", "engineio", "flask_socketio"}


def voting_modules():
    """Return every module of the workshop.voting package, the package itself included."""
    names = ["workshop.core.voting"] + [
        f"workshop.core.voting.{info.name}"
        for info in pkgutil.iter_modules(workshop.core.voting.__path__)
    ]
    return [importlib.import_module(name) for name in names]


def imported_roots(source: str) -> set[str]:
    """Return the top-level package of every import in `source`, nested ones included."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_pure_import_check_catches_web_and_database_imports():
    source = "import os\ndef f():\n    from flask import g\n    import sqlalchemy.orm\n"
    assert imported_roots(source) & FORBIDDEN == {"flask", "sqlalchemy"}
    assert imported_roots("from .result import Result\nimport numpy as np\n") == {"numpy"}


def test_pure_voting_modules_cover_every_method():
    # Exactly these modules are checked below: a module added (or one no longer found, its
    # imports then unchecked) must be named here on purpose.
    names = {module.__name__ for module in voting_modules()}
    assert {f"workshop.core.voting.{name}" for name in METHODS} <= names
    assert names == {"workshop.core.voting", *(f"workshop.core.voting.{name}" for name in (
        "approval", "declare", "dots", "methods", "pairwise", "points", "ranking", "reading",
        "result", "rules"))}


@pytest.mark.parametrize("module", voting_modules(), ids=lambda m: m.__name__)
def test_pure_voting_module_imports_no_web_database_or_socket_package(module):
    source = Path(module.__file__).read_text(encoding="utf-8")
    assert imported_roots(source) & FORBIDDEN == set()


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
    for attribute in ("NAME", "DEFAULT_SETTINGS", "check_settings", "validate", "tally",
                      "tally_counted"):
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
