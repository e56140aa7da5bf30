"""Time the day's files for a large room: python bench/export.py.

2,000 participants, 300 ideas (some hidden, merged or edited) and 3 votes over the 300
(a top-5 ranking, 5 dots, approval of up to 10), tallied by the voting core; then the
report's words are added in French (`web.exports.annotate`, in a request context) and
the workbook (XLSX) and the report (PDF) are written. Results by group are left out
(bench/groups.py times them). Times are the best of 3; peak memory is what Python
allocated at most while writing each file (tracemalloc), and the process's peak
resident size at the end.

Prints one JSON line (seconds, MiB).
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workshop import create_app  # noqa: E402
from workshop.core import export  # noqa: E402
from workshop.core.voting import get_method  # noqa: E402
from workshop.web.exports import annotate  # noqa: E402

SEED = 2026
PEOPLE = 2000
IDEAS = 300
WORDS = ("logement", "transport", "sécurité alimentaire", "emploi", "santé", "école",
         "garderie", "accès", "revenu", "aînés", "quartier", "été", "œuvre", "« tous »")


def idea_text(rng: random.Random, n: int) -> str:
    return f"{n}. " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 14)))


def report(rng: random.Random) -> dict:
    ideas = [{"id": n, "text": idea_text(rng, n), "original_text": "", "status": "approved",
              "merged_into": None, "merged_into_text": "", "activity": "Idées du matin",
              "created_at": f"2026-11-29T14:{n % 60:02d}:00+00:00"}
             for n in range(1, IDEAS + 1)]
    for idea in ideas[::15]:
        idea["status"] = "hidden"
    for idea in ideas[1::20]:
        idea.update(status="merged", merged_into=1, merged_into_text=ideas[0]["text"])
    for idea in ideas[2::10]:
        idea["original_text"] = idea["text"].upper()
    options = [i["id"] for i in ideas if i["status"] == "approved"]
    texts = {i["id"]: i["text"] for i in ideas}
    plans = [("ranking", {"top": 5}, lambda: rng.sample(options, 5)),
             ("dots", {"dots": 5, "max_per_option": 2},
              lambda: {o: 1 for o in rng.sample(options, 5)}),
             ("approval", {"max_approvals": 10},
              lambda: rng.sample(options, rng.randint(1, 10)))]
    votes = []
    for number, (method, settings, ballot) in enumerate(plans, start=1):
        result = get_method(method).tally([ballot() for _ in range(PEOPLE)], options,
                                          settings)
        schulze = {s.option: s.rank for s in
                   result.details.get("schulze", {}).get("standings", ())}
        votes.append({
            "number": number, "title": f"Vote {number}", "activity": f"Vote {number}",
            "method": method, "settings": dict(result.settings), "status": "closed",
            "require_ticket": False, "voters": result.voters, "channels": {"phone": PEOPLE},
            "opened_at": "2026-11-29T15:00:00+00:00", "closed_at": "2026-11-29T15:10:00+00:00",
            "ranking": [{"rank": s.rank, "idea": s.option, "text": texts[s.option],
                         "score": s.score, "supporters": s.supporters,
                         "share": s.supporters / result.voters,
                         **({"schulze_rank": schulze[s.option]} if schulze else {})}
                        for s in result.standings],
            **({"disagree_top": result.details["disagree_top"],
                "disagree_top_n": result.details["disagree_top_n"],
                "top_n": result.details["top_n"]} if method == "ranking" else {})})
    return {"workshop": {"title": "Journée régionale — Estrie", "code": "BENCH1",
                         "created_at": "2026-11-29T13:00:00+00:00", "min_group_size": 5},
            "participation": {"present": PEOPLE, "present_by_channel": {"phone": PEOPLE},
                              "voted": PEOPLE, "voted_by_channel": {"phone": PEOPLE}},
            "votes": votes, "ideas": ideas, "groups": []}


def measure(write) -> tuple[float, float, int]:
    """Return (best of 3 seconds, peak MiB allocated by Python, size in bytes)."""
    best, size = float("inf"), 0
    for _ in range(3):
        start = time.perf_counter()
        size = len(write())
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    write()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20, size


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.db", "TESTING": True,
                          "MIGRATE_ON_START": True})
        data = report(random.Random(SEED))
        with app.test_request_context("/?lang=fr"):
            annotated = annotate(data)
        export.workbook(annotated)  # load openpyxl, matplotlib and fpdf2 once
        export.pdf_report(annotated)
        xlsx_s, xlsx_mib, xlsx_bytes = measure(lambda: export.workbook(annotated))
        pdf_s, pdf_mib, pdf_bytes = measure(lambda: export.pdf_report(annotated))
    print(json.dumps({
        "people": PEOPLE, "ideas": IDEAS, "votes": len(data["votes"]),
        "xlsx_s": round(xlsx_s, 3), "xlsx_peak_mib": round(xlsx_mib, 1),
        "xlsx_bytes": xlsx_bytes, "pdf_s": round(pdf_s, 3), "pdf_peak_mib": round(pdf_mib, 1),
        "pdf_bytes": pdf_bytes,
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)},
        sort_keys=True))


if __name__ == "__main__":
    main()
