"""The refusals a command can meet, with stable codes that clients and translations use.

Pure core: standard library only.
"""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """A command that was refused and changed nothing; `status` is the HTTP status to answer."""

    def __init__(self, code: str, status: int = 400, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params
