"""Settings of one server: where the database and the exercises are, and request limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "transcribe-medical-fr"
DATABASE_FILE = "espace-apprenant.sqlite3"
MAX_BODY_BYTES = 1_000_000  # a 300-word copy is ~2 kB; a whole book would still fit
ENV_PREFIX = "TRANSCRIBE_SERVE_"


def data_dir() -> Path:
    """The user's data folder: $TRANSCRIBE_DATA_DIR, else the platform's (platformdirs)."""
    override = os.environ.get("TRANSCRIBE_DATA_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_database_url(folder: Path | None = None) -> str:
    return f"sqlite:///{(folder or data_dir()) / DATABASE_FILE}"


@dataclass
class Settings:
    database_url: str
    references_dir: Path | None = None  # None: the bundled exercises
    data_dir: Path | None = None  # computed timings and other server files
    max_body_bytes: int = MAX_BODY_BYTES
    classroom: bool = False  # accounts and classes (`serve --classe`)
    secure_cookies: bool = False  # cookies marked Secure even over plain HTTP (behind a TLS proxy)

    @classmethod
    def default(cls, references_dir: Path | None = None, database_url: str | None = None,
                classroom: bool = False, secure_cookies: bool = False) -> "Settings":
        folder = data_dir()
        return cls(database_url or default_database_url(folder), references_dir, folder,
                   classroom=classroom, secure_cookies=secure_cookies)

    @property
    def work_dir(self) -> Path:
        return self.data_dir or data_dir()

    def to_env(self) -> dict[str, str]:
        """The settings as environment variables, for server worker processes (`from_env`)."""
        env = {ENV_PREFIX + "DATABASE": self.database_url, ENV_PREFIX + "DATA_DIR": str(self.work_dir),
               ENV_PREFIX + "MAX_BODY": str(self.max_body_bytes)}
        if self.references_dir is not None:
            env[ENV_PREFIX + "REFERENCES"] = str(self.references_dir)
        env[ENV_PREFIX + "CLASSROOM"] = "1" if self.classroom else ""
        env[ENV_PREFIX + "SECURE_COOKIES"] = "1" if self.secure_cookies else ""
        return env

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        references = env.get(ENV_PREFIX + "REFERENCES")
        folder = env.get(ENV_PREFIX + "DATA_DIR")
        return cls(env.get(ENV_PREFIX + "DATABASE") or default_database_url(),
                   Path(references) if references else None, Path(folder) if folder else None,
                   int(env.get(ENV_PREFIX + "MAX_BODY", MAX_BODY_BYTES)),
                   classroom=bool(env.get(ENV_PREFIX + "CLASSROOM")),
                   secure_cookies=bool(env.get(ENV_PREFIX + "SECURE_COOKIES")))
