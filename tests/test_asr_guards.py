"""The guards' checks and re-decoding (`transcribe/asr/guards.py`), on made-up timings and a fake decoder."""

import numpy as np
import pytest

from transcribe.asr import guards
from transcribe.asr.guards import Problem, find_problems, guard, pieces, regions, splice
from transcribe.asr.transcript import Segment, Word


def seg(words, i=0):
    """A segment from (start, end, text) triples."""
    ws = [Word(a, b, t, 0.9) for a, b, t in words]
    return Segment(i, ws[0].start, ws[-1].end, "".join(w.word for w in ws), ws)


def spoken(*spans):
    return [tuple(s) for s in spans]


def test_words_aligned_to_no_audio_are_a_problem_from_three_in_a_row():
    words = [(0.0, 0.5, " Le"), (0.5, 1.0, " patient"), (1.0, 1.0, " traité"), (1.0, 1.0, " par"),
             (1.0, 1.0, " amlodipine,"), (1.0, 1.0, " poing.")]
    problems = find_problems([seg(words)], spoken((0.0, 1.2)), 1.2)
    assert problems == [Problem("comprime", 1.0, 1.0, words=4)]
    two = words[:2] + [(1.0, 1.0, " par"), (1.0, 1.0, " amlodipine")]
    assert find_problems([seg(two)], spoken((0.0, 1.2)), 1.2) == []


def test_an_elided_word_is_one_word_and_punctuation_none():
    # « l » + « 'électrocardiogramme » squeezed with « montre » are two words, not three
    words = [(0.0, 0.4, " Le"), (0.4, 0.4, " l"), (0.4, 0.4, "'électrocardiogramme"), (0.4, 0.4, " montre"),
             (0.4, 0.8, " une")]
    assert find_problems([seg(words)], spoken((0.0, 1.0)), 1.0) == []


def test_speech_without_text_between_two_words():
    words = [(0.0, 1.0, " Examen"), (1.0, 1.5, " clinique,"), (9.0, 9.5, " température")]
    problems = find_problems([seg(words)], spoken((0.0, 1.5), (2.0, 8.0), (9.0, 9.5)), 10.0)
    assert problems == [Problem("parole_sans_texte", 1.5, 9.0, speech=6.0)]
    # less than 1.5 s of speech left without text is a word the model did not write: no problem
    assert find_problems([seg(words)], spoken((0.0, 1.5), (2.0, 3.2), (9.0, 9.5)), 10.0) == []
    # speech before the first word and after the last one count too
    problems = find_problems([seg(words[:2])], spoken((0.0, 1.5), (5.0, 7.5)), 8.0)
    assert problems == [Problem("parole_sans_texte", 1.5, 8.0, speech=2.5)]


def test_text_over_silence_and_loops():
    words = [(0.0, 0.5, " Bonjour"), (3.0, 3.3, " merci"), (3.3, 3.6, " de"), (3.6, 3.9, " votre"),
             (3.9, 4.2, " attention")]
    assert find_problems([seg(words)], spoken((0.0, 0.6)), 4.5) == [Problem("texte_sur_silence", 3.0, 4.2, words=4)]
    loop = [(i * 0.4, i * 0.4 + 0.3, " poin,") for i in range(6)]
    assert find_problems([seg(loop)], spoken((0.0, 2.4)), 2.4) == [Problem("boucle", 0.4, 2.3, words=5)]


def test_damage_counts_words_and_unheard_speech():
    assert guards.damage([Problem("comprime", 1, 1, words=4), Problem("parole_sans_texte", 2, 5, speech=2.5)]) == 9.0


def test_region_of_words_squeezed_at_a_window_end_takes_the_next_segment():
    """The text squeezed at 29.98 s belongs to audio the next window decodes: both are re-decoded."""
    first = seg([(27.98, 28.5, " Le"), (28.5, 29.98, " patient"), (29.98, 29.98, " traité"),
                 (29.98, 29.98, " par"), (29.98, 29.98, " amlodipine")], 0)
    second = seg([(32.32, 33.0, " L'électrocardiogramme"), (33.0, 34.0, " montre")], 1)
    later = seg([(40.0, 41.0, " Fin.")], 2)
    speech = spoken((27.9, 31.8), (32.2, 34.1), (39.9, 41.1))
    problems = find_problems([first, second, later], speech, 42.0)
    assert [p.kind for p in problems] == ["comprime", "parole_sans_texte"]
    assert regions(problems, [first, second, later], speech, 42.0) == [
        (27.85, 34.15, ["comprime", "parole_sans_texte"])]


