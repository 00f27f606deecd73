"""Grading: each criterion's value and decision, the barème and its errors, the note."""

import docx
import pytest

from transcribe.errors import TranscribeError
from transcribe.exercise import load_exercise
from transcribe.grading import grade, load_bareme, points_lost
from transcribe.reading import document_from_text, read_document
from transcribe.scoring import score_documents, score_files


def graded(mini_exercise, text, bareme=None, elapsed=None):
    exercise = load_exercise(mini_exercise)
    ref = document_from_text(exercise.reference_text())
    return grade(score_documents(document_from_text(text), ref, exercise), load_bareme(bareme), elapsed)


def reference(mini_exercise):
    return mini_exercise.read_text(encoding="utf-8")


def test_perfect_copy_is_acquis_with_20(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise), elapsed=8)
    d = s.to_dict()
    assert d["note"] == 20.0 and d["acquis"] is True
    assert {c: v["acquis"] for c, v in d["criteria"].items()} == {
        "FID": True, "TER": True, "ORT": True, "IDV": True, "MEF": True, "DEL": True}
    assert d["criteria"]["DEL"]["value"] == 0.8 and d["criteria"]["DEL"]["threshold"] == 1.0


def test_del_unknown_without_timing_and_failed_when_late(mini_exercise):
    assert graded(mini_exercise, reference(mini_exercise)).criteria["DEL"] == {
        "acquis": None, "value": None, "threshold": 1.0,
        "detail": "temps non communiqué : critère non mesuré"}
    late = graded(mini_exercise, reference(mini_exercise), elapsed=15)
    assert late.criteria["DEL"]["acquis"] is False and late.criteria["DEL"]["value"] == 1.5
    assert late.acquis is False


def test_idv_overrides_a_near_perfect_note(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise).replace("14/09/1951", "14/09/1915"))
    assert s.note == 19.0
    assert s.criteria["IDV"]["acquis"] is False
    assert s.criteria["IDV"]["detail"] == "identité « 14/09/1951 » saisie « 14/09/1915 »"
    assert s.acquis is False
    assert s.decision.startswith("Compétence non acquise — IDV (confidentialité et identitovigilance) non acquis")


def test_fid_ort_ter_values(mini_exercise):
    text = (reference(mini_exercise).replace("depuis trois jours", "depuis jours")
            .replace("Hypertension", "Hypertention").replace("normale", "normal")
            .replace("Contrôle", "Controle").replace("Contrôle dans", "Controle dans"))
    s = graded(mini_exercise, text)
    c = s.criteria
    n = s.rates.ref_words
    assert n == 52
    assert c["FID"]["value"] == round(100 * 1 / n, 4)          # « trois » omitted
    assert c["ORT"]["value"] == round(100 * (1 + 1 + 0.5) / n, 4)  # usage + accord + accent
    assert c["TER"]["value"] == round(7 / 8, 4)          # « Hypertension artérielle »
    assert s.note == 20 - (1 + 1 + 1 + 0.5)


def test_repeated_error_on_same_word_counts_once(mini_exercise):
    text = reference(mini_exercise) + "\nHypertension."
    ref_text = reference(mini_exercise) + "\nHypertension."
    exercise = load_exercise(mini_exercise)
    score = score_documents(document_from_text(text.replace("Hypertension", "Hypertention")),
                            document_from_text(ref_text), exercise)
    assert [e.type for e in score.errors] == ["usage", "usage"]
    assert points_lost(score.errors, load_bareme()) == 1.0
    assert points_lost(score.errors, load_bareme("ahdi")) == 2.0


def test_one_block_submission_fails_mef(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise).replace("\n", " "))
    assert s.criteria["MEF"]["acquis"] is False
    assert s.criteria["MEF"]["detail"].startswith("texte saisi d'un seul bloc, sans retour à la ligne")
    assert s.note == 20.0 and s.acquis is False


def test_missing_section_fails_mef(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise).replace("Antécédents :\n", ""))
    assert s.criteria["MEF"]["acquis"] is False
    assert "rubriques absentes : « Antécédents »" in s.criteria["MEF"]["detail"]


