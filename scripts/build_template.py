"""Build ``workbook_template.xlsx``: the canonical workbook, with realistic sample data.

The sample data is dated for a demo run on 23/11/2026 (:data:`REFERENCE_DATE`): every age bucket,
a partial payment, a credit note, a dispute, a payment promise, a payment plan, a client not to be
chased, clients at every level of Historique… The Procédures table of Paramètres is written from
``relance_xl.procedures.DEFAULT_PROCEDURES``.

Usage: ``python scripts/build_template.py [SORTIE]`` (default: ``workbook_template.xlsx`` at the
top of the project). Reproducible: fixed dates, fixed document properties and fixed zip entry
timestamps, so two runs give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(PROJECT))

from relance_xl.columns import FIELDS  # noqa: E402
from relance_xl.model import ClientType, ProcedureLevel  # noqa: E402
from relance_xl.procedures import DEFAULT_PROCEDURES  # noqa: E402

DEFAULT_OUTPUT = PROJECT / "workbook_template.xlsx"
REFERENCE_DATE = dt.date(2026, 11, 23)
"""The demo's run date: the sample data is consistent at this date."""
DOCUMENT_TIMESTAMP = dt.datetime(2026, 11, 23, 8, 0, 0)
ZIP_TIMESTAMP = (2026, 11, 23, 8, 0, 0)

DATE_FORMAT = "dd/mm/yyyy"
EURO_FORMAT = '#,##0.00\\ "€"'
"""Stored in the file's invariant syntax; Excel in French shows ``1 234,56 €``."""
PERCENT_FORMAT = '0.00\\ "%"'
"""A percentage typed as a number (12 means 12 %), not Excel's ×100 percent format."""
INTEGER_FORMAT = "0"
TEXT_FORMAT = "@"
TABLE_STYLE = "TableStyleMedium2"
VALIDATION_LAST_ROW = 2000
"""Drop-down lists cover the rows the user will add below the sample data."""

SHEETS = ("Factures", "Clients", "Historique", "Échéanciers", "Paramètres", "xlwings.conf")

INVOICE_HEADERS = (
    "Client", "N° facture", "Date facture", "Échéance", "Montant TTC", "Payé", "Montant réglé",
    "Date de règlement", "Objet", "Date du devis", "N° de commande", "Litige", "Motif du litige",
    "Promesse de paiement", "Commentaire",
)  # fmt: skip
CLIENT_HEADERS = (
    "Client", "Type", "Raison sociale", "Adresse", "Code postal", "Ville", "Email", "Téléphone",
    "Contact comptabilité", "Taux contractuel", "Procédure", "Ne pas relancer", "Suivi",
)  # fmt: skip
HISTORY_HEADERS = (
    "Date", "Client", "N° facture", "Niveau", "Action", "Canal", "Statut", "Montant réclamé",
    "Fichier", "Note",
)  # fmt: skip
PLAN_HEADERS = ("Client", "N° facture", "Date", "Montant")
PARAMETER_HEADERS = ("Paramètre", "Valeur")
PROCEDURE_HEADERS = (
    "Type de client", "Niveau", "Action", "Canal", "Délai (jours)", "Référence",
    "Modèle de courrier",
)  # fmt: skip
COLUMN_HEADERS = ("Champ", "En-tête")
RATE_HEADERS = ("Série", "Semestre", "Taux (%)", "Source")

YES_NO = ("oui", "non")
CLIENT_TYPES = tuple(t.value for t in ClientType)
WATCH = ("nouveau", "mauvais payeur")
STATUSES = ("proposé", "envoyé", "annulé")
REFERENCES = ("facture", "échéance", "précédente")

D = dt.date  # short names keep the sample tables below readable, one record per entry
E = Decimal

