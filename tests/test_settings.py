"""The Paramètres sheet: key/values, Procédures, Colonnes, Taux → Settings or ConfigError."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string

from relance_xl.errors import ConfigError
from relance_xl.model import ProcedureLevel, Severity
from relance_xl.procedures import DEFAULT_PROCEDURES
from relance_xl.settings import cell_name, default_settings, parse_settings

PARAMETERS = ["Paramètre", "Valeur"]
PROCEDURES = [
    "Type de client", "Niveau", "Action", "Canal", "Délai (jours)", "Référence",
    "Modèle de courrier",
]  # fmt: skip
COLUMNS = ["Champ", "En-tête"]
RATES = ["Série", "Semestre", "Taux (%)", "Source"]


def placed(rows: list[list[object]], top: int = 0, left: int = 0) -> list[list[object]]:
    """A grid with ``rows`` starting at 0-based (top, left), as a reader gives it (from A1)."""
    width = left + max(len(row) for row in rows)
    pad = [[None] * width for _ in range(top)]
    return pad + [[None] * left + row + [None] * (width - left - len(row)) for row in rows]


def key_values(*rows: list[object]) -> list[list[object]]:
    """A Paramètre | Valeur block with its title, header on Excel row 2."""
    return placed([["Entreprise et réglages"], PARAMETERS, *[list(r) for r in rows]])


def procedures(*rows: list[object]) -> list[list[object]]:
    """A Procédures block whose header is on Excel row 13: the first level is on row 14."""
    return placed([["Procédures de relance"], PROCEDURES, *[list(r) for r in rows]], top=11)


PARTICULIER = [
    ["particulier", 1.0, "relance amiable", "email", 10.0, "échéance", "relance_amiable"],
    ["particulier", 2.0, "lettre de relance", "courrier", 20.0, "précédente", "lettre_relance_1"],
]


def with_cell(rows: list[list[object]], row: int, column: str, value: object):
    """A copy of ``rows`` with one cell (data row index, header name) replaced."""
    copy = [list(r) for r in rows]
    copy[row][PROCEDURES.index(column)] = value
    return copy


# --- cell names, defaults -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ligne, colonne, attendu",
    [
        pytest.param(0, 0, "A1", id="coin"),
        pytest.param(13, 4, "E14", id="délai de la ligne 14"),
        pytest.param(0, 25, "Z1", id="dernière lettre simple"),
        pytest.param(0, 26, "AA1", id="première double lettre"),
        pytest.param(9, 701, "ZZ10", id="dernière double lettre"),
        pytest.param(0, 702, "AAA1", id="première triple lettre"),
        pytest.param(1_048_575, 16_383, "XFD1048576", id="dernière cellule d'Excel"),
    ],
)
def test_nom_de_cellule(ligne, colonne, attendu):
    """0-based (row, column) → the A1 name Excel shows."""
    assert cell_name(ligne, colonne) == attendu


@given(st.integers(0, 16_383), st.integers(0, 1_048_575))
def test_nom_de_cellule_comme_openpyxl(colonne, ligne):
    """The column letters are those openpyxl reads back, the row is 1-based."""
    name = cell_name(ligne, colonne)
    letters = name.rstrip("0123456789")
    assert column_index_from_string(letters) == colonne + 1
    assert name[len(letters) :] == str(ligne + 1)


def test_reglages_par_defaut():
    """Without Paramètres: default procedures, 30 days, 10 €, legal rates."""
    defaults = default_settings()
    assert defaults.procedures == DEFAULT_PROCEDURES
    assert defaults.procedures is not DEFAULT_PROCEDURES
    assert (defaults.default_term_days, defaults.minimum_amount) == (30, Decimal("10.00"))
    assert defaults.contract_rate is None and defaults.rates == {} and defaults.columns == {}


@pytest.mark.parametrize(
    "feuille",
    [
        pytest.param([], id="feuille vide"),
        pytest.param([["Notes"], ["rien à voir ici", 12.0]], id="feuille sans tableau"),
    ],
)
def test_feuille_sans_bloc_donne_les_defauts(feuille):
    """A sheet without any block gives the defaults and no anomaly."""
    assert parse_settings(feuille) == (default_settings(), [])


# --- Paramètre | Valeur ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cle, valeur, lire, attendu",
    [
        pytest.param("Délai de paiement par défaut (jours)", 45.0,
                     lambda s: s.default_term_days, 45, id="délai en nombre Excel"),
        pytest.param("Délai de paiement par défaut", "45", lambda s: s.default_term_days, 45,
                     id="délai en texte, clé sans (jours)"),
        pytest.param("Montant minimum à relancer", "15,50 €", lambda s: s.minimum_amount,
                     Decimal("15.50"), id="montant minimum en texte français"),
        pytest.param("Montant minimum à relancer", 0, lambda s: s.minimum_amount,
                     Decimal("0.00"), id="montant minimum nul"),
        pytest.param("Appels préventifs pour tous", "Oui", lambda s: s.preventive_for_all, True,
                     id="appels préventifs oui"),
        pytest.param("Appels préventifs pour tous", True, lambda s: s.preventive_for_all, True,
                     id="appels préventifs booléen Excel"),
        pytest.param("Taux contractuel global", "12 %", lambda s: s.contract_rate,
                     Decimal("12"), id="taux contractuel en pourcentage"),
        pytest.param("Taux contractuel global", 0.15, lambda s: s.contract_rate, Decimal("15"),
                     id="taux contractuel au format pourcentage Excel"),
        pytest.param("Dossier des courriers", r"D:\Relances\Courriers",
                     lambda s: s.output_folder, r"D:\Relances\Courriers", id="dossier courriers"),
        pytest.param("Dossier des modèles", "Modèles", lambda s: s.templates_folder, "Modèles",
                     id="dossier des modèles"),
        pytest.param("Code postal", 69002.0, lambda s: s.creditor.postcode, "69002",
                     id="code postal en nombre (Excel COM)"),
        pytest.param("code postal", "01000", lambda s: s.creditor.postcode, "01000",
                     id="code postal en texte, clé en minuscules"),
        pytest.param("Raison sociale", "  Dupont & Fils <SARL> Été ",
                     lambda s: s.creditor.name, "Dupont & Fils <SARL> Été", id="raison sociale"),
        pytest.param("Adresse", "3 rue Neuve\nBâtiment B", lambda s: s.creditor.address,
                     "3 rue Neuve\nBâtiment B", id="adresse sur deux lignes"),
        pytest.param("IBAN", "FR76 3000 2005 5000 0123 4567 824", lambda s: s.creditor.iban,
                     "FR76 3000 2005 5000 0123 4567 824", id="IBAN"),
        pytest.param("Port SMTP", 465.0, lambda s: s.smtp.port, 465, id="port SMTP"),
        pytest.param("Sécurité SMTP", "SSL", lambda s: s.smtp.security, "ssl",
                     id="sécurité SMTP en majuscules"),
        pytest.param("Sécurité SMTP", "aucune", lambda s: s.smtp.security, "aucune",
                     id="sans chiffrement"),
        pytest.param("Serveur SMTP", "smtp.example.fr", lambda s: s.smtp.host, "smtp.example.fr",
                     id="serveur SMTP"),
        pytest.param("Expéditeur", "Compta <compta@example.fr>", lambda s: s.smtp.sender,
                     "Compta <compta@example.fr>", id="expéditeur"),
        pytest.param("Variable du mot de passe SMTP", "MON_MDP", lambda s: s.smtp.password_env,
                     "MON_MDP", id="variable du mot de passe"),
    ],
)  # fmt: skip
def test_parametre_lu(cle, valeur, lire, attendu):
    """A known key with a good value sets its setting, without anomaly."""
    settings, anomalies = parse_settings(key_values([cle, valeur]))
    assert lire(settings) == attendu
    assert anomalies == []


@pytest.mark.parametrize(
    "cle, valeur, lire, defaut, extrait",
    [
        pytest.param("Délai de paiement par défaut (jours)", "trente",
                     lambda s: s.default_term_days, 30, "« trente » n'est pas un nombre de jours",
                     id="délai en lettres"),
        pytest.param("Délai de paiement par défaut (jours)", 30.5,
                     lambda s: s.default_term_days, 30, "n'est pas un nombre de jours",
                     id="délai décimal"),
        pytest.param("Délai de paiement par défaut (jours)", -5,
                     lambda s: s.default_term_days, 30, "nombre de jours positif",
                     id="délai négatif"),
        pytest.param("Montant minimum à relancer", "dix euros", lambda s: s.minimum_amount,
                     Decimal("10.00"), "n'est pas un nombre", id="montant en lettres"),
        pytest.param("Montant minimum à relancer", -10, lambda s: s.minimum_amount,
                     Decimal("10.00"), "montant positif", id="montant négatif"),
        pytest.param("Appels préventifs pour tous", "peut-être",
                     lambda s: s.preventive_for_all, False, "ni oui ni non",
                     id="appels préventifs ni oui ni non"),
        pytest.param("Taux contractuel global", "douze", lambda s: s.contract_rate, None,
                     "n'est pas un taux", id="taux en lettres"),
        pytest.param("Port SMTP", 70000, lambda s: s.smtp.port, 587, "numéro de port",
                     id="port hors limites"),
        pytest.param("Sécurité SMTP", "tls2", lambda s: s.smtp.security, "starttls",
                     "mode de sécurité SMTP", id="sécurité inconnue"),
    ],
)  # fmt: skip
def test_valeur_invalide_avertit_et_garde_le_defaut(cle, valeur, lire, defaut, extrait):
    """A bad value is an avertissement on its Valeur cell; the default stays."""
    settings, anomalies = parse_settings(key_values([cle, valeur]))
    assert lire(settings) == defaut
    (anomaly,) = anomalies
    assert (anomaly.sheet, anomaly.row, anomaly.column) == ("Paramètres", 3, "Valeur")
    assert anomaly.severity == Severity.AVERTISSEMENT
    assert extrait in anomaly.message and "valeur par défaut" in anomaly.message


def test_valeur_vide_garde_le_defaut_sans_anomalie():
    """An empty Valeur keeps the default silently (the template leaves some empty)."""
    grid = key_values(["Taux contractuel global", None], ["Délai de paiement par défaut", ""])
    assert parse_settings(grid) == (default_settings(), [])


def test_cle_inconnue_avertit():
    """An unknown key is an avertissement on its Paramètre cell, the row is ignored."""
    settings, anomalies = parse_settings(key_values(["Couleur préférée", "bleu"]))
    assert settings == default_settings()
    (anomaly,) = anomalies
    assert (anomaly.row, anomaly.column, anomaly.severity) == (
        3,
        "Paramètre",
        Severity.AVERTISSEMENT,
    )
    assert "« Couleur préférée » inconnu" in anomaly.message


def test_valeur_sans_cle_avertit():
    """A value without a key name is reported, not guessed."""
    (anomaly,) = parse_settings(key_values([None, 42.0]))[1]
    assert anomaly.row == 3 and "sans nom de paramètre" in anomaly.message


def test_cle_en_double_la_derniere_prime():
    """A key given twice: the later row wins, with an avertissement."""
    grid = key_values(
        ["Délai de paiement par défaut (jours)", 45], ["Délai de paiement par défaut (jours)", 60]
    )
    settings, anomalies = parse_settings(grid)
    assert settings.default_term_days == 60
    (anomaly,) = anomalies
    assert anomaly.row == 4 and "en double (déjà ligne 3)" in anomaly.message


@pytest.mark.parametrize(
    "lignes, variable",
    [
        pytest.param([["Mot de passe SMTP", "secret123"]], "RELANCE_SMTP_MOT_DE_PASSE",
                     id="variable par défaut"),
        pytest.param([["Mot de passe SMTP", "secret123"], ["Variable du mot de passe SMTP", "MDP"]],
                     "MDP", id="variable nommée plus bas"),
    ],
)  # fmt: skip
def test_mot_de_passe_jamais_lu(lignes, variable):
    """A password typed in the sheet is never read: an avertissement names the variable."""
    settings, anomalies = parse_settings(key_values(*lignes))
    (anomaly,) = anomalies
    assert anomaly.row == 3 and anomaly.column == "Valeur"
    assert "le mot de passe n'est jamais lu dans le classeur" in anomaly.message
    assert f"variable d'environnement {variable} " in anomaly.message
    assert "secret123" not in repr(settings)


def test_mot_de_passe_vide_sans_anomalie():
    """An empty password row is harmless."""
    assert parse_settings(key_values(["Mot de passe SMTP", None])) == (default_settings(), [])


def test_bloc_n_importe_ou_et_fin_a_la_ligne_vide():
    """A block is found away from A1, and ends at its first blank row."""
    rows = [
        ["Réglages"],
        PARAMETERS,
        ["Délai de paiement par défaut (jours)", 45.0],
        [None, None],
        ["Montant minimum à relancer", 99.0],
    ]
    settings, anomalies = parse_settings(placed(rows, top=6, left=3))
    assert (settings.default_term_days, settings.minimum_amount) == (45, Decimal("10.00"))
    assert anomalies == []


# --- Procédures -----------------------------------------------------------------------------------


def test_procedure_remplace_seulement_son_type():
    """The table replaces the procedures it lists; the other types keep their defaults."""
    settings, anomalies = parse_settings(procedures(*PARTICULIER))
    assert anomalies == []
    assert settings.procedures["particulier"].levels == (
        ProcedureLevel("1", "relance amiable", "email", 10, "échéance", "relance_amiable"),
        ProcedureLevel("2", "lettre de relance", "courrier", 20, "précédente", "lettre_relance_1"),
    )
    for other in ("professionnel", "administration"):
        assert settings.procedures[other] == DEFAULT_PROCEDURES[other]


def test_procedure_nommee_et_type_ecrit_librement():
    """A named procedure is added; « Particulier » is the particulier type; channels are free."""
    rows = [
        ["Grands comptes", "P1", "appel de courtoisie", "visio", 3, "facture", None],
        ["Grands comptes", 1, "relance amiable", "SMS", "5", "Échéance", None],
        ["Particulier", "1", "relance amiable", "courrier", 7, "echeance", "relance_amiable"],
    ]
    procedures_ = parse_settings(procedures(*rows))[0].procedures
    assert set(procedures_) == {"professionnel", "particulier", "administration", "Grands comptes"}
    named = procedures_["Grands comptes"]
    assert [(s.level, s.channel, s.delay_days, s.template) for s in named.levels] == [
        ("P1", "visio", 3, ""),
        ("1", "SMS", 5, ""),
    ]
    assert procedures_["particulier"].levels[0].reference == "échéance"


def test_tableau_du_modele_relu_a_l_identique():
    """DEFAULT_PROCEDURES written as rows (numbers as floats, like calamine) read back equal."""
    rows = [
        [name, float(s.level) if s.level.isdigit() else s.level, s.action, s.channel,
         float(s.delay_days), s.reference, s.template or None]
        for name, procedure in DEFAULT_PROCEDURES.items()
        for s in procedure.levels
    ]  # fmt: skip
    assert parse_settings(procedures(*rows)) == (default_settings(), [])


def _swap_levels(rows):
    return with_cell(with_cell(rows, 0, "Niveau", 2.0), 1, "Niveau", 1.0)


@pytest.mark.parametrize(
    "lignes, message",
    [
        pytest.param(with_cell(PARTICULIER, 0, "Délai (jours)", "abc"),
                     "Paramètres!E14 : délai « abc » : un nombre de jours est attendu.",
                     id="délai non numérique"),
        pytest.param(with_cell(PARTICULIER, 1, "Délai (jours)", 7.5),
                     "Paramètres!E15 : délai « 7.5 » : un nombre de jours est attendu.",
                     id="délai décimal"),
        pytest.param(with_cell(PARTICULIER, 0, "Délai (jours)", None),
                     "Paramètres!E14 : délai vide : un nombre de jours est attendu.",
                     id="délai vide"),
        pytest.param(with_cell(PARTICULIER, 0, "Référence", "livraison"),
                     "Paramètres!F14 : référence « livraison » : facture, échéance ou "
                     "précédente est attendue.", id="référence inconnue"),
        pytest.param(with_cell(PARTICULIER, 1, "Action", "  "),
                     "Paramètres!C15 : action vide pour le niveau 2 de « particulier ».",
                     id="action vide"),
        pytest.param(with_cell(PARTICULIER, 1, "Niveau", 1.0),
                     "Paramètres!B15 : niveau « 1 » en double pour « particulier ».",
                     id="niveau en double"),
        pytest.param(_swap_levels(PARTICULIER),
                     "Paramètres!B15 : niveau « 1 » après le niveau « 2 » pour « particulier » : "
                     "les niveaux vont dans l'ordre croissant (P1, P2, 1, 2…).",
                     id="niveaux dans le désordre"),
        pytest.param(with_cell(PARTICULIER, 0, "Référence", "précédente"),
                     "Paramètres!F14 : référence « précédente » impossible au premier niveau de "
                     "relance de « particulier » (aucune étape avant lui) : indiquez échéance ou "
                     "facture.", id="précédente au premier niveau"),
        pytest.param([["particulier", "P1", "appel", "téléphone", 3, "facture", None],
                      ["particulier", 1, "relance", "email", 3, "précédente", None]],
                     "Paramètres!F15 : référence « précédente » impossible au premier niveau de "
                     "relance de « particulier » (aucune étape avant lui) : indiquez échéance ou "
                     "facture.", id="précédente après un seul appel préventif"),
        pytest.param(with_cell(PARTICULIER, 0, "Niveau", "dernier"),
                     "Paramètres!B14 : niveau « dernier » : P1, P2 ou un numéro (1, 2, 3…) est "
                     "attendu.", id="niveau illisible"),
        pytest.param(with_cell(PARTICULIER, 1, "Type de client", None),
                     "Paramètres!A15 : type de client vide : indiquez particulier, professionnel, "
                     "administration ou le nom d'une procédure.", id="type de client vide"),
    ],
)  # fmt: skip
def test_procedure_invalide_nomme_la_cellule(lignes, message):
    """An invalid Procédures table is a ConfigError naming the cell, in one French sentence."""
    with pytest.raises(ConfigError) as error:
        parse_settings(procedures(*lignes))
    assert error.value.message == message


def test_en_tete_de_procedures_incomplet():
    """A Procédures header without Référence is a ConfigError naming the header cell."""
    grid = placed([PROCEDURES[:5], ["particulier", 1, "relance", "email", 7]], top=2, left=1)
    with pytest.raises(
        ConfigError,
        match=re.escape("Paramètres!B3 : tableau « Procédures » sans colonne « Référence »"),
    ):
        parse_settings(grid)


def test_deux_tableaux_de_procedures():
    """Two Procédures tables are refused: which one would win?"""
    grid = [*procedures(*PARTICULIER), [None] * 7, PROCEDURES, PARTICULIER[0]]
    with pytest.raises(
        ConfigError,
        match=re.escape("Paramètres!A17 : second tableau « Procédures » (le premier est en A13)"),
    ):
        parse_settings(grid)


def test_nom_de_feuille_dans_le_message():
    """The cell is named with the sheet the caller gives."""
    with pytest.raises(ConfigError, match=r"^Réglages!E14 : délai"):
        parse_settings(procedures(*with_cell(PARTICULIER, 0, "Délai (jours)", "x")), "Réglages")


@given(
    delay=st.integers(-365, 365),
    shape=st.sampled_from(["int", "float", "texte", "texte signé"]),
)
def test_delai_lu_sous_toutes_ses_formes(delay, shape):
    """A whole number of days reads the same as int, float (calamine, COM) or text."""
    cell = {
        "int": delay,
        "float": float(delay),
        "texte": str(delay),
        "texte signé": f"{delay:+d}",
    }[shape]
    rows = with_cell(PARTICULIER, 0, "Délai (jours)", cell)
    level = parse_settings(procedures(*rows))[0].procedures["particulier"].levels[0]
    assert level.delay_days == delay


@given(
    st.one_of(
        st.text(alphabet="abcdfghijklmnpqstvwxyzàéç!?/ ", min_size=1, max_size=12).filter(
            str.strip
        ),
        st.floats(-1000, 1000).filter(lambda x: round(x, 6) != round(x)),
    )
)
def test_delai_non_entier_toujours_refuse(cell):
    """Words and fractions are never a delay: a ConfigError names E14."""
    with pytest.raises(ConfigError, match=r"^Paramètres!E14 : délai « .* » : un nombre de jours"):
        parse_settings(procedures(*with_cell(PARTICULIER, 0, "Délai (jours)", cell)))


# --- Colonnes -------------------------------------------------------------------------------------


def columns_grid(*rows: list[object]) -> list[list[object]]:
    """A Colonnes block with its header on Excel row 5, first mapping on row 6."""
    return placed([["Colonnes"], COLUMNS, *[list(r) for r in rows]], top=3)


@pytest.mark.parametrize(
    "champ, entete, attendu",
    [
        pytest.param("echeance", "Date limite", {"echeance": "Date limite"}, id="nom de champ"),
        pytest.param("Date facture", "Émise le", {"date_facture": "Émise le"},
                     id="nom de champ avec espace"),
        pytest.param("Montant TTC", "Total dû", {"montant": "Total dû"},
                     id="en-tête du modèle comme champ"),
        pytest.param("numéro", " Réf. ", {"numero": "Réf."}, id="accent et espaces"),
    ],
)  # fmt: skip
def test_colonnes(champ, entete, attendu):
    """Colonnes maps a field to the user's header text."""
    settings, anomalies = parse_settings(columns_grid([champ, entete]))
    assert settings.columns == attendu and anomalies == []


