"""The workbook template: sheets, tables, drop-downs, formats, sample data for 23/11/2026."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries
from python_calamine import CalamineWorkbook

from relance_xl.procedures import DEFAULT_PROCEDURES
from relance_xl.settings import parse_settings

PROJECT = Path(__file__).resolve().parents[1]
SCRIPT = PROJECT / "scripts" / "build_template.py"
AS_OF = dt.date(2026, 11, 23)


def _load_script():
    spec = importlib.util.spec_from_file_location("build_template", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_template = _load_script()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A freshly built template."""
    return build_template.build(tmp_path_factory.mktemp("modele") / "modele.xlsx")


@pytest.fixture(scope="module")
def book(template) -> openpyxl.Workbook:
    """The template as openpyxl reads it."""
    return openpyxl.load_workbook(template)


@pytest.fixture(scope="module")
def grids(template) -> dict[str, list[list[object]]]:
    """Every sheet as python-calamine reads it (grid from A1)."""
    workbook = CalamineWorkbook.from_path(str(template))
    return {
        name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in workbook.sheet_names
    }


def _records(grid: list[list[object]]) -> list[dict[str, object]]:
    header, *rows = grid
    return [dict(zip(header, row, strict=True)) for row in rows if any(c != "" for c in row)]


@pytest.fixture(scope="module")
def invoices(grids) -> list[dict[str, object]]:
    return _records(grids["Factures"])


@pytest.fixture(scope="module")
def clients(grids) -> list[dict[str, object]]:
    return _records(grids["Clients"])


@pytest.fixture(scope="module")
def history(grids) -> list[dict[str, object]]:
    return _records(grids["Historique"])


def _unpaid(invoice: dict[str, object]) -> bool:
    return invoice["Payé"] == "non" and invoice["Date de règlement"] == ""


# --- structure ------------------------------------------------------------------------------------


def test_feuilles_dans_l_ordre(book, grids):
    """openpyxl and calamine both see the six sheets in the documented order."""
    expected = ["Factures", "Clients", "Historique", "Échéanciers", "Paramètres", "xlwings.conf"]
    assert book.sheetnames == expected
    assert list(grids) == expected


@pytest.mark.parametrize(
    "feuille, entetes",
    [
        pytest.param("Factures", build_template.INVOICE_HEADERS, id="Factures"),
        pytest.param("Clients", build_template.CLIENT_HEADERS, id="Clients"),
        pytest.param("Historique", build_template.HISTORY_HEADERS, id="Historique"),
        pytest.param("Échéanciers", build_template.PLAN_HEADERS, id="Échéanciers"),
    ],
)
def test_entetes_canoniques_en_ligne_1_dans_un_tableau_fige(book, grids, feuille, entetes):
    """Row 1 holds the canonical headers, inside an Excel Table, with the header row frozen."""
    sheet = book[feuille]
    assert tuple(grids[feuille][0]) == entetes
    (table,) = sheet.tables.values()
    assert range_boundaries(table.ref) == (1, 1, len(entetes), sheet.max_row)
    assert table.tableStyleInfo.name
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize(
    "feuille, entetes",
    [
        pytest.param("Factures", build_template.INVOICE_HEADERS, id="Factures"),
        pytest.param("Clients", build_template.CLIENT_HEADERS, id="Clients"),
        pytest.param("Historique", build_template.HISTORY_HEADERS, id="Historique"),
        pytest.param("Échéanciers", build_template.PLAN_HEADERS, id="Échéanciers"),
        pytest.param("Procédures", build_template.PROCEDURE_HEADERS, id="Procédures"),
    ],
)
def test_entetes_conformes_a_l_architecture(feuille, entetes):
    """The template's headers are the canonical ones of docs/architecture.md, in order."""
    architecture = (PROJECT / "docs" / "architecture.md").read_text(encoding="utf-8")
    if feuille == "Procédures":
        documented = re.search(r"`(Type de client \|[^`]*)`", architecture).group(1).split(" | ")
    else:
        paragraph = re.search(rf"- \*\*{feuille}\*\*[^:]*:(.*?)(?=\n- |\Z)", architecture, re.S)
        documented = re.findall(r"`([^`]+)`", re.sub(r"\([^)]*\)", "", paragraph.group(1)))
    assert tuple(documented) == entetes


