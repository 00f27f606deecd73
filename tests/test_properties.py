"""Property: a text scored against itself has no error, whatever its spacing, encoding or form."""

import unicodedata

from hypothesis import given, settings, strategies as st

from transcribe.reading import decode_text_bytes
from transcribe.normalize import normalize_text
from transcribe.scoring import score_texts

WORDS = ["Échographie", "l'hôpital", "cœur", "2,5", "mg", "14/09/1951", "droite", "œdème", "aiguë",
         "Patient", ":", ";", "(", ")", ".", "145/90", "mmHg", "qu'il", "à", "été", "hémicolectomie",
         "38,5", "°C", "%", "Kardégic", "DURAND", "c'est-à-dire", "!", "?", "15 000", "naïf"]
SPACES = [" ", "  ", "\u00a0", "\u202f", "\u2009", "\t"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SPACES)), min_size=1, max_size=25),
       st.sampled_from(["NFC", "NFD"]), st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
       st.sampled_from(["\n", "\r\n"]))
def test_text_against_itself_has_no_error(parts, form, encoding, newline):
    text = "".join(w + s for w, s in parts)
    variant = unicodedata.normalize(form, text).replace("\n", newline)
    try:
        data = variant.encode(encoding)
    except UnicodeEncodeError:
        data = variant.encode("utf-8")
    typed = normalize_text(decode_text_bytes(data))
    result = score_texts(typed, normalize_text(text)).to_dict()
    assert result["errors"] == []
    assert result["metrics"]["wer"] == 0.0
    assert result["metrics"]["wer_strict"] == 0.0
