"""PDF : conversion LibreOffice par lot, fichier à imprimer, et pannes (absent, bloqué, tué)."""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader, PdfWriter

from relance_xl import pdf
from relance_xl.errors import OutputError

POSIX = pytest.mark.skipif(os.name == "nt", reason="faux soffice écrit en shell POSIX")
PDF_MINIMAL = r"%%PDF-1.4\n1 0 obj << >> endobj\n%%%%EOF\n"
"""A tiny complete PDF, as printf writes it."""


def courrier(dossier: Path, nom: str, texte: str) -> Path:
    """A one-paragraph letter made with python-docx."""
    dossier.mkdir(parents=True, exist_ok=True)
    document = Document()
    document.add_paragraph(texte)
    chemin = dossier / f"{nom}.docx"
    document.save(str(chemin))
    return chemin


def pdf_blanc(chemin: Path, largeur: int) -> Path:
    """A one-page blank PDF whose page width identifies it."""
    writer = PdfWriter()
    writer.add_blank_page(width=largeur, height=100)
    with chemin.open("wb") as flux:
        writer.write(flux)
    return chemin


# --- faux soffice : pannes reproductibles, sans LibreOffice -----------------------------------

COMPORTEMENTS = {
    "convertit": f"printf '{PDF_MINIMAL}' > \"$outdir/$name.pdf\"",
    "rien": ":",
    "vide": ': > "$outdir/$name.pdf"',
    "tronque": "printf '%%PDF-1.4\\n1 0 obj' > \"$outdir/$name.pdf\"",
    "tue_apres_le_premier": (
        f"if [ $n -eq 1 ]; then printf '{PDF_MINIMAL}' > \"$outdir/$name.pdf\"; else kill -9 $$; fi"
    ),
    "bloque": 'sleep 60 & echo $! > "$PIDFILE"; wait',
}


@pytest.fixture
def faux_soffice(tmp_path, monkeypatch):
    """Install a fake soffice (shell script) behaving as asked, through RELANCE_XL_SOFFICE."""

    def installer(comportement: str) -> Path:
        script = tmp_path / f"soffice_{comportement}"
        script.write_text(
            "#!/bin/sh\n"
            'outdir=""; prev=""; n=0\n'
            'for arg in "$@"; do [ "$prev" = "--outdir" ] && outdir="$arg"; prev="$arg"; done\n'
            'for arg in "$@"; do\n'
            '  case "$arg" in *.docx)\n'
            '    n=$((n+1)); name=$(basename "$arg" .docx)\n'
            f"    {COMPORTEMENTS[comportement]}\n"
            "  esac\n"
            "done\n"
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        monkeypatch.setenv(pdf.SOFFICE_ENV, str(script))
        monkeypatch.setenv("PIDFILE", str(tmp_path / "enfant.pid"))
        return script

    return installer


@pytest.fixture(scope="module")
def modele(tmp_path_factory) -> bytes:
    """The bytes of one small letter, copied by the tests that do not read it."""
    return courrier(tmp_path_factory.mktemp("modele"), "modele", "Lettre").read_bytes()


@pytest.fixture
def trois_courriers(tmp_path, modele) -> list[Path]:
    """Client 1.docx, Client 2.docx, Client 3.docx."""
    (tmp_path / "docx").mkdir()
    chemins = [tmp_path / "docx" / f"Client {n}.docx" for n in (1, 2, 3)]
    for chemin in chemins:
        chemin.write_bytes(modele)
    return chemins


# --- trouver LibreOffice ----------------------------------------------------------------------


def test_variable_d_environnement_prioritaire(faux_soffice):
    """RELANCE_XL_SOFFICE désigne l'exécutable à utiliser."""
    script = faux_soffice("convertit")
    assert pdf.find_soffice() == script


def test_variable_vers_un_fichier_absent(monkeypatch, tmp_path):
    """Une variable qui désigne un fichier absent : LibreOffice est considéré introuvable."""
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(tmp_path / "absent" / "soffice"))
    assert pdf.find_soffice() is None