# Clients: key, type, raison sociale, adresse, code postal, ville, email, téléphone,
# contact comptabilité, taux contractuel, procédure, ne pas relancer, suivi.
CLIENTS: tuple[tuple[object, ...], ...] = (
    ("Boulangerie Martin", "professionnel", "Boulangerie Martin SARL", "8 rue Mercière",
     "69002", "Lyon", "boulangerie.martin@example.fr", "04 78 42 17 36",
     "Mme Lucie Martin", None, None, "non", None),
    ("Dupont & Fils <SARL> Été", "professionnel", "Dupont & Fils <SARL> Été",
     "27 avenue Jean-Jaurès", "69007", "Lyon", "compta.dupont-fils@example.fr",
     "04 72 73 45 10", "M. Étienne Dupont", None, None, "non", None),
    ("Garage des Brotteaux", "professionnel", "Garage des Brotteaux SAS", "51 rue Tronchet",
     "69006", "Lyon", "garage.brotteaux@example.fr", "04 78 89 20 64",
     "Service comptabilité", None, None, "non", None),
    ("Transports Morel", "professionnel", "Transports Morel SAS",
     "ZI Les Platières, 3 rue de l'Industrie", "69330", "Meyzieu",
     "factures.morel@example.com", "04 72 02 58 90",
     "M. Bruno Caillet", None, None, "non", None),
    ("Hôtel du Parc", "professionnel", "SAS Hôtel du Parc", "12 boulevard des Belges",
     "69006", "Lyon", "direction.hotelduparc@example.fr", "04 78 24 66 12",
     "Mme Nadia Haddad", None, None, "non", None),
    ("Café de la Croix-Rousse", "professionnel", "Café de la Croix-Rousse SARL",
     "4 place de la Croix-Rousse", "69004", "Lyon", "cafe.croixrousse@example.fr",
     "04 78 28 90 03", "M. Hugo Perret", None, None, "non", "nouveau"),
    ("Imprimerie Lumière", "professionnel", "Imprimerie Lumière SA", "95 rue du Premier-Film",
     "69008", "Lyon", "compta.imprimerie-lumiere@example.com", "04 78 00 31 47",
     "Mme Agnès Royer", None, None, "non", None),
    ("Pharmacie Saint-Jean", "professionnel", "Pharmacie Saint-Jean SELARL", "2 rue Saint-Jean",
     "69005", "Lyon", "pharmacie.saintjean@example.fr", "04 78 37 52 81",
     "M. Paul Nguyen", None, None, "non", "mauvais payeur"),
    ("Cabinet Vidal Architectes", "professionnel", "Cabinet Vidal Architectes SARL",
     "18 quai Saint-Antoine", "69002", "Lyon", "admin.vidal-architectes@example.com",
     "04 72 41 09 88", "Mme Chloé Vidal", E("12"), None, "non", None),
    ("Société Delorme Bâtiment", "professionnel", "Société Delorme Bâtiment SAS",
     "140 route de Vienne", "69008", "Lyon", "delorme.batiment@example.fr",
     "04 78 76 14 52", "M. Marc Delorme", None, None, "oui", None),
    ("SCI Les Terrasses de Fourvière", "professionnel", "SCI Les Terrasses de Fourvière",
     "6 montée du Gourguillon", "69005", "Lyon", "sci.terrasses-fourviere@example.fr",
     "04 78 92 60 27", "Cabinet Régie Bellevue", None, None, "non", None),
    ("Librairie du Vieux-Lyon", "professionnel", "Librairie du Vieux-Lyon EURL",
     "33 rue du Bœuf", "69005", "Lyon", "librairie.vieuxlyon@example.com", "04 78 42 88 15",
     "Mme Inès Barbier", None, None, "non", None),
    ("Mme Claire Fontaine", "particulier", "Mme Claire Fontaine", "7 rue Denfert-Rochereau",
     "69004", "Lyon", "claire.fontaine@example.fr", "06 12 45 78 90", None, None, None, "non",
     None),
    ("M. et Mme Bernard", "particulier", "M. et Mme Bernard", "22 chemin de la Garenne",
     "69340", "Francheville", "famille.bernard@example.fr", "06 71 23 56 04", None, None, None,
     "non", None),
    ("M. Julien Roux", "particulier", "M. Julien Roux", "5 rue des Tuiliers", "69003", "Lyon",
     "julien.roux@example.com", "07 81 64 30 12", None, None, None, "non", None),
    ("Mme Sophie Lefèvre", "particulier", "Mme Sophie Lefèvre", "41 avenue de la République",
     "69160", "Tassin-la-Demi-Lune", "sophie.lefevre@example.fr", "06 30 84 17 59", None,
     None, None, "non", None),
    ("M. Karim Benali", "particulier", "M. Karim Benali", "9 impasse des Lilas", "69100",
     "Villeurbanne", "k.benali@example.com", "06 58 02 91 36", None, None, None, "non", None),
    ("Commune de Sainte-Foy-les-Vignes", "administration", "Mairie de Sainte-Foy-les-Vignes",
     "1 place de la Mairie", "69110", "Sainte-Foy-les-Vignes",
     "finances.saintefoy@example.fr", "04 72 16 30 00",
     "Service des finances (dépôt Chorus Pro)", None, None, "non", None),
    ("Collège Jean-Moulin", "administration", "Collège Jean-Moulin", "2 rue des Écoles",
     "69600", "Oullins", "intendance.jean-moulin@example.fr", "04 78 51 22 40",
     "M. l'intendant", None, None, "non", None),
    ("Centre hospitalier des Monts d'Or", "administration", "Centre hospitalier des Monts d'Or",
     "10 avenue des Monts-d'Or", "69450", "Saint-Cyr-au-Mont-d'Or",
     "fournisseurs.ch-montsdor@example.fr", "04 72 20 50 00", "Direction des achats", None,
     None, "non", None),
)  # fmt: skip

