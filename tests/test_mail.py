"""Courriels : brouillons .eml prêts à envoyer, et envoi SMTP réel (aiosmtpd sur 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import errno
import json
import os
import socket
import ssl
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from hypothesis import given, settings
from hypothesis import strategies as st

from relance_xl import mail
from relance_xl.errors import ConfigError, OutputError
from relance_xl.model import SmtpSettings

EXPEDITEUR = "Plomberie Martin <compta@plomberie-martin.fr>"
LE_23_NOVEMBRE = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
MOT_DE_PASSE = "Tr0ub4dor&3-secret"


def courriel(numero: int, **changes: object) -> mail.EmailMessage:
    """The reminder of client n° ``numero`` (one invoice F-<numero>)."""
    fields: dict[str, object] = {
        "sender": EXPEDITEUR,
        "to": f"Client {numero} <client{numero}@exemple.fr>",
        "subject": mail.reminder_subject([f"F-{numero:03d}"]),
        "body": f"Bonjour,\nla facture F-{numero:03d} de 1 234,56 € reste impayée.\n",
        "when": LE_23_NOVEMBRE,
    }
    fields.update(changes)
    return mail.draft(**fields)  # type: ignore[arg-type]


def lot(nombre: int) -> list[tuple[str, mail.EmailMessage]]:
    """``nombre`` reminders keyed per client, level 1, 23 November 2026."""
    jour = LE_23_NOVEMBRE.date()
    return [(mail.message_key(f"Client {n}", "1", jour), courriel(n)) for n in range(nombre)]


def relu(message: mail.EmailMessage) -> email.message.EmailMessage:
    """The message as a mail client reads it from the .eml bytes."""
    raw = message.as_bytes(policy=email.policy.SMTP)
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


# --- serveur SMTP réel -------------------------------------------------------------------------


class BoiteAuxLettres:
    """aiosmtpd handler keeping every accepted message; can refuse a recipient or cut the line."""

    def __init__(self, coupure: str = "", a_la_reception: int = -1, refuse: str = "") -> None:
        self.recus: list[email.message.EmailMessage] = []
        self.coupure = coupure
        self.a_la_reception = a_la_reception
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.coupure and len(self.recus) == self.a_la_reception:
            self.a_la_reception = -1
            if self.coupure == "brutale":
                server.transport.close()
            return "421 4.3.2 service not available, closing channel"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parsed["X-Destinataires-Enveloppe"] = ",".join(envelope.rcpt_tos)
        self.recus.append(parsed)
        return "250 OK"

    def objets(self) -> list[str]:
        return [str(message["Subject"]) for message in self.recus]


def port_libre() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def serveur():
    """Start a real SMTP server on 127.0.0.1: ``serveur(handler, **aiosmtpd options)``."""
    controllers: list[Controller] = []

    def demarrer(boite: BoiteAuxLettres | None = None, securite: str = "aucune", **options):
        boite = boite or BoiteAuxLettres()
        port = port_libre()
        controller = Controller(boite, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return boite, SmtpSettings(host="127.0.0.1", port=port, security=securite)

    yield demarrer
    for controller in controllers:
        controller.stop()


@pytest.fixture(scope="module")
def certificat(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (certificate file, key file)."""
    import ipaddress

    pytest.importorskip("cryptography", reason="cryptography absent : pas de certificat de test")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    localhost = ipaddress.ip_address("127.0.0.1")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(localhost)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "serveur.pem", folder / "serveur.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls(certificat, monkeypatch) -> ssl.SSLContext:
    """Server TLS context; the client trusts the test certificate through SSL_CERT_FILE."""
    cert_file, key_file = certificat
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


def authentification(server, session, envelope, mechanism, auth_data) -> AuthResult:
    """Accept the user « compta » with MOT_DE_PASSE only."""
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"compta",
        MOT_DE_PASSE.encode(),
    )
    return AuthResult(success=ok, handled=False)


def journal_lu(journal: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]


