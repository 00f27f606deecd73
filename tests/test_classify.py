"""Every error type and flag, on French medical sentences, with exact expectations."""

import pytest

from transcribe.exercise import load_exercise
from transcribe.scoring import score_documents, score_files, score_texts
from transcribe.reading import document_from_text


def errors(hyp, ref, exercise=None):
    return [(e["type"], e["ref"], e["hyp"]) for e in score_texts(hyp, ref, exercise).to_dict()["errors"]]


@pytest.mark.parametrize("ref,hyp,expected", [
    ("Échographie abdominale normale.", "Echographie abdominale normale.", [("accent", "Échographie", "Echographie")]),
    ("Le patient présente une hypertension.", "Le patient présente une hypertention.", [("usage", "hypertension", "hypertention")]),
    ("Les examens sont normaux.", "Les examen sont normaux.", [("accord", "examens", "examen")]),
    ("Elle a été opérée hier.", "Elle a été opérer hier.", [("accord", "opérée", "opérer")]),
    ("La patiente est arrivée.", "Le patiente est arrivée.", [("accord", "La", "Le")]),
    ("Douleur du flanc droit.", "Douleur du flanc gauche.", [("substitution", "droit", "gauche")]),
    ("Le patient vient de Lyon.", "Le patient vient de lyon.", [("majuscule", "Lyon", "lyon")]),
    ("Motif : douleur, fièvre.", "Motif douleur fièvre.", [("ponctuation", ":", ""), ("ponctuation", ",", "")]),
    ("Douleur thoracique.", "Douleur thoracique ?", [("ponctuation", ".", "?")]),
    ("Pas de fièvre ni de toux.", "Pas de fièvre ni toux.", [("omission", "de", "")]),
    ("Pas de fièvre.", "Pas de fièvre du tout.", [("ajout", "", "du tout")]),
    ("Le cholédoque est dilaté.", "Le col et doc est dilaté.", [("substitution", "cholédoque", "col et doc")]),
    ("Traitement par amlodipine 2,5 mg.", "Traitement par amlodipine 25 mg.", [("substitution", "2,5", "25")]),
])
def test_each_error_type(ref, hyp, expected):
    assert errors(hyp, ref) == expected


@pytest.mark.parametrize("ref,hyp", [
    ("Une douleur aiguë.", "Une douleur aigüe."),           # 1990 reform
    ("Un événement indésirable.", "Un évènement indésirable."),
    ("Le cœur est normal.", "Le coeur est normal."),         # « oe » for « œ »
    ("Il faut le connaître.", "Il faut le connaitre."),
    ("Prendre deux comprimés.", "Prendre 2 comprimés."),     # digits for number words
    ("Amlodipine 5 mg.", "Amlodipine cinq milligrammes."),  # unit name for its symbol
    ("TA 145/90 mmHg.", "TA cent quarante-cinq sur quatre-vingt-dix millimètres de mercure."),
])
def test_admitted_variants_are_not_errors(ref, hyp):
    assert errors(hyp, ref) == []


def test_perfect_copy_has_no_error_and_zero_rates():
    text = "Patient : M. DURAND, né le 14/09/1951.\nTA 145/90 mmHg ; 2,5 mg/j (le matin)."
    result = score_texts(text, text).to_dict()
    assert result["errors"] == []
    assert result["metrics"]["wer"] == 0.0 and result["metrics"]["wer_strict"] == 0.0
    assert result["metrics"]["cer"] == 0.0


def test_flags_identity_critical_and_medical_term(mini_exercise):
    exercise = load_exercise(mini_exercise)
    ref = exercise.reference_text()
    hyp = (ref.replace("DURAND", "DURANT").replace("14/09/1951", "14/09/1952")
              .replace("5 mg", "50 mg").replace("Fibrillation atriale", "Fibrilation atriale"))
    result = score_documents(document_from_text(hyp), document_from_text(ref), exercise).to_dict()
    assert [(e["type"], e["ref"], e["hyp"], e["flags"]) for e in result["errors"]] == [
        ("usage", "DURAND", "DURANT", ["identite"]),
        ("substitution", "14/09/1951", "14/09/1952", ["valeur_critique", "identite"]),
        ("substitution", "5", "50", ["valeur_critique"]),
        ("usage", "Fibrillation", "Fibrilation", ["terme_medical"]),
    ]
    failed = result["terms"]["failed"]
    assert {"term": "Fibrillation atriale", "hyp": "Fibrilation atriale", "type": "usage"} in failed


def test_laterality_is_a_critical_value():
    result = score_texts("Fracture du poignet gauche.", "Fracture du poignet droit.").to_dict()
    assert result["errors"][0]["flags"] == ["valeur_critique"]


def test_error_lines_point_into_the_submission():
    result = score_texts("Motif :\nDouleur\nthoracique gauche.", "Motif :\nDouleur\nthoracique droite.").to_dict()
    assert [(e["type"], e["line"]) for e in result["errors"]] == [("substitution", 3)]


