"""Voting methods: pure ballot validation and tallies.

This package is part of the pure core: it imports nothing from Flask, SQLAlchemy or
Socket.IO. Ballots come in as plain values, ranked results come out, so the projector,
the exports and the recount command all call the same code.
"""

from workshop.core.voting.methods import DEFAULT_METHOD, METHODS, get_method
from workshop.core.voting.result import BallotError, Result, Standing, rank_by_score

__all__ = ["DEFAULT_METHOD", "METHODS", "BallotError", "Result", "Standing", "get_method",
           "rank_by_score"]