# --- brouillons -------------------------------------------------------------------------------


def test_brouillon_pret_a_envoyer_dans_outlook():
    """Un brouillon porte X-Unsent: 1, une date, un Message-ID, l'expéditeur et le destinataire."""
    message = relu(courriel(1))
    assert message["X-Unsent"] == "1"
    assert message["Date"].datetime == LE_23_NOVEMBRE
    assert message["Message-ID"].endswith("@plomberie-martin.fr>")
    assert str(message["From"]) == EXPEDITEUR
    assert str(message["To"]) == "Client 1 <client1@exemple.fr>"


def test_objet_francais_encode_en_ascii_et_relu_a_l_identique():
    """L'objet « Rappel de facture – N° F-001 » voyage encodé (RFC 2047) et se relit intact."""
    raw = courriel(1).as_bytes(policy=email.policy.SMTP)
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()
    assert relu(courriel(1))["Subject"] == "Rappel de facture – N° F-001"


def test_corps_en_utf8_avec_euro_et_accents():
    """Le corps garde accents, euro et espaces tels quels."""
    corps = relu(courriel(7)).get_body().get_content()
    assert "la facture F-007 de 1 234,56 € reste impayée." in corps


@pytest.mark.parametrize(
    ("nom", "type_attendu"),
    [
        ("relance.pdf", "application/pdf"),
        (
            "Lettre Société Générale.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("notes.bin", "application/octet-stream"),
    ],
    ids=["pdf", "docx au nom accentué", "type inconnu"],
)
def test_piece_jointe_type_et_nom(tmp_path, nom, type_attendu):
    """La pièce jointe garde son nom (accents compris), son contenu et le bon type MIME."""
    fichier = tmp_path / nom
    fichier.write_bytes(b"%PDF-1.4 contenu")
    message = relu(courriel(1, attachments=[fichier]))
    (piece,) = message.iter_attachments()
    assert (piece.get_content_type(), piece.get_filename()) == (type_attendu, nom)
    assert piece.get_content() == b"%PDF-1.4 contenu"


def test_piece_jointe_absente_nommee_dans_l_erreur(tmp_path):
    """Une pièce jointe introuvable donne une OutputError qui la nomme."""
    with pytest.raises(OutputError, match=r"pièce jointe « absente.pdf » illisible"):
        courriel(1, attachments=[tmp_path / "absente.pdf"])


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        ("client@exemple.fr", "client@exemple.fr"),
        ("Dupont & Fils <compta@dupont.fr>", "Dupont & Fils <compta@dupont.fr>"),
        ('"Dupont, Jean" <jean@dupont.fr>', "Dupont Jean <jean@dupont.fr>"),
        ("Dupont S.A. (Lyon) <compta@dupont.fr>", "Dupont SA Lyon <compta@dupont.fr>"),
        ("Société Générale <compta@sg.fr>", "Société Générale <compta@sg.fr>"),
        ("Dupont\nSARL <compta@dupont.fr>", "Dupont SARL <compta@dupont.fr>"),
        ("  compta@dupont.fr \r\n", "compta@dupont.fr"),
        ("contact@café.fr", "contact@xn--caf-dma.fr"),
    ],
    ids=[
        "adresse seule",
        "nom et adresse",
        "nom avec virgule entre guillemets : sans guillemets ni virgule",
        "points et parenthèses retirés du nom",
        "nom accentué",
        "retour à la ligne dans le nom (Alt+Entrée) neutralisé",
        "espaces et fin de ligne autour",
        "domaine accentué en IDNA",
    ],
)
def test_adresse_acceptee(saisie, attendu):
    """Une adresse unique est acceptée ; un retour à la ligne dans le nom devient une espace."""
    assert str(mail.parse_address(saisie)) == attendu