def test_cp1252_crlf_perfect_copy_scores_zero(mini_exercise, tmp_path):
    sub = tmp_path / "copie.txt"
    sub.write_bytes(mini_exercise.read_text(encoding="utf-8").replace("\n", "\r\n").encode("cp1252"))
    result = score_files(sub, mini_exercise).to_dict()
    assert result["errors"] == []
    assert result["terms"]["total"] == result["terms"]["correct"] > 0


@pytest.mark.parametrize("ref,hyp,expected", [
    ("Traitement : 2,5 mg.", "Traitement : 2.5 mg.", [("ponctuation", "2,5", "2.5", [])]),
    ("Vue le 12/03/2026.", "Vue le 12/3/2026.", [("usage", "12/03/2026", "12/3/2026", [])]),
    ("Genou droit.", "Genou droite.", [("accord", "droit", "droite", ["terme_medical"])]),
    ("Échographie normale.", "ECHOGRAPHIE normale.", [("majuscule", "Échographie", "ECHOGRAPHIE", ["terme_medical"])]),
    ("Il a mal à la tête.", "Il à mal a la tête.", [("homophone", "a", "à", []), ("homophone", "à", "a", [])]),
    ("Le post-opératoire est simple.", "Le post opératoire est simple.", [("usage", "post-opératoire", "post opératoire", [])]),
])
def test_notation_case_and_agreement_keep_the_critical_value(ref, hyp, expected):
    assert [(e["type"], e["ref"], e["hyp"], e["flags"]) for e in score_texts(hyp, ref).to_dict()["errors"]] == expected


def test_admitted_un_for_1_and_acronyms_only_in_capitals():
    from transcribe.spelling import is_french_word

    assert errors("Contrôle dans 1 mois.", "Contrôle dans un mois.") == []
    assert is_french_word("HTA") and not is_french_word("hta")
    assert is_french_word("amlodipine") and not is_french_word("amlodipinne")


def test_an_omitted_passage_is_one_error_with_its_marks():
    result = score_texts("Motif : douleur.\nConclusion : bien.",
                         "Motif : douleur.\nExamen : normal (sans fièvre).\nConclusion : bien.")
    assert [(e.type, e.ref, e.hyp, e.words) for e in result.errors] == [
        ("omission", "Examen : normal (sans fièvre).", "", 4)]
    added = score_texts("Pas de fièvre du tout, vraiment.", "Pas de fièvre.")
    assert [(e.type, e.hyp, e.words) for e in added.errors] == [("ajout", "du tout, vraiment", 3)]
    # A mark missing after a word that is there is still a punctuation error.
    assert errors("Poids 13,2 kg\nTaille", "Poids 13,2 kg.\nTaille") == [("ponctuation", ".", "")]


@pytest.mark.parametrize("hyp,expected", [
    ("112 battement par minute.", [("accord", "battements par minute", "battement par minute")]),
    ("112 bpm.", []),  # the symbol for the written-out unit is admitted
    ("112 battements par minute.", []),
])
def test_a_written_unit_in_another_inflection_is_agreement(hyp, expected):
    errors = score_texts(hyp, "112 battements par minute.").errors
    assert [(e.type, e.ref, e.hyp) for e in errors] == expected


@pytest.mark.parametrize("ref,hyp,expected", [
    # Plural of compounds and gender of a compound's part: agreement (third answer key).
    ("Tabagisme à 40 paquets-années.", "Tabagisme à 40 paquet-années.", [("accord", "paquets-années", "paquet-années")]),
    ("Fracture postéro-latérale.", "Fracture postéro-latéral.", [("accord", "postéro-latérale", "postéro-latéral")]),
    # A plural mark on a word that takes none, or the wrong plural: agreement.
    ("Depuis quatre semaines.", "Depuis quatres semaines.", [("accord", "quatre", "quatres")]),
    ("Les reflexes sont normaux.", "Les reflexes sont normals.", [("accord", "normaux", "normals")]),
    ("Un hématome bleu.", "Un hématome bleux.", [("accord", "bleu", "bleux")]),
    ("Quatre jours.", "Quatres jours.", [("accord", "Quatre", "Quatres")]),
    ("Mme DELORME.", "Mme DELORMES.", [("usage", "DELORME", "DELORMES")]),  # a name: spelling
    ("Toutes les heures.", "Tous les heures.", [("accord", "Toutes", "Tous")]),
    # A title written out is the same word; its capital counts only where a line starts.
    ("Dr Claire MARTIN", "Docteur Claire MARTIN", []),
    ("Dr Claire MARTIN", "docteur Claire MARTIN", [("majuscule", "Dr", "docteur")]),
    ("Je soussignée, Dr Mathilde GARNIER.", "Je soussignée, docteur Mathilde GARNIER.", []),
    ("Vue par Mme Durand.", "Vue par Madame Durand.", []),
    # Words joined into a compound the dictionary knows; not the other way round.
    ("Au petit déjeuner.", "Au petit-déjeuner.", []),
    ("Un porte-monnaie.", "Un porte monnaie.", [("usage", "porte-monnaie", "porte monnaie")]),
])
def test_third_key_frontier_cases(ref, hyp, expected):
    assert errors(hyp, ref) == expected