@POSIX
def test_installation_hors_path_la_plus_recente(monkeypatch, tmp_path):
    """Hors du PATH, le chemin d'installation habituel le plus récent est trouvé (24.2 > 7.4)."""
    for version in ("7.4", "24.2"):
        programme = tmp_path / f"opt/libreoffice{version}/program/soffice"
        programme.parent.mkdir(parents=True)
        programme.write_text("#!/bin/sh\n")
        programme.chmod(0o755)
    monkeypatch.delenv(pdf.SOFFICE_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "vide"))
    monkeypatch.setattr(pdf, "INSTALL_PATHS", (str(tmp_path / "opt/libreoffice*/program/soffice"),))
    assert pdf.find_soffice() == tmp_path / "opt/libreoffice24.2/program/soffice"


def test_sans_libreoffice_les_docx_restent_et_le_message_explique(
    monkeypatch, tmp_path, trois_courriers
):
    """Sans LibreOffice : LibreOfficeMissing avec la commande d'installation ; les docx restent."""
    monkeypatch.delenv(pdf.SOFFICE_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "vide"))
    monkeypatch.setattr(pdf, "INSTALL_PATHS", ())
    with pytest.raises(pdf.LibreOfficeMissing) as erreur:
        pdf.convert_to_pdf(trois_courriers, tmp_path / "pdf")
    message = str(erreur.value)
    assert "apt-get install libreoffice-writer-nogui" in message
    assert "libreoffice.org" in message and "macOS" in message and "Windows" in message
    assert isinstance(erreur.value, OutputError)
    assert all(c.exists() for c in trois_courriers)


# --- pannes de LibreOffice (faux soffice) -----------------------------------------------------


@POSIX
def test_lot_converti_dans_l_ordre(faux_soffice, tmp_path, trois_courriers):
    """Chaque courrier donne son PDF, rendu dans l'ordre des courriers."""
    faux_soffice("convertit")
    pdfs = pdf.convert_to_pdf(trois_courriers, tmp_path / "pdf")
    assert [p.name for p in pdfs] == ["Client 1.pdf", "Client 2.pdf", "Client 3.pdf"]
    assert all(pdf.is_complete_pdf(p) for p in pdfs)
    assert [p.name for p in (tmp_path / "pdf").iterdir()] == sorted(p.name for p in pdfs)


@POSIX
@pytest.mark.parametrize(
    ("comportement", "motif"),
    [
        ("rien", "n'a pas pu convertir certains courriers ; 3 PDF manquant"),
        ("vide", "n'a pas pu convertir certains courriers ; 3 PDF manquant"),
        ("tronque", "n'a pas pu convertir certains courriers ; 3 PDF manquant"),
    ],
    ids=["code 0 sans aucun PDF", "PDF vides", "PDF tronqués"],
)
def test_soffice_sort_en_succes_sans_vrais_pdf(
    faux_soffice, tmp_path, trois_courriers, comportement, motif
):
    """soffice rend 0 même en échec : chaque PDF attendu est vérifié (présent, complet)."""
    faux_soffice(comportement)
    with pytest.raises(OutputError, match=motif):
        pdf.convert_to_pdf(trois_courriers, tmp_path / "pdf")
    assert not list((tmp_path / "pdf").glob("*.pdf"))


@POSIX
def test_soffice_tue_en_cours_de_lot(faux_soffice, tmp_path, trois_courriers):
    """LibreOffice tué après le 1er courrier : le 1er PDF est là, l'erreur nomme les deux autres."""
    faux_soffice("tue_apres_le_premier")
    with pytest.raises(OutputError, match=r"arrêté anormalement ; 2 PDF manquant") as erreur:
        pdf.convert_to_pdf(trois_courriers, tmp_path / "pdf")
    assert "« Client 2.docx », « Client 3.docx »" in str(erreur.value)
    assert "Client 1.docx" not in str(erreur.value)
    assert pdf.is_complete_pdf(tmp_path / "pdf" / "Client 1.pdf")
    assert all(c.exists() for c in trois_courriers)