@pytest.mark.parametrize(
    ("saisie", "motif"),
    [
        ("a@dupont.fr, b@dupont.fr", "une seule adresse"),
        ("a@dupont.fr; b@dupont.fr", "une seule adresse"),
        ("a@dupont.fr\r\nBcc: pirate@ailleurs.fr", "une seule adresse.*retour à la ligne"),
        ("Dupont <a@dupont.fr>\nCc: pirate@ailleurs.fr", "une seule adresse"),
        ("a@dupont.fr\r\nX-Priority: 1", "invalide.*retour à la ligne"),
        ("a@dupont.fr; Dupont <b@dupont.fr>", "une seule adresse"),
        ("dupont.fr", "invalide"),
        ("a@localhost", "invalide"),
        ("élodie@dupont.fr", "invalide"),
        ("", "invalide"),
    ],
    ids=[
        "deux adresses séparées par une virgule",
        "deux adresses séparées par un point-virgule",
        "injection Bcc après l'adresse",
        "injection Cc après le nom",
        "injection d'en-tête sans arobase",
        "adresse cachée dans le nom",
        "sans arobase",
        "domaine sans point",
        "partie locale accentuée",
        "vide",
    ],
)
def test_adresse_refusee(saisie, motif):
    """Plusieurs adresses, une injection d'en-tête ou une adresse invalide : OutputError."""
    with pytest.raises(OutputError, match=f"destinataire « .* » : .*{motif}"):
        mail.parse_address(saisie)


FRAGMENTS_DE_NOM = [
    "\r", "\n", "\r\n", "Bcc: pirate@evil.fr", ":", ",", ";", '"', "(", ")", ".", "\\", "é",
    "Dupont", " ", "=?utf-8?q?x?=", "&", "'",
]  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(
    nom=st.lists(st.sampled_from(FRAGMENTS_DE_NOM), max_size=25).map("".join),
    suffixe=st.sampled_from(["", "\r\nBcc: pirate@evil.fr", "\nCc: x@evil.fr", "\r\n"]),
)
def test_aucune_injection_d_en_tete_possible(nom, suffixe):
    """Quel que soit le nom saisi (même long et replié), un seul destinataire, aucun Bcc/Cc."""
    try:
        message = relu(courriel(1, to=f"{nom} <client@exemple.fr>{suffixe}"))
    except OutputError:
        return
    assert [a.addr_spec for a in message["To"].addresses] == ["client@exemple.fr"]
    assert message["Bcc"] is None and message["Cc"] is None


def test_filet_de_securite_contre_le_repliage_des_noms(monkeypatch):
    """Si un nom long était replié en plusieurs adresses (défaut de la bibliothèque), refus."""
    monkeypatch.setattr(mail, "_display_name", lambda nom: nom)
    nom_long = "Dupont, Jean (SARL) & Fils l'ancien " * 3
    with pytest.raises(OutputError, match="mal relue après mise en forme"):
        courriel(1, to=f"{nom_long}<client@exemple.fr>")


def test_objet_sur_une_seule_ligne():
    """Un retour à la ligne dans l'objet devient une espace : pas d'en-tête injecté."""
    message = relu(courriel(1, subject="Rappel\r\nBcc: pirate@evil.fr"))
    assert message["Subject"] == "Rappel Bcc: pirate@evil.fr"
    assert message["Bcc"] is None


@pytest.mark.parametrize(
    ("numeros", "objet"),
    [
        (["F-001"], "Rappel de facture – N° F-001"),
        (["F-001", "F-002"], "Rappel de factures – N° F-001, F-002"),
        (
            [f"F-{n}" for n in range(1, 8)],
            "Rappel de factures – N° F-1, F-2, F-3, F-4, F-5 et 2 autre(s)",
        ),
        (["F-\n001"], "Rappel de facture – N° F- 001"),
    ],
    ids=["une facture", "deux factures", "sept factures", "numéro avec retour à la ligne"],
)
def test_objet_du_rappel(numeros, objet):
    """L'objet nomme les factures, cinq au plus."""
    assert mail.reminder_subject(numeros) == objet


