"""Where the exercises shipped with the toolkit live: references, audio, example copies.

Every part of the toolkit asks these functions, never a path of its own, so that the bundled
exercises are found the same way from a clone (the repository's top-level folders, the
source of truth) and from an installed wheel (copies packaged inside ``transcribe``).
"""

from __future__ import annotations

from pathlib import Path

_REPOSITORY = Path(__file__).resolve().parent.parent


def references_dir() -> Path:
    """The bundled exercises: ``<id>.txt`` (the reference) and ``<id>.toml`` (its metadata)."""
    return _REPOSITORY / "references"


def audio_dir() -> Path:
    """The bundled dictations: ``<id>.flac`` and ``<id>.dictee.txt`` (the spoken words)."""
    return _REPOSITORY / "audio_samples"


def examples_dir() -> Path:
    """The example class: ``submissions/<learner>/<exercise>.<txt|docx|odt>`` and its answer key."""
    return _REPOSITORY / "examples"
