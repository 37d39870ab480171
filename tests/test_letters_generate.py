"""The documents of the day: one per client and step, emails as drafts, and the summary."""

from __future__ import annotations

import csv
import email
import email.policy
import io
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from test_letters_context import AS_OF, CREDITOR, NAME, sample_action, sample_client, sample_history

from relance_xl import letters
from relance_xl.errors import TemplateError
from relance_xl.invoices import invoice_frame
from relance_xl.model import ClientType, Ledger, Settings, SmtpSettings

SENDER = "Menuiserie Berthier <contact@berthier.example>"


def ledger(*clients, sender: str = SENDER) -> Ledger:
    """A ledger whose clients are those given (invoices are carried by the actions)."""
    settings = Settings(creditor=CREDITOR, smtp=SmtpSettings(sender=sender))
    frame = invoice_frame([])
    return Ledger(frame, {client.key: client for client in clients}, settings, sample_history())


def email_step(**extra):
    return sample_action(
        level="1", label="relance amiable", channel="email", template="relance_amiable", **extra
    )


def generate(tmp_path: Path, actions, book: Ledger | None = None, **options):
    book = book or ledger(sample_client())
    return letters.generate(book, actions, AS_OF, tmp_path / "Courriers", **options)


def test_relance_par_email_donne_un_brouillon(tmp_path):
    """Email step: an .eml draft, subject « Rappel de factures – N° … », body from the .txt."""
    [document] = generate(tmp_path, [email_step()])
    [path] = document.files
    assert path.name == "2026-11-23_Dupont-et-Fils-SARL_relance-amiable.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Rappel de factures – N° F-2026-040, F-2026-041"
    assert message["To"].addresses[0].addr_spec == "compta@dupont.example"
    assert "Sauf erreur ou omission" in message.get_content()
    assert document.message is not None and not document.warning


def test_sans_email_client_un_courrier_a_la_place(tmp_path):
    """No email address for the client: the docx variant, with a warning."""
    book = ledger(replace(sample_client(), email=""))
    [document] = generate(tmp_path, [replace(email_step(), email="")], book)
    assert [path.suffix for path in document.files] == [".docx"]
    assert document.warning and "pas d'adresse email" in document.note


def test_sans_expediteur_un_courrier_a_la_place(tmp_path):
    """No sender address in Paramètres: letters instead of emails."""
    book = ledger(sample_client(), sender="")
    book = replace(book, settings=Settings(creditor=replace(CREDITOR, email="")))
    [document] = generate(tmp_path, [email_step()], book)
    assert document.files[0].suffix == ".docx"
    assert "expéditeur" in document.note


def test_appel_telephonique_sans_document(tmp_path):
    """A phone step produces no file, only a line in the summary."""
    action = sample_action(level="P2", label="appel", channel="téléphone", template="")
    [document] = generate(tmp_path, [action])
    assert document.files == () and not document.warning


def test_seules_les_actions_a_faire_et_a_transmettre(tmp_path):
    """« à venir » waits; « à transmettre » gets the litigation file."""
    actions = [
        sample_action(state="à venir"),
        sample_action(state="à transmettre", channel="recommandé AR"),
    ]
    [document] = generate(tmp_path, actions)
    assert document.action.state == "à transmettre"
    assert document.files[0].name == "2026-11-23_Dupont-et-Fils-SARL_dossier-contentieux.docx"


def test_filtre_client_sans_accents_ni_majuscules(tmp_path):
    """--client « dupont & fils <sarl> » picks the client, other clients are left out."""
    other = sample_client(key="Éts Martin")
    book = ledger(sample_client(), other)
    actions = [sample_action(), sample_action(client="Éts Martin")]
    documents = generate(tmp_path, actions, book, clients=["ets martin"])
    assert [d.action.client for d in documents] == ["Éts Martin"]


def test_modele_de_l_utilisateur(tmp_path):
    """A template in the user's folder replaces the bundled one of the same name."""
    folder = tmp_path / "Mes modèles"
    folder.mkdir()
    custom = docx.Document()
    custom.add_paragraph("Mise en demeure maison pour {{ client.nom }}")
    custom.save(folder / "mise_en_demeure.docx")
    [document] = generate(tmp_path, [sample_action()], user_templates=folder)
    text = docx.Document(document.files[0]).paragraphs[0].text
    assert text == f"Mise en demeure maison pour {NAME}"


def test_modele_casse_rien_n_est_ecrit(tmp_path):
    """A broken user template: French error, no letter and no draft written."""
    folder = tmp_path / "modèles"
    folder.mkdir()
    broken = docx.Document()
    broken.add_paragraph("{% if client.nom %}pas de fin")
    broken.save(folder / "mise_en_demeure.docx")
    with pytest.raises(TemplateError, match=r"« mise_en_demeure\.docx » contient une erreur"):
        generate(tmp_path, [email_step(), sample_action()], user_templates=folder)
    assert not (tmp_path / "Courriers").exists()


def test_recapitulatif_pour_excel_francais(tmp_path):
    """« ; », UTF-8 with BOM, decimal comma, one row per action."""
    documents = generate(tmp_path, [sample_action()])
    path = letters.write_summary(documents, tmp_path / "Courriers")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Client", "Niveau", "Action", "Canal", "État", "Fichiers"]
    assert rows[1][0] == NAME
    assert rows[1][5] == "2026-11-23_Dupont-et-Fils-SARL_mise-en-demeure.docx"
    assert rows[1][6:10] == ["3503,68", "95,42", "80,00", "3679,10"]


@pytest.mark.parametrize(
    "nom", ['=HYPERLINK("http://x")', "+33 1 23", "-1+1", "@SUM(A1)"], ids=["=", "+", "-", "@"]
)
def test_recapitulatif_sans_formule(tmp_path, nom):
    """A client name Excel would run as a formula is prefixed with an apostrophe."""
    book = ledger(sample_client(ClientType.PROFESSIONNEL, key=nom))
    documents = generate(tmp_path, [sample_action(client=nom)], book)
    path = letters.write_summary(documents, tmp_path / "Courriers")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[1][0] == f"'{nom}"


def test_recapitulatif_jamais_ecrase(tmp_path):
    """A second summary in the same folder is recapitulatif-2.csv."""
    documents = generate(tmp_path, [sample_action()])
    first = letters.write_summary(documents, tmp_path / "Courriers")
    second = letters.write_summary(documents, tmp_path / "Courriers")
    assert (first.name, second.name) == ("recapitulatif.csv", "recapitulatif-2.csv")