def test_docx_with_heading_styles_passes_mef(mini_exercise, tmp_path):
    d = docx.Document()
    for line in reference(mini_exercise).strip().split("\n"):
        if line.endswith(" :"):
            d.add_heading(line, level=2)
        else:
            d.add_paragraph(line)
    path = tmp_path / "copie.docx"
    d.save(path)
    s = grade(score_files(path, mini_exercise))
    assert [p.heading for p in read_document(path).paragraphs][2] is True
    assert s.criteria["MEF"] == {"acquis": True, "value": 1.0, "threshold": 0.8,
                                 "detail": "structure conforme à la référence"}
    assert s.acquis is True


def test_presets_brevet_and_ahdi(mini_exercise):
    text = (reference(mini_exercise).replace("Échographie", "Echographie").replace("cœur", "cœurs")
            .replace("Douleur", "douleur").replace("Contrôle", "Controle").replace("5 mg", "50 mg"))
    brevet = graded(mini_exercise, text, "brevet")
    # accord −1, dose −0,5 (lexical), 3 accent/capital errors: no full group of four.
    assert brevet.points_lost == 1.5 and brevet.note == (10 - 1.5) * 2
    ahdi = graded(mini_exercise, text, "ahdi")
    # 1 critical (dose) × 3 + 4 others × 1 → accuracy 93 → note 18,6/20, failed.
    assert ahdi.points_lost == 7.0 and ahdi.note == 18.6 and ahdi.acquis is False


@pytest.mark.parametrize("toml,message", [
    ('scale = 20\n[points]\nusage = 1', "clé « points.omission » : manquante"),
    ('[points]\nusage = "un"\nsubstitution=1\nomission=1\najout=1\naccord=1\naccent=1\nmajuscule=1\nponctuation=1',
     "clé « points.usage » : un nombre est attendu"),
    ('bonus = 2\n[points]\nusage = 1', "clé « bonus » : clé inconnue"),
    ('required = ["XYZ"]\n[points]\nusage=1\nsubstitution=1\nomission=1\najout=1\naccord=1\naccent=1\nmajuscule=1\nponctuation=1',
     "clé « required » : liste de critères"),
    ('[points]\nusage=1\nsubstitution=1\nomission=1\najout=1\naccord=1\naccent=1\nmajuscule=1\nponctuation=1\n[thresholds]\nTER = 90',
     "clé « thresholds.TER » : doit être une proportion entre 0 et 1."),
])
def test_malformed_bareme_names_the_key(tmp_path, toml, message):
    path = tmp_path / "bareme.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(TranscribeError) as info:
        load_bareme(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_bareme_file_not_found(tmp_path):
    with pytest.raises(TranscribeError, match="barème introuvable"):
        load_bareme(tmp_path / "absent.toml")


def test_default_bareme_values():
    b = load_bareme()
    assert b.points == {"substitution": 1.0, "omission": 1.0, "ajout": 1.0, "usage": 1.0, "homophone": 1.0,
                        "accord": 1.0, "accent": 0.5, "majuscule": 0.5, "ponctuation": 0.5}
    assert b.scale == 20 and b.pass_note == 10 and b.thresholds["IDV"] == 0


def test_note_never_below_zero(mini_exercise):
    s = graded(mini_exercise, "Rien à voir.")
    assert s.note == 0.0 and s.acquis is False


def test_each_word_of_an_omitted_passage_counts(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise).replace(" Fibrillation atriale.", ""))
    assert [(e.type, e.ref, e.words) for e in s.errors] == [("omission", "Fibrillation atriale.", 2)]
    assert s.criteria["FID"]["value"] == round(100 * 2 / 52, 4)
    assert s.points_lost == 2.0 and s.note == 18.0


def test_misspelt_heading_is_still_a_section(mini_exercise):
    s = graded(mini_exercise, reference(mini_exercise).replace("Antécédents :", "Antécédent :"))
    assert [(e.type, e.ref, e.hyp) for e in s.errors] == [("accord", "Antécédents", "Antécédent")]
    assert s.criteria["MEF"]["acquis"] is True


FULL_POINTS = "[points]\nusage=1\nsubstitution=1\nomission=1\najout=1\naccord=1\naccent=1\nmajuscule=1\nponctuation=1\n"


