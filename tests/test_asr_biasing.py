"""Vocabulary prompt (a list, never prose) and the guards against prompt echo and decoding loops."""

from transcribe.asr.biasing import build_prompt, clean_segments, collapse_repeats, exercise_vocabulary, is_prompt_echo
from transcribe.asr.vocabulary import specialty_words
from transcribe.asr.transcript import Segment, Word
from transcribe.exercise import Exercise


def test_prompt_lists_terms_comma_separated_without_duplicates():
    assert build_prompt(["amlodipine", "Metformine", "metformine", " cholécystectomie ", ""]) == (
        "amlodipine, Metformine, cholécystectomie")
    assert build_prompt([]) is None and build_prompt(None) is None


def test_prompt_is_cut_to_fit_the_window():
    prompt = build_prompt([f"terme{i:03d}" for i in range(500)])
    assert len(prompt) <= 600 and prompt.endswith(tuple("0123456789"))


def test_exercise_vocabulary_puts_exercise_terms_first(tmp_path):
    exercise = Exercise(id="x", reference_path=tmp_path / "x.txt", specialty="Cardiologie",
                        terms=["amlodipine", "fibrillation atriale"])
    vocabulary = exercise_vocabulary(exercise)
    assert vocabulary[:2] == ["amlodipine", "fibrillation atriale"]
    assert "électrocardiogramme" in vocabulary and specialty_words("inconnue") == []


def test_prompt_echo_is_detected():
    prompt = "amlodipine, metformine, cholécystectomie, fibrillation atriale"
    assert is_prompt_echo(" Amlodipine, metformine, cholécystectomie, fibrillation atriale.", prompt)
    assert not is_prompt_echo(" Traitement par amlodipine 5 mg et metformine 850 mg.", prompt)
    assert not is_prompt_echo(" amlodipine, metformine", prompt)  # too short to judge
    assert not is_prompt_echo(" Amlodipine, metformine, cholécystectomie, fibrillation atriale.", None)


def test_repeated_ngrams_are_collapsed():
    words = "il a de la fièvre de la fièvre de la fièvre de la fièvre".split()
    assert [words[i] for i in collapse_repeats(words)] == "il a de la fièvre".split()
    natural = "non non je vais très très bien".split()
    assert collapse_repeats(natural) == list(range(len(natural)))
    loop = "merci merci merci merci merci".split()
    assert [loop[i] for i in collapse_repeats(loop)] == ["merci"]


def test_clean_segments_drops_echo_and_repeated_segment_and_fixes_words():
    prompt = "amlodipine, metformine, cholécystectomie, fibrillation atriale"
    looping = [Word(float(i), i + 1.0, w, 0.9) for i, w in enumerate([" Pas", " de", " fièvre,", " pas", " de",
                                                                      " fièvre,", " pas", " de", " fièvre."])]
    segments = [
        Segment(0, 0, 2, " Amlodipine, metformine, cholécystectomie, fibrillation atriale."),
        Segment(1, 2, 4, " Le patient va bien."),
        Segment(2, 4, 6, " Le patient va bien."),
        Segment(3, 6, 9, "".join(w.word for w in looping), looping),
    ]
    kept, dropped = clean_segments(segments, prompt)
    assert [s.text for s in kept] == [" Le patient va bien.", " Pas de fièvre,"]
    assert [s.id for s in kept] == [0, 1] and len(kept[1].words) == 3
    assert dropped == ["Amlodipine, metformine, cholécystectomie, fibrillation atriale.", "Le patient va bien.",
                       "pas de fièvre, pas de fièvre."]


def test_loops_are_collapsed_across_segment_borders():
    texts = [" C'est-à-dire", " qu'à", " c'est-à-dire", " qu'à", " c'est-à-dire", " qu'à", " c'est-à-dire", " qu'à"]
    words = [Word(float(i), i + 1.0, t, 0.5) for i, t in enumerate(texts)]
    segments = [Segment(0, 0, 3, "".join(texts[:3]), words[:3]), Segment(1, 3, 6, "".join(texts[3:6]), words[3:6]),
                Segment(2, 6, 8, "".join(texts[6:]), words[6:])]
    kept, dropped = clean_segments(segments, None)
    assert [s.text for s in kept] == [" C'est-à-dire qu'à"] and len(dropped) == 1