def test_pieces_end_in_pauses_and_stay_short():
    speech = spoken((0.0, 9.0), (9.6, 18.0), (18.4, 27.0), (27.5, 36.0))
    assert pieces(0.0, 36.0, speech, limit=20.0) == [(0.0, 18.2), (18.2, 36.0)]
    assert pieces(0.0, 8.0, speech, limit=20.0) == [(0.0, 8.0)]
    assert pieces(0.0, 50.0, spoken((0.0, 50.0)), limit=20.0) == [(0.0, 20.0), (20.0, 40.0), (40.0, 50.0)]


def test_splice_replaces_the_words_inside_and_keeps_the_rest():
    old = [seg([(0.0, 1.0, " Un"), (1.0, 2.0, " deux")], 0), seg([(2.0, 3.0, " trois"), (5.0, 6.0, " six")], 1)]
    new = [seg([(2.0, 3.0, " TROIS"), (3.0, 4.0, " QUATRE")], 7)]
    out = splice(old, 1.8, 4.5, new)
    assert [s.text for s in out] == [" Un deux", " TROIS QUATRE", " six"]
    assert out[2].start == 5.0 and out[2].end == 6.0 and old[1].text == " trois six"  # the input is unchanged


def fake_decoder(outputs):
    """A decoder that returns, call after call, the given segments (times from the slice start)."""
    calls = []

    def decode(samples, options):
        calls.append({"seconds": round(len(samples) / 16000, 2), **options})
        return outputs[min(len(calls), len(outputs)) - 1]

    return decode, calls


def test_guard_re_decodes_without_the_previous_text_and_records_it(monkeypatch):
    audio = np.zeros(16000 * 10, np.float32)
    speech = spoken((0.5, 4.0), (4.5, 9.0))
    first = [seg([(0.5, 1.0, " Le"), (1.0, 4.0, " patient"), (4.0, 4.0, " le"), (4.0, 4.0, " patient"),
                  (4.0, 4.0, " le")])]
    decode, calls = fake_decoder([[seg([(0.0, 0.5, " Le"), (0.5, 3.5, " patient")]),
                                   seg([(4.0, 5.0, " Il"), (5.0, 6.5, " tousse"), (6.5, 8.0, " beaucoup.")], 1)]])
    opts = {"condition_on_previous_text": True, "vad": True, "hotwords": "amlodipine", "initial_prompt": None}
    segments, records, dropped = guard(audio, first, decode, opts, speech=speech)
    assert [s.text for s in segments] == [" Le patient", " Il tousse beaucoup."]
    assert segments[1].words[0].start == 4.45  # moved to the slice's place: the region starts at 0.45 s
    assert len(calls) == 1 and calls[0]["condition_on_previous_text"] is False and calls[0]["vad"] is False
    assert calls[0]["hotwords"] == "amlodipine" and calls[0]["seconds"] == 9.55
    assert [r.to_dict() for r in records] == [{
        "debut": 0.45, "fin": 10.0, "raisons": ["mots sans durée dans l'audio", "parole sans texte"],
        "essais": ["sans_texte_precedent"], "retenu": "sans_texte_precedent", "dommage_avant": 12.0,
        "dommage_apres": 0.0, "morceaux": [{"debut": 0.45, "fin": 10.0, "retenu": "sans_texte_precedent"}]}]
    assert dropped == []


def test_guard_tries_without_the_vocabulary_then_keeps_the_best():
    audio = np.zeros(16000 * 6, np.float32)
    speech = spoken((0.5, 5.5))
    squeezed = seg([(0.5, 2.0, " Le"), (2.0, 2.0, " a"), (2.0, 2.0, " b"), (2.0, 2.0, " c"), (2.0, 5.5, " fin")])
    clean = seg([(0.0, 2.0, " Le"), (2.0, 5.0, " patient")])
    decode, calls = fake_decoder([[squeezed], [clean]])
    segments, records, _ = guard(audio, [squeezed], decode, {"hotwords": "x", "initial_prompt": "y"}, speech=speech)
    assert [c["hotwords"] for c in calls] == ["x", None] and calls[1]["initial_prompt"] is None
    assert records[0].level == "sans_vocabulaire" and records[0].kept
    assert [s.text for s in segments] == [" Le patient"]


def spread(start, end, name):
    """Words « name1 name2 … », one a second, from start to end."""
    return [(start + k, start + k + 0.8, f" {name}{k}") for k in range(int(end - start))]