# Factures: client, n°, date facture, échéance, montant TTC, payé, montant réglé, date de
# règlement, objet, date du devis, n° de commande, litige, motif, promesse, commentaire.
INVOICES: tuple[tuple[object, ...], ...] = (
    ("Boulangerie Martin", "F2026-0012", D(2026, 2, 10), D(2026, 3, 12), E("1440.00"), "oui", None,
     D(2026, 3, 10), "Réparation de la vitrine et habillage bois", D(2026, 1, 28), "BC-0112",
     "non", None, None, None),
    ("Boulangerie Martin", "F2026-0101", D(2026, 9, 20), D(2026, 10, 20), E("2880.00"), "non", None,
     None, "Agencement du comptoir de vente", D(2026, 8, 25), "BC-0187", "non", None, None, None),
    ("Boulangerie Martin", "F2026-0131", D(2026, 10, 6), D(2026, 11, 5), E("624.00"), "non", None,
     None, "Étagères murales en chêne", D(2026, 9, 15), "BC-0194", "non", None, None, None),
    ("Dupont & Fils <SARL> Été", "F2026-0025", D(2026, 3, 15), D(2026, 4, 14), E("890.00"), "oui",
     None, None, "Réglage et quincaillerie des portes du showroom", D(2026, 3, 2), "DF-2026-08",
     "non", None, None, "payé par chèque"),
    ("Dupont & Fils <SARL> Été", "F2026-0091", D(2026, 9, 10), D(2026, 10, 10), E("3960.00"), "non",
     None, None, "Fabrication de portes coulissantes", D(2026, 7, 2), "DF-2026-31", "non", None,
     None, None),
    ("Dupont & Fils <SARL> Été", "F2026-0138", D(2026, 11, 5), D(2026, 12, 5), E("1210.80"), "non",
     None, None, "Habillage de l'escalier du magasin", D(2026, 10, 12), "DF-2026-44", "non", None,
     None, None),
    ("Garage des Brotteaux", "F2026-0054", D(2026, 6, 30), D(2026, 7, 30), E("1050.00"), "oui",
     None, D(2026, 8, 5), "Établi sur mesure", D(2026, 6, 2), "GB-114", "non", None, None, None),
    ("Garage des Brotteaux", "F2026-0088", D(2026, 8, 31), D(2026, 9, 30), E("4320.00"), "non",
     None, None, "Bardage bois de l'atelier", D(2026, 7, 16), "GB-131", "non", None, None, None),
    ("Transports Morel", "F2026-0020", D(2026, 3, 2), D(2026, 4, 1), E("780.00"), "oui", None,
     D(2026, 4, 20), "Remplacement d'une porte de quai", D(2026, 2, 12), "TM-26-019", "non", None,
     None, None),
    ("Transports Morel", "F2026-0061", D(2026, 7, 31), D(2026, 8, 31), E("2160.00"), "non", None,
     None, "Aménagement des bureaux de l'entrepôt", D(2026, 6, 18), "TM-26-077", "non", None, None,
     None),
    ("Transports Morel", "F2026-0074", D(2026, 8, 31), D(2026, 9, 30), E("1536.00"), "non", None,
     None, "Cloisons bois et portes des vestiaires", D(2026, 7, 20), "TM-26-083", "non", None, None,
     None),
    ("Hôtel du Parc", "F2025-0380", D(2025, 10, 20), D(2025, 11, 19), E("5640.00"), "oui", None,
     D(2025, 12, 22), "Rénovation des portes de chambres (tranche 1)", D(2025, 9, 8), "HP-2025-12",
     "non", None, None, None),
    ("Hôtel du Parc", "F2025-0412", D(2025, 12, 1), D(2025, 12, 31), E("5640.00"), "non", None,
     None, "Rénovation des portes de chambres (tranche 2)", D(2025, 9, 8), "HP-2025-12", "non",
     None, None, None),
    ("Hôtel du Parc", "F2026-0032", D(2026, 6, 15), D(2026, 7, 15), E("3348.00"), "non", None,
     None, "Lambris du salon", D(2026, 5, 4), "HP-2026-03", "non", None, None, None),
    ("Café de la Croix-Rousse", "F2026-0122", D(2026, 10, 31), D(2026, 11, 30), E("1872.00"), "non",
     None, None, "Banquettes sur mesure", D(2026, 9, 29), "CCR-01", "non", None, None, None),
    ("Café de la Croix-Rousse", "F2026-0150", D(2026, 11, 16), D(2026, 12, 16), E("2496.00"), "non",
     None, None, "Comptoir du bar en chêne massif", D(2026, 9, 29), "CCR-02", "non", None, None,
     None),
    ("Imprimerie Lumière", "F2026-0040", D(2026, 5, 12), D(2026, 6, 11), E("960.00"), "oui", None,
     D(2026, 6, 9), "Rayonnages de l'entrepôt papier", D(2026, 4, 20), "IL-0456", "non", None,
     None, None),
    ("Imprimerie Lumière", "F2026-0095", D(2026, 9, 5), D(2026, 10, 5), E("2718.00"), "non", None,
     None, "Armoires de rangement de l'atelier", D(2026, 7, 28), "IL-0502", "oui",
     "livraison incomplète : deux portes d'armoire manquantes", None,
     "pose des portes prévue en décembre"),
    ("Imprimerie Lumière", "F2026-0127", D(2026, 10, 12), D(2026, 11, 11), E("432.00"), "non", None,
     None, "Réparation d'une table de massicot", None, "IL-0519", "non", None, None, None),
    ("Pharmacie Saint-Jean", "F2026-0079", D(2026, 8, 21), D(2026, 9, 20), E("1695.60"), "non",
     None, None, "Tiroirs de l'officine", D(2026, 7, 8), "PSJ-2026-4", "non", None,
     D(2026, 11, 30), "promesse au téléphone le 18/11 : virement fin novembre"),
    ("Pharmacie Saint-Jean", "F2026-0141", D(2026, 11, 9), D(2026, 12, 9), E("540.00"), "non", None,
     None, "Présentoir en hêtre", D(2026, 10, 20), "PSJ-2026-7", "non", None, None, None),
    ("Cabinet Vidal Architectes", "F2026-0048", D(2026, 6, 1), D(2026, 7, 1), E("1320.00"), "oui",
     None, D(2026, 7, 1), "Tables de la salle de réunion", D(2026, 5, 5), "CVA-118", "non", None,
     None, None),
    ("Cabinet Vidal Architectes", "F2026-0110", D(2026, 9, 25), D(2026, 10, 25), E("2400.00"),
     "non", E("1000.00"), None, "Mobilier de l'accueil", D(2026, 8, 10), "CVA-131", "non", None,
     None, "acompte de 1 000 € reçu le 02/11"),
    ("Cabinet Vidal Architectes", "AV2026-004", D(2026, 10, 10), D(2026, 10, 10), E("-180.00"),
     "non", None, None, "Avoir : remise sur le mobilier de l'accueil (rayure du plateau)", None,
     "CVA-131", "non", None, None, "avoir sur F2026-0110"),
    ("Société Delorme Bâtiment", "F2026-0045", D(2026, 5, 28), D(2026, 6, 27), E("6240.00"), "non",
     None, None, "Menuiseries du chantier rue Garibaldi", D(2026, 4, 14), "SDB-7781", "non", None,
     None, "accord du gérant : compensation sur le prochain chantier"),
    ("Société Delorme Bâtiment", "F2026-0112", D(2026, 9, 28), D(2026, 10, 28), E("1980.00"), "non",
     None, None, "Portes coupe-feu", D(2026, 8, 31), "SDB-7802", "non", None, None, None),
    ("SCI Les Terrasses de Fourvière", "F2026-0066", D(2026, 7, 20), D(2026, 8, 19), E("980.00"),
     "oui", None, D(2026, 8, 14), "Réfection des volets du 2e étage", D(2026, 6, 22), "TF-22",
     "non", None, None, None),
    ("SCI Les Terrasses de Fourvière", "F2026-0117", D(2026, 10, 20), None, E("3120.00"), "non",
     None, None, "Portail bois de la cour", D(2026, 9, 1), "TF-27", "non", None, None,
     "échéance non reportée"),
    ("Librairie du Vieux-Lyon", "F2026-0058", D(2026, 7, 10), D(2026, 8, 9), E("744.00"), "non",
     None, None, "Bibliothèque de la vitrine", D(2026, 6, 12), "LVL-09", "non", None, None, None),
    ("Librairie du Vieux-Lyon", "F2026-0083", D(2026, 8, 23), D(2026, 9, 22), E("1188.00"), "non",
     None, None, "Escabeau et rayonnages mobiles", D(2026, 7, 30), "LVL-11", "non", None, None,
     None),
    ("Mme Claire Fontaine", "F2026-0124", D(2026, 10, 21), D(2026, 11, 5), E("1350.00"), "non",
     None, None, "Dressing sur mesure", D(2026, 9, 23), None, "non", None, None, None),
    ("M. et Mme Bernard", "F2026-0035", D(2026, 4, 20), D(2026, 5, 5), E("450.00"), "oui", None,
     D(2026, 5, 4), "Réparation de la porte d'entrée", D(2026, 4, 8), None, "non", None, None,
     None),
    ("M. et Mme Bernard", "F2026-0099", D(2026, 9, 30), D(2026, 10, 15), E("2760.00"), "non", None,
     None, "Escalier en chêne", D(2026, 8, 3), None, "non", None, None, None),
    ("M. Julien Roux", "F2026-0070", D(2026, 8, 16), D(2026, 8, 31), E("1800.00"), "non",
     E("1200.00"), None, "Pose de parquet massif", D(2026, 7, 1), None, "non", None, None,
     "échéancier accordé le 15/09 : 3 × 600 €"),
    ("Mme Sophie Lefèvre", "F2026-0030", D(2026, 4, 2), D(2026, 4, 17), E("620.00"), "oui", None,
     D(2026, 4, 15), "Étagères de la cuisine", D(2026, 3, 18), None, "non", None, None, None),
    ("Mme Sophie Lefèvre", "F2026-0145", D(2026, 11, 12), D(2026, 11, 27), E("1140.00"), "non",
     None, None, "Bibliothèque murale", D(2026, 10, 5), None, "non", None, None, None),
    ("M. Karim Benali", "F2026-0050", D(2026, 6, 5), D(2026, 6, 20), E("390.00"), "non", None, None,
     "Réparation de volets battants", None, None, "non", None, None, None),
    ("Commune de Sainte-Foy-les-Vignes", "F2026-0062", D(2026, 7, 24), D(2026, 8, 23),
     E("2040.00"), "oui", None, D(2026, 9, 18), "Estrade de la salle du conseil",
     D(2026, 6, 15), "BC 2026-0311", "non", None, None, None),
    ("Commune de Sainte-Foy-les-Vignes", "F2026-0105", D(2026, 10, 1), D(2026, 10, 31),
     E("4680.00"), "non", None, None, "Bancs de la salle des fêtes", D(2026, 8, 27),
     "BC 2026-0457", "non", None, None, "déposée sur Chorus Pro le 01/10"),
    ("Collège Jean-Moulin", "F2026-0052", D(2026, 6, 30), D(2026, 7, 30), E("3900.00"), "non",
     None, None, "Remplacement des portes des salles de classe", D(2026, 5, 11), "EJ 2026-118",
     "non", None, None, "déposée sur Chorus Pro le 30/06"),
    ("Collège Jean-Moulin", "F2026-0148", D(2026, 11, 13), D(2026, 12, 13), E("1260.00"), "non",
     None, None, "Casiers du foyer des élèves", D(2026, 10, 7), "EJ 2026-207", "non", None, None,
     None),
    ("Centre hospitalier des Monts d'Or", "F2026-0028", D(2026, 3, 25), D(2026, 5, 14),
     E("1560.00"), "oui", None, D(2026, 5, 20), "Main courante du hall", D(2026, 2, 26),
     "CH-MO-0233", "non", None, None, None),
    ("Centre hospitalier des Monts d'Or", "F2026-0085", D(2026, 8, 28), D(2026, 10, 17),
     E("2208.00"), "non", None, None, "Habillage bois de l'accueil", D(2026, 7, 9), "CH-MO-0291",
     "non", None, None, "délai de paiement de 50 jours (établissement de santé)"),
)  # fmt: skip

