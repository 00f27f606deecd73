"""Optional engines: is the openai extra (PyTorch, openai-whisper) installed, and what to do if not."""

from __future__ import annotations

from ..errors import TranscribeError

OPENAI_INSTALL_HINT = (
    "moteur openai-whisper non installé. Installez-le sans triton (inutile sur CPU) : "
    "pip install torch==2.13.0 tiktoken numba more-itertools tqdm && "
    "pip install --no-deps openai-whisper==20250625"
)


def require_openai_whisper() -> None:
    """A clear French message when the openai extra (PyTorch, openai-whisper) is missing."""
    try:
        import torch  # noqa: F401
        import whisper  # noqa: F401
    except ImportError as exc:
        raise TranscribeError(OPENAI_INSTALL_HINT) from exc
