"""Carry the verdicts of unchanged functions from a saved mutmut run into `mutants/`.

Changing `[tool.mutmut]`'s test selection makes mutmut forget every verdict (it cannot
know which tests a new file adds), so adding a test file to the selection would mean a
full run again (well over 30 minutes on two shared cores: docs/testing.md). When the
selection only GROWS, a mutant that a test caught is still caught (that test is still
run), and one that survived is at worst reported as surviving still; so the verdicts of
the functions whose code did not change stay true. This script copies them:

    mkdir -p SAVED && (cd mutants && find . -name '*.meta' -exec cp --parents {} ../SAVED \\;)
    ... change the selection, then `mutmut run NAME...` for the new and changed functions ...
    python tools/carry_mutant_verdicts.py SAVED

Only mutants that the new run has not checked (no verdict) are filled in, and only for a
function whose hash (mutmut's, of its source) is the same in both runs: a changed or new
function keeps the new run's verdict, or none. Survivors carried over can be re-run by
name (`mutmut run NAME...`) to see whether the new tests catch them. It prints how many
verdicts it carried per file. Never use it after REMOVING a test file from the selection.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def function_of(key: str) -> str:
    """The function part of a mutant's name: `x_tally` or `xǁSettingǁcheck`."""
    return key.rsplit("__mutmut_", 1)[0].rsplit(".", 1)[1]


def carry(saved: Path, current: Path = Path("mutants")) -> dict[str, int]:
    """Fill each unchecked mutant of an unchanged function with its saved verdict."""
    carried: dict[str, int] = {}
    for meta_path in sorted(current.rglob("*.py.meta")):
        old_path = saved / meta_path.relative_to(current)
        if not old_path.exists():
            continue
        new = json.loads(meta_path.read_text())
        old = json.loads(old_path.read_text())
        same = {name for name, digest in new["hash_by_function_name"].items()
                if old["hash_by_function_name"].get(name) == digest}
        count = 0
        for key, code in new["exit_code_by_key"].items():
            if code is None and function_of(key) in same \
                    and old["exit_code_by_key"].get(key) is not None:
                new["exit_code_by_key"][key] = old["exit_code_by_key"][key]
                for field in ("durations_by_key", "estimated_durations_by_key"):
                    if key in old.get(field, {}):
                        new.setdefault(field, {})[key] = old[field][key]
                count += 1
        if count:
            meta_path.write_text(json.dumps(new, indent=4))
            carried[str(meta_path.relative_to(current))] = count
    return carried


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/carry_mutant_verdicts.py SAVED_META_DIR")
    carried = carry(Path(sys.argv[1]))
    for path, count in carried.items():
        print(f"{count:6d}  {path}")
    print(f"{sum(carried.values()):6d}  verdicts carried over")


if __name__ == "__main__":
    main()
