"""Anonymised ballots as a table, and the recount that reproduces a ranking from it.

Pure core: standard library and the voting core. The ballots table carries each round's
rules and options on every row, so one file is enough for anyone to recount.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from workshop.core.export.cells import unformula
from workshop.core.voting import get_method

BALLOT_HEADERS = ("round", "round_title", "method", "settings", "status", "options", "ballot")


def ballots_table(rounds: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, ...], list[list[Any]]]:
    """Return one row per ballot: the round's rules and options, and the ballot as JSON."""
    rows: list[list[Any]] = []
    for vote in rounds:
        settings = json.dumps(vote["settings"], sort_keys=True)
        options = json.dumps(vote["options"], ensure_ascii=False)
        for ballot in vote["ballots"]:
            rows.append([vote["number"], vote["title"], vote["method"], settings,
                         vote["status"], options, json.dumps(ballot, sort_keys=True)])
    return BALLOT_HEADERS, rows


def _tally_shape(content: Any) -> Any:
    if isinstance(content, dict):
        return {int(k) if isinstance(k, str) and k.lstrip("-").isdigit() else k: v
                for k, v in content.items()}
    return content


def recount(text: str) -> list[dict[str, Any]]:
    """Tally every round found in a ballots CSV; return rounds shaped like the ranking export.

    Every ballot is validated again against the round's rules before it is counted, so a
    tampered file is refused rather than silently recounted.
    """
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    missing = set(BALLOT_HEADERS) - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"not a ballots file: missing columns {sorted(missing)}")
    rounds: dict[int, dict[str, Any]] = {}
    for line, row in enumerate(reader, start=2):
        number = int(row["round"])
        vote = rounds.get(number)
        if vote is None:
            options = json.loads(row["options"])
            vote = rounds[number] = {
                "number": number, "title": unformula(row["round_title"]),
                "method": row["method"], "settings": json.loads(row["settings"]),
                "status": row["status"], "options": [o for o, _t in options],
                "texts": {o: t for o, t in options}, "ballots": []}
        method = get_method(vote["method"])
        try:
            clean = method.validate(_tally_shape(json.loads(row["ballot"])), vote["options"],
                                    vote["settings"])
        except Exception as error:
            raise ValueError(f"line {line}: invalid ballot ({error})") from error
        vote["ballots"].append(clean)
    out = []
    for number in sorted(rounds):
        vote = rounds[number]
        result = get_method(vote["method"]).tally(vote["ballots"], vote["options"],
                                                  vote["settings"])
        out.append({"number": number, "title": vote["title"], "method": vote["method"],
                    "settings": result.settings, "status": vote["status"],
                    "voters": result.voters,
                    "ranking": [{"rank": s.rank, "idea": s.option,
                                 "text": vote["texts"].get(s.option, ""), "score": s.score,
                                 "supporters": s.supporters} for s in result.standings]})
    return out