@pytest.mark.parametrize(
    "feuille, entete, choix",
    [
        pytest.param("Factures", "Payé", "oui,non", id="Factures.Payé"),
        pytest.param("Factures", "Litige", "oui,non", id="Factures.Litige"),
        pytest.param(
            "Clients", "Type", "particulier,professionnel,administration", id="Clients.Type"
        ),
        pytest.param("Clients", "Ne pas relancer", "oui,non", id="Clients.Ne pas relancer"),
        pytest.param("Clients", "Suivi", "nouveau,mauvais payeur", id="Clients.Suivi"),
        pytest.param("Historique", "Statut", "proposé,envoyé,annulé", id="Historique.Statut"),
        pytest.param(
            "Paramètres", "Référence", "facture,échéance,précédente", id="Procédures.Référence"
        ),
    ],
)
def test_listes_deroulantes(book, grids, feuille, entete, choix):
    """Closed lists are drop-down validations covering the column's data cells."""
    sheet = book[feuille]
    header_row = next(i for i, row in enumerate(grids[feuille], 1) if entete in row)
    column = get_column_letter(grids[feuille][header_row - 1].index(entete) + 1)
    first_cell = f"{column}{header_row + 1}"
    found = [
        v
        for v in sheet.data_validations.dataValidation
        if first_cell in v.sqref and v.type == "list"
    ]
    assert len(found) == 1
    assert found[0].formula1 == f'"{choix}"'


@pytest.mark.parametrize(
    "feuille, entete, format_attendu",
    [
        pytest.param("Factures", "Date facture", "dd/mm/yyyy", id="date facture"),
        pytest.param("Factures", "Échéance", "dd/mm/yyyy", id="échéance"),
        pytest.param("Factures", "Montant TTC", '#,##0.00\\ "€"', id="montant TTC"),
        pytest.param("Factures", "Montant réglé", '#,##0.00\\ "€"', id="montant réglé"),
        pytest.param("Historique", "Date", "dd/mm/yyyy", id="date de relance"),
        pytest.param("Historique", "Montant réclamé", '#,##0.00\\ "€"', id="montant réclamé"),
        pytest.param("Échéanciers", "Montant", '#,##0.00\\ "€"', id="montant d'échéance"),
    ],
)
def test_formats_francais(book, grids, feuille, entete, format_attendu):
    """Dates show as 23/11/2026 and amounts as 1 234,56 € in a French Excel."""
    column = grids[feuille][0].index(entete) + 1
    assert book[feuille].cell(2, column).number_format == format_attendu


def test_largeurs_de_colonnes(book):
    """Every header column of the data sheets has an explicit width."""
    for name in ("Factures", "Clients", "Historique", "Échéanciers"):
        sheet = book[name]
        for column in range(1, sheet.max_column + 1):
            letter = get_column_letter(column)
            assert sheet.column_dimensions[letter].width >= 7, (name, letter)


def test_parametres_en_blocs_titres(book, grids):
    """Each Paramètres table sits under a bold title cell."""
    sheet = book["Paramètres"]
    names = {"Parametres", "Procedures", "Colonnes", "Taux"}
    assert set(sheet.tables) == names
    for table in sheet.tables.values():
        header_row = int(table.ref.split(":")[0][1:])
        assert sheet.cell(header_row - 1, 1).font.bold, table.displayName
        assert sheet.cell(header_row - 1, 1).value


def test_mode_d_emploi_dans_parametres(grids):
    """The help text lives in Paramètres, above the tables."""
    first_column = [row[0] for row in grids["Paramètres"][:10]]
    assert "Mode d'emploi" in first_column


def test_xlwings_conf(grids):
    """xlwings.conf: UDF Modules and Show Console as key/value from A1, no header."""
    assert grids["xlwings.conf"] == [
        ["UDF Modules", "relance_xl.excel"],
        ["Show Console", "False"],
    ]


def test_parametres_relus_donnent_les_procedures_par_defaut(grids):
    """The Procédures table of the template is DEFAULT_PROCEDURES, read back without anomaly."""
    settings, anomalies = parse_settings(grids["Paramètres"])
    assert anomalies == []
    assert settings.procedures == DEFAULT_PROCEDURES
    assert settings.default_term_days == 30
    assert str(settings.minimum_amount) == "10.00"
    assert settings.preventive_for_all is False
    assert settings.contract_rate is None
    assert settings.output_folder == "" and settings.templates_folder == ""
    assert (settings.smtp.port, settings.smtp.security) == (587, "starttls")
    assert settings.smtp.password_env == "RELANCE_SMTP_MOT_DE_PASSE"
    assert settings.columns == {} and settings.rates == {}


