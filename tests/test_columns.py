"""Header synonyms (French and English), header-row detection and the explicit column mapping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relance_xl.columns import (
    CLIENTS,
    FIELDS,
    HISTORY,
    INVOICE_FIELDS,
    INVOICES,
    PLANS,
    find_header,
    header_key,
    require_header,
    resolve_mapping,
)
from relance_xl.errors import InputError
from relance_xl.model import INVOICE_COLUMNS

SYNONYMES = [
    ("Client", "client"), ("Nom du client", "client"), ("Customer", "client"),
    ("customerID", "client"), ("Contact", "client"), ("client_name", "client"),
    ("N° facture", "numero"), ("Nº facture", "numero"), ("Numéro de facture", "numero"),
    ("Invoice #", "numero"), ("invoiceNumber", "numero"), ("Invoice Number", "numero"),
    ("invoice_id", "numero"), ("Date facture", "date_facture"), ("InvoiceDate", "date_facture"),
    ("Issue Date", "date_facture"), ("Échéance", "echeance"), ("Date d'échéance", "echeance"),
    ("Date règlement prévu", "echeance"), ("Due Date", "echeance"), ("DueDate", "echeance"),
    ("due_date", "echeance"), ("Montant TTC", "montant"), ("Montant dû TTC", "montant"),
    ("Montant", "montant"), ("Invoice Amount", "montant"), ("InvoiceAmount", "montant"),
    ("amount", "montant"), ("Total", "montant"), ("Payé", "paye"), ("Réglé ?", "paye"),
    ("Payé oui ou non", "paye"), ("Montant réglé", "montant_regle"),
    ("Date de règlement", "date_reglement"), ("Settled Date", "date_reglement"),
    ("SettledDate", "date_reglement"), ("Litige", "litige"), ("Disputed", "litige"),
    ("Motif du litige", "motif_litige"), ("Promesse de paiement", "promesse"),
    ("Objet", "objet"), ("description", "objet"), ("Date du devis", "date_commande"),
    ("N° de commande", "numero_commande"), ("Commentaire", "commentaire"),
    ("  MONTANT   TTC ", "montant"), ("Status", None), ("Open Advance (ILS)", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("en_tete", "champ"), SYNONYMES, ids=[f"{h.strip()} -> {f}" for h, f in SYNONYMES]
)
def test_synonyme_d_en_tete(en_tete, champ):
    """French and English headers, in any case, accents or spacing, name the same field."""
    assert INVOICES.field_of(en_tete) == champ


@pytest.mark.parametrize(
    ("en_tete", "cle"),
    [("Date d'échéance", "datedecheance"), ("Due Date", "duedate"), ("due_date", "duedate"),
     ("DueDate", "duedate"), ("N° facture", "nfacture")],
    ids=["français", "anglais", "souligné", "collé", "symbole degré"],
)  # fmt: skip
def test_cle_d_en_tete(en_tete, cle):
    """A header key ignores case, accents, punctuation and spaces."""
    assert header_key(en_tete) == cle


def test_chaque_champ_va_dans_une_colonne_du_tableau_des_factures():
    """Every field of ``--colonne`` has a column in the invoice frame, and a template header."""
    assert set(INVOICE_FIELDS.values()) <= set(INVOICE_COLUMNS)
    assert set(FIELDS) == set(INVOICES.labels)


@pytest.mark.parametrize("spec", [INVOICES, CLIENTS, HISTORY, PLANS],
                         ids=["Factures", "Clients", "Historique", "Échéanciers"])  # fmt: skip
def test_aucun_synonyme_pour_deux_champs(spec):
    """A header never stands for two fields of the same sheet."""
    owners: dict[str, str] = {}
    for name, label in spec.labels.items():
        for header in (label, name, *spec.synonyms.get(name, ())):
            assert owners.setdefault(header_key(header), name) == name, header


TITRE = [
    ["Suivi des factures 2026", None, None, None],
    ["Édité le 15/03/2026", None, None, None],
    [None, None, None, None],
]
EN_TETES = ["Client", "N° facture", "Échéance", "Montant TTC"]


@pytest.mark.parametrize("lignes_au_dessus", [0, 1, 3, 29], ids=["ligne 1", "ligne 2", "ligne 4",
                                                                 "ligne 30"])  # fmt: skip
def test_ligne_d_en_tete_trouvee_sous_les_titres(lignes_au_dessus):
    """The header row is found wherever it is among the first 30 rows."""
    grid = [["note"] * 2] * lignes_au_dessus + [EN_TETES, ["Dupont", "F1", "15/03/2026", 10]]
    header = find_header(grid, INVOICES)
    assert header is not None
    assert header.excel_row == lignes_au_dessus + 1
    assert header.columns == {"client": 0, "numero": 1, "echeance": 2, "montant": 3}


def test_en_tete_trop_bas_non_trouve():
    """Below row 30 a header row is not looked for."""
    assert find_header([["note"]] * 30 + [EN_TETES], INVOICES) is None


def test_en_tete_decale_a_droite():
    """A table starting in column C is found with the right column numbers."""
    grid = [*TITRE, [None, None, *EN_TETES]]
    header = find_header(grid, INVOICES)
    assert header is not None
    assert (header.index, header.columns["client"], header.label("montant")) == (
        3,
        2,
        "Montant TTC",
    )


def test_date_facture_suffit_sans_echeance():
    """Échéance or Date facture: either one makes a header row."""
    header = find_header([["Client", "N° facture", "Date facture", "Montant"]], INVOICES)
    assert header is not None
    assert "echeance" not in header.columns


def test_premiere_colonne_l_emporte_pour_un_champ_en_double():
    """Two columns for the same field: the first one is used."""
    header = find_header([["Client", "Customer", "N° facture", "Échéance", "Montant"]], INVOICES)
    assert header is not None
    assert header.columns["client"] == 0


def test_correspondance_explicite_gagne_sur_les_synonymes():
    """``montant = Open Advance (ILS)`` makes that column the amount, even with a Total column."""
    grid = [["Invoice #", "Customer", "Due Date", "Total", "Open Advance (ILS)"]]
    header = find_header(grid, INVOICES, {"montant": "open advance (ils)"})
    assert header is not None
    assert header.columns["montant"] == 4
    assert header.label("montant") == "Open Advance (ILS)"


def test_correspondance_vers_un_en_tete_absent_est_fatale():
    """A mapping naming a header that is not there stops with a French message naming it."""
    grid = [["Invoice #", "Customer", "Due Date", "Total"]]
    with pytest.raises(InputError) as error:
        require_header(grid, INVOICES, "Open Invoices", {"montant": "Open Advance"})
    assert "« Open Advance »" in error.value.message
    assert "« Open Invoices »" in error.value.message
    assert "« Total »" in error.value.message


def test_colonne_obligatoire_absente_est_fatale():
    """A missing required column stops with its name and the headers found."""
    grid = [["Rapport"], ["Client", "N° facture", "Montant"], ["Dupont", "F1", 10]]
    with pytest.raises(InputError) as error:
        require_header(grid, INVOICES, "Factures")
    message = error.value.message
    assert "colonne Échéance ou Date facture introuvable" in message
    assert "« Client », « N° facture », « Montant »" in message


def test_feuille_vide_est_fatale():
    """An empty sheet cannot hold invoices."""
    with pytest.raises(InputError, match="est vide"):
        require_header([[None, ""]], INVOICES, "Factures")


@pytest.mark.parametrize(
    ("nom", "champ"),
    [("montant", "montant"), ("Date facture", "date_facture"), ("date_facture", "date_facture"),
     ("N° facture", "numero"), ("ÉCHÉANCE", "echeance")],
    ids=["nom du champ", "avec espace", "souligné", "en-tête du modèle", "majuscules"],
)  # fmt: skip
def test_nom_de_champ_accepte(nom, champ):
    """A field is named as in ``--colonne`` or by its template header."""
    assert resolve_mapping({nom: "X"}) == {champ: "X"}


def test_champ_inconnu_est_fatal():
    """An unknown field name stops with the list of fields."""
    with pytest.raises(InputError, match="champ de colonne inconnu « taille »"):
        resolve_mapping({"taille": "X"})


def test_ligne_de_commande_gagne_sur_parametres():
    """``--colonne`` wins over the Colonnes table of Paramètres, which fills the rest."""
    merged = resolve_mapping({"montant": "Total HT"}, {"montant": "Montant", "client": "Nom"})
    assert merged == {"montant": "Total HT", "client": "Nom"}


@given(st.lists(st.lists(st.one_of(st.none(), st.text(max_size=12), st.floats()), max_size=6),
                max_size=8))  # fmt: skip
def test_detection_sur_grille_quelconque(grid):
    """Any grid gives a header or None, never an exception."""
    header = find_header(grid, INVOICES)
    assert header is None or header.index < len(grid)
