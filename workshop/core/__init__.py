"""The pure core: what decides an outcome, as plain values in and out.

Imports nothing from Flask, SQLAlchemy or Socket.IO (tests/test_layers.py checks it):
voting methods and their tallies, exports, phases, tokens, QR codes, text cleaning.
"""
