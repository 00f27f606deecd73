"""Shared fixtures: the bundled corpus folders and a small exercise written on the fly."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "references"
AUDIO = ROOT / "audio_samples"
EXAMPLES = ROOT / "examples" / "submissions"

MINI_REFERENCE = """CENTRE HOSPITALIER DE TEST - Service de cardiologie
Patient : M. Marcel DURAND, né le 14/09/1951
Motif de consultation :
Douleur thoracique depuis trois jours.
Antécédents :
Hypertension artérielle traitée par amlodipine 5 mg. Fibrillation atriale.
Conclusion :
Échographie cardiaque normale, FEVG à 60 %. Contrôle dans 2,5 mois au cœur de l'hiver.
Dr Claire MARTIN
"""

MINI_TOML = """title = "Mini consultation"
specialty = "cardiologie"
time_limit_minutes = 10
sections = ["Motif de consultation", "Antécédents", "Conclusion"]
terms = ["fibrillation atriale", "amlodipine"]
critical_values = ["5 mg"]
[patient]
nom = "DURAND"
prenom = "Marcel"
date_naissance = "14/09/1951"
"""


@pytest.fixture
def mini_exercise(tmp_path):
    ref = tmp_path / "mini.txt"
    ref.write_text(MINI_REFERENCE, encoding="utf-8")
    (tmp_path / "mini.toml").write_text(MINI_TOML, encoding="utf-8")
    return ref


@pytest.fixture
def fake_engine(monkeypatch, tmp_path):
    """The ASR engine replaced by a fixed decoding (« Bonjour virgule monsieur point »), the
    transcript cache in tmp_path; returns the list of calls (their options) made to it."""
    from transcribe.asr import cache, engines
    from transcribe.asr.commands import apply_commands
    from transcribe.asr.transcript import Segment, Transcript, Word

    monkeypatch.setenv("TRANSCRIBE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "model_identity", lambda model: "fake-model")
    calls = []

    def fake_transcribe(path, engine="faster-whisper", model=None, **options):
        calls.append({"path": str(path), "engine": engine, **options})
        raw = "Bonjour virgule monsieur point"
        opts = engines.transcription_options(engine=engine, **options)
        return Transcript(text=apply_commands(raw) if opts["commands"] else raw, raw_text=raw,
                          engine=engine, model="fake", options=opts, duration=1.0, elapsed=0.5,
                          segments=[Segment(0, 0.0, 1.0, " " + raw,
                                            [Word(0.0, 0.3, " Bonjour", 0.9), Word(0.3, 0.5, " virgule", 0.9),
                                             Word(0.5, 0.8, " monsieur", 0.3), Word(0.8, 1.0, " point", 0.9)])])

    monkeypatch.setattr(engines, "transcribe_audio", fake_transcribe)
    return calls
