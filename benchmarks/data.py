"""Données des bancs d'essai : des classeurs de factures françaises réalistes, de toute taille.

Deterministic (seeded ``random.Random``): the same size and seed give the same cells. A
:class:`Dataset` holds the input sheets as grids of cells, exactly as they are written to the
``.xlsx`` (header row first, ``None`` for an empty cell): Factures, Clients, Historique,
Échéanciers, plus the template's Paramètres and xlwings.conf sheets.

What is in it: clients of the three types (professionnels, particuliers, administrations; some
watched, some with a contract rate, some not to be chased), invoices dated over the two years
before the run date with due dates after 0 to 60 days, most old invoices paid (*oui* with a Date
de règlement, a date in Payé, or *oui* alone), partial payments, credit notes, disputes, payment
promises, payment plans, and a history of steps at several levels (one row per client and step,
the N° facture cell listing the invoices of the letter, as relance_xl writes it), with a few
proposed and cancelled steps. A few rows are messy as in real files (amount as text, date as text,
a missing due date, an unreadable amount, a repeated N° facture, a totals row).

Files and ledgers are cached in a folder (:func:`workbook_file`, :func:`cached_ledger`) so that
every benchmark process reads the same bytes without generating them again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from relance_xl.model import ClientType, Ledger, ProcedureLevel, ReadOptions
from relance_xl.procedures import DEFAULT_PROCEDURES, PRECEDENTE
from relance_xl.workbook import parse_workbook
from relance_xl.workdays import next_working_day

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATE = PROJECT / "workbook_template.xlsx"
AS_OF = dt.date(2026, 11, 23)
"""Run date of every benchmark (the template's demo date, a Monday)."""
SEED = 2026
SPAN_DAYS = 730
"""Invoice dates are spread over the two years before the run date."""
CACHE = Path(tempfile.gettempdir()) / "relance_xl_bancs"
"""Default folder of the generated files (outside the project)."""
GENERATOR = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]
"""Fingerprint of this generator, in the cached files' names: a change makes new files."""

INVOICE_HEADERS = (
    "Client",
    "N° facture",
    "Date facture",
    "Échéance",
    "Montant TTC",
    "Payé",
    "Montant réglé",
    "Date de règlement",
    "Objet",
    "Date du devis",
    "N° de commande",
    "Litige",
    "Motif du litige",
    "Promesse de paiement",
    "Commentaire",
)
CLIENT_HEADERS = (
    "Client",
    "Type",
    "Raison sociale",
    "Adresse",
    "Code postal",
    "Ville",
    "Email",
    "Téléphone",
    "Contact comptabilité",
    "Taux contractuel",
    "Procédure",
    "Ne pas relancer",
    "Suivi",
)
HISTORY_HEADERS = (
    "Date",
    "Client",
    "N° facture",
    "Niveau",
    "Action",
    "Canal",
    "Statut",
    "Montant réclamé",
    "Fichier",
    "Note",
)
PLAN_HEADERS = ("Client", "N° facture", "Date", "Montant")

