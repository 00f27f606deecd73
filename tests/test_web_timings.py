"""Word timings for the ▶ buttons: the alignment, the shipped files, the on-demand computation."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

from starlette.testclient import TestClient

from transcribe.asr.timings import align_timings, load_timings, reference_text, shipped_timings_path
from transcribe.asr.transcript import Segment, Transcript, Word
from transcribe.exercise import list_exercises, load_exercise
from transcribe.scoring import score_texts
from transcribe.tokenize import tokenize
from transcribe.views import items_from_tokens
from transcribe.web.app import create_app
from transcribe.web.config import Settings
from transcribe.web.feedback import replay_offsets

from conftest import AUDIO


def transcript(words: list[tuple[str, float]]) -> Transcript:
    timed = [Word(start, start + 0.3, word, 0.9) for word, start in words]
    return Transcript(text="", segments=[Segment(0, 0.0, 9.0, "", timed)], engine="faster-whisper",
                      model="test", duration=9.0)


SPOKEN = [(" Patiente", 1.0), (" deux", 1.5), (" points", 1.8), (" madame", 2.2), (" Hélène", 2.6),
          (" Marchand", 3.0), (" virgule", 3.5), (" née", 3.9), (" le", 4.1), (" 9", 4.3), (" décembre", 4.6),
          (" 1949", 5.0), (" point", 5.6), (" amlo", 6.0), (" dipine", 6.4)]
REFERENCE = "Dr MARTIN\nPatiente : madame Hélène MARCHAND, née le 9 décembre 1949. Amlodipine\nSignature"


def test_each_reference_word_gets_the_time_it_is_spoken():
    timings = align_timings(REFERENCE, transcript(SPOKEN))
    words = [(re.match(r"\w+|\S", REFERENCE[s:]).group(0), t) for s, t in zip(timings.starts, timings.times)]
    assert words == [
        ("Dr", 0.0), ("MARTIN", 0.0),  # the letterhead is not dictated: from the start
        ("Patiente", 1.0), (":", 1.0), ("madame", 2.2), ("Hélène", 2.6), ("MARCHAND", 3.0), (",", 3.0),
        ("née", 3.9), ("le", 4.1), ("9", 4.3), (".", 4.3),  # the date is one item
        ("Amlodipine", 6.0),  # misheard in two pieces, same letters: timed
        ("Signature", 6.0),  # never dictated: the last time before it
    ]
    assert timings.matched == 8
    assert timings.time_at(REFERENCE.index("Hélène") + 2) == 2.6


def test_timings_round_trip_and_go_stale_with_the_reference(tmp_path):
    timings = align_timings(REFERENCE, transcript(SPOKEN))
    path = tmp_path / "t.json"
    path.write_text(json.dumps(timings.to_dict()), encoding="utf-8")
    assert load_timings(path, REFERENCE) == timings
    assert load_timings(path, REFERENCE + " modifiée") is None


def test_bundled_exercises_ship_timings_for_their_reference():
    for exercise in list_exercises():
        timings = load_timings(shipped_timings_path(exercise), reference_text(exercise))
        assert timings is not None, exercise.id
        words = [it for it in items_from_tokens(tokenize(reference_text(exercise))) if not it.is_punct]
        assert timings.matched >= 0.6 * len(words), exercise.id  # the rest: letterhead, signature, misheard
        assert timings.times == sorted(timings.times) and timings.times[-1] <= timings.duration


def test_replay_of_an_added_word_starts_at_the_word_before():
    score = score_texts("Le patient est très calme ce matin.", "Le patient est calme ce matin.")
    [error] = score.errors
    assert (error.type, error.hyp) == ("ajout", "très")
    assert replay_offsets(score) == [len("Le patient ")]  # « est », the reference word it follows
    score = score_texts("Le patient calme ce matin.", "Le patient est calme ce matin.")
    assert replay_offsets(score) == [len("Le patient ")]  # the omitted « est » itself


def with_audio(toml: Path) -> None:
    """The trainer's exercise names its audio file, beside the reference."""
    toml.write_text('audio = "mini.flac"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")


def test_an_exercise_without_timings_gets_them_computed_in_the_background(tmp_path, mini_exercise, fake_engine):
    folder = mini_exercise.parent
    (folder / "mini.txt").write_text("Bonjour, monsieur.\n", encoding="utf-8")
    with_audio(folder / "mini.toml")
    shutil.copy(AUDIO / "00-court.flac", folder / "mini.flac")
    settings = Settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", folder, tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        page = client.get("/exercices/mini/dictee").text
        assert 'data-timings-state="calcul"' in page
        assert "Calcul des repères de réécoute (reconnaissance vocale de l&#39;audio)…" in page
        for _ in range(100):
            status = client.get("/exercices/mini/minutage").json()
            if status["etat"] != "calcul":
                break
            time.sleep(0.05)
        assert status == {"etat": "pret", "message": "Repères de réécoute prêts."}
        from transcribe.asr.vocabulary import specialty_lists

        assert [call["vocabulary"] for call in fake_engine] == [["fibrillation atriale", "amlodipine"]
                                                                + specialty_lists()["cardiologie"][:9]]
        stored = list((tmp_path / "data" / "timings").glob("mini-*.json"))
        assert len(stored) == 1
        token = re.search(r'data-token="([^"]+)"', client.get("/exercices/mini/dictee").text).group(1)
        client.post("/exercices/mini/dictee/rendre", data={"jeton": token, "texte": "Bonjour, madame."})
        replay = client.get("/tentatives/1/reperes").json()
        assert replay["etat"] == "pret" and replay["temps"] == {"1": 0.0}
        assert 'data-timings-state="pret"' in client.get("/exercices/mini/dictee").text
    assert load_exercise(folder / "mini.txt").audio_path == folder / "mini.flac"


def test_a_failed_computation_is_reported_in_french(tmp_path, mini_exercise):
    from transcribe.errors import TranscribeError
    from transcribe.web.timings import TimingsService

    def broken(exercise):
        raise TranscribeError("modèle introuvable.")

    shutil.copy(AUDIO / "00-court.flac", mini_exercise.parent / "mini.flac")
    with_audio(mini_exercise.with_suffix(".toml"))
    service = TimingsService(tmp_path, compute=broken)
    exercise = load_exercise(mini_exercise)
    assert service.status(exercise)["etat"] == "calcul"
    service._jobs["mini"].future.exception(timeout=10)
    assert service.status(exercise) == {"etat": "erreur",
                                        "message": "Calcul des repères impossible : modèle introuvable."}
    service.shutdown()


def test_shipped_timings_place_terms_where_they_are_dictated():
    exercise = next(e for e in list_exercises() if e.id == "14-ordonnance")
    reference = reference_text(exercise)
    timings = load_timings(shipped_timings_path(exercise), reference)
    at = {word: timings.time_at(reference.index(word)) for word in ("Lévothyroxine", "Rosuvastatine", "Paracétamol")}
    assert at["Lévothyroxine"] < at["Rosuvastatine"] < at["Paracétamol"] < timings.duration
