"""Sheets → Ledger: invoices read, rows skipped, anomalies with their rows, the other sheets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relance_xl.columns import INVOICES
from relance_xl.errors import InputError
from relance_xl.invoices import to_date, to_decimal
from relance_xl.model import ClientType, Ledger, ReadOptions, Severity, Status
from relance_xl.workbook import parse_workbook, split_numbers

D = Decimal
ERREUR, AVERTISSEMENT = Severity.ERREUR, Severity.AVERTISSEMENT

HEADERS = [
    "Client", "N° facture", "Date facture", "Échéance", "Montant TTC", "Payé", "Montant réglé",
    "Date de règlement", "Litige", "Promesse de paiement", "Objet",
]  # fmt: skip


def row(**fields: object) -> list[object]:
    """A Factures row: a valid invoice of Dupont SA, some fields replaced (``numero="F-2"``)."""
    cells = {
        "client": "Dupont SA", "numero": "F-001", "date_facture": dt.date(2026, 3, 15),
        "echeance": dt.date(2026, 4, 14), "montant": 1200.0, **fields,
    }  # fmt: skip
    by_header = {INVOICES.labels[name]: value for name, value in cells.items()}
    return [by_header.get(header) for header in HEADERS]


def with_cell(header: str, value: object) -> list[object]:
    """The valid row with one cell replaced."""
    cells = row()
    cells[HEADERS.index(header)] = value
    return cells


def read(*rows: list[object], sheets: dict | None = None, **options: object) -> Ledger:
    """Parse a workbook whose Factures sheet holds HEADERS then ``rows``."""
    return parse_workbook({"Factures": [HEADERS, *rows], **(sheets or {})}, ReadOptions(**options))


# --- factures lues --------------------------------------------------------------------------------


def test_facture_lue_dans_le_tableau():
    """A complete row becomes one line of the invoice frame, amounts in cents."""
    ledger = read(
        row(paye="non", montant_regle=200.0, litige="oui", promesse="30/04/2026", objet="Travaux")
    )
    invoice = ledger.invoices.iloc[0]
    assert (invoice["client"], invoice["number"]) == ("Dupont SA", "F-001")
    assert invoice["amount"] == 120000
    assert to_date(invoice["due_date"]) == dt.date(2026, 4, 14)
    assert to_decimal(invoice["paid_amount"]) == D("200.00")
    assert bool(invoice["disputed"]) and not bool(invoice["paid"])
    assert to_date(invoice["promise_date"]) == dt.date(2026, 4, 30)
    assert (invoice["subject"], invoice["sheet"], invoice["row"]) == ("Travaux", "Factures", 2)
    assert ledger.anomalies == ()
    assert ledger.invoice_sheet == "Factures"


def test_paye_par_une_date():
    """*Payé* holding a date means paid on that date."""
    invoice = read(with_cell("Payé", dt.date(2026, 4, 2))).invoices.iloc[0]
    assert bool(invoice["paid"])
    assert to_date(invoice["payment_date"]) == dt.date(2026, 4, 2)


def test_avoir_negatif():
    """A negative amount is a credit note, read as such."""
    assert read(with_cell("Montant TTC", "(150,00 €)")).invoices.iloc[0]["amount"] == -15000


def test_csv_tout_en_texte():
    """A CSV (every cell text, French formats) reads like a workbook."""
    ledger = read(["Dupont SA", "F-001", "15/03/2026", "14/04/2026", "1 200,00 €", "Non"])
    assert ledger.invoices.iloc[0]["amount"] == 120000
    assert ledger.anomalies == ()


def test_format_de_date_americain():
    """With MM/JJ/AAAA, text dates are month first."""
    ledger = read(with_cell("Échéance", "4/14/2026"), date_format="MM/JJ/AAAA")
    assert to_date(ledger.invoices.iloc[0]["due_date"]) == dt.date(2026, 4, 14)


def test_format_de_date_inconnu_est_fatal():
    """Only JJ/MM/AAAA and MM/JJ/AAAA exist."""
    with pytest.raises(InputError, match="format de date"):
        read(row(), date_format="AAAA/JJ/MM")


def test_numeros_de_serie_d_un_classeur_1904():
    """Date numbers of a 1904 workbook are counted from 1904."""
    ledger = parse_workbook(
        {"Factures": [HEADERS, with_cell("Échéance", 44664)]}, ReadOptions(), date1904=True
    )
    assert to_date(ledger.invoices.iloc[0]["due_date"]) == dt.date(2026, 4, 14)


# --- lignes ignorées sans anomalie ----------------------------------------------------------------

SKIPPED = [
    [None] * len(HEADERS),
    ["", "  ", None, None, None],
    ["Total", None, None, None, 1200.0],
    ["TOTAL", None, None, None, 1200.0],
    ["Total · 20 customers", None, None, None, 1200.0],
    ["Sous-total", None, None, None, 1200.0],
    [None, "Total général", None, None, 1200.0],
    [None, None, None, None, 1200.0],
    ["Montants en euros TTC, hors pénalités."],
    [None, "Voir la note de l'expert-comptable"],
    HEADERS,
]


@pytest.mark.parametrize(
    "ligne",
    SKIPPED,
    ids=[
        "ligne vide", "espaces", "Total", "TOTAL", "Total · 20 customers", "Sous-total",
        "total dans la colonne du numéro", "somme sans libellé", "note en bas",
        "note dans la colonne du numéro", "en-tête répété",
    ],
)  # fmt: skip
def test_ligne_ignoree_sans_anomalie(ligne):
    """Blank rows, totals, notes and repeated headers are neither invoices nor anomalies."""
    ledger = read(row(), ligne, row(numero="F-002"))
    assert list(ledger.invoices["number"]) == ["F-001", "F-002"]
    assert ledger.anomalies == ()


def test_client_nomme_total_reste_un_client():
    """A client called TotalEnergies with a number is an invoice, not a totals row."""
    ledger = read(row(client="TotalEnergies"), row(client="Total SA", numero="F-002"))
    assert list(ledger.invoices["client"]) == ["TotalEnergies", "Total SA"]


# --- anomalies ------------------------------------------------------------------------------------

ERREURS = [
    (with_cell("Client", None), "Client", "client absent"),
    (with_cell("N° facture", None), "N° facture", "N° facture absent"),
    (with_cell("Montant TTC", None), "Montant TTC", "montant absent"),
    (with_cell("Montant TTC", "douze"), "Montant TTC", "Montant TTC illisible : « douze »"),
    (with_cell("Échéance", "31/02/2026"), "Échéance", "Échéance illisible : date impossible"),
    (row(date_facture=None, echeance=None), "Échéance", "ni échéance ni date facture"),
    (row(date_facture="hier", echeance=None), "Date facture", "aucune date utilisable"),
    (with_cell("Payé", "peut-être"), "Payé", "Payé illisible"),
    (with_cell("Montant réglé", "beaucoup"), "Montant réglé", "Montant réglé illisible"),
    (with_cell("Date de règlement", "lundi"), "Date de règlement", "Date de règlement illisible"),
    (with_cell("Litige", "bof"), "Litige", "Litige illisible"),
    (with_cell("Payé", "#REF!"), "Payé", "erreur de formule « #REF! »"),
    (with_cell("Client", "#N/A"), "Client", "erreur de formule « #N/A »"),
]
AVERTISSEMENTS = [
    (with_cell("Échéance", None), "Échéance",
     "échéance absente : date facture + 30 jours, soit le 14/04/2026"),
    (with_cell("Montant TTC", "1 200,005"), "Montant TTC", "arrondi au centime"),
    (with_cell("Client", "Dupont\x00 SA"), "Client", "caractères de contrôle"),
    (with_cell("Échéance", dt.date(2026, 3, 1)), "Échéance",
     "échéance (01/03/2026) antérieure à la date facture (15/03/2026)"),
    (with_cell("Date facture", "hier"), "Date facture", "Date facture illisible"),
    (with_cell("Promesse de paiement", "bientôt"), "Promesse de paiement",
     "Promesse de paiement illisible"),
    (with_cell("Montant réglé", 1500), "Montant réglé", "supérieur au montant"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("ligne", "colonne", "extrait"),
    ERREURS,
    ids=[
        "sans client", "sans numéro", "sans montant", "montant illisible", "échéance impossible",
        "aucune date", "date facture illisible sans échéance", "payé illisible",
        "montant réglé illisible", "date de règlement illisible", "litige illisible",
        "#REF! dans Payé", "#N/A dans Client",
    ],
)  # fmt: skip
def test_erreur_ligne_ignoree(ligne, colonne, extrait):
    """A row that cannot be chased safely is left out, with an erreur on its cell."""
    ledger = read(row(numero="F-000"), ligne)
    (anomaly,) = ledger.anomalies
    assert (anomaly.sheet, anomaly.row, anomaly.column) == ("Factures", 3, colonne)
    assert anomaly.severity is ERREUR
    assert extrait in anomaly.message
    assert anomaly.message.endswith("; facture ignorée.")
    assert list(ledger.invoices["number"]) == ["F-000"]


@pytest.mark.parametrize(
    ("ligne", "colonne", "extrait"),
    AVERTISSEMENTS,
    ids=[
        "échéance absente",
        "montant arrondi",
        "caractère de contrôle",
        "échéance avant facture",
        "date facture illisible",
        "promesse illisible",
        "trop réglé",
    ],
)
def test_avertissement_ligne_lue(ligne, colonne, extrait):
    """A row used with an assumption is kept, with an avertissement saying which."""
    ledger = read(ligne)
    (anomaly,) = ledger.anomalies
    assert (anomaly.sheet, anomaly.row, anomaly.column) == ("Factures", 2, colonne)
    assert anomaly.severity is AVERTISSEMENT
    assert extrait in anomaly.message
    assert len(ledger.invoices) == 1


def test_echeance_calculee_avec_le_delai_des_parametres():
    """A missing due date uses the délai de paiement par défaut of Paramètres."""
    parametres = [
        ["Réglages"],
        ["Paramètre", "Valeur"],
        ["Délai de paiement par défaut (jours)", 45],
    ]
    ledger = read(with_cell("Échéance", None), sheets={"Paramètres": parametres})
    assert to_date(ledger.invoices.iloc[0]["due_date"]) == dt.date(2026, 4, 29)
    assert "+ 45 jours" in ledger.anomalies[0].message


def test_sans_colonne_echeance_un_seul_avertissement():
    """Without an Échéance column, one sheet-level warning instead of one per row."""
    grid = [["Client", "N° facture", "Date facture", "Montant"],
            ["A", "F1", dt.date(2026, 3, 1), 10], ["B", "F2", dt.date(2026, 3, 2), 20]]  # fmt: skip
    ledger = parse_workbook({"Export": grid}, ReadOptions())
    (anomaly,) = ledger.anomalies
    assert (anomaly.row, anomaly.column, anomaly.severity) == (None, "Date facture", AVERTISSEMENT)
    assert to_date(ledger.invoices.iloc[1]["due_date"]) == dt.date(2026, 4, 1)


def test_numero_en_double_premier_garde():
    """A repeated N° facture: the first row is kept, each repeat is an erreur naming it."""
    ledger = read(row(), row(client="Autre"), row(montant=5))
    assert list(ledger.invoices["client"]) == ["Dupont SA"]
    assert [(a.row, a.severity) for a in ledger.anomalies] == [(3, ERREUR), (4, ERREUR)]
    assert "N° facture « F-001 » en double (déjà ligne 2)" in ledger.anomalies[0].message


def test_numero_de_ligne_excel_sous_les_titres():
    """Anomalies carry the row number Excel shows, title rows included."""
    grid = [["Mes factures"], ["au 15/03/2026"], [], HEADERS, row(), row(numero=None)]
    ledger = parse_workbook({"Factures": grid}, ReadOptions())
    assert [(a.row, a.column) for a in ledger.anomalies] == [(6, "N° facture")]
    assert list(ledger.invoices["row"]) == [5]


def test_colonne_de_dates_melangees_signalee():
    """A column mixing Excel dates and US text dates (a US file opened in French) is flagged."""
    ledger = read(
        row(echeance=dt.date(2026, 4, 1)),
        row(numero="F-002", echeance="4/14/2026"),
        date_format="MM/JJ/AAAA",
    )
    (anomaly,) = ledger.anomalies
    assert (anomaly.row, anomaly.column, anomaly.severity) == (None, "Échéance", AVERTISSEMENT)
    assert "inversées" in anomaly.message


# --- choix de la feuille --------------------------------------------------------------------------


def test_feuille_factures_preferee():
    """The sheet named Factures is the invoice sheet, whatever the order."""
    sheets = {"Export": [HEADERS, row(numero="X")], "factures": [HEADERS, row()]}
    assert parse_workbook(sheets, ReadOptions()).invoice_sheet == "factures"


def test_premiere_feuille_avec_en_tete():
    """Without Factures, the first sheet whose header row is found."""
    sheets = {"Notes": [["Bonjour"]], "Clients": [["Client"]], "Export": [HEADERS, row()]}
    ledger = parse_workbook(sheets, ReadOptions())
    assert (ledger.invoice_sheet, len(ledger.invoices)) == ("Export", 1)


def test_feuille_demandee():
    """``--feuille`` names the sheet, compared without case or accents."""
    sheets = {"Factures": [HEADERS, row()], "Année 2025": [HEADERS, row(numero="X")]}
    ledger = parse_workbook(sheets, ReadOptions(sheet="annee 2025"))
    assert list(ledger.invoices["number"]) == ["X"]


def test_feuille_demandee_absente():
    """A sheet that does not exist stops with the list of sheets."""
    with pytest.raises(InputError, match=r"feuille « Archives » introuvable.*« Factures »"):
        parse_workbook({"Factures": [HEADERS]}, ReadOptions(sheet="Archives"))


def test_aucune_feuille_de_factures():
    """No sheet with the required columns stops with the list of sheets."""
    sheets = {"Notes": [["Bonjour"]], "Budget": [["Poste", "Montant"]]}
    with pytest.raises(InputError, match=r"aucune feuille de factures.*« Notes », « Budget »"):
        parse_workbook(sheets, ReadOptions())


def test_colonne_obligatoire_absente():
    """A single sheet lacking the amount column: the message names it and the headers found."""
    sheets = {"Export": [["Client", "N° facture", "Échéance"], ["A", "F1", "01/03/2026"]]}
    with pytest.raises(InputError, match=r"colonne Montant TTC introuvable.*« Échéance »"):
        parse_workbook(sheets, ReadOptions())


def test_correspondance_de_la_ligne_de_commande():
    """``--colonne montant=Reste`` picks that column; it wins over Paramètres."""
    grid = [["Client", "N° facture", "Échéance", "Montant TTC", "Reste"],
            ["A", "F1", "01/03/2026", 100, 40]]  # fmt: skip
    columns = [["Colonnes"], ["Champ", "En-tête"], ["montant", "Montant TTC"]]
    sheets = {"Factures": grid, "Paramètres": columns}
    assert read_amount(sheets, ReadOptions()) == 10000
    assert read_amount(sheets, ReadOptions(columns={"montant": "Reste"})) == 4000


def read_amount(sheets: dict, options: ReadOptions) -> int:
    """The amount (cents) of the first invoice."""
    return int(parse_workbook(sheets, options).invoices.iloc[0]["amount"])


# --- Clients --------------------------------------------------------------------------------------

CLIENT_HEADERS = ["Client", "Type", "Raison sociale", "Code postal", "Taux contractuel",
                  "Ne pas relancer", "Suivi"]  # fmt: skip


@pytest.mark.parametrize(
    ("mot", "attendu"),
    [("professionnel", ClientType.PROFESSIONNEL), ("Pro", ClientType.PROFESSIONNEL),
     ("Société", ClientType.PROFESSIONNEL), ("B2B", ClientType.PROFESSIONNEL),
     ("Particulier", ClientType.PARTICULIER), ("consommateur", ClientType.PARTICULIER),
     ("B2C", ClientType.PARTICULIER), ("Administration", ClientType.ADMINISTRATION),
     ("collectivité", ClientType.ADMINISTRATION), ("acheteur public", ClientType.ADMINISTRATION),
     (None, ClientType.PROFESSIONNEL)],
    ids=["professionnel", "pro", "société", "B2B", "particulier", "consommateur", "B2C",
         "administration", "collectivité", "acheteur public", "vide"],
)  # fmt: skip
def test_type_de_client(mot, attendu):
    """Type words in French (and B2B/B2C) give the client type; blank is professionnel."""
    clients = [CLIENT_HEADERS, ["Dupont SA", mot]]
    ledger = read(row(), sheets={"Clients": clients})
    assert ledger.clients["Dupont SA"].type is attendu
    assert ledger.anomalies == ()


def test_type_inconnu_avertit_et_vaut_professionnel():
    """An unknown type is an avertissement, and the client is treated as professionnel."""
    ledger = read(row(), sheets={"Clients": [CLIENT_HEADERS, ["Dupont SA", "grossiste"]]})
    assert ledger.clients["Dupont SA"].type is ClientType.PROFESSIONNEL
    (anomaly,) = ledger.anomalies
    assert (anomaly.sheet, anomaly.row, anomaly.column) == ("Clients", 2, "Type")


def test_fiche_client_complete():
    """Raison sociale, code postal, taux, ne pas relancer and suivi are read."""
    clients = [CLIENT_HEADERS, ["Dupont SA", "pro", "DUPONT & FILS", 1000, "0,15", "oui",
                                "mauvais payeur"]]  # fmt: skip
    ledger = read(row(), sheets={"Clients": clients})
    client = ledger.clients["Dupont SA"]
    assert (client.name, client.postcode, client.contract_rate) == ("DUPONT & FILS", "01000", 15)
    assert client.do_not_chase and client.watch and client.row == 2
    assert [a.column for a in ledger.anomalies] == ["Code postal"]


def test_client_absent_de_la_feuille_clients():
    """An invoice client missing from Clients gets defaults and an avertissement on its row."""
    ledger = read(row(), row(client="Martin", numero="F-2"), sheets={"Clients": [
        CLIENT_HEADERS, ["Dupont SA"]]})  # fmt: skip
    assert ledger.clients["Martin"].type is ClientType.PROFESSIONNEL
    (anomaly,) = ledger.anomalies
    assert (anomaly.sheet, anomaly.row, anomaly.severity) == ("Factures", 3, AVERTISSEMENT)
    assert "« Martin » absent de la feuille Clients" in anomaly.message


def test_sans_feuille_clients_pas_d_avertissement():
    """Without a Clients sheet every client has the defaults, silently."""
    ledger = read(row())
    assert ledger.clients["Dupont SA"].row == 0
    assert ledger.anomalies == ()


def test_meme_client_ecrit_autrement():
    """``DUPONT sa`` in Factures is the ``Dupont SA`` of Clients."""
    ledger = read(row(client="DUPONT  sa"), sheets={"Clients": [CLIENT_HEADERS, ["Dupont SA"]]})
    assert list(ledger.invoices["client"]) == ["Dupont SA"]
    assert set(ledger.clients) == {"Dupont SA"}


def test_client_en_double():
    """A client listed twice: the first row counts, the second is an erreur."""
    clients = [CLIENT_HEADERS, ["Dupont SA", "pro"], ["dupont sa", "particulier"]]
    ledger = read(row(), sheets={"Clients": clients})
    assert ledger.clients["Dupont SA"].type is ClientType.PROFESSIONNEL
    assert [(a.sheet, a.row, a.severity) for a in ledger.anomalies] == [("Clients", 3, ERREUR)]


# --- Historique et Échéanciers --------------------------------------------------------------------

HISTORY_HEADERS = ["Date", "Client", "N° facture", "Niveau", "Action", "Canal", "Statut",
                   "Montant réclamé"]  # fmt: skip


@pytest.mark.parametrize(
    ("statut", "attendu"),
    [(None, Status.ENVOYE), ("fait", Status.ENVOYE), ("oui", Status.ENVOYE),
     ("Envoyé", Status.ENVOYE), ("proposé", Status.PROPOSE), ("annulé", Status.ANNULE)],
    ids=["vide", "fait", "oui", "envoyé", "proposé", "annulé"],
)  # fmt: skip
def test_statut_de_l_historique(statut, attendu):
    """Blank, fait, oui, envoyé mean done; proposé and annulé are kept as such."""
    history = [HISTORY_HEADERS, [dt.date(2026, 4, 15), "Dupont SA", "F-001", 1, "relance", "email",
                                 statut]]  # fmt: skip
    (entry,) = read(row(), sheets={"Historique": history}).history
    assert entry.status is attendu


def test_statut_inconnu_vaut_propose():
    """An unknown status is not taken as done: proposé, with an avertissement."""
    history = [HISTORY_HEADERS, [dt.date(2026, 4, 15), "Dupont SA", "F-001", 1, "", "", "???"]]
    ledger = read(row(), sheets={"Historique": history})
    assert ledger.history[0].status is Status.PROPOSE
    assert [(a.sheet, a.column) for a in ledger.anomalies] == [("Historique", "Statut")]


def test_plusieurs_factures_dans_une_ligne():
    """``F-001, F-002`` in one cell: one entry per invoice, same date and level."""
    history = [HISTORY_HEADERS, ["16/04/2026", "dupont sa", "F-001, F-002", "niveau 2", "", "",
                                 "", "1 250,00"]]  # fmt: skip
    entries = read(row(), sheets={"Historique": history}).history
    assert [(e.invoice, e.level, e.client, e.amount) for e in entries] == [
        ("F-001", "2", "Dupont SA", D("1250.00")),
        ("F-002", "2", "Dupont SA", D("1250.00")),
    ]


@pytest.mark.parametrize(
    ("ligne", "colonne"),
    [(["hier", "Dupont SA", "F-001", 1], "Date"), ([None, "Dupont SA", "F-001", 1], "Date"),
     ([dt.date(2026, 4, 15), None, "F-001", 1], "Client")],
    ids=["date illisible", "sans date", "sans client"],
)  # fmt: skip
def test_ligne_d_historique_illisible(ligne, colonne):
    """A history row without a usable date or client is left out with an erreur."""
    ledger = read(row(), sheets={"Historique": [HISTORY_HEADERS, ligne]})
    assert ledger.history == ()
    assert [(a.row, a.column, a.severity) for a in ledger.anomalies] == [(2, colonne, ERREUR)]


@pytest.mark.parametrize(
    ("niveau", "anomalies"),
    [(None, []), ("bientôt", [(2, "Niveau", AVERTISSEMENT)])],
    ids=["sans niveau : une note", "niveau illisible : une note signalée"],
)
def test_ligne_d_historique_sans_niveau(niveau, anomalies):
    """A call or a note without a level is kept with level "", which moves no escalation."""
    note = [dt.date(2026, 4, 15), "Dupont SA", "F-001", niveau, "appel", "téléphone", "fait"]
    ledger = read(row(), sheets={"Historique": [HISTORY_HEADERS, note]})
    assert [(e.level, e.action, e.status) for e in ledger.history] == [("", "appel", Status.ENVOYE)]
    assert [(a.row, a.column, a.severity) for a in ledger.anomalies] == anomalies


def test_historique_vide_ou_sans_en_tete():
    """An empty Historique is no history; one with data but no header row is fatal."""
    assert read(row(), sheets={"Historique": [[None]]}).history == ()
    with pytest.raises(InputError, match="Historique"):
        read(row(), sheets={"Historique": [["15/04/2026", "Dupont SA"]]})


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [("F1", ["F1"]), ("F1, F2", ["F1", "F2"]), ("F1;F2 ; F3", ["F1", "F2", "F3"]), ("", [""])],
    ids=["une", "virgule", "points-virgules", "aucune (note du client)"],
)
def test_numeros_separes(texte, attendu):
    """Invoice numbers of a history cell are split on commas and semicolons."""
    assert split_numbers(texte) == attendu


def test_echeancier():
    """Each Échéanciers row is an instalment; an incomplete row is an erreur."""
    plans = [["Client", "N° facture", "Date", "Montant"],
             ["Dupont SA", "F-001", "30/04/2026", "600"],
             ["Dupont SA", "F-001", "31/05/2026", None]]  # fmt: skip
    ledger = read(row(), sheets={"Échéanciers": plans})
    (instalment,) = ledger.instalments
    assert (instalment.date, instalment.amount, instalment.row) == (dt.date(2026, 4, 30), 600, 2)
    assert [(a.sheet, a.row, a.column) for a in ledger.anomalies] == [("Échéanciers", 3, "Montant")]


# --- propriété ------------------------------------------------------------------------------------

CELL = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["Total", "oui", "non", "15/03/2026", "3/15/2026", "1 234,56", "F-1"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.booleans(),
    st.dates(),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=0, max_size=len(HEADERS)), max_size=12))
def test_toute_feuille_donne_un_grand_livre(rows):
    """Any rows under the header give a Ledger: each row is an invoice, skipped or an anomaly."""
    ledger = read(*rows)
    erreur_rows = {a.row for a in ledger.anomalies if a.severity is ERREUR}
    kept_rows = set(ledger.invoices["row"])
    assert not erreur_rows & kept_rows
    assert all(2 <= r <= len(rows) + 1 for r in erreur_rows | kept_rows)
    assert ledger.invoices["number"].is_unique