ACTIVITIES = (
    "Boulangerie",
    "Garage",
    "Pharmacie",
    "Imprimerie",
    "Cabinet",
    "Transports",
    "Hôtel",
    "Café",
    "Librairie",
    "Plomberie",
    "Menuiserie",
    "Électricité",
    "Fromagerie",
    "Boucherie",
    "Agence",
    "Restaurant",
    "Fleuriste",
    "Optique",
    "Salon de coiffure",
    "Auto-école",
    "Pressing",
    "Quincaillerie",
    "Cave",
    "Épicerie",
    "Institut",
    "Studio",
    "Atelier",
    "Bureau d'études",
    "Charpente",
    "Carrosserie",
    "Laboratoire",
    "Traiteur",
    "Taxis",
    "Paysages",
    "Maçonnerie",
    "Chauffage",
    "Toiture",
    "Nettoyage",
    "Conseil",
    "Architecture",
)
SURNAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Roche",
    "Noël",
    "Meyer",
    "Lucas",
    "Meunier",
    "Perez",
    "Marchand",
    "Dufour",
    "Blanchard",
    "Barbier",
    "Brun",
    "Dumas",
    "Brunet",
    "Schmitt",
    "Leroux",
    "Colin",
    "Benali",
    "Haddad",
    "Caillet",
    "Vidal",
    "Delorme",
    "Royer",
)
FIRST_NAMES = (
    "Claire",
    "Julien",
    "Sophie",
    "Karim",
    "Nadia",
    "Hugo",
    "Inès",
    "Paul",
    "Lucie",
    "Marc",
    "Chloé",
    "Étienne",
    "Agnès",
    "Bruno",
    "Léa",
    "Thomas",
    "Camille",
    "Nicolas",
    "Emma",
    "Louis",
    "Manon",
    "Antoine",
    "Sarah",
    "Maxime",
    "Julie",
    "Pierre",
    "Laura",
    "Romain",
    "Pauline",
    "Mathieu",
    "Yasmine",
    "Olivier",
    "Anne",
    "Philippe",
    "Isabelle",
    "Sébastien",
    "Élodie",
    "Mehdi",
    "Aurélie",
    "Vincent",
)
CITIES = (
    ("Lyon", "69003"),
    ("Villeurbanne", "69100"),
    ("Vénissieux", "69200"),
    ("Bron", "69500"),
    ("Caluire-et-Cuire", "69300"),
    ("Oullins", "69600"),
    ("Meyzieu", "69330"),
    ("Écully", "69130"),
    ("Tassin-la-Demi-Lune", "69160"),
    ("Vaulx-en-Velin", "69120"),
    ("Saint-Priest", "69800"),
    ("Rillieux-la-Pape", "69140"),
    ("Francheville", "69340"),
    ("Grenoble", "38000"),
    ("Saint-Étienne", "42000"),
    ("Annecy", "74000"),
    ("Chambéry", "73000"),
    ("Valence", "26000"),
    ("Mâcon", "71000"),
    ("Bourg-en-Bresse", "01000"),
    ("Villefranche-sur-Saône", "69400"),
    ("Vienne", "38200"),
    ("Roanne", "42300"),
    ("Clermont-Ferrand", "63000"),
    ("Dijon", "21000"),
    ("Paris", "75011"),
    ("Marseille", "13006"),
    ("Toulouse", "31000"),
    ("Nantes", "44000"),
    ("Lille", "59000"),
    ("Bordeaux", "33000"),
    ("Strasbourg", "67000"),
    ("Montpellier", "34000"),
    ("Rennes", "35000"),
    ("Nice", "06000"),
    ("Besançon", "25000"),
    ("Limoges", "87000"),
    ("Tours", "37000"),
    ("Annemasse", "74100"),
    ("Aix-les-Bains", "73100"),
)
STREETS = (
    "rue de la République",
    "avenue Jean-Jaurès",
    "rue Victor-Hugo",
    "place Bellecour",
    "boulevard des Belges",
    "rue Mercière",
    "chemin de la Garenne",
    "rue des Tuiliers",
    "impasse des Lilas",
    "route de Vienne",
    "quai Saint-Antoine",
    "rue du Bœuf",
    "montée du Gourguillon",
    "rue Tronchet",
    "avenue de la Libération",
    "rue Pasteur",
)
PUBLIC_BODIES = (
    "Commune de",
    "Mairie de",
    "Collège de",
    "Lycée de",
    "Centre hospitalier de",
    "Communauté de communes de",
    "Syndicat des eaux de",
    "Office de tourisme de",
)
LEGAL_FORMS = ("SARL", "SAS", "EURL", "SA", "SASU", "SELARL", "SCI")
SUBJECTS = (
    "Réparation de la vitrine",
    "Agencement du comptoir",
    "Étagères murales en chêne",
    "Fabrication de portes coulissantes",
    "Bardage bois de l'atelier",
    "Dressing sur mesure",
    "Escalier en chêne",
    "Pose de parquet massif",
    "Maintenance annuelle du chauffage",
    "Mise aux normes électriques",
    "Nettoyage des locaux (mois)",
    "Entretien des espaces verts",
    "Impression de 5 000 dépliants",
    "Conseil en organisation (forfait)",
    "Transport de palettes",
    "Réfection de la toiture",
    "Remplacement d'une porte de quai",
    "Bancs de la salle des fêtes",
)
DISPUTE_REASONS = (
    "livraison incomplète",
    "montant contesté : remise non appliquée",
    "travaux non conformes",
    "facture non reçue",
    "doublon avec une autre facture",
    "bon de commande manquant",
)
COMMENTS = (
    "payé par chèque",
    "relancé au téléphone",
    "virement annoncé",
    "acompte reçu",
    "nouvelle adresse de facturation",
    "voir avec le comptable",
)
MESSY_AMOUNT_TEXT = "{:,.2f} €"
"""An amount typed as text, French style (``1 234,56 €``) once the separators are swapped."""