def test_creancier_sarl_lyonnaise(grids):
    """The creditor is a SARL in Lyon with a Luhn-valid SIREN and an IBAN FR76 of valid key."""
    creditor = parse_settings(grids["Paramètres"])[0].creditor
    assert "SARL" in creditor.name and creditor.city == "Lyon"
    digits = [int(c) for c in creditor.siren.replace(" ", "")]
    assert len(digits) == 9
    luhn = sum(
        d if i % 2 == 0 else (2 * d) // 10 + (2 * d) % 10 for i, d in enumerate(digits[::-1])
    )
    assert luhn % 10 == 0
    iban = creditor.iban.replace(" ", "")
    assert iban.startswith("FR76") and len(iban) == 27
    assert int("".join(str(int(c, 36)) for c in iban[4:] + iban[:4])) % 97 == 1


# --- sample data ----------------------------------------------------------------------------------


def test_clients_des_trois_types(clients):
    """At least 12 clients, of the three types, with address, email and phone."""
    assert len(clients) >= 12
    types = Counter(c["Type"] for c in clients)
    assert set(types) == {"particulier", "professionnel", "administration"}
    for client in clients:
        assert client["Adresse"] and client["Code postal"] and client["Ville"]
        assert client["Email"].endswith(("@example.fr", "@example.com")), client["Email"]
        assert client["Téléphone"].startswith("0")


def test_quarante_factures_de_clients_connus(invoices, clients):
    """At least 40 invoices, each for a client of the Clients sheet, numbers unique."""
    assert len(invoices) >= 40
    keys = {c["Client"] for c in clients}
    assert {i["Client"] for i in invoices} <= keys
    numbers = [i["N° facture"] for i in invoices]
    assert len(numbers) == len(set(numbers))


@pytest.mark.parametrize(
    "tranche, mini, maxi",
    [
        pytest.param("non échu", -10_000, 0, id="non échu"),
        pytest.param("1-30", 1, 30, id="1 à 30 jours"),
        pytest.param("31-60", 31, 60, id="31 à 60 jours"),
        pytest.param("61-90", 61, 90, id="61 à 90 jours"),
        pytest.param("> 90", 91, 10_000, id="plus de 90 jours"),
    ],
)
def test_chaque_tranche_d_anciennete(invoices, tranche, mini, maxi):
    """Every age bucket of the balance holds unpaid invoices on 23/11/2026."""
    ages = [(AS_OF - i["Échéance"]).days for i in invoices if _unpaid(i) and i["Échéance"]]
    assert sum(mini <= age <= maxi for age in ages) >= 2, tranche


def test_reglement_partiel(invoices):
    """One unpaid invoice has a partial payment."""
    assert any(
        _unpaid(i) and 0 < i["Montant réglé"] < i["Montant TTC"]
        for i in invoices
        if i["Montant réglé"]
    )


def test_avoir_negatif(invoices):
    """A credit note: a negative Montant TTC."""
    assert any(i["Montant TTC"] < 0 for i in invoices)


def test_litige_avec_motif(invoices):
    """A disputed unpaid invoice gives its reason."""
    assert any(_unpaid(i) and i["Litige"] == "oui" and i["Motif du litige"] for i in invoices)


def test_promesse_de_paiement_a_venir(invoices):
    """A payment promise dated after 23/11/2026 on an overdue invoice."""
    assert any(
        i["Promesse de paiement"] and i["Promesse de paiement"] > AS_OF > i["Échéance"]
        for i in invoices
    )


def test_client_a_ne_pas_relancer_avec_impayes(invoices, clients):
    """A client marked « ne pas relancer » has overdue invoices (nothing must be proposed)."""
    blocked = {c["Client"] for c in clients if c["Ne pas relancer"] == "oui"}
    assert any(i["Client"] in blocked and _unpaid(i) and i["Échéance"] < AS_OF for i in invoices)


def test_nom_avec_caracteres_speciaux(clients, invoices):
    """A client name with &, < and accents, also used in Factures."""
    special = [c["Client"] for c in clients if "&" in c["Client"] and "<" in c["Client"]]
    assert special and any(ch in special[0] for ch in "éèÉ")
    assert any(i["Client"] == special[0] for i in invoices)


