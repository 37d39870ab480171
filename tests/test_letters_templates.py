"""The bundled letter templates: reproducible, and saying what French practice requires of each
letter (domain.md §6, legal_fr.md §5) for professional, private and public debtors."""

from __future__ import annotations

import importlib.util
import io
import shutil
from pathlib import Path

import docx
import pytest
from test_letters_context import sample_context

from relance_xl.letters.bulk import PreparedTemplate
from relance_xl.letters.context import VARIABLES
from relance_xl.letters.render import bundled_templates_folder, render_text
from relance_xl.model import ClientType

FOLDER = bundled_templates_folder()
LETTERS = ["relance_amiable", "lettre_relance_1", "lettre_relance_2", "mise_en_demeure",
           "proposition_echeancier", "dossier_contentieux"]  # fmt: skip
PRO, PARTICULIER, ADMIN = (
    ClientType.PROFESSIONNEL,
    ClientType.PARTICULIER,
    ClientType.ADMINISTRATION,
)


def _load_builder():
    path = FOLDER.parent / "scripts" / "build_letter_templates.py"
    spec = importlib.util.spec_from_file_location("build_letter_templates", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def letter(name: str, kind: ClientType = PRO, **action: object) -> docx.document.Document:
    """Render a bundled template for the sample client and open it with python-docx."""
    context = sample_context(kind, **action)
    data = PreparedTemplate(FOLDER / f"{name}.docx", list(VARIABLES)).render(context)
    return docx.Document(io.BytesIO(data))


def paragraphs(document) -> list[str]:
    """Body paragraphs, then those of every table cell, then the footer, as plain text."""
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [p.text for cell in row.cells for p in cell.paragraphs]
    texts += [p.text for p in document.sections[0].footer.paragraphs]
    return texts


def text(document) -> str:
    return "\n".join(paragraphs(document))


def test_construction_reproductible(tmp_path):
    """The build script gives the very bytes that are in letter_templates/."""
    written = _load_builder().build(tmp_path)
    assert sorted(path.name for path in written) == sorted(
        path.name for path in FOLDER.iterdir() if path.suffix in (".docx", ".txt")
    )
    for path in written:
        assert path.read_bytes() == (FOLDER / path.name).read_bytes(), path.name


@pytest.mark.parametrize("type_client", [PRO, PARTICULIER, ADMIN], ids=str)
@pytest.mark.parametrize("modele", LETTERS)
def test_chaque_modele_se_remplit_pour_chaque_type(modele, type_client):
    """Every template renders for every kind of debtor, escaping the client's name."""
    content = text(letter(modele, type_client))
    assert "Dupont & Fils <SARL>" in content
    assert "{{" not in content and "{%" not in content


@pytest.mark.parametrize("modele", [m for m in LETTERS if m != "dossier_contentieux"])
def test_mise_en_page_d_une_lettre(modele):
    """Sender with SIREN, recipient on two address lines, place and date, Objet, signature."""
    document = letter(modele)
    content = paragraphs(document)
    assert "Menuiserie Berthier SARL" in content
    assert "SIREN 812 345 678" in content
    assert "12 rue de la République\nBâtiment B" in content
    assert "Vourles, le 23 novembre 2026" in content
    assert any(line.startswith("Objet : ") for line in content)
    assert "Jean Berthier, gérant" in content
    footer = [p.text for p in document.sections[0].footer.paragraphs]
    assert footer[0].startswith("Menuiserie Berthier SARL – SIREN 812 345 678 – 69390 Vourles")


@pytest.mark.parametrize("modele", ["relance_amiable", "lettre_relance_1", "mise_en_demeure"])
def test_tableau_des_factures(modele):
    """N°, date, échéance, montant, déjà réglé, reste dû, jours de retard; one row per invoice."""
    table = letter(modele).tables[1]
    assert [cell.text for cell in table.rows[0].cells] == [
        "N° facture", "Date", "Échéance", "Montant TTC", "Déjà réglé", "Reste dû", "Retard",
    ]  # fmt: skip
    assert [cell.text for cell in table.rows[1].cells] == [
        "F-2026-040", "02/08/2026", "01/09/2026", "1\u202f234,56\xa0€", "200,00\xa0€",
        "1\u202f034,56\xa0€", "83 j",
    ]  # fmt: skip
    assert len(table.rows) == 4  # header, two invoices, total


def test_premiere_lettre_historique_penalites_et_nature():
    """1re lettre: history, amount + interest + 40 € for a professional, order and nature."""
    content = text(letter("lettre_relance_1", label="1re lettre de relance", channel="courrier"))
    assert "10/07/2026 – Devis ou commande n° BC-778 (Rénovation de la toiture)" in content
    assert "02/09/2026 – Relance amiable (email)" in content
    assert "Rénovation de la toiture, Maintenance annuelle" in content
    assert "L441-10" in content and "40 € par facture" in content
    assert "Total à régler" in content and "3\u202f679,10\xa0€" in content


def test_deuxieme_lettre_huitaine_puis_tiers():
    """2e lettre: without payment within eight days, the file goes to a third party."""
    content = text(letter("lettre_relance_2", channel="courrier"))
    assert "sous huitaine, soit au plus tard le 1er décembre 2026" in content
    assert "transmettrons ce dossier à un tiers" in content


def test_mise_en_demeure_mots_objet_corps_delai_lrar():
    """Mise en demeure: the words in subject and body, deadline = send + 8 days, LRAR."""
    content = paragraphs(letter("mise_en_demeure"))
    assert "Objet : MISE EN DEMEURE DE PAYER" in content
    body = next(line for line in content if line.startswith("Par la présente"))
    assert "mettons en demeure" in body
    assert "au plus tard le 1er décembre 2026" in body
    assert "trois mille six cent soixante-dix-neuf euros et dix centimes" in body
    assert "Lettre recommandée avec accusé de réception" in "\n".join(content)


def test_mise_en_demeure_principal_interets_indemnite_separes():
    """Principal, penalties and the 40 € fees on separate lines, then the total."""
    content = paragraphs(letter("mise_en_demeure"))
    assert "3\u202f503,68\xa0€" in content  # principal
    assert "95,42\xa0€" in content  # pénalités
    assert "80,00\xa0€" in content  # 2 × 40 €
    assert "3\u202f679,10\xa0€" in content


def test_particulier_sans_40_euros_interets_legaux_apres_mise_en_demeure():
    """Private debtor: no 40 €, no L441-10; legal interest from the mise en demeure."""
    content = text(letter("mise_en_demeure", PARTICULIER))
    assert "40 €" not in content and "L441-10" not in content
    assert "intérêts au taux légal à compter de la présente mise en demeure" in content


def test_administration_chorus_pro_et_interets_moratoires():
    """Public buyer: Chorus Pro, moratory interest R2192-31 and the 40 € of D2192-35."""
    content = text(letter("lettre_relance_1", ADMIN))
    assert "Chorus Pro" in content
    assert "R2192-31" in content and "D2192-35" in content


def test_echeancier_tableau_et_reconnaissance_de_dette():
    """Payment plan: one row per instalment, its total, signatures of both parties."""
    document = letter("proposition_echeancier")
    rows = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert rows[1] == ["1", "5 décembre 2026", "F-2026-040", "500,00\xa0€"]
    assert rows[2] == ["2", "5 janvier 2027", "F-2026-040", "534,56\xa0€"]
    assert rows[3][-1] == "1\u202f034,56\xa0€"
    assert "article 2240 du Code civil" in text(document)


@pytest.mark.parametrize(
    ("type_client", "attendu"),
    [
        (PRO, "Cerfa n° 12946"),
        (PARTICULIER, "Cerfa n° 12948"),
        (ADMIN, "tribunal administratif"),
    ],
    ids=["professionnel", "particulier", "administration"],
)
def test_dossier_contentieux_suite_selon_le_debiteur(type_client, attendu):
    """The litigation file names the right court and form."""
    assert attendu in text(letter("dossier_contentieux", type_client))


def test_dossier_contentieux_complet():
    """Parties, invoices, steps with dates and documents, pieces, small-claims option."""
    content = text(letter("dossier_contentieux"))
    for expected in (
        "SIREN : 812 345 678",
        "Contact : Mme Martin",
        "2026-09-17_Dupont_lettre-relance-1.docx",
        "Accusé de réception du courrier du 02/10/2026",
        "petites créances",
        "2e lettre : avertissement – AR signé le 05/10",
    ):
        assert expected in content


def test_courriel_relance_amiable():
    """The email body: invoices, total, IBAN, signature; Chorus Pro for a public buyer."""
    body = render_text(FOLDER / "relance_amiable.txt", sample_context(ADMIN))
    assert body.startswith("Madame, Monsieur,\n\nSauf erreur")
    assert "- facture n° F-2026-040 du 02/08/2026, échéance le 01/09/2026" in body
    assert "Chorus Pro" in body
    assert "IBAN FR76 3000 6000 0112 3456 7890 189" in body
    assert "\n\n\n" not in body


@pytest.mark.libreoffice
def test_conversion_pdf_par_libreoffice(tmp_path):
    """Every rendered letter converts to PDF with LibreOffice."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) absent")
    from relance_xl.pdf import convert_to_pdf, is_complete_pdf

    sources = []
    for name in LETTERS:
        path = tmp_path / f"{name}.docx"
        path.write_bytes(
            PreparedTemplate(FOLDER / f"{name}.docx", list(VARIABLES)).render(sample_context())
        )
        sources.append(path)
    pdfs = convert_to_pdf(sources, tmp_path / "pdf", timeout=240)
    assert len(pdfs) == len(LETTERS)
    assert all(is_complete_pdf(Path(pdf)) for pdf in pdfs)