Grid = list[list[object]]


@dataclass(frozen=True)
class Dataset:
    """Generated input sheets (grids of cells as written to the workbook) and their run date."""

    as_of: dt.date
    sheets: dict[str, Grid]
    invoices: int
    clients: int
    seed: int

    @property
    def name(self) -> str:
        """File stem naming the size and the seed: ``factures_100000_c5000_s2026``."""
        return stem(self.invoices, self.clients, self.seed)


@dataclass
class _Client:
    key: str
    type: ClientType
    watched: bool
    weight: float


def generate(invoices: int, clients: int, seed: int = SEED, as_of: dt.date = AS_OF) -> Dataset:
    """A workbook's input sheets with ``invoices`` invoice rows and ``clients`` clients."""
    rng = random.Random(seed)
    people = _clients(rng, clients)
    client_rows = [list(CLIENT_HEADERS), *(_client_row(rng, person) for person in people)]
    builder = _Ledger(rng, as_of, people)
    builder.invoices(invoices)
    sheets = {
        "Factures": [list(INVOICE_HEADERS), *builder.invoice_rows],
        "Clients": client_rows,
        "Historique": [list(HISTORY_HEADERS), *builder.history_rows()],
        "Échéanciers": [list(PLAN_HEADERS), *builder.plan_rows],
        **_template_sheets(),
    }
    return Dataset(as_of, sheets, invoices, clients, seed)


def ledger_of(dataset: Dataset) -> Ledger:
    """The Ledger relance_xl reads from the dataset's sheets (same parsing as from the file)."""
    return parse_workbook(dataset.sheets, ReadOptions(), source=f"{dataset.name}.xlsx")


def stem(invoices: int, clients: int, seed: int) -> str:
    """``factures_100000_c5000_s2026``: the size and the seed."""
    return f"factures_{invoices}_c{clients}_s{seed}"