def test_echeance_manquante(invoices):
    """An unpaid invoice without a due date (the reader warns and uses the default term)."""
    assert any(_unpaid(i) and i["Échéance"] == "" and i["Date facture"] for i in invoices)


def test_client_nouveau_avec_factures_non_echues(invoices, clients):
    """A client flagged « nouveau » has invoices not yet due (preventive calls)."""
    watched = {c["Client"] for c in clients if c["Suivi"] == "nouveau"}
    assert any(i["Client"] in watched and i["Échéance"] > AS_OF for i in invoices)


def test_factures_payees(invoices):
    """Paid invoices, with and without a settlement date."""
    paid = [i for i in invoices if i["Payé"] == "oui"]
    assert len(paid) >= 5
    assert any(i["Date de règlement"] for i in paid) and any(
        not i["Date de règlement"] for i in paid
    )


def test_mentions_citees_par_les_courriers(invoices):
    """Objet, Date du devis and N° de commande are filled on most invoices."""
    for column in ("Objet", "Date du devis", "N° de commande"):
        filled = sum(bool(i[column]) for i in invoices)
        assert filled >= 0.7 * len(invoices), column


def test_echeancier_de_trois_echeances_honore(grids, invoices):
    """A 3-instalment plan covers one invoice and is honoured on 23/11/2026."""
    plans = _records(grids["Échéanciers"])
    assert len(plans) == 3 and len({(p["Client"], p["N° facture"]) for p in plans}) == 1
    invoice = next(i for i in invoices if i["N° facture"] == plans[0]["N° facture"])
    assert sum(p["Montant"] for p in plans) == invoice["Montant TTC"]
    due_so_far = sum(p["Montant"] for p in plans if p["Date"] <= AS_OF)
    assert 0 < due_so_far <= invoice["Montant réglé"] < invoice["Montant TTC"]


@pytest.mark.parametrize("niveau", [1, 2, 3, 4], ids=lambda n: f"niveau {n} envoyé")
def test_historique_a_chaque_niveau(history, niveau):
    """Some client's last sent step is at this level."""
    assert any(h["Niveau"] == niveau and h["Statut"] == "envoyé" for h in history)


def test_prochaine_etape_due_autour_du_23_novembre(history, clients):
    """After the last sent step, the next level of the procedure falls within a week of 23/11."""
    types = {c["Client"]: c["Type"] for c in clients}
    last: dict[str, tuple[dt.date, int]] = {}
    for entry in history:
        if entry["Statut"] == "envoyé" and isinstance(entry["Niveau"], float):
            step = (entry["Date"], int(entry["Niveau"]))
            last[entry["Client"]] = max(last.get(entry["Client"], step), step)
    assert len(last) >= 4
    for client, (date, level) in last.items():
        levels = DEFAULT_PROCEDURES[types[client]].levels
        following = next(s for s in levels if s.level == str(level + 1))
        assert following.reference == "précédente"
        planned = date + dt.timedelta(days=following.delay_days)
        assert abs((planned - AS_OF).days) <= 7, (client, planned)


def test_historique_propose_et_saisi_a_la_main(history):
    """One step proposed but not sent, and one hand-typed row with the status « fait »."""
    assert any(h["Statut"] == "proposé" for h in history)
    (typed,) = [h for h in history if h["Statut"] == "fait"]
    assert "promet de payer" in typed["Note"]


def test_historique_coherent_avec_les_factures(history, invoices):
    """Every Historique row names an invoice of the same client in Factures."""
    owners = {i["N° facture"]: i["Client"] for i in invoices}
    for entry in history:
        assert owners[entry["N° facture"]] == entry["Client"]


# --- reproducibility ------------------------------------------------------------------------------


def _run_script(output: Path, seed: str) -> bytes:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, str(SCRIPT), str(output)], check=True, env=environment, capture_output=True
    )
    return output.read_bytes()


def test_construction_reproductible(tmp_path):
    """Two runs of the script (different hash seeds) write byte-identical files."""
    first = _run_script(tmp_path / "premier.xlsx", "1")
    second = _run_script(tmp_path / "second.xlsx", "2")
    assert first == second


def test_modele_livre_a_jour(template):
    """The workbook_template.xlsx of the project is what the script builds today."""
    assert (PROJECT / "workbook_template.xlsx").read_bytes() == template.read_bytes()
