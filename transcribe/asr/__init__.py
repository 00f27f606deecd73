"""Speech recognition: Whisper (faster-whisper or openai-whisper) on the embedded offline model."""

from .transcript import Segment, Transcript, Word
from .engines import ENGINES, transcribe_audio
from .commands import apply_commands

__all__ = ["ENGINES", "Segment", "Transcript", "Word", "apply_commands", "transcribe_audio"]