def test_cle_stable_par_client_niveau_et_date():
    """La clé d'envoi dépend du client, du niveau et de la date, et de rien d'autre."""
    jour = dt.date(2026, 11, 23)
    assert mail.message_key("Dupont", "1", jour) == mail.message_key(" Dupont ", "1", jour)
    assert mail.message_key("Dupont", "1", jour) != mail.message_key("Dupont", "2", jour)
    assert mail.message_key("Dupont", "1", jour) != mail.message_key(
        "Dupont", "1", jour.replace(day=24)
    )


def test_eml_relu_par_un_client_de_messagerie(tmp_path):
    """Le fichier .eml (fins de ligne CRLF) se relit avec objet, X-Unsent et pièce jointe."""
    piece = tmp_path / "relance.pdf"
    piece.write_bytes(b"%PDF-1.4")
    chemin = mail.write_eml(courriel(3, attachments=[piece]), tmp_path / "eml" / "Client 3.eml")
    brut = chemin.read_bytes()
    assert b"\r\n" in brut and b"\n" not in brut.replace(b"\r\n", b"")
    relu_du_disque = email.message_from_bytes(brut, policy=email.policy.default)
    assert relu_du_disque["X-Unsent"] == "1"
    assert relu_du_disque["Subject"] == "Rappel de facture – N° F-003"
    assert [p.get_filename() for p in relu_du_disque.iter_attachments()] == ["relance.pdf"]


def test_eml_dans_un_dossier_impossible(tmp_path):
    """Un dossier de sortie inutilisable donne une OutputError en français."""
    fichier = tmp_path / "pas_un_dossier"
    fichier.write_text("x")
    with pytest.raises(OutputError, match=r"impossible d'écrire .* : "):
        mail.write_eml(courriel(1), fichier / "Client 1.eml")


def test_eml_disque_plein_ne_laisse_aucun_fichier(tmp_path, monkeypatch):
    """Disque plein : OutputError « disque plein », ni brouillon à moitié écrit ni temporaire."""

    def disque_plein(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disque_plein)
    with pytest.raises(OutputError, match=r"disque plein"):
        mail.write_eml(courriel(1), tmp_path / "Client 1.eml")
    assert list(tmp_path.iterdir()) == []


# --- envoi SMTP -------------------------------------------------------------------------------


def test_envoi_de_tout_le_lot(serveur, tmp_path):
    """Trois courriels partent, chacun à son destinataire, sans X-Unsent ; le journal les liste."""
    boite, smtp = serveur()
    journal = tmp_path / mail.JOURNAL_NAME
    rapport = mail.send_all(lot(3), smtp, journal)
    assert rapport.sent == tuple(cle for cle, _ in lot(3))
    assert [m["X-Destinataires-Enveloppe"] for m in boite.recus] == [
        f"client{n}@exemple.fr" for n in range(3)
    ]
    assert all(m["X-Unsent"] is None for m in boite.recus)
    assert [e["statut"] for e in journal_lu(journal)] == ["envoyé"] * 3
    assert rapport.summary() == "3 courriel(s) envoyé(s), 0 déjà envoyé(s), 0 refusé(s)."


def test_un_envoi_deja_fait_ne_repart_jamais(serveur, tmp_path):
    """Relancer l'envoi le même jour n'envoie rien de plus : tout est « déjà envoyé »."""
    boite, smtp = serveur()
    journal = tmp_path / mail.JOURNAL_NAME
    mail.send_all(lot(3), smtp, journal)
    rapport = mail.send_all(lot(3), smtp, journal)
    assert (len(boite.recus), rapport.sent, len(rapport.skipped)) == (3, (), 3)


def test_meme_cle_deux_fois_dans_le_lot(serveur, tmp_path):
    """Deux messages de même clé dans un lot : un seul part."""
    boite, smtp = serveur()
    cle = mail.message_key("Dupont", "1", dt.date(2026, 11, 23))
    rapport = mail.send_all([(cle, courriel(1)), (cle, courriel(1))], smtp, tmp_path / "j.jsonl")
    assert (len(boite.recus), rapport.skipped) == (1, (cle,))


