"""The result of a transcription: text, timed segments and words with their probabilities."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float


@dataclass
class Segment:
    id: int
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    avg_logprob: float | None = None
    compression_ratio: float | None = None
    no_speech_prob: float | None = None


@dataclass
class Transcript:
    text: str  # final text (dictated commands applied when asked)
    segments: list[Segment]
    engine: str
    model: str
    language: str = "fr"
    options: dict = field(default_factory=dict)
    duration: float = 0.0  # audio seconds
    elapsed: float = 0.0  # transcription wall seconds
    raw_text: str = ""  # Whisper's own text, before dictated commands
    source: str | None = None  # audio file, when there is one
    dropped: list[str] = field(default_factory=list)  # text removed (prompt echo, loops, words aligned to no audio)

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    @property
    def real_time_factor(self) -> float | None:
        return self.elapsed / self.duration if self.duration else None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["real_time_factor"] = self.real_time_factor
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Transcript":
        data = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        segments = []
        for seg in data.pop("segments", []):
            words = [Word(**w) for w in seg.pop("words", [])]
            segments.append(Segment(**seg, words=words))
        return cls(segments=segments, **data)