@pytest.mark.parametrize("toml,message", [
    ("points = 3", "clé « points » : une table [points] est attendue, un nombre de points par type d'erreur."),
    (FULL_POINTS + "virgule = 1", "clé « points.virgule » : type d'erreur inconnu (types : omission, ajout, "
     "substitution, usage, homophone, accord, accent, majuscule, ponctuation)."),
    (FULL_POINTS.replace("usage=1", "usage=-1"), "clé « points.usage » : doit être supérieur ou égal à 0."),
    (FULL_POINTS.replace("usage=1", "usage=true"), "clé « points.usage » : un nombre est attendu (trouvé : True)."),
    ("scale = 0\n" + FULL_POINTS, "clé « scale » : doit être supérieur ou égal à 1."),
    ("scale = 10\npass_note = 12\n" + FULL_POINTS, "clé « pass_note » : ne peut pas dépasser l'échelle (10)."),
    ("thresholds = 2\n" + FULL_POINTS, "clé « thresholds » : une table [thresholds] est attendue."),
    (FULL_POINTS + "[thresholds]\nXYZ = 1", "clé « thresholds.XYZ » : critère inconnu (critères : FID, TER, ORT, "
     "IDV, MEF, DEL)."),
    (FULL_POINTS + "[thresholds]\nMEF = 2", "clé « thresholds.MEF » : doit être une proportion entre 0 et 1."),
    (FULL_POINTS + "[thresholds]\nFID = -1", "clé « thresholds.FID » : doit être supérieur ou égal à 0."),
    ("required = \"FID\"\n" + FULL_POINTS, "clé « required » : liste de critères parmi FID, TER, ORT, IDV, MEF, DEL "
     "attendue."),
    ("groups = 1\n" + FULL_POINTS, "clé « groups » : table avec types, size et points attendue."),
    (FULL_POINTS + "[groups]\ntaille = 4", "clé « groups » : table avec types, size et points attendue."),
    (FULL_POINTS + "[groups]\ntypes = [\"virgule\"]", "clé « groups.types » : types d'erreurs inconnus."),
    (FULL_POINTS + "[groups]\nsize = 0", "clé « groups.size » : doit être supérieur ou égal à 1."),
    (FULL_POINTS + "[groups]\npoints = \"x\"", "clé « groups.points » : un nombre est attendu (trouvé : 'x')."),
    ("critical = 3\n" + FULL_POINTS, "clé « critical » : une table [critical] est attendue."),
    (FULL_POINTS + "[critical]\npoints = -3", "clé « critical.points » : doit être supérieur ou égal à 0."),
])
def test_each_bareme_check_names_its_key(tmp_path, toml, message):
    path = tmp_path / "b.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(TranscribeError) as info:
        load_bareme(path)
    assert str(info.value) == f"{path} : barème invalide, {message}"


def test_a_valid_custom_bareme_is_read_whole(tmp_path):
    path = tmp_path / "b.toml"
    path.write_text('\ufeffname = "Mon barème"\nscale = 40\nrepeat_once = false\nfail_on_critical = true\n'
                    'required = ["FID", "IDV"]\ndescription = "x"\n' + FULL_POINTS
                    + "[thresholds]\nORT = 6\n[groups]\ntypes = [\"accent\"]\n[critical]\npoints = 4\n",
                    encoding="utf-8")
    b = load_bareme(path)
    assert (b.name, b.scale, b.pass_note, b.repeat_once, b.fail_on_critical) == ("Mon barème", 40.0, 20.0, False, True)
    assert b.required == ["FID", "IDV"] and b.source == str(path)
    assert b.thresholds == {"FID": 2.0, "TER": 0.8, "ORT": 6.0, "IDV": 0.0, "MEF": 0.8, "DEL": 1.0}
    assert b.groups == {"types": ["accent"]} and b.critical == {"points": 4}
    assert load_bareme("brevet").source == "brevet.toml" and load_bareme(None).name == load_bareme("defaut").name
    bad = tmp_path / "illisible.toml"
    bad.write_text("[points\n", encoding="utf-8")
    with pytest.raises(TranscribeError, match="barème illisible"):
        load_bareme(bad)


