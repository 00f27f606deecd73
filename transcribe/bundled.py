"""Where the exercises shipped with the toolkit live: references, audio, example copies.

Every part of the toolkit asks these functions, never a path of its own, so that the bundled
exercises are found the same way in every kind of install. The repository's top-level
folders (``references/``, ``audio_samples/``, ``examples/``) are the source of truth; the
wheel carries them, packed from there at build time by ``hatch_build.py``, as
``transcribe/_bundled/<folder>``. The packaged copy wins when it exists (a wheel, pip or pipx
install); otherwise (a clone, an editable install, an unpacked sdist) the repository's folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGED = "_bundled"
_REPOSITORY = Path(__file__).resolve().parent.parent


def _folder(name: str) -> Path:
    """The packaged copy of a bundled folder if the install has one, else the repository's."""
    packaged = resources.files(__package__) / PACKAGED / name
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return _REPOSITORY / name


def references_dir() -> Path:
    """The bundled exercises: ``<id>.txt`` (the reference) and ``<id>.toml`` (its metadata)."""
    return _folder("references")


def audio_dir() -> Path:
    """The bundled dictations: ``<id>.flac`` and ``<id>.dictee.txt`` (the spoken words)."""
    return _folder("audio_samples")


def examples_dir() -> Path:
    """The example class: ``submissions/<learner>/<exercise>.<txt|docx|odt>`` and its answer key."""
    return _folder("examples")
