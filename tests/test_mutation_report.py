"""tools/mutation_report.py: the score `./dev mutants` prints, from mutmut's own listing."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("mutation_report",
                                              ROOT / "tools" / "mutation_report.py")
report_tool = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = report_tool  # dataclasses look their module up there
spec.loader.exec_module(report_tool)

RESULTS = """\
    workshop.core.phases.x_check_move__mutmut_1: killed
    workshop.core.phases.x_check_move__mutmut_2: survived
    workshop.core.voting.result.x\u01c1Result\u01c1rank_of__mutmut_3: survived
    workshop.core.voting.result.x_rank_by_score__mutmut_1: timeout
    workshop.core.voting.result.x_rank_by_score__mutmut_2: skipped
    workshop.core.voting.result.x_rank_by_score__mutmut_3: no tests
"""
DIFF = """\
--- workshop/core/phases.py
+++ workshop/core/phases.py
@@ -1,3 +1,3 @@
 def check_move(current, target):
-    if there not in ALLOWED[here]:
+    if there in ALLOWED[here]:
"""


def test_results_are_read_with_their_module_and_function():
    mutants = report_tool.parse_results("progress line\n" + RESULTS)
    assert [m.status for m in mutants] == ["killed", "survived", "survived", "timeout",
                                           "skipped", "no tests"]
    assert mutants[0].module == "workshop.core.phases"
    assert mutants[0].function == "workshop.core.phases.check_move"
    assert mutants[2].module == "workshop.core.voting.result"
    assert mutants[2].function == "workshop.core.voting.result.Result.rank_of"


def test_a_diff_is_reduced_to_the_lines_it_changes():
    assert report_tool.changed_lines(DIFF) == ("if there not in ALLOWED[here]:",
                                               "if there in ALLOWED[here]:")


def test_listed_equivalents_leave_the_score_and_others_are_shown():
    mutants = report_tool.parse_results(RESULTS)
    diffs = {mutants[1].name: DIFF, mutants[2].name: "", mutants[5].name: ""}
    equivalent = [report_tool.Equivalent("workshop.core.phases.check_move",
                                         "if there not in ALLOWED[here]:",
                                         "if there in ALLOWED[here]:", "a test reason"),
                  report_tool.Equivalent("workshop.core.gone.f", "a", "b", "stale")]
    lines, overall = report_tool.report(mutants, diffs, equivalent)
    # phases: 2 mutants, 1 caught, 1 equivalent: 1/1. result: 4 mutants, 1 caught,
    # 1 skipped, 2 left (survived, no tests): 1/3.
    assert overall == 100.0 * 2 / 4
    text = "\n".join(lines)
    assert "workshop.core.phases" in text and "100.0%" in text and "33.3%" in text
    assert "a test reason" in text
    assert "rank_of__mutmut_3 [survived]" in text and "mutmut_3 [no tests]" in text
    assert "workshop.core.gone.f" in text  # a stale entry is reported
    assert "(raw score, equivalents counted as survivors: 40.0%)" in text


def test_an_empty_module_scores_full_marks():
    assert report_tool.score(0, 0) == 100.0
    assert report_tool.score(19, 20) == 95.0


def test_a_pattern_entry_matches_a_family_of_lines():
    entry = report_tool.Equivalent("workshop.core.voting.*", r".*strict=True.*",
                                   r".*(strict=(None|False)|, \)).*", "lengths agree",
                                   pattern=True)
    assert entry.matches("workshop.core.voting.ranking._nested", "zip(a, b, strict=True)",
                         "zip(a, b, strict=None)")
    assert entry.matches("workshop.core.voting.ranking._nested", "zip(a, b, strict=True)",
                         "zip(a, b, )")
    assert not entry.matches("workshop.core.export.tables.f", "zip(a, b, strict=True)",
                             "zip(a, b, )")
    assert not entry.matches("workshop.core.voting.ranking._nested", "zip(a, b, strict=True)",
                             "zip(b, b, strict=True)")


def test_the_equivalents_file_loads_and_every_entry_has_a_reason():
    entries = report_tool.load_equivalents(report_tool.EQUIVALENTS)
    assert all(entry.why.strip() and entry.function.startswith("workshop.core.")
               for entry in entries)
    for entry in entries:
        if entry.pattern:
            re.compile(entry.was) and re.compile(entry.now)


def test_layout_functions_are_counted_apart_and_left_out_of_the_score():
    """A paper ballot's drawing is not a count: its mutants, caught or not, are shown in
    their own column and neither raise nor lower the score."""
    mutants = report_tool.parse_results(RESULTS)
    diffs = {mutants[1].name: DIFF, mutants[2].name: "", mutants[5].name: ""}
    layout = [report_tool.Layout("workshop.core.voting.result.rank_by_score", "draws"),
              report_tool.Layout("workshop.core.paper.*", "unused")]
    lines, overall = report_tool.report(mutants, diffs, [], layout)
    # result.rank_by_score's 3 mutants (timeout, skipped, no tests) are layout: left are
    # phases 1 caught + 1 survived and Result.rank_of 1 survived: 1/3.
    assert overall == 100.0 / 3
    text = "\n".join(lines)
    assert re.search(r"workshop\.core\.voting\.result\s+4\s+3\s+0\s+0\s+1\s+0\.0%", text)
    assert "mutmut_3 [no tests]" not in text
    assert "Layout, not scored (3, tools/equivalent_mutants.toml):" in text
    assert "  workshop.core.voting.result.rank_by_score (3): draws" in text
    assert "workshop.core.paper.*" not in text  # an entry nothing matched is not listed
    assert "(raw score, equivalents counted as survivors: 33.3%)" in text


def test_the_layout_entries_load_with_a_reason():
    entries = report_tool.load_layout(report_tool.EQUIVALENTS)
    assert entries and all(entry.why.strip() and entry.function.startswith("workshop.core.")
                           for entry in entries)


def test_mutants_never_checked_are_left_out_and_the_report_says_it_is_not_a_full_run():
    mutants = report_tool.parse_results(RESULTS + "    workshop.core.phases.x_f__mutmut_9: "
                                                  "not checked\n")
    lines, overall = report_tool.report(mutants, {}, [])
    assert overall == 100.0 * 2 / 5  # as without it: caught 2 of 5 counted
    text = "\n".join(lines)
    assert "NOT A FULL RUN: 1 mutants were never checked" in text
    assert "mutmut_9" not in text