def _bareme(**changes):
    from dataclasses import replace

    return replace(load_bareme(), **changes)


def _error(kind, ref="a", hyp="b", flags=(), words=1):
    from transcribe.classify import Error

    return Error(kind, ref, hyp, list(flags), words=words)


def test_points_lost_critical_groups_and_passages():
    from transcribe.grading import counted_errors, is_critical

    errors = [_error("usage", flags=["terme_medical"]), _error("substitution", "5", "50", ["valeur_critique"]),
              _error("omission", "trois jours", "", words=2), _error("accent", "é1", "e1"),
              _error("accent", "é2", "e2"), _error("accent", "é3", "e3"), _error("majuscule", "L", "l")]
    plain = _bareme()
    assert points_lost(errors, plain) == 1 + 1 + 2 + 0.5 * 4
    assert not any(is_critical(e, plain) for e in errors)
    critical = _bareme(critical={"points": 5, "flags": ["identite"], "medical_terms_types": ["usage"]})
    assert [is_critical(e, critical) for e in errors] == [True, False, False, False, False, False, False]
    assert points_lost(errors, critical) == 5 + 1 + 2 + 0.5 * 4
    defaults = _bareme(critical={"medical_terms_types": []})  # 3 points, identity and critical values
    assert [is_critical(e, defaults) for e in errors][:2] == [False, True]
    assert points_lost(errors, defaults) == 1 + 3 + 2 + 0.5 * 4
    grouped = _bareme(groups={"types": ["accent", "majuscule"]})  # 0,5 per full group of 4
    assert points_lost(errors, grouped) == 1 + 1 + 2 + 0.5
    assert points_lost(errors, _bareme(groups={"types": ["accent"], "size": 2, "points": 0.25})) == 1 + 1 + 2 + 0.25 + 0.5
    assert counted_errors(errors, plain) == errors


def test_repeats_count_once_except_passages_and_marks():
    from transcribe.grading import counted_errors

    errors = [_error("majuscule", "Lyon", "lyon"), _error("majuscule", "LYON", "LYON".lower()),
              _error("omission", "a", ""), _error("omission", "a", ""), _error("ponctuation", ",", ""),
              _error("ponctuation", ",", ""), _error("accord", "Lyon", "lyon")]
    assert counted_errors(errors, _bareme()) == [errors[0], *errors[2:]]
    assert counted_errors(errors, _bareme(repeat_once=False)) == errors
    assert points_lost(errors, _bareme()) == 0.5 + 2 + 1 + 1


def test_details_and_decision_texts(mini_exercise):
    text = (reference(mini_exercise).replace("14/09/1951", "14/09/1915").replace("5 mg", "50 mg")
            .replace("FEVG à 60", "FEVG a 60").replace("Fibrillation atriale", "Fibrilation atriale"))
    s = graded(mini_exercise, text, elapsed=15)
    c = s.criteria
    assert c["FID"]["detail"] == "2 mot(s) oublié(s), ajouté(s) ou remplacé(s), soit 3,8 pour 100 mots"
    assert c["TER"]["detail"] == "7/8 termes médicaux exacts ; à revoir : Fibrillation atriale"
    assert c["ORT"]["detail"] == "2,0 point(s) de fautes pour 52 mots (usage 1, homophone 1)"
    assert c["IDV"]["detail"] == ("identité « 14/09/1951 » saisie « 14/09/1915 » ; "
                                  "valeur critique « 5 » saisie « 50 »")
    assert (c["IDV"]["value"], c["IDV"]["threshold"]) == (2, 0.0)
    assert c["DEL"] == {"acquis": False, "value": 1.5, "threshold": 1.0, "detail": "15 min pour 10 min imparties"}
    assert s.note == 16.0 and s.points_lost == 4.0
    assert s.decision == (
        "Compétence non acquise — FID (fidélité à l'enregistrement) non acquis : " + c["FID"]["detail"]
        + " ; IDV (confidentialité et identitovigilance) non acquis : " + c["IDV"]["detail"]
        + " ; DEL (procédures et délais) non acquis : " + c["DEL"]["detail"] + ".")
    assert list(s.advice) == ["FID", "IDV", "DEL"]
    # A note under the pass mark, and a refused document, are reasons of their own.
    low = graded(mini_exercise, "Rien à voir.")
    assert low.decision.endswith(" ; note 0,00/20 inférieure au seuil de 10.") and low.note == 0.0
    refused = graded(mini_exercise, reference(mini_exercise).replace("5 mg", "50 mg"), "ahdi")
    assert refused.decision == ("Compétence non acquise — IDV (confidentialité et identitovigilance) non acquis : "
                                "valeur critique « 5 » saisie « 50 » ; 1 erreur(s) critique(s) : le document est "
                                "refusé ; note 97,00/100 inférieure au seuil de 98.")
    assert graded(mini_exercise, reference(mini_exercise), elapsed=8).decision == (
        "Compétence acquise : tous les critères exigés sont atteints.")