def test_colonne_sans_en_tete_avertit():
    """A field without header is ignored with an avertissement on its En-tête cell."""
    settings, anomalies = parse_settings(columns_grid(["echeance", None]))
    assert settings.columns == {}
    (anomaly,) = anomalies
    assert (anomaly.row, anomaly.column) == (6, "En-tête") and "sans en-tête" in anomaly.message


@pytest.mark.parametrize(
    "lignes, message",
    [
        pytest.param([["date_de_naissance", "Né le"]],
                     "Paramètres!A6 : champ « date_de_naissance » inconnu : attendu client, "
                     "numero, date_facture", id="champ inconnu"),
        pytest.param([["echeance", "Due"], ["Échéance", "Date limite"]],
                     "Paramètres!A7 : champ « echeance » en double (déjà ligne 6).",
                     id="champ en double"),
        pytest.param([[None, "Total"]], "Paramètres!A6 : champ vide : attendu client,",
                     id="champ vide"),
    ],
)  # fmt: skip
def test_colonnes_invalides(lignes, message):
    """An unknown or repeated field is a ConfigError naming the Champ cell."""
    with pytest.raises(ConfigError) as error:
        parse_settings(columns_grid(*lignes))
    assert error.value.message.startswith(message)


# --- Taux -----------------------------------------------------------------------------------------