def test_each_piece_keeps_its_own_best_decoding():
    """Two pieces: the first (nothing said before it) is clean without the previous text; the
    second tries the text kept before it, then no previous text, then no vocabulary either."""
    audio = np.zeros(16000 * 40, np.float32)
    speech = spoken((0.5, 9.5), (10.5, 19.5), (20.5, 29.5), (30.5, 39.5))
    zero = [(19.0, 19.0, " x"), (19.0, 19.0, " y"), (19.0, 19.0, " z")]
    again = [(30.0, 30.0, " p"), (30.0, 30.0, " q"), (30.0, 30.0, " r")]
    first = [seg(spread(0.5, 19.0, "un") + zero + spread(20.5, 29.5, "deux") + again + spread(30.5, 39.5, "fin"))]
    # the region is the whole file; pieces [0.45, 20.0] and [20.0, 40.0]
    squeezed = [seg(spread(0.5, 9.5, "deux") + [(10.0, 10.0, " a"), (10.0, 10.0, " b"), (10.0, 10.0, " c")]
                    + spread(10.5, 19.5, "fin"))]
    outputs = [[seg(spread(0.0, 9.0, "un") + spread(10.0, 19.0, "bis"))],  # piece 1, no previous text: clean
               squeezed, squeezed,  # piece 2, with the text kept before it, then without any previous text
               [seg(spread(0.5, 9.5, "deux") + spread(10.5, 19.5, "fin"))]]  # piece 2, no vocabulary: clean
    decode, calls = fake_decoder(outputs)
    segments, records, _ = guard(audio, first, decode, {"hotwords": "voc"}, speech=speech)
    assert [c["hotwords"] for c in calls] == ["voc", "voc", "voc", None]
    assert [c["previous_text"] for c in calls] == [None, "un0 un1 un2 un3 un4 un5 un6 un7 un8 bis0 bis1 bis2 "
                                                   "bis3 bis4 bis5 bis6 bis7 bis8", None, None]
    assert [p["retenu"] for p in records[0].pieces] == ["sans_texte_precedent", "sans_vocabulaire"]
    assert records[0].tried == ["sans_texte_precedent", "texte_precedent_verifie", "sans_vocabulaire"]
    assert records[0].to_dict()["retenu"] == "sans_vocabulaire" and records[0].damage_after == 0
    text = " ".join(w.word.strip() for s in segments for w in s.words)
    assert "bis8 deux0" in text and " a " not in text and text.endswith("fin8")


def test_previous_text_is_what_was_kept_before_the_piece():
    from transcribe.asr.guards import previous_text

    segments = [seg(spread(0.0, 5.0, "m")), seg(spread(5.0, 8.0, "n"), 1)]
    assert previous_text(segments, 6.0) == "m0 m1 m2 m3 m4 n0"
    assert previous_text(segments, 6.0, limit=2) == "m4 n0" and previous_text(segments, 0.5) == ""


def test_guard_keeps_the_first_decoding_when_nothing_is_better_and_drops_what_is_squeezed():
    audio = np.zeros(16000 * 6, np.float32)
    speech = spoken((0.5, 5.5))
    squeezed = seg([(0.5, 2.0, " Le"), (2.0, 2.0, " a"), (2.0, 2.0, " b"), (2.0, 2.0, " c"), (2.0, 5.5, " fin")])
    decode, calls = fake_decoder([[squeezed]])
    segments, records, dropped = guard(audio, [squeezed], decode, {}, speech=speech)
    assert len(calls) == 2 and records[0].to_dict()["retenu"] == "premier décodage" and not records[0].kept
    assert [s.text for s in segments] == [" Le fin"] and dropped == ["a b c"]


def test_a_clean_transcript_is_not_re_decoded():
    audio = np.zeros(16000 * 3, np.float32)
    decode, calls = fake_decoder([[]])
    first = [seg([(0.5, 1.0, " Bonjour"), (1.0, 2.0, " monsieur.")])]
    segments, records, dropped = guard(audio, first, decode, {}, speech=spoken((0.5, 2.0)))
    assert segments == first and records == [] and dropped == [] and calls == []


def test_transcription_options_turn_the_guards_on_by_default():
    from transcribe.asr.engines import transcription_options

    assert transcription_options(engine="faster-whisper")["guards"] is True
    assert transcription_options(engine="openai-whisper", guards=False)["guards"] is False


@pytest.mark.parametrize("recorded, expected", [({}, False), ({"guards": True}, True)])
def test_a_draft_recorded_without_the_guards_is_regenerated_without_them(recorded, expected):
    from transcribe.drafts import DraftSettings

    settings = DraftSettings(engine="faster-whisper", model="embedded", model_sha256="0",
                             decoding={"beam_size": 5, "temperature": [0.0], **recorded})
    assert settings.transcription_kwargs()["guards"] is expected


def test_a_word_stretched_over_unheard_speech_covers_two_seconds_at_most():
    """The last word written is stretched by the alignment over the utterance the model dropped."""
    words = [(130.2, 130.7, " points,"), (131.18, 136.7, " à"), (136.7, 136.7, " la")]
    speech = spoken((130.1, 130.9), (131.26, 132.0), (132.5, 135.6), (135.8, 136.3))
    assert find_problems([seg(words)], speech, 136.72) == [Problem("parole_sans_texte", 133.18, 136.7, speech=2.72)]