def write_xlsx(dataset: Dataset, path: Path) -> Path:
    """Write the dataset as a real ``.xlsx`` (openpyxl write-only mode, dates formatted)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, grid in dataset.sheets.items():
        sheet = workbook.create_sheet(name)
        for row in grid:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.partiel{path.suffix}")
    workbook.save(partial)
    partial.replace(path)
    return path


def workbook_file(invoices: int, clients: int, seed: int = SEED, folder: Path = CACHE) -> Path:
    """The cached ``.xlsx`` of that size and seed, written the first time it is asked for."""
    path = folder / f"{stem(invoices, clients, seed)}_{GENERATOR}.xlsx"
    if not path.exists():
        write_xlsx(generate(invoices, clients, seed), path)
    return path


def ledger_file(invoices: int, clients: int, seed: int = SEED, folder: Path = CACHE) -> Path:
    """The pickle of the Ledger of that size and seed, parsed and written the first time."""
    path = folder / f"{stem(invoices, clients, seed)}_{GENERATOR}.ledger.pickle"
    if not path.exists():
        ledger = ledger_of(generate(invoices, clients, seed))
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.partiel")
        with partial.open("wb") as handle:
            pickle.dump(ledger, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    return path


def cached_ledger(invoices: int, clients: int, seed: int = SEED, folder: Path = CACHE) -> Ledger:
    """The Ledger of that size and seed (see :func:`ledger_file`), read from its pickle."""
    return load_ledger(ledger_file(invoices, clients, seed, folder))


def load_ledger(path: Path) -> Ledger:
    """A Ledger written by :func:`ledger_file`."""
    with path.open("rb") as handle:
        return pickle.load(handle)


def _template_sheets() -> dict[str, Grid]:
    """Paramètres and xlwings.conf as in the template (empty cells as None)."""
    from relance_xl.reader import read_sheets

    sheets = read_sheets(TEMPLATE)
    return {
        name: [[None if cell == "" else cell for cell in row] for row in sheets[name]]
        for name in ("Paramètres", "xlwings.conf")
    }


def _clients(rng: random.Random, count: int) -> list[_Client]:
    """Distinct clients: 68 % professionnels, 24 % particuliers, 8 % administrations."""
    taken: set[str] = set()
    people = []
    for _ in range(count):
        draw = rng.random()
        kind = (
            ClientType.PROFESSIONNEL
            if draw < 0.68
            else ClientType.PARTICULIER
            if draw < 0.92
            else ClientType.ADMINISTRATION
        )
        key = _unique(_client_name(rng, kind), taken, rng)
        watched = kind is ClientType.PROFESSIONNEL and rng.random() < 0.10
        weight = rng.lognormvariate(0, 0.8) * (0.4 if kind is ClientType.PARTICULIER else 1)
        people.append(_Client(key, kind, watched, weight))
    return people


def _client_name(rng: random.Random, kind: ClientType) -> str:
    if kind is ClientType.PROFESSIONNEL:
        return f"{rng.choice(ACTIVITIES)} {rng.choice(SURNAMES)}"
    if kind is ClientType.PARTICULIER:
        civility = rng.choice(("M.", "Mme"))
        return f"{civility} {rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    return f"{rng.choice(PUBLIC_BODIES)} {rng.choice(CITIES)[0]}"


def _unique(name: str, taken: set[str], rng: random.Random) -> str:
    """The name, else the name and a town, else with a number (as a secretary tells them apart)."""
    candidate = name
    if candidate in taken:
        candidate = f"{name} ({rng.choice(CITIES)[0]})"
    number = 2
    while candidate in taken:
        candidate = f"{name} {number}"
        number += 1
    taken.add(candidate)
    return candidate


def _client_row(rng: random.Random, person: _Client) -> list[object]:
    city, postcode = rng.choice(CITIES)
    slug = "".join(c for c in person.key.lower() if c.isascii() and c.isalnum())[:24] or "client"
    pro = person.type is ClientType.PROFESSIONNEL
    rate = rng.choice((12.0, 15.0)) if pro and rng.random() < 0.05 else None
    watch = None
    if person.watched:
        watch = rng.choice(("nouveau", "mauvais payeur"))
    return [
        person.key,
        person.type.value,
        f"{person.key} {rng.choice(LEGAL_FORMS)}" if pro else person.key,
        f"{rng.randint(1, 150)} {rng.choice(STREETS)}",
        postcode,
        city,
        f"{slug}@example.fr",
        f"0{rng.randint(1, 7)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
        f"{rng.choice(('M.', 'Mme'))} {rng.choice(SURNAMES)}" if pro else None,
        rate,
        None,
        "oui" if rng.random() < 0.02 else "non",
        watch,
    ]


@dataclass
class _Open:
    """An unpaid invoice, for the history: number, due date, amount."""

    number: str
    due: dt.date
    amount: float


class _Ledger:
    """Builds the invoice rows, the payment plans and (from the unpaid invoices) the history."""

    def __init__(self, rng: random.Random, as_of: dt.date, people: list[_Client]) -> None:
        self.rng = rng
        self.as_of = as_of
        self.people = people
        self.invoice_rows: Grid = []
        self.plan_rows: Grid = []
        self.open: dict[int, list[_Open]] = {}
        self.paid_late: list[tuple[int, _Open, dt.date]] = []

    def invoices(self, count: int) -> None:
        """``count`` invoice rows (a few messy ones) and a totals row at the bottom."""
        rng = self.rng
        owners = rng.choices(range(len(self.people)), [p.weight for p in self.people], k=count)
        total = 0.0
        for sequence, owner in enumerate(owners, start=1):
            row = self._invoice(sequence, owner)
            total += row[4] if isinstance(row[4], float) else 0.0
            self.invoice_rows.append(row)
        self.invoice_rows.append(
            [f"Total · {count} factures", None, None, None, round(total, 2), *([None] * 10)]
        )

    def _invoice(self, sequence: int, owner: int) -> list[object]:
        rng, person = self.rng, self.people[owner]
        issued = self.as_of - dt.timedelta(days=rng.randrange(SPAN_DAYS))
        credit = rng.random() < 0.02
        number = f"{'AV' if credit else 'F'}{issued.year}-{sequence:07d}"
        if person.type is ClientType.PARTICULIER:
            term = rng.choice((0, 15, 30))
            amount = round(rng.lognormvariate(6.2, 0.8), 2)
        else:
            term = 30 if person.type is ClientType.ADMINISTRATION else rng.choice((30, 45, 60))
            amount = round(rng.lognormvariate(7.0, 0.9), 2)
        due = issued + dt.timedelta(days=term)
        if credit:
            amount = -round(amount * rng.uniform(0.05, 0.3), 2)
        late = (self.as_of - due).days
        paid_share = 0.93 if late > 90 else 0.75 if late > 30 else 0.5 if late > 0 else 0.15
        paid = rng.random() < (0.5 if credit else paid_share)
        row: list[object] = [
            person.key,
            number,
            issued,
            due,
            amount,
            "non",
            None,
            None,
            rng.choice(SUBJECTS),
            None,
            None,
            "non",
            None,
            None,
            None,
        ]
        if credit:
            row[8] = "Avoir : remise commerciale"
        if rng.random() < 0.7:
            row[9] = issued - dt.timedelta(days=rng.randint(7, 60))
        if person.type is not ClientType.PARTICULIER and rng.random() < 0.6:
            row[10] = f"BC-{rng.randint(1000, 99999)}"
        if paid:
            self._mark_paid(row, owner, issued, due, amount)
        elif amount > 0:
            self._unpaid(row, owner, due, amount, late)
        if rng.random() < 0.03:
            row[14] = rng.choice(COMMENTS)
        self._mess(row)
        return row

    def _mark_paid(
        self, row: list[object], owner: int, issued: dt.date, due: dt.date, amount: float
    ) -> None:
        rng = self.rng
        delay = int(rng.expovariate(1 / 25)) - 10
        paid_on = min(max(issued, due + dt.timedelta(days=delay)), self.as_of)
        draw = rng.random()
        if draw < 0.85:
            row[5], row[7] = "oui", paid_on
        elif draw < 0.95:
            row[5] = paid_on
        else:
            row[5] = "oui"
        if paid_on > due + dt.timedelta(days=5) and amount > 0 and rng.random() < 0.3:
            self.paid_late.append((owner, _Open(str(row[1]), due, amount), paid_on))

    def _unpaid(
        self, row: list[object], owner: int, due: dt.date, amount: float, late: int
    ) -> None:
        rng, person = self.rng, self.people[owner]
        if person.type is ClientType.PARTICULIER and late > 30 and rng.random() < 0.05:
            self._plan(row, person.key, due, amount)
        elif rng.random() < 0.08:
            row[6] = round(amount * rng.uniform(0.2, 0.8), 2)
        if rng.random() < 0.02:
            row[11], row[12] = "oui", rng.choice(DISPUTE_REASONS)
        if late > 0 and rng.random() < 0.08:
            row[13] = self.as_of + dt.timedelta(days=rng.randint(-20, 30))
        self.open.setdefault(owner, []).append(_Open(str(row[1]), due, amount))

    def _plan(self, row: list[object], client: str, due: dt.date, amount: float) -> None:
        """Three monthly instalments from a month after the due date; mostly honoured."""
        share = round(amount / 3, 2)
        parts = [share, share, round(amount - 2 * share, 2)]
        dates = [due + dt.timedelta(days=30 * k) for k in (1, 2, 3)]
        for when, part in zip(dates, parts, strict=True):
            self.plan_rows.append([client, row[1], when, part])
        owed = sum(p for w, p in zip(dates, parts, strict=True) if w <= self.as_of)
        honoured = self.rng.random() < 0.7
        row[6] = round(owed if honoured else owed / 2, 2) or None

    def _mess(self, row: list[object]) -> None:
        """About one row in a thousand typed as people do (readable or not)."""
        rng = self.rng
        if rng.random() >= 0.004:
            return
        kind = rng.randrange(5)
        if kind == 0 and isinstance(row[4], float):
            text = MESSY_AMOUNT_TEXT.format(row[4])
            row[4] = text.replace(",", " ").replace(".", ",")
        elif kind == 1 and isinstance(row[2], dt.date):
            row[2] = row[2].strftime("%d/%m/%Y")
        elif kind == 2:
            row[3] = None  # échéance absente : date facture + délai par défaut (avertissement)
        elif kind == 3:
            row[4] = "à voir"  # montant illisible : facture ignorée (erreur)
        else:
            row[1] = f"F{rng.randint(2024, 2026)}-{rng.randint(1, 50):07d}"  # N° en double

    def history_rows(self) -> Grid:
        """Historique: each client's steps of its procedure, one row per step and client."""
        rows: Grid = []
        for owner, invoices in self.open.items():
            rows.extend(self._client_history(owner, invoices))
        for owner, invoice, paid_on in self.paid_late:
            rows.extend(self._client_history(owner, [invoice], until=paid_on))
        rows.sort(key=lambda row: row[0])
        return rows

    def _client_history(
        self, owner: int, invoices: list[_Open], until: dt.date | None = None
    ) -> Grid:
        rng, person = self.rng, self.people[owner]
        end = min(until or self.as_of, self.as_of)
        levels = [lv for lv in DEFAULT_PROCEDURES[person.type.value].levels if not lv.preventive]
        rows: Grid = []
        if person.watched:
            rows.extend(self._preventive_calls(person, invoices, end))
        overdue = sorted((i for i in invoices if i.due < end), key=lambda i: i.due)
        if not overdue:
            return rows
        previous = overdue[0].due
        for level in levels:
            if rng.random() < 0.2:
                break  # the secretary has not gone further yet
            base = previous if level.reference == PRECEDENTE else overdue[0].due
            delay = level.delay_days + rng.randint(0, 6)  # one weekly review or the next
            when = next_working_day(base + dt.timedelta(days=max(delay, 1)))
            if when > end:
                break
            included = [i for i in overdue if i.due < when]
            draw = rng.random()
            status = "envoyé" if draw < 0.93 else "proposé" if draw < 0.98 else "annulé"
            rows.append(self._step_row(person, level.level, level, when, included, status))
            if status != "envoyé":
                break
            previous = when
        return rows

    def _preventive_calls(self, person: _Client, invoices: list[_Open], end: dt.date) -> Grid:
        """P2 calls made a week before the due date for some not-yet-due invoices."""
        levels = {lv.level: lv for lv in DEFAULT_PROCEDURES[person.type.value].levels}
        rows: Grid = []
        for invoice in invoices:
            when = next_working_day(invoice.due - dt.timedelta(days=7))
            if when <= end and invoice.due > end and self.rng.random() < 0.5:
                rows.append(self._step_row(person, "P2", levels["P2"], when, [invoice], "fait"))
        return rows

    def _step_row(
        self,
        person: _Client,
        label: str,
        level: ProcedureLevel,
        when: dt.date,
        included: list[_Open],
        status: str,
    ) -> list[object]:
        """One Historique row: a step of the procedure for the listed invoices."""
        numbers = ", ".join(invoice.number for invoice in included)
        claimed = round(sum(invoice.amount for invoice in included), 2)
        sent = status in ("envoyé", "fait")
        document = f"{when.isoformat()} {person.key} - {level.action}.docx" if sent else None
        return [
            when,
            person.key,
            numbers,
            int(label) if label.isdigit() else label,
            level.action,
            level.channel,
            status,
            claimed,
            document,
            None,
        ]
