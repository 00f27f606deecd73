"""Error rates agree with jiwer, and the jiwer/Whisper normaliser traps are avoided."""

import jiwer
import pytest

from transcribe.metrics import corpus_wer
from transcribe.scoring import score_texts


@pytest.mark.parametrize("ref,hyp", [
    ("le patient est venu ce matin", "le patient et venu matin"),
    ("douleur thoracique depuis hier soir", "douleur thoracique depuis la veille au soir"),
    ("pas de fièvre", "pas de fièvre ni de toux ni de dyspnée"),
    ("insuffisance cardiaque droite", "insuffisance gauche"),
])
def test_lenient_wer_equals_jiwer_on_plain_words(ref, hyp):
    metrics = score_texts(hyp, ref).to_dict()["metrics"]
    assert metrics["wer"] == jiwer.wer(ref, hyp)
    assert metrics["mer"] == jiwer.mer(ref, hyp)
    assert metrics["wil"] == jiwer.wil(ref, hyp)
    assert metrics["cer"] == jiwer.cer(ref, hyp)


def test_decimal_dose_error_counts_in_both_views():
    metrics = score_texts("amlodipine 25 mg", "amlodipine 2,5 mg").to_dict()["metrics"]
    assert metrics["wer"] == pytest.approx(1 / 3)
    assert metrics["wer_strict"] == pytest.approx(1 / 3)


def test_spoken_numbers_match_digits_in_lenient_view():
    metrics = score_texts("cinq milligrammes le quatorze septembre mille neuf cent cinquante et un",
                          "5 mg le 14/09/1951").to_dict()["metrics"]
    assert metrics["wer"] == 0.0


def test_strict_wer_counts_case_accents_and_punctuation():
    metrics = score_texts("echographie normale", "Échographie normale.").to_dict()["metrics"]
    assert metrics["wer"] == 0.5            # accent error only, lenient keeps accents
    assert metrics["wer_strict"] == pytest.approx(2 / 3)  # the word and the missing full stop


def test_corpus_wer_is_micro_averaged_like_jiwer():
    refs = ["le patient est venu", "douleur"]
    hyps = ["le patient venu", "douleur aiguë"]
    assert corpus_wer([(r.split(), h.split()) for r, h in zip(refs, hyps)]) == jiwer.wer(refs, hyps) == 0.4