INVOICE_AMOUNTS = {invoice[1]: invoice[4] for invoice in INVOICES}
"""N° facture → Montant TTC: the Montant réclamé of the Historique rows."""

# Historique: (date, client, n° factures, client type, niveau, statut, fichier, note).
# Action and Canal come from the default procedure of the client's type.
HISTORY: tuple[tuple[object, ...], ...] = (
    (D(2026, 10, 14), "Hôtel du Parc", ("F2025-0412", "F2026-0032"), "professionnel", "1",
     "envoyé", "2026-10-14 Hôtel du Parc - relance amiable.eml", ""),
    (D(2026, 10, 22), "Transports Morel", ("F2026-0061", "F2026-0074"), "professionnel", "1",
     "envoyé", "2026-10-22 Transports Morel - relance amiable.eml", ""),
    (D(2026, 10, 29), "Hôtel du Parc", ("F2025-0412", "F2026-0032"), "professionnel", "2",
     "envoyé", "2026-10-29 Hôtel du Parc - lettre de relance 1.docx", ""),
    (D(2026, 10, 30), "Garage des Brotteaux", ("F2026-0088",), "professionnel", "1", "envoyé",
     "2026-10-30 Garage des Brotteaux - relance amiable.eml", ""),
    (D(2026, 11, 5), "Hôtel du Parc", ("F2025-0412", "F2026-0032"), "professionnel", "3",
     "envoyé", "2026-11-05 Hôtel du Parc - lettre de relance 2.docx", ""),
    (D(2026, 11, 6), "Transports Morel", ("F2026-0061", "F2026-0074"), "professionnel", "2",
     "envoyé", "2026-11-06 Transports Morel - lettre de relance 1.docx", ""),
    (D(2026, 11, 6), "Boulangerie Martin", ("F2026-0101",), "professionnel", "1", "envoyé",
     "2026-11-06 Boulangerie Martin - relance amiable.eml", ""),
    (D(2026, 11, 9), "Commune de Sainte-Foy-les-Vignes", ("F2026-0105",), "administration", "1",
     "envoyé", "2026-11-09 Commune de Sainte-Foy-les-Vignes - relance amiable.eml", ""),
    (D(2026, 11, 13), "Transports Morel", ("F2026-0061", "F2026-0074"), "professionnel", "3",
     "envoyé", "2026-11-13 Transports Morel - lettre de relance 2.docx", ""),
    (D(2026, 11, 13), "Hôtel du Parc", ("F2025-0412", "F2026-0032"), "professionnel", "4",
     "envoyé", "2026-11-13 Hôtel du Parc - mise en demeure.docx", "LRAR n° 1A 234 567 8901 2"),
    (D(2026, 11, 16), "Garage des Brotteaux", ("F2026-0088",), "professionnel", "2", "envoyé",
     "2026-11-16 Garage des Brotteaux - lettre de relance 1.docx", ""),
    (D(2026, 11, 16), "Mme Claire Fontaine", ("F2026-0124",), "particulier", "1", "proposé",
     "", "courriel préparé, pas encore envoyé"),
    (D(2026, 11, 18), "Pharmacie Saint-Jean", ("F2026-0079",), "professionnel", "1", "annulé",
     "", "promesse de paiement au 30/11"),
)  # fmt: skip

