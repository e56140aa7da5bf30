"""How well the near-duplicate finder points at duplicates: one JSON line.

    python bench/near_duplicates.py [--at SCORE]

Reads the hand-labelled French idea pairs of tests/data/near_duplicates.tsv and prints,
at the finder's threshold (or --at), how many pairs it calls duplicates rightly and
wrongly: precision (of the suggestions, how many are real duplicates) and recall (of the
real duplicates, how many are suggested). The pairs were written for this project; the
threshold was chosen on them, so these figures flatter it a little on new texts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workshop.core.near_duplicates import SIMILAR_AT, similarity  # noqa: E402

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "near_duplicates.tsv"


def labelled_pairs(path: Path = PAIRS) -> list[tuple[bool, str, str]]:
    """Return the (is a duplicate, first, second) pairs of the labelled file."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        label, first, second = line.split("\t")
        pairs.append((label == "1", first, second))
    return pairs


def measure(at: float = SIMILAR_AT) -> dict:
    """Count right and wrong calls at threshold `at`, with the wrong pairs named."""
    pairs = labelled_pairs()
    found = [(same, similarity(a, b) >= at, a, b) for same, a, b in pairs]
    true_pos = sum(1 for same, said, *_ in found if same and said)
    false_pos = [(a, b) for same, said, a, b in found if said and not same]
    missed = [(a, b) for same, said, a, b in found if same and not said]
    said = true_pos + len(false_pos)
    return {"pairs": len(pairs), "duplicates": sum(1 for p in pairs if p[0]), "at": at,
            "precision": round(true_pos / said, 3) if said else 1.0,
            "recall": round(true_pos / (true_pos + len(missed)), 3),
            "wrong_suggestions": false_pos, "missed": missed}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", type=float, default=SIMILAR_AT)
    print(json.dumps(measure(parser.parse_args().at), ensure_ascii=False))
