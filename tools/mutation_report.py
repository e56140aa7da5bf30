"""Summarise a mutmut run of the pure core: the score per module and every survivor.

Run by `./dev mutants` after `mutmut run` (docs/testing.md), from the repository root:

    python tools/mutation_report.py [--seconds N] [--min 95]

A mutant that survives but cannot change what the code does (an equivalent mutant) is
listed in tools/equivalent_mutants.toml with the reason, keyed by the function and the
line it changes rather than by mutmut's number (numbers shift whenever a function is
edited): `function` is a glob, `was` and `now` the exact lines, or `was_re` and `now_re`
regular expressions for a whole family (a dropped `strict=True`, say). The score counts
only the mutants that can change behaviour:

    score = caught / (mutants - skipped - listed equivalents that survived - layout)

(mutants a stopped run never checked are left out too, and the report says so).

A module may hold, beside what it counts, functions that only lay a page out (where a box
or a QR code sits on a paper ballot): the same file lists them as `[[layout]]` entries
(`function`, a glob, and `why`). Their mutants are counted apart, whatever their status,
and left out of the score: a position on a page is checked by reading the page back
(tests/test_devices_web.py decodes each sheet's QR code), not by known values.

Each survivor not listed there is printed with its diff: a missing test, or an
equivalent to add to the list with its reason. A listed equivalent that no run produces
any more is reported too, so the list does not rot.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

EQUIVALENTS = Path(__file__).with_name("equivalent_mutants.toml")
CAUGHT = ("killed", "timeout", "caught by type check", "segfault")
NOT_RUN = ("skipped",)
NOT_YET = ("not checked",)  # an interrupted run: `mutmut run` without --keep's rm resumes


@dataclass(frozen=True)
class Mutant:
    """One mutant as `mutmut results --all true` lists it."""

    name: str
    status: str

    @property
    def module(self) -> str:
        """The dotted module the mutant lives in: workshop.core.voting.rules."""
        return self.name.rsplit("__mutmut_", 1)[0].rsplit(".", 1)[0]

    @property
    def function(self) -> str:
        """The mutated function as module.function or module.Class.method."""
        mangled = self.name.rsplit("__mutmut_", 1)[0]
        module, _, local = mangled.rpartition(".")
        if local.startswith("x\u01c1"):  # a method: xǁClassǁmethod
            _, cls, method = local.split("\u01c1")
            return f"{module}.{cls}.{method}"
        return f"{module}.{local.removeprefix('x_')}"


def parse_results(text: str) -> list[Mutant]:
    """Read `mutmut results --all true`: one `    name: status` line per mutant."""
    mutants = []
    for line in text.splitlines():
        name, sep, status = line.strip().partition(": ")
        if sep and "__mutmut_" in name:
            mutants.append(Mutant(name, status.strip()))
    return mutants


def changed_lines(diff: str) -> tuple[str, str]:
    """Return the (removed, added) source lines of a mutant's diff, each stripped and
    joined by newlines: what the mutant changes, independent of its number."""
    removed = [line[1:].strip() for line in diff.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    return "\n".join(removed), "\n".join(added)


@dataclass(frozen=True)
class Equivalent:
    """One entry of the equivalents file: which survivors it excuses, and why."""

    function: str
    was: str
    now: str
    why: str
    pattern: bool = False  # was/now are regular expressions (was_re/now_re)

    def matches(self, function: str, was: str, now: str) -> bool:
        """Say whether a survivor changing `was` into `now` in `function` is this one."""
        if not fnmatch.fnmatchcase(function, self.function):
            return False
        if self.pattern:
            return bool(re.fullmatch(self.was, was) and re.fullmatch(self.now, now))
        return (was, now) == (self.was, self.now)

    def __str__(self) -> str:
        return f"{self.function}: {self.was!r} -> {self.now!r}"


@dataclass(frozen=True)
class Layout:
    """Functions (a glob) that only lay a page out: their mutants are not scored."""

    function: str
    why: str

    def matches(self, function: str) -> bool:
        """Say whether `function` is one of these."""
        return fnmatch.fnmatchcase(function, self.function)


def load_equivalents(path: Path) -> list[Equivalent]:
    """Return the entries of the equivalents file (none if it is missing)."""
    if not path.exists():
        return []
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", [])
    return [_entry(entry) for entry in entries]


def load_layout(path: Path) -> list[Layout]:
    """Return the `[[layout]]` entries of the equivalents file (none if it is missing)."""
    if not path.exists():
        return []
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("layout", [])
    return [Layout(entry["function"], entry["why"]) for entry in entries]


def _entry(entry: dict[str, str]) -> Equivalent:
    """Read one entry; a line given exactly beside a pattern is matched as its own text."""
    if "was_re" not in entry and "now_re" not in entry:
        return Equivalent(entry["function"], entry["was"].strip(), entry["now"].strip(),
                          entry["why"])
    was = entry.get("was_re") or re.escape(entry["was"].strip())
    now = entry.get("now_re") or re.escape(entry["now"].strip())
    return Equivalent(entry["function"], was, now, entry["why"], pattern=True)


def score(caught: int, counted: int) -> float:
    """Return the percentage caught of the mutants that count (100 when none count)."""
    return 100.0 * caught / counted if counted else 100.0


def mutmut(*args: str) -> str:
    """Run a mutmut command in this process's Python and return what it prints."""
    done = subprocess.run([sys.executable, "-m", "mutmut", *args],  # noqa: S603
                          capture_output=True, text=True, check=True)
    return done.stdout