# Rows typed by hand in Historique, outside any procedure (kept as typed).
HAND_TYPED_HISTORY: tuple[tuple[object, ...], ...] = (
    (D(2026, 11, 12), "M. et Mme Bernard", "F2026-0099", None, "appel", "téléphone", "fait",
     None, None, "appelé le 12/11, promet de payer fin du mois"),
)  # fmt: skip

# Échéanciers: one plan of 3 instalments, honoured at the reference date (1 200 € paid).
PLANS: tuple[tuple[object, ...], ...] = (
    ("M. Julien Roux", "F2026-0070", D(2026, 9, 30), E("600.00")),
    ("M. Julien Roux", "F2026-0070", D(2026, 10, 31), E("600.00")),
    ("M. Julien Roux", "F2026-0070", D(2026, 11, 30), E("600.00")),
)

CREDITOR_PARAMETERS: tuple[tuple[str, object], ...] = (
    ("Raison sociale", "Menuiserie Bellecour SARL"),
    ("Adresse", "14 rue des Remparts d'Ainay"),
    ("Code postal", "69002"),
    ("Ville", "Lyon"),
    ("SIREN", "812 457 638"),
    ("Signataire", "Sophie Garnier, gérante"),
    ("Email", "compta.bellecour@example.fr"),
    ("Téléphone", "04 78 37 12 45"),
    ("IBAN", "FR76 3000 2005 5000 0123 4567 824"),
    ("BIC", "CRLYFRPPXXX"),
)
SETTINGS_PARAMETERS: tuple[tuple[str, object], ...] = (
    ("Délai de paiement par défaut (jours)", 30),
    ("Montant minimum à relancer", E("10.00")),
    ("Appels préventifs pour tous", "non"),
    ("Taux contractuel global", None),
    ("Dossier des courriers", None),
    ("Dossier des modèles", None),
    ("Serveur SMTP", "smtp.example.fr"),
    ("Port SMTP", 587),
    ("Sécurité SMTP", "starttls"),
    ("Utilisateur SMTP", "compta.bellecour@example.fr"),
    ("Expéditeur", "Menuiserie Bellecour <compta.bellecour@example.fr>"),
    ("Variable du mot de passe SMTP", "RELANCE_SMTP_MOT_DE_PASSE"),
)
PARAMETER_FORMATS = {
    "Délai de paiement par défaut (jours)": INTEGER_FORMAT,
    "Montant minimum à relancer": EURO_FORMAT,
    "Taux contractuel global": PERCENT_FORMAT,
    "Port SMTP": INTEGER_FORMAT,
    "Code postal": TEXT_FORMAT,
}

