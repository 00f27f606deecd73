"""The one exception users see: a French message that names the file and the problem."""

from __future__ import annotations

from pathlib import Path


class TranscribeError(Exception):
    """An error on user input, with a French message fit to print as is."""

    def __init__(self, message: str, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        self.message = message
        super().__init__(f"{self.path} : {message}" if self.path is not None else message)