@POSIX
def test_soffice_bloque_delai_depasse_et_groupe_tue(faux_soffice, tmp_path, trois_courriers):
    """LibreOffice bloqué : délai dépassé, tout le groupe de processus est tué, les docx restent."""
    faux_soffice("bloque")
    with pytest.raises(OutputError, match=r"délai de 0.5 s ; 3 PDF manquant.*Word restent"):
        pdf.convert_to_pdf(trois_courriers, tmp_path / "pdf", timeout=0.5)
    enfant = int((tmp_path / "enfant.pid").read_text())
    assert attendre_la_fin(enfant)
    assert all(c.exists() for c in trois_courriers)


def attendre_la_fin(pid: int) -> bool:
    """True once ``pid`` is gone or a zombie (SIGKILL is delivered asynchronously)."""
    for _ in range(100):
        try:
            with open(f"/proc/{pid}/stat") as flux:
                if flux.read().split(")")[-1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


@POSIX
def test_ancien_pdf_pas_pris_pour_un_succes(faux_soffice, tmp_path, trois_courriers):
    """Un PDF d'une exécution précédente n'est pas compté comme converti, et il est retiré."""
    (tmp_path / "pdf").mkdir()
    pdf_blanc(tmp_path / "pdf" / "Client 1.pdf", 100)
    faux_soffice("rien")
    with pytest.raises(OutputError, match=r"3 PDF manquant"):
        pdf.convert_to_pdf(trois_courriers, tmp_path / "pdf")
    assert not (tmp_path / "pdf" / "Client 1.pdf").exists()


@POSIX
def test_dossier_de_sortie_inutilisable(faux_soffice, tmp_path, trois_courriers):
    """Dossier des PDF impossible à créer : OutputError qui le nomme, en français."""
    faux_soffice("convertit")
    fichier = tmp_path / "pas_un_dossier"
    fichier.write_text("x")
    with pytest.raises(OutputError, match=r"dossier des PDF .* n'est pas utilisable : "):
        pdf.convert_to_pdf(trois_courriers, fichier / "pdf")


@pytest.mark.parametrize(
    ("noms", "motif"),
    [
        (["a/Client 1", "absent"], "courriers Word introuvables : « absent.docx »"),
        (["a/Client 1", "b/Client 1"], "même PDF « Client 1.pdf »"),
    ],
    ids=["courrier absent", "deux courriers de même nom"],
)
def test_courriers_refuses_avant_lancement(tmp_path, noms, motif):
    """Courrier absent ou noms en double : OutputError avant de lancer LibreOffice."""
    chemins = []
    for nom in noms:
        dossier, _, fichier = nom.rpartition("/")
        chemins.append(
            courrier(tmp_path / dossier, fichier, nom) if dossier else tmp_path / f"{fichier}.docx"
        )
    with pytest.raises(OutputError, match=motif):
        pdf.convert_to_pdf(chemins, tmp_path / "pdf")


def test_aucun_courrier_aucun_appel(tmp_path):
    """Une liste vide ne lance rien et ne crée rien."""
    assert pdf.convert_to_pdf([], tmp_path / "pdf") == []
    assert not (tmp_path / "pdf").exists()


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        (b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", True),
        (b"", False),
        (b"%PDF-1.4\n1 0 obj", False),
        (b"<html>%%EOF", False),
    ],
    ids=["complet", "vide", "tronqué", "pas un PDF"],
)
def test_pdf_complet(tmp_path, contenu, attendu):
    """Un PDF est complet s'il commence par %PDF- et finit par %%EOF."""
    chemin = tmp_path / "f.pdf"
    chemin.write_bytes(contenu)
    assert pdf.is_complete_pdf(chemin) is attendu


# --- fichier à imprimer -----------------------------------------------------------------------


def test_nom_du_fichier_a_imprimer():
    """Le fichier à imprimer porte la date du jour de calcul."""
    assert pdf.print_file_name(dt.date(2026, 11, 23)) == "a_imprimer_2026-11-23.pdf"


def test_fusion_dans_l_ordre_des_clients(tmp_path):
    """Les courriers sont fusionnés dans l'ordre donné (ordre des clients)."""
    pdfs = [pdf_blanc(tmp_path / f"{n}.pdf", largeur) for n, largeur in enumerate((300, 100, 200))]
    cible = pdf.merge_pdfs(
        pdfs, tmp_path / "impression" / pdf.print_file_name(dt.date(2026, 11, 23))
    )
    assert [int(page.mediabox.width) for page in PdfReader(cible).pages] == [300, 100, 200]