def test_an_omitted_passage_keeps_its_opening_and_closing_marks():
    assert [(e.type, e.ref, e.words) for e in score_texts("Douleur au genou.", "Douleur (depuis hier) au genou.").errors] \
        == [("omission", "(depuis hier)", 2)]
    assert errors("Douleur au genou.", "Douleur « depuis hier » au genou.") == [("omission", "« depuis hier »", "")]
    # The opening mark typed, the passage missing: the mark is not part of the omission.
    assert errors("Douleur (au genou.", "Douleur (depuis hier) au genou.") == [("omission", "depuis hier)", "")]
    # The last sentence of the text omitted, its full stop with it (the end of the text is no error).
    assert errors("Bien.", "Bien. Revoir dans un mois.") == [("omission", "Revoir dans un mois.", "")]
    assert errors("Bien", "Bien. Revoir dans un mois.") == [("ponctuation", ".", ""),
                                                             ("omission", "Revoir dans un mois.", "")]


def test_passages_without_the_texts_are_joined_items():
    from transcribe.alignment import align_items
    from transcribe.classify import classify
    from transcribe.views import text_items

    def typed(ref_text, hyp_text):
        ref, hyp = text_items(ref_text), text_items(hyp_text)
        return [(e.type, e.ref, e.hyp, e.words) for e in classify(align_items(ref, hyp), ref, hyp)]

    assert typed("Pas de fièvre. Revoir dans un mois.", "Pas de fièvre.") == [
        ("omission", "Revoir dans un mois .", "", 4)]
    assert typed("Pas de fièvre.", "Pas de fièvre du tout.") == [("ajout", "", "du tout", 2)]


def test_ratio_and_date_notations():
    assert errors("TA 145/090.", "TA 145/90.") == [("usage", "145/90", "145/090")]
    assert errors("TA 145/91.", "TA 145/90.") == [("substitution", "145/90", "145/91")]
    assert errors("Dose 15000 UI.", "Dose 15 000 UI.") == []  # the thousands space is admitted


def test_an_identity_field_that_is_also_a_common_word(tmp_path):
    from transcribe.exercise import load_exercise

    (tmp_path / "x.txt").write_text("Patiente : Mme Rose BLANC.\n", encoding="utf-8")
    (tmp_path / "x.toml").write_text('title = "x"\n[patient]\nnom = "BLANC"\nprenom = "Rose"\n', encoding="utf-8")
    exercise = load_exercise(tmp_path / "x.txt")
    found = score_documents(document_from_text("Patiente : Mme Rose BLANCHE.\n"),
                            document_from_text(exercise.reference_text()), exercise).errors
    # « blanc » is a French word, but as the patient's name, another spelling is a spelling error.
    assert [(e.type, e.ref, e.hyp, e.flags) for e in found] == [("usage", "BLANC", "BLANCHE", ["identite"])]


@pytest.mark.parametrize("ref,hyp,expected", [
    # A split word grouped by its letters; the words left over on each side of the group
    # are paired in order within their own gap (an unknown word is not a reference word).
    ("Le pas cholédoque vif dilaté.", "Le col doc yak tip dilaté.",
     [("omission", "pas", ""), ("substitution", "cholédoque", "col doc"), ("substitution", "vif", "yak"),
      ("ajout", "", "tip")]),
    ("Le cholédoque est dilaté.", "Le col et doc paraît dilaté.",
     [("substitution", "cholédoque", "col et doc"), ("substitution", "est", "paraît")]),
    # Errors in reading order: a word added at the start, or right after an error.
    ("Le patient va bien.", "Alors le patient va mal.",
     [("ajout", "", "Alors"), ("majuscule", "Le", "le"), ("substitution", "bien", "mal")]),
    ("Il a mal au genou.", "Il à vraiment mals au genou.",
     [("homophone", "a", "à"), ("ajout", "", "vraiment"), ("accord", "mal", "mals")]),
    # Marks before the first word (a list line) are compared with each other.
    ("- Paracétamol 1 g.", "* Paracétamol 1 g.", [("ponctuation", "-", "*")]),
    ("- Paracétamol 1 g.", "Paracétamol 1 g.", [("ponctuation", "-", "")]),
    ("Paracétamol 1 g.", "* Paracétamol 1 g.", [("ponctuation", "", "*")]),
])
def test_alignment_groups_order_and_leading_marks(ref, hyp, expected):
    assert errors(hyp, ref) == expected