@pytest.mark.parametrize("coupure", ["brutale", "421"], ids=["connexion coupée", "réponse 421"])
def test_coupure_en_cours_de_lot_puis_reprise(serveur, tmp_path, coupure):
    """Coupure au 3e courriel : erreur « 2 envoyés sur 5 », puis la reprise envoie les 3 autres."""
    boite, smtp = serveur(BoiteAuxLettres(coupure=coupure, a_la_reception=2))
    journal = tmp_path / mail.JOURNAL_NAME
    with pytest.raises(OutputError, match=r"2 courriel\(s\) envoyé\(s\) sur 5.*relancez"):
        mail.send_all(lot(5), smtp, journal)
    assert [e["cle"] for e in journal_lu(journal)] == [cle for cle, _ in lot(2)]
    rapport = mail.send_all(lot(5), smtp, journal)
    assert (len(rapport.sent), len(rapport.skipped)) == (3, 2)
    assert sorted(boite.objets()) == [f"Rappel de facture – N° F-{n:03d}" for n in range(5)]


def test_destinataire_refuse_les_autres_partent(serveur, tmp_path):
    """Destinataire refusé (550) : signalé, journalisé, retenté plus tard ; le lot continue."""
    _, smtp = serveur(BoiteAuxLettres(refuse="client1@exemple.fr"))
    journal = tmp_path / mail.JOURNAL_NAME
    rapport = mail.send_all(lot(3), smtp, journal)
    cles = [cle for cle, _ in lot(3)]
    assert rapport.sent == (cles[0], cles[2])
    assert [(cle, "550" in motif) for cle, motif in rapport.refused] == [(cles[1], True)]
    assert [e["statut"] for e in journal_lu(journal)] == ["envoyé", "refusé", "envoyé"]
    assert cles[1] not in mail.sent_keys(journal)


def test_serveur_injoignable(tmp_path):
    """Aucun serveur sur le port : OutputError « impossible de joindre », rien n'est journalisé."""
    smtp = SmtpSettings(host="127.0.0.1", port=port_libre(), security="aucune")
    journal = tmp_path / mail.JOURNAL_NAME
    with pytest.raises(
        OutputError, match=r"impossible de joindre.*connexion refusée.*aucun courriel"
    ):
        mail.send_all(lot(2), smtp, journal)
    assert mail.sent_keys(journal) == frozenset()


def test_starttls_et_identifiant_avec_mot_de_passe_de_l_environnement(
    serveur, tls, tmp_path, monkeypatch
):
    """STARTTLS puis LOGIN avec le mot de passe de la variable d'environnement : envoyé."""
    boite, smtp = serveur(
        securite="starttls", tls_context=tls, require_starttls=True, authenticator=authentification
    )
    smtp = SmtpSettings(
        host=smtp.host,
        port=smtp.port,
        security="STARTTLS",
        user="compta",
        password_env="RELANCE_TEST_MDP",
    )
    monkeypatch.setenv("RELANCE_TEST_MDP", MOT_DE_PASSE)
    journal = tmp_path / mail.JOURNAL_NAME
    rapport = mail.send_all(lot(2), smtp, journal)
    assert (len(rapport.sent), len(boite.recus)) == (2, 2)
    assert MOT_DE_PASSE not in journal.read_text(encoding="utf-8")


def test_ssl_implicite(serveur, tls, tmp_path):
    """Sécurité « ssl » : connexion chiffrée dès le départ (port 465)."""
    boite, smtp = serveur(securite="ssl", ssl_context=tls)
    rapport = mail.send_all(lot(1), smtp, tmp_path / mail.JOURNAL_NAME)
    assert (len(rapport.sent), len(boite.recus)) == (1, 1)