def rates_grid(*rows: list[object]) -> list[list[object]]:
    """A Taux block with its header on Excel row 2, first rate on row 3."""
    return placed([["Taux d'intérêt"], RATES, *[list(r) for r in rows]])


@pytest.mark.parametrize(
    "serie, semestre, taux, attendu",
    [
        pytest.param("bce", "2026S2", 2.15, {("bce", "2026S2"): Decimal("2.15")},
                     id="taux BCE en nombre"),
        pytest.param("BCE", "2026 s1", "2,40 %", {("bce", "2026S1"): Decimal("2.40")},
                     id="texte français"),
        pytest.param("legal_particuliers", "2026S2", "6,65",
                     {("legal_particuliers", "2026S2"): Decimal("6.65")}, id="légal particuliers"),
        pytest.param("Legal autres", "2026S2", 0.05, {("legal_autres", "2026S2"): Decimal("0.05")},
                     id="petit taux gardé en pourcentage"),
    ],
)  # fmt: skip
def test_taux(serie, semestre, taux, attendu):
    """Taux rows become Settings.rates[(série, semestre)] in percent."""
    settings, anomalies = parse_settings(rates_grid([serie, semestre, taux, "Banque de France"]))
    assert settings.rates == attendu and anomalies == []


@pytest.mark.parametrize(
    "ligne, message",
    [
        pytest.param(["bce", "S2 2026", 2.15, None],
                     "Paramètres!B3 : semestre invalide « S2 2026 » (attendu AAAAS1 ou AAAAS2, "
                     "ex. 2026S2).", id="semestre à l'envers"),
        pytest.param(["bce", "2026S3", 2.15, None], "Paramètres!B3 : semestre invalide",
                     id="troisième semestre"),
        pytest.param(["bce", dt.datetime(2026, 7, 1), 2.15, None],
                     "Paramètres!B3 : semestre invalide", id="une date au lieu d'un semestre"),
        pytest.param(["euribor", "2026S2", 2.15, None],
                     "Paramètres!A3 : série « euribor » inconnue : attendu bce, "
                     "legal_particuliers ou legal_autres.", id="série inconnue"),
        pytest.param(["bce", "2026S2", "deux", None], "Paramètres!C3 : taux invalide « deux »",
                     id="taux en lettres"),
        pytest.param(["bce", "2026S2", None, "BdF"], "Paramètres!C3 : taux invalide",
                     id="taux vide"),
    ],
)  # fmt: skip
def test_taux_invalide(ligne, message):
    """A bad series, semester or rate is a ConfigError naming the cell."""
    with pytest.raises(ConfigError) as error:
        parse_settings(rates_grid(ligne))
    assert error.value.message.startswith(message)