def diff_of(name: str) -> str:
    """Return a mutant's diff as `mutmut show` prints it, without a process per mutant
    when this mutmut (3.8, pinned) can be asked directly."""
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant
    except ImportError:  # another mutmut: its command line
        return mutmut("show", name)
    return get_diff_for_mutant(name)


def report(mutants: list[Mutant], diffs: dict[str, str], equivalents: list[Equivalent],
           layout: list[Layout] = ()) -> tuple[list[str], float]:
    """Return the report's lines and the overall score (of behaviour-changing mutants)."""
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    explained: list[tuple[Mutant, str]] = []
    unexplained: list[Mutant] = []
    used: set[Equivalent] = set()
    laid_out: Counter[Layout] = Counter()
    for mutant in mutants:
        counts = by_module[mutant.module]
        counts["total"] += 1
        drawing = next((entry for entry in layout if entry.matches(mutant.function)), None)
        if drawing is not None:
            counts["layout"] += 1
            laid_out[drawing] += 1
        elif mutant.status in CAUGHT:
            counts["caught"] += 1
        elif mutant.status in NOT_RUN:
            counts["skipped"] += 1
        elif mutant.status in NOT_YET:
            counts["unchecked"] += 1
        else:
            was, now = changed_lines(diffs.get(mutant.name, ""))
            entry = next((e for e in equivalents if e.matches(mutant.function, was, now)), None)
            if entry is not None:
                used.add(entry)
                counts["equivalent"] += 1
                explained.append((mutant, entry.why))
            else:
                counts["survived"] += 1
                unexplained.append(mutant)
    lines = [f"{'module':<36} {'mutants':>7} {'layout':>6} {'caught':>6} {'equiv.':>6} "
             f"{'left':>5} {'score':>7}"]
    total: Counter[str] = Counter()
    for module in sorted(by_module):
        counts = by_module[module]
        total.update(counts)
        counted = (counts["total"] - counts["layout"] - counts["skipped"]
                   - counts["unchecked"] - counts["equivalent"])
        lines.append(f"{module:<36} {counts['total']:>7} {counts['layout']:>6} "
                     f"{counts['caught']:>6} {counts['equivalent']:>6} "
                     f"{counts['survived']:>5} {score(counts['caught'], counted):>6.1f}%")
    counted = (total["total"] - total["layout"] - total["skipped"] - total["unchecked"]
               - total["equivalent"])
    overall = score(total["caught"], counted)
    lines.append(f"{'pure core':<36} {total['total']:>7} {total['layout']:>6} "
                 f"{total['caught']:>6} {total['equivalent']:>6} {total['survived']:>5} "
                 f"{overall:>6.1f}%")
    raw = score(total["caught"],
                total["total"] - total["layout"] - total["skipped"] - total["unchecked"])
    lines.append(f"(raw score, equivalents counted as survivors: {raw:.1f}%)")
    if total["unchecked"]:
        lines += ["", f"NOT A FULL RUN: {total['unchecked']} mutants were never checked "
                      "(the run was stopped); the scores above are of the others."]
    if laid_out:
        lines += ["", f"Layout, not scored ({sum(laid_out.values())}, "
                      "tools/equivalent_mutants.toml):"]
        lines += [f"  {entry.function} ({n}): {entry.why}" for entry, n in laid_out.items()]
    if explained:
        lines += ["", f"Equivalent survivors ({len(explained)}, tools/equivalent_mutants.toml):"]
        lines += [f"  {mutant.name} [{mutant.status}]: {why}" for mutant, why in explained]
    if unexplained:
        lines += ["", f"Survivors that need a test or a reason ({len(unexplained)}):"]
        for mutant in unexplained:
            lines += [f"  {mutant.name} [{mutant.status}]"]
            lines += [f"    {line}" for line in diffs.get(mutant.name, "").splitlines()[2:]]
    stale = [entry for entry in equivalents if entry not in used]
    if stale:
        lines += ["", f"Listed equivalents no survivor matches any more ({len(stale)}):"]
        lines += [f"  {entry}" for entry in stale]
    return lines, overall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, help="how long the mutmut run took")
    parser.add_argument("--min", type=float, default=0.0,
                        help="fail (exit 1) when the score is below this percentage")
    args = parser.parse_args(argv)
    mutants = parse_results(mutmut("results", "--all", "true"))
    if not mutants:
        print("no mutmut results: run `mutmut run` first", file=sys.stderr)
        return 1
    layout = load_layout(EQUIVALENTS)
    diffs = {m.name: diff_of(m.name) for m in mutants
             if m.status not in CAUGHT and m.status not in NOT_RUN + NOT_YET
             and not any(entry.matches(m.function) for entry in layout)}
    lines, overall = report(mutants, diffs, load_equivalents(EQUIVALENTS), layout)
    print("\n".join(lines))
    if args.seconds is not None:
        print(f"\nmutmut run took {args.seconds:.0f} s")
    if overall < args.min:
        print(f"score {overall:.1f}% is below {args.min:.0f}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