USER_GUIDE = (
    "Mode d'emploi",
    "1. Saisissez une ligne par facture dans la feuille Factures (un avoir : montant négatif), "
    "et vos clients dans Clients (type : particulier, professionnel ou administration).",
    "2. Bouton « Mettre à jour » : balance âgée et prochaines actions à la date du jour ; "
    "« Générer les courriers » : lettres, courriels et PDF ; « Enregistrer les relances » : "
    "ajoute les étapes faites à la feuille Historique.",
    "3. En ligne de commande : relance-xl actions classeur.xlsx --date 2026-11-23.",
    "4. Chaque tableau ci-dessous commence sous son titre et se termine à la première ligne vide : "
    "modifiez les valeurs, pas les en-têtes.",
    "5. Le mot de passe SMTP n'est jamais saisi dans le classeur : il est lu dans la variable "
    "d'environnement indiquée.",
)
COLUMNS_NOTE = (
    "Facultatif : si un en-tête de votre feuille Factures n'est pas reconnu, choisissez le champ "
    "dans la liste et écrivez l'en-tête exact de votre colonne."
)
RATES_NOTE = (
    "Facultatif : remplace un taux publié. Série : bce, legal_particuliers ou legal_autres ; "
    "semestre au format 2026S2 ; taux en pourcentage (4,15 pour 4,15 %)."
)
EMPTY_TABLE_ROWS = 3
BLOCK_GAP = 2

WIDTHS = {
    "Client": 34, "N° facture": 13, "Date facture": 13, "Échéance": 12, "Montant TTC": 14,
    "Payé": 7, "Montant réglé": 14, "Date de règlement": 13, "Objet": 46, "Date du devis": 13,
    "N° de commande": 16, "Litige": 8, "Motif du litige": 46, "Promesse de paiement": 13,
    "Commentaire": 50, "Type": 15, "Raison sociale": 34, "Adresse": 38, "Code postal": 12,
    "Ville": 24, "Email": 42, "Téléphone": 16, "Contact comptabilité": 36,
    "Taux contractuel": 11, "Procédure": 14, "Ne pas relancer": 10, "Suivi": 16, "Date": 12,
    "Niveau": 8, "Action": 58, "Canal": 15, "Statut": 11, "Montant réclamé": 16,
    "Fichier": 58, "Note": 46, "Montant": 14,
}  # fmt: skip


