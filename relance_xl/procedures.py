"""Procédures de relance: the default escalation calendars, as data (domain.md §5).

The same rows are written into the Paramètres sheet of the template, where the user edits them;
the engine (relance_xl.escalation) reads whichever procedure applies to a client.
"""

from __future__ import annotations

from relance_xl.model import ClientType, Procedure, ProcedureLevel

FACTURE = "facture"
ECHEANCE = "échéance"
PRECEDENTE = "précédente"
REFERENCES = (FACTURE, ECHEANCE, PRECEDENTE)


def _procedure(name: str, *levels: tuple[str, str, str, int, str, str]) -> Procedure:
    return Procedure(name, tuple(ProcedureLevel(*level) for level in levels))


# fmt: off
DEFAULT_PROCEDURES: dict[str, Procedure] = {
    ClientType.PROFESSIONNEL.value: _procedure(
        ClientType.PROFESSIONNEL.value,
        ("P1", "appel : vérifier la bonne réception et la conformité de la facture", "téléphone",
         7, FACTURE, ""),
        ("P2", "appel : confirmer le paiement à l'échéance", "téléphone", -7, ECHEANCE, ""),
        ("1", "relance amiable", "email", 1, ECHEANCE, "relance_amiable"),
        ("2", "1re lettre de relance", "courrier", 15, PRECEDENTE, "lettre_relance_1"),
        ("3", "2e lettre : avertissement", "courrier", 7, PRECEDENTE, "lettre_relance_2"),
        ("4", "mise en demeure", "recommandé AR", 8, PRECEDENTE, "mise_en_demeure"),
        ("5", "contentieux : dossier pour injonction de payer", "dossier", 10, PRECEDENTE,
         "dossier_contentieux"),
    ),
    ClientType.PARTICULIER.value: _procedure(
        ClientType.PARTICULIER.value,
        ("1", "relance amiable", "email", 7, ECHEANCE, "relance_amiable"),
        ("2", "lettre de relance", "courrier", 15, PRECEDENTE, "lettre_relance_1"),
        ("3", "mise en demeure", "recommandé AR", 15, PRECEDENTE, "mise_en_demeure"),
        ("4", "contentieux : dossier de recouvrement", "dossier", 15, PRECEDENTE,
         "dossier_contentieux"),
    ),
    ClientType.ADMINISTRATION.value: _procedure(
        ClientType.ADMINISTRATION.value,
        ("1", "relance amiable (rappel du dépôt sur Chorus Pro)", "email", 1, ECHEANCE,
         "relance_amiable"),
        ("2", "lettre de relance", "courrier", 15, PRECEDENTE, "lettre_relance_1"),
        ("3", "mise en demeure", "recommandé AR", 15, PRECEDENTE, "mise_en_demeure"),
        ("4", "contentieux : dossier pour le tribunal administratif", "dossier", 30, PRECEDENTE,
         "dossier_contentieux"),
    ),
}
# fmt: on

MISE_EN_DEMEURE_DEADLINE_DAYS = 8
"""Date butoir of a mise en demeure: date d'envoi + 8 jours (domain.md §5, level 4)."""