def test_many_identity_errors_and_failed_terms_are_shortened(mini_exercise):
    text = reference(mini_exercise)
    for a, b in (("14/09/1951", "14/09/1915"), ("5 mg", "50 mg"), ("DURAND", "DURANT"), ("Marcel", "Marcelle"),
                 ("60 %", "70 %"), ("2,5 mois", "3,5 mois")):
        text = text.replace(a, b)
    s = graded(mini_exercise, text)
    assert s.criteria["IDV"]["value"] == 6 and s.criteria["IDV"]["detail"].endswith(" …")
    assert s.criteria["IDV"]["detail"].count("saisie") == 5


def test_bareme_defaults_boundaries_and_messages(tmp_path):
    path = tmp_path / "b.toml"
    path.write_text(FULL_POINTS + "[thresholds]\nTER = 1\nMEF = 1\n", encoding="utf-8")
    b = load_bareme(path)  # a proportion of 1 (every term exact) is allowed
    assert (b.name, b.scale, b.pass_note, b.repeat_once, b.fail_on_critical) == ("Barème", 20.0, 10.0, True, False)
    assert b.thresholds == {"FID": 2.0, "TER": 1.0, "ORT": 4.0, "IDV": 0.0, "MEF": 1.0, "DEL": 1.0}
    path.write_text("scale = 10\npass_note = 10\n" + FULL_POINTS, encoding="utf-8")
    assert load_bareme(path).pass_note == 10.0  # the whole scale is a possible pass mark
    for toml, message in (
            ("scale = inf\n" + FULL_POINTS, "clé « scale » : un nombre fini est attendu (trouvé : inf)."),
            ("pass_note = nan\n" + FULL_POINTS, "clé « pass_note » : un nombre fini est attendu (trouvé : nan)."),
            ("pass_note = -1\n" + FULL_POINTS, "clé « pass_note » : doit être supérieur ou égal à 0."),
            ("bonus = 1\n" + FULL_POINTS, "clé « bonus » : clé inconnue (clés possibles : critical, description, "
             "fail_on_critical, groups, name, pass_note, points, repeat_once, required, scale, thresholds).")):
        path.write_text(toml, encoding="utf-8")
        with pytest.raises(TranscribeError) as info:
            load_bareme(path)
        assert str(info.value) == f"{path} : barème invalide, {message}"
    with pytest.raises(TranscribeError) as info:
        load_bareme(tmp_path / "absent.toml")
    assert str(info.value) == (f"{tmp_path / 'absent.toml'} : barème introuvable (donnez un fichier .toml ou un nom "
                               "parmi defaut, brevet, ahdi).")
    path.write_text("[points\n", encoding="utf-8")
    with pytest.raises(TranscribeError) as info:
        load_bareme(path)
    assert str(info.value).startswith(f"{path} : barème illisible")


def test_critical_defaults_and_identity_only_errors():
    from transcribe.grading import is_critical

    identity = _error("usage", "DURAND", "DURANT", ["identite"])
    term = _error("substitution", "amlodipine", "amiodarone", ["terme_medical"])
    assert is_critical(identity, _bareme(critical={"points": 3}))  # flags default: identity, critical values
    assert not is_critical(term, _bareme(critical={"points": 3}))  # no medical term types unless listed
    assert is_critical(term, load_bareme("ahdi")) and not is_critical(identity, _bareme(critical={"flags": []}))
    added = [_error("ajout", "", "très"), _error("ajout", "", "très")]
    assert points_lost(added, _bareme()) == 2.0  # each added word counts, repeated or not
    accents = [_error("accent", f"é{k}", f"e{k}") for k in range(4)]
    assert points_lost(accents, _bareme(groups={"size": 2})) == 2.0  # no types listed: none grouped


