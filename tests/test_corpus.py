"""The bundled dictation corpus: references, metadata, dictée scripts, audio, example copies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import soundfile as sf

from transcribe.exercise import load_exercise

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "references"
AUDIO = ROOT / "audio_samples"
SUBMISSIONS = ROOT / "examples" / "submissions"

REFERENCE_FILES = sorted(p for p in REFERENCES.glob("*.txt") if "." not in p.stem)  # drafts: <id>.brouillon.txt
IDS = [p.stem for p in REFERENCE_FILES]
REQUIRED_KEYS = ("title", "specialty", "audio", "time_limit_minutes", "sections")


def _meta(ident: str) -> dict:
    return tomllib.loads((REFERENCES / f"{ident}.toml").read_text(encoding="utf-8"))


def _text(ident: str) -> str:
    return (REFERENCES / f"{ident}.txt").read_text(encoding="utf-8")


def test_corpus_size():
    assert len(IDS) >= 12
    for ident in IDS:
        assert re.fullmatch(r"[a-z0-9-]+", ident), ident


@pytest.mark.parametrize("ident", IDS)
def test_reference_is_clean_utf8_lf(ident):
    raw = (REFERENCES / f"{ident}.txt").read_bytes()
    raw.decode("utf-8")
    assert b"\r" not in raw
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert "\u00a0" not in raw.decode("utf-8"), "espace insécable : utiliser une espace simple"


@pytest.mark.parametrize("ident", IDS)
def test_metadata_keys(ident):
    toml = REFERENCES / f"{ident}.toml"
    assert toml.is_file(), f"{toml.name} manquant"
    meta = _meta(ident)
    for key in REQUIRED_KEYS:
        assert meta.get(key) not in (None, "", []), f"{ident}: clé {key} manquante"
    assert meta["audio"] == f"{ident}.flac"
    assert meta.get("difficulty") in ("facile", "moyen", "difficile")
    assert isinstance(meta["time_limit_minutes"], (int, float)) and meta["time_limit_minutes"] > 0


@pytest.mark.parametrize("ident", IDS)
def test_sections_present_in_order(ident):
    lines = _text(ident).split("\n")
    positions = []
    for section in _meta(ident)["sections"]:
        heading = f"{section} :"
        assert heading in lines, f"{ident}: titre « {heading} » absent (ligne seule)"
        positions.append(lines.index(heading))
    assert positions == sorted(positions), f"{ident}: sections dans le désordre"


@pytest.mark.parametrize("ident", IDS)
def test_patient_terms_and_values_present(ident):
    meta, text = _meta(ident), _text(ident)
    patient = meta.get("patient", {})
    assert {"nom", "prenom", "date_naissance"} <= set(patient), ident
    for key, value in patient.items():
        assert str(value) in text, f"{ident}: patient.{key} « {value} » absent"
    assert meta.get("terms"), ident
    for term in meta["terms"]:
        assert term in text, f"{ident}: terme « {term} » absent"
    for value in meta.get("critical_values", []):
        assert value in text, f"{ident}: valeur critique « {value} » absente"


@pytest.mark.parametrize("ident", IDS)
def test_exercise_loads_with_toolkit(ident):
    ex = load_exercise(REFERENCES / f"{ident}.txt")
    assert ex.title and ex.patient
    assert ex.audio_path is not None and ex.audio_path.name == f"{ident}.flac"


@pytest.mark.parametrize("ident", IDS)
def test_dictee_and_audio_exist(ident):
    assert (AUDIO / f"{ident}.dictee.txt").is_file()
    assert (AUDIO / f"{ident}.flac").is_file()


def _flacs():
    return sorted(AUDIO.glob("*.flac"))


@pytest.mark.parametrize("flac", _flacs(), ids=lambda p: p.name)
def test_audio_format(flac):
    info = sf.info(str(flac))
    assert info.samplerate == 16000
    assert info.channels == 1
    assert (AUDIO / f"{flac.stem}.dictee.txt").is_file()
    if flac.stem == "00-court":
        assert info.duration <= 15
    else:
        assert 30 <= info.duration <= 120, f"{flac.name}: {info.duration:.1f} s"


def test_short_clip():
    assert (AUDIO / "00-court.flac").is_file()
    assert (AUDIO / "00-court.dictee.txt").is_file()
    assert not (REFERENCES / "00-court.txt").exists()


def test_total_audio_size():
    total = sum(p.stat().st_size for p in AUDIO.iterdir() if p.suffix in (".flac", ".wav", ".mp3", ".ogg"))
    assert total < 30 * 1024 * 1024


def test_submissions_cover_errors_md():
    errors_md = (SUBMISSIONS / "ERRORS.md").read_text(encoding="utf-8")
    listed = re.findall(r"^## (\S+)$", errors_md, flags=re.M)
    files = sorted(str(p.relative_to(SUBMISSIONS)) for p in SUBMISSIONS.glob("*/*.*"))
    assert sorted(listed) == files
    learners = {f.split("/")[0] for f in files}
    assert len(learners) >= 4
    suffixes = {Path(f).suffix for f in files}
    assert {".txt", ".docx", ".odt"} <= suffixes
    for f in files:
        assert Path(f).stem in IDS, f