@pytest.mark.parametrize(
    ("preparer", "motif"),
    [
        (lambda d: [], "aucun courrier à rassembler"),
        (lambda d: [pdf_blanc(d / "a.pdf", 100), d / "absent.pdf"], "« absent.pdf » est illisible"),
        (lambda d: [d / "faux.pdf"], "« faux.pdf » est illisible"),
    ],
    ids=["aucun PDF", "PDF absent", "PDF abîmé"],
)
def test_fusion_impossible(tmp_path, preparer, motif):
    """Fusion impossible : OutputError qui nomme le PDF en cause, rien n'est écrit."""
    (tmp_path / "faux.pdf").write_bytes(b"ceci n'est pas un PDF")
    with pytest.raises(OutputError, match=motif):
        pdf.merge_pdfs(preparer(tmp_path), tmp_path / "a_imprimer.pdf")
    assert not (tmp_path / "a_imprimer.pdf").exists()


def test_fusion_vers_un_dossier_inutilisable(tmp_path):
    """Fichier à imprimer impossible à écrire : OutputError en français."""
    fichier = tmp_path / "pas_un_dossier"
    fichier.write_text("x")
    with pytest.raises(OutputError, match=r"impossible d'écrire .*un fichier existe déjà"):
        pdf.merge_pdfs([pdf_blanc(tmp_path / "a.pdf", 100)], fichier / "a_imprimer.pdf")


# --- vrai LibreOffice -------------------------------------------------------------------------

libreoffice = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def soffice() -> Path:
    chemin = pdf.find_soffice()
    if chemin is None:
        pytest.skip("LibreOffice (soffice) absent : « apt-get install libreoffice-writer-nogui »")
    return chemin


@pytest.fixture(scope="module")
def lot_converti(soffice, tmp_path_factory) -> tuple[list[Path], Path, OutputError]:
    """Four letters and a damaged one, converted by two soffice in parallel (workers=2).

    Returns (the good letters, the PDF folder, the error raised for the damaged letter).
    """
    dossier = tmp_path_factory.mktemp("vrai_lo")
    noms = ["Dupont & Fils", "Société Générale d'Électricité", "Martin", "Zoé Durand"]
    docx = [
        courrier(dossier / "docx", nom, f"Madame, Monsieur, relance pour {nom}.") for nom in noms
    ]
    abime = dossier / "docx" / "Abîmé.docx"
    abime.write_bytes(docx[0].read_bytes()[:3000])
    with pytest.raises(OutputError) as erreur:
        pdf.convert_to_pdf([*docx[:2], abime, *docx[2:]], dossier / "pdf", timeout=120, workers=2)
    return docx, dossier / "pdf", erreur.value


@libreoffice
def test_vrai_courrier_abime_seul_nomme(lot_converti):
    """Un .docx abîmé : LibreOffice rend 0 sans PDF ; l'erreur ne nomme que lui."""
    _, _, erreur = lot_converti
    assert "1 PDF manquant(s) sur 5, pour « Abîmé.docx » ;" in str(erreur)


@libreoffice
def test_vrai_lot_en_parallele(lot_converti):
    """Deux soffice en parallèle convertissent les bons courriers, chacun dans son PDF."""
    docx, dossier, _ = lot_converti
    for courrier_docx in docx:
        fichier = dossier / f"{courrier_docx.stem}.pdf"
        texte = " ".join(PdfReader(fichier).pages[0].extract_text().split())
        assert texte == f"Madame, Monsieur, relance pour {courrier_docx.stem}."


@libreoffice
def test_vrai_fichier_a_imprimer(lot_converti, tmp_path):
    """Le fichier à imprimer réunit les pages des courriers, dans l'ordre des clients."""
    docx, dossier, _ = lot_converti
    ordre = sorted(d.stem for d in docx)
    cible = pdf.merge_pdfs([dossier / f"{nom}.pdf" for nom in ordre], tmp_path / "a_imprimer.pdf")
    textes = [" ".join(page.extract_text().split()) for page in PdfReader(cible).pages]
    assert textes == [f"Madame, Monsieur, relance pour {nom}." for nom in ordre]