def test_thresholds_are_reached_at_equality(mini_exercise):
    exercise = load_exercise(mini_exercise)
    text = reference(mini_exercise).replace("Contrôle dans", "Contrôle").replace("Échographie", "Echographie")
    score = score_documents(document_from_text(text), document_from_text(exercise.reference_text()), exercise)
    n = score.rates.ref_words
    exact = _bareme(thresholds={"FID": 100 * 1 / n, "TER": 7 / 8, "ORT": 100 * 0.5 / n, "IDV": 0.0, "MEF": 1.0,
                                "DEL": 1.0}, pass_note=18.5)
    s = grade(score, exact, elapsed_minutes=10)
    assert {c: v["acquis"] for c, v in s.criteria.items()} == {c: True for c in s.criteria}
    assert s.acquis is True and s.note == 18.5  # the note equal to the pass mark passes too
    tolerant = _bareme(thresholds={**load_bareme().thresholds, "IDV": 1.0})
    one = graded(mini_exercise, reference(mini_exercise).replace("5 mg", "50 mg"))
    assert grade(one, tolerant).criteria["IDV"]["acquis"] is True
    two = graded(mini_exercise, reference(mini_exercise).replace("5 mg", "50 mg").replace("DURAND", ""))
    assert grade(two, tolerant).criteria["IDV"]["acquis"] is False
    assert "identité « DURAND » saisie « — »" in two.criteria["IDV"]["detail"]
    assert two.layout is not None and two.layout.score <= 1


def test_a_score_without_exercise_or_terms(mini_exercise):
    from transcribe.scoring import score_texts

    s = grade(score_texts("Il fait beau.", "Il fait beau."), elapsed_minutes=3)
    assert s.criteria["TER"] == {"acquis": None, "value": None, "threshold": 0.8,
                                 "detail": "aucun terme médical repéré dans la référence"}
    assert s.criteria["ORT"]["detail"] == "aucune faute d'orthographe ni de ponctuation"
    assert s.criteria["IDV"]["detail"] == "identité du patient et valeurs critiques exactes"
    assert s.criteria["DEL"]["detail"] == "pas de temps imparti pour cet exercice : critère non mesuré"
    assert s.criteria["MEF"]["acquis"] is True and s.acquis is True and s.note == 20.0
    for bad in (-1, float("inf"), float("nan")):
        with pytest.raises(TranscribeError) as info:
            grade(score_texts("a", "a"), elapsed_minutes=bad)
        assert str(info.value) == (f"durée invalide ({bad!r} min) : un nombre de minutes fini, positif ou nul, "
                                   "est attendu.")
    assert grade(score_texts("a", "a"), elapsed_minutes=0).criteria["DEL"]["acquis"] is None


def test_note_rounding_and_many_failed_terms(mini_exercise, tmp_path):
    path = tmp_path / "b30.toml"
    path.write_text("scale = 30\n" + FULL_POINTS.replace("accent=1", "accent=0.5"), encoding="utf-8")
    s = graded(mini_exercise, reference(mini_exercise).replace("Échographie", "Echographie"), path)
    assert s.note == 19.67 and s.native_note == 29.5  # 29,5 / 30 brought back to 20, two decimals
    text = reference(mini_exercise)
    for a, b in (("cardiologie", "cardiolgie"), ("Douleur thoracique", "Douleur toracique"),
                 ("Hypertension", "Hypertention"), ("amlodipine", "amlodipinne"), ("Fibrillation", "Fibrilation"),
                 ("Échographie", "Echographie"), ("FEVG", "FEVJ")):
        text = text.replace(a, b)
    detail = graded(mini_exercise, text).criteria["TER"]["detail"]
    assert detail == ("1/8 termes médicaux exacts ; à revoir : cardiologie, Douleur thoracique, Hypertension "
                      "artérielle, amlodipine, Fibrillation atriale, Échographie cardiaque …")
