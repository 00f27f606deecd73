"""Output formats (txt, json, srt, vtt) and review marks, exact on a fixed transcript."""

import json

from transcribe.asr.formats import mark_low_confidence, render, timestamp
from transcribe.asr.transcript import Segment, Transcript, Word


def fixed_transcript(commands=True):
    seg1 = Segment(0, 0.0, 5.14, " Le patient présente une hypertension virgule traitée point",
                   [Word(0.0, 0.46, " Le", 0.9), Word(0.46, 0.84, " patient", 0.95),
                    Word(0.84, 1.38, " présente", 0.8), Word(1.38, 1.6, " une", 0.92),
                    Word(1.6, 2.9, " hypertension", 0.42), Word(2.9, 3.3, " virgule", 0.9),
                    Word(3.3, 4.6, " traitée", 0.7), Word(4.6, 5.14, " point", 0.85)])
    seg2 = Segment(1, 65.76, 3729.5, " Fibrillation atriale.",
                   [Word(65.76, 66.5, " Fibrillation", 0.99), Word(66.5, 3729.5, " atriale.", 0.31)])
    raw = "Le patient présente une hypertension virgule traitée point Fibrillation atriale."
    text = "Le patient présente une hypertension, traitée. Fibrillation atriale."
    return Transcript(text=text if commands else raw, segments=[seg1, seg2], engine="faster-whisper",
                      model="whisper-base (embarqué)", options={"commands": commands, "beam_size": 5},
                      duration=10.0, elapsed=2.0, raw_text=raw)


def test_timestamps():
    assert timestamp(0) == "00:00:00,000"
    assert timestamp(3729.5) == "01:02:09,500"
    assert timestamp(65.7649, ".") == "00:01:05.765"


def test_txt():
    assert render(fixed_transcript(), "txt") == "Le patient présente une hypertension, traitée. Fibrillation atriale.\n"


def test_txt_review_marks_low_confidence_words():
    assert render(fixed_transcript(), "txt", review=True) == (
        "Le patient présente une [[hypertension?]], traitée. Fibrillation [[atriale?]].\n")
    assert render(fixed_transcript(), "txt", review=True, threshold=0.75) == (
        "Le patient présente une [[hypertension?]], [[traitée?]]. Fibrillation [[atriale?]].\n")


def test_srt():
    assert render(fixed_transcript(), "srt") == (
        "1\n00:00:00,000 --> 00:00:05,140\nLe patient présente une hypertension, traitée.\n\n"
        "2\n00:01:05,760 --> 01:02:09,500\nFibrillation atriale.\n")


def test_vtt():
    assert render(fixed_transcript(), "vtt") == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:05.140\nLe patient présente une hypertension, traitée.\n\n"
        "00:01:05.760 --> 01:02:09.500\nFibrillation atriale.\n")


def test_srt_without_commands_keeps_the_dictation():
    assert render(fixed_transcript(commands=False), "srt").splitlines()[2] == (
        "Le patient présente une hypertension virgule traitée point")


def test_json_round_trip_and_review():
    data = json.loads(render(fixed_transcript(), "json", review=True))
    assert data["text"] == "Le patient présente une hypertension, traitée. Fibrillation atriale."
    assert data["engine"] == "faster-whisper" and data["real_time_factor"] == 0.2
    assert data["segments"][1]["words"][1] == {"start": 66.5, "end": 3729.5, "word": " atriale.",
                                               "probability": 0.31}
    assert [w["word"] for w in data["review"]] == [" hypertension", " atriale."]
    assert Transcript.from_dict(data).segments == fixed_transcript().segments


def test_mark_skips_command_words():
    words = [Word(0, 1, " Bien", 0.9), Word(1, 2, " virgule", 0.1), Word(2, 3, " merci", 0.2)]
    assert mark_low_confidence("Bien, merci", words) == "Bien, [[merci?]]"
