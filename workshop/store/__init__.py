"""The store: the database tables, the session lifecycle, and the read side.

Infra layer: SQLAlchemy and the pure core; never Flask's request world, never a verb.
"""