def test_mauvais_mot_de_passe_jamais_affiche(serveur, tls, tmp_path):
    """Identifiant refusé : OutputError qui nomme l'utilisateur, jamais le mot de passe."""
    boite, smtp = serveur(securite="starttls", tls_context=tls, authenticator=authentification)
    smtp = SmtpSettings(host=smtp.host, port=smtp.port, user="compta")
    with pytest.raises(OutputError, match=r"refusé l'identifiant « compta »") as erreur:
        mail.send_all(lot(1), smtp, tmp_path / mail.JOURNAL_NAME, password="faux-" + MOT_DE_PASSE)
    assert MOT_DE_PASSE not in str(erreur.value) and boite.recus == []


def test_mot_de_passe_absent(monkeypatch, tmp_path):
    """Utilisateur sans variable d'environnement : ConfigError qui nomme la variable."""
    monkeypatch.delenv("RELANCE_SMTP_MOT_DE_PASSE", raising=False)
    smtp = SmtpSettings(host="127.0.0.1", port=port_libre(), user="compta")
    with pytest.raises(ConfigError, match=r"RELANCE_SMTP_MOT_DE_PASSE"):
        mail.send_all(lot(1), smtp, tmp_path / mail.JOURNAL_NAME)


@pytest.mark.parametrize(
    ("reglage", "motif"),
    [
        (SmtpSettings(host="", port=25), "serveur SMTP non renseigné"),
        (SmtpSettings(host="127.0.0.1", security="tls ou pas"), "sécurité SMTP « tls ou pas »"),
    ],
    ids=["serveur vide", "sécurité inconnue"],
)
def test_parametres_smtp_invalides(tmp_path, reglage, motif):
    """Paramètres SMTP inutilisables : ConfigError en français, rien n'est tenté."""
    with pytest.raises(ConfigError, match=motif):
        mail.send_all(lot(1), reglage, tmp_path / mail.JOURNAL_NAME)


def test_rien_a_envoyer_sans_connexion(tmp_path):
    """Quand tout est déjà envoyé, aucune connexion n'est ouverte (même sans serveur réglé)."""
    journal = tmp_path / mail.JOURNAL_NAME
    cle, message = lot(1)[0]
    journal.write_text(json.dumps({"cle": cle, "statut": "envoyé"}) + "\n", encoding="utf-8")
    rapport = mail.send_all([(cle, message)], SmtpSettings(), journal)
    assert rapport.skipped == (cle,)


def test_journal_impossible_a_ecrire_rien_ne_part(serveur, tmp_path):
    """Journal dans un dossier inutilisable : OutputError avant tout envoi."""
    boite, smtp = serveur()
    fichier = tmp_path / "pas_un_dossier"
    fichier.write_text("x")
    with pytest.raises(OutputError, match=r"journal des envois « .* » (illisible|impossible)"):
        mail.send_all(lot(2), smtp, fichier / mail.JOURNAL_NAME)
    assert boite.recus == []


def test_disque_plein_apres_un_envoi_arrete_le_lot(serveur, tmp_path, monkeypatch):
    """Disque plein au journal : le lot s'arrête au 1er courriel, l'erreur dit qu'il est parti."""
    boite, smtp = serveur()

    def disque_plein(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disque_plein)
    with pytest.raises(OutputError, match=r"est envoyé mais le journal .* disque plein"):
        mail.send_all(lot(3), smtp, tmp_path / mail.JOURNAL_NAME)
    assert len(boite.recus) == 1


def test_journal_abime_par_un_arret_brutal(serveur, tmp_path):
    """Une dernière ligne coupée est ignorée ; les envois suivants repartent sur une ligne neuve."""
    _, smtp = serveur()
    journal = tmp_path / mail.JOURNAL_NAME
    cles = [cle for cle, _ in lot(3)]
    journal.write_text(
        json.dumps({"cle": cles[0], "statut": "envoyé"}) + '\n{"cle": "' + cles[1][:8],
        encoding="utf-8",
    )
    rapport = mail.send_all(lot(3), smtp, journal)
    assert (rapport.skipped, rapport.sent) == ((cles[0],), (cles[1], cles[2]))
    assert mail.sent_keys(journal) == frozenset(cles)
