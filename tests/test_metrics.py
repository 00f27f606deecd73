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


def test_raw_counts_kept_for_micro_averages():
    from transcribe.metrics import compute_rates
    from transcribe.views import text_items

    rates = compute_rates(text_items("Le patient est venu."), text_items("Le patient et venu hier."))
    assert (rates.ref_words, rates.hyp_words) == (4, 5)
    assert rates.word_errors == 2 and rates.wer == 0.5  # « et » for « est », « hier » added
    assert rates.ref_chars == len("le patient est venu")
    chars = jiwer.process_characters("le patient est venu", "le patient et venu hier")
    assert rates.char_errors == chars.substitutions + chars.deletions + chars.insertions == 6
    assert rates.wer_strict == 0.4  # 2 errors over 5 items (the full stop is one)


@pytest.mark.parametrize("ref,hyp,rate,errors,strict", [
    ("", "", 0.0, 0, 0.0),                  # nothing to say, nothing said
    ("", "Bonjour docteur.", 1.0, 2, 1.0),  # no reference: any word is all wrong
    (".", "", 0.0, 0, 1.0),                 # only a mark: no word, the strict view misses it
])
def test_rates_without_reference_words(ref, hyp, rate, errors, strict):
    from transcribe.metrics import compute_rates
    from transcribe.views import text_items

    r = compute_rates(text_items(ref), text_items(hyp))
    assert (r.wer, r.cer, r.mer, r.wil) == (rate, rate, rate, rate)
    assert r.wer_strict == strict
    assert (r.word_errors, r.char_errors, r.ref_chars) == (errors, 0, 0)


def test_corpus_wer_skips_empty_references_and_is_zero_when_all_are():
    assert corpus_wer([([], ["bonjour"]), (["a", "b"], ["a"])]) == 0.5
    assert corpus_wer([([], ["bonjour"])]) == 0.0 and corpus_wer([]) == 0.0
    assert corpus_wer([(["15 000"], ["15 000"]), (["a"], ["b"])]) == 0.5  # a token with a space is one word