def test_taux_en_double():
    """The same series and semester twice is refused."""
    with pytest.raises(ConfigError, match=re.escape("Paramètres!B4 : taux bce 2026S2 en double")):
        parse_settings(rates_grid(["bce", "2026S2", 2.15, None], ["bce", "2026s2", 2.4, None]))


# --- robustness -----------------------------------------------------------------------------------

CELLS = st.one_of(
    st.none(),
    st.sampled_from([*PARAMETERS, *PROCEDURES, *COLUMNS, *RATES, "particulier", "P1", "oui",
                     "précédente", "échéance", "bce", "2026S2", "Port SMTP", "Mot de passe SMTP"]),
    st.text(max_size=8),
    st.integers(-1000, 100_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)  # fmt: skip


@hypothesis.settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=8), max_size=10))
def test_toute_feuille_donne_des_reglages_ou_une_erreur_de_configuration(grid):
    """Whatever the cells, parse_settings returns Settings or raises ConfigError, nothing else."""
    try:
        settings, anomalies = parse_settings(grid)
    except ConfigError as error:
        assert error.message.startswith("Paramètres!")
    else:
        assert all(a.sheet == "Paramètres" and a.row >= 1 for a in anomalies)
        assert settings.procedures.keys() >= DEFAULT_PROCEDURES.keys()