def build(output: Path = DEFAULT_OUTPUT) -> Path:
    """Write the template to ``output`` (same bytes at every run) and return its path."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name in SHEETS:
        workbook.create_sheet(name)
    _invoices_sheet(workbook["Factures"])
    _clients_sheet(workbook["Clients"])
    _history_sheet(workbook["Historique"])
    _plans_sheet(workbook["Échéanciers"])
    _parameters_sheet(workbook["Paramètres"])
    _xlwings_sheet(workbook["xlwings.conf"])
    workbook.active = 0
    _set_properties(workbook)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(_reproducible_bytes(workbook))
    return output


def _invoices_sheet(sheet: Worksheet) -> None:
    _data_table(
        sheet,
        "Factures",
        INVOICE_HEADERS,
        INVOICES,
        dates=("Date facture", "Échéance", "Date de règlement", "Date du devis",
               "Promesse de paiement"),
        amounts=("Montant TTC", "Montant réglé"),
    )  # fmt: skip
    _list_validation(sheet, INVOICE_HEADERS, "Payé", YES_NO)
    _list_validation(sheet, INVOICE_HEADERS, "Litige", YES_NO)


def _clients_sheet(sheet: Worksheet) -> None:
    _data_table(
        sheet,
        "Clients",
        CLIENT_HEADERS,
        CLIENTS,
        texts=("Code postal", "Téléphone"),
        percents=("Taux contractuel",),
    )
    _list_validation(sheet, CLIENT_HEADERS, "Type", CLIENT_TYPES)
    _list_validation(sheet, CLIENT_HEADERS, "Ne pas relancer", YES_NO)
    _list_validation(sheet, CLIENT_HEADERS, "Suivi", WATCH)


def _history_sheet(sheet: Worksheet) -> None:
    rows = [row for entry in HISTORY for row in _history_rows(*entry)]
    rows.extend(HAND_TYPED_HISTORY)
    _data_table(sheet, "Historique", HISTORY_HEADERS, rows, dates=("Date",),
                amounts=("Montant réclamé",))  # fmt: skip
    # A warning, not a stop: a hand-typed status stays possible, and the reader reports it.
    _list_validation(sheet, HISTORY_HEADERS, "Statut", STATUSES, strict=False)


def _history_rows(
    date: dt.date,
    client: str,
    invoices: tuple[str, ...],
    client_type: str,
    level: str,
    status: str,
    file: str,
    note: str,
) -> list[tuple[object, ...]]:
    """One Historique row per invoice of a step (each invoice keeps its own history)."""
    step = _procedure_level(client_type, level)
    return [
        (date, client, number, _level_cell(level), step.action, step.channel, status,
         INVOICE_AMOUNTS[number], file or None, note or None)
        for number in invoices
    ]  # fmt: skip


def _procedure_level(client_type: str, level: str) -> ProcedureLevel:
    return next(step for step in DEFAULT_PROCEDURES[client_type].levels if step.level == level)


def _level_cell(level: str) -> int | str:
    """Numbered levels as numbers (no "number stored as text" flag in Excel), P1/P2 as text."""
    return int(level) if level.isdigit() else level


def _plans_sheet(sheet: Worksheet) -> None:
    _data_table(sheet, "Echeanciers", PLAN_HEADERS, PLANS, dates=("Date",), amounts=("Montant",))


def _parameters_sheet(sheet: Worksheet) -> None:
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 62
    for letter, width in zip("CDEFG", (58, 15, 14, 13, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.cell(1, 1, "Paramètres de relance_xl").font = Font(bold=True, size=14)
    sheet.cell(2, 1, USER_GUIDE[0]).font = Font(bold=True)
    for offset, line in enumerate(USER_GUIDE[1:], start=3):
        sheet.cell(offset, 1, line).font = Font(italic=True)
    row = len(USER_GUIDE) + 2 + BLOCK_GAP

    parameters = CREDITOR_PARAMETERS + SETTINGS_PARAMETERS
    header, last = _block(sheet, row, "Entreprise et réglages", "Parametres", PARAMETER_HEADERS,
                          parameters)  # fmt: skip
    for data_row, (key, _value) in enumerate(parameters, start=header + 1):
        if key in PARAMETER_FORMATS:
            sheet.cell(data_row, 2).number_format = PARAMETER_FORMATS[key]
        if key == "Appels préventifs pour tous":
            _validation(sheet, YES_NO, f"B{data_row}")

    procedures = [
        (name, _level_cell(step.level), step.action, step.channel, step.delay_days,
         step.reference, step.template or None)
        for name, procedure in DEFAULT_PROCEDURES.items()
        for step in procedure.levels
    ]  # fmt: skip
    header, last = _block(sheet, last + 1 + BLOCK_GAP, "Procédures de relance", "Procedures",
                          PROCEDURE_HEADERS, procedures)  # fmt: skip
    reference = get_column_letter(PROCEDURE_HEADERS.index("Référence") + 1)
    _validation(sheet, REFERENCES, f"{reference}{header + 1}:{reference}{last}")

    empty = [(None,) * len(COLUMN_HEADERS)] * EMPTY_TABLE_ROWS
    header, last = _block(sheet, last + 1 + BLOCK_GAP, "Colonnes", "Colonnes", COLUMN_HEADERS,
                          empty, note=COLUMNS_NOTE)  # fmt: skip
    _validation(sheet, FIELDS, f"A{header + 1}:A{last}")
    empty = [(None,) * len(RATE_HEADERS)] * EMPTY_TABLE_ROWS
    _block(sheet, last + 1 + BLOCK_GAP, "Taux d'intérêt", "Taux", RATE_HEADERS, empty,
           note=RATES_NOTE)  # fmt: skip


def _block(
    sheet: Worksheet,
    row: int,
    title: str,
    table_name: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    note: str = "",
) -> tuple[int, int]:
    """A bold title on ``row``, then a Table (header + rows); returns (header row, last row)."""
    sheet.cell(row, 1, title).font = Font(bold=True, size=12)
    if note:
        sheet.cell(row, 2, note).font = Font(italic=True)
    header_row = row + 1
    for column, header in enumerate(headers, start=1):
        sheet.cell(header_row, column, header)
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            sheet.cell(header_row + offset, column, value).alignment = Alignment(vertical="top")
    last_row = header_row + len(rows)
    ref = f"A{header_row}:{get_column_letter(len(headers))}{last_row}"
    sheet.add_table(_table(table_name, ref))
    return header_row, last_row


def _xlwings_sheet(sheet: Worksheet) -> None:
    """xlwings reads ``A1:B…`` of a sheet named ``xlwings.conf`` as key / value (no header)."""
    sheet.cell(1, 1, "UDF Modules")
    sheet.cell(1, 2, "relance_xl.excel")
    sheet.cell(2, 1, "Show Console")
    sheet.cell(2, 2, "False")
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 22


def _data_table(
    sheet: Worksheet,
    table_name: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    dates: Sequence[str] = (),
    amounts: Sequence[str] = (),
    texts: Sequence[str] = (),
    percents: Sequence[str] = (),
) -> None:
    """Header on row 1, data below, as an Excel Table with a frozen header and French formats."""
    formats = {name: DATE_FORMAT for name in dates}
    formats.update({name: EURO_FORMAT for name in amounts})
    formats.update({name: TEXT_FORMAT for name in texts})
    formats.update({name: PERCENT_FORMAT for name in percents})
    for column, header in enumerate(headers, start=1):
        sheet.cell(1, column, header)
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS.get(header, 14)
    for row, values in enumerate(rows, start=2):
        for column, (header, value) in enumerate(zip(headers, values, strict=True), start=1):
            cell = sheet.cell(row, column, value)
            if header in formats:
                cell.number_format = formats[header]
    sheet.freeze_panes = "A2"
    ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    sheet.add_table(_table(table_name, ref))


def _table(name: str, ref: str) -> Table:
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    return table


def _list_validation(
    sheet: Worksheet,
    headers: Sequence[str],
    header: str,
    choices: Sequence[str],
    strict: bool = True,
) -> None:
    letter = get_column_letter(headers.index(header) + 1)
    _validation(sheet, choices, f"{letter}2:{letter}{VALIDATION_LAST_ROW}", strict)


def _validation(sheet: Worksheet, choices: Sequence[str], ref: str, strict: bool = True) -> None:
    """A drop-down list; ``strict`` refuses other values, else Excel only warns."""
    listed = ", ".join(choices)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
        errorTitle="Valeur non prévue",
        error=f"Choisissez dans la liste : {listed}.",
    )
    validation.add(ref)
    sheet.add_data_validation(validation)


def _set_properties(workbook: Workbook) -> None:
    properties = workbook.properties
    properties.creator = "relance_xl"
    properties.lastModifiedBy = "relance_xl"
    properties.title = "Relances de factures : classeur modèle"
    properties.language = "fr-FR"
    properties.created = DOCUMENT_TIMESTAMP
    properties.modified = DOCUMENT_TIMESTAMP


def _reproducible_bytes(workbook: Workbook) -> bytes:
    """The saved workbook with fixed document dates and zip timestamps.

    openpyxl stamps ``modified`` with the clock when saving, and zip entries with the current
    time: both are replaced so that the output depends on the data only.
    """
    saved = io.BytesIO()
    workbook.save(saved)
    workbook.properties.modified = DOCUMENT_TIMESTAMP
    core = tostring(workbook.properties.to_tree())
    result = io.BytesIO()
    with (
        zipfile.ZipFile(saved) as source,
        zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = core if entry.filename == "docProps/core.xml" else source.read(entry)
            fixed = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIMESTAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
    return result.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build the template (default output: the project's workbook_template.xlsx)."""
    parser = argparse.ArgumentParser(
        description="Construit le classeur modèle de relance_xl avec ses données d'exemple."
    )
    parser.add_argument(
        "sortie", nargs="?", type=Path, default=DEFAULT_OUTPUT, help="fichier .xlsx à écrire"
    )
    args = parser.parse_args(argv)
    path = build(args.sortie)
    print(f"Classeur modèle écrit : {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
