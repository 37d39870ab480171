"""The Paramètres sheet → :class:`~relance_xl.model.Settings`.

The sheet holds blocks anywhere, each a header row recognised by its texts (compared with
:func:`relance_xl.text.normalize`) and the rows below it down to the first blank row:

- ``Paramètre | Valeur``: the creditor, the numbers the user can change, SMTP;
- ``Type de client | Niveau | Action | Canal | Délai (jours) | Référence | Modèle de courrier``:
  the procedures; a name listed here replaces the default procedure of that name, the others keep
  theirs;
- ``Champ | En-tête``: explicit column mapping of the invoice sheet;
- ``Série | Semestre | Taux (%) | Source``: rate overrides per half-year.

A bad value of ``Paramètre | Valeur`` is an anomaly (avertissement) and the default is kept; an
invalid table is a :class:`~relance_xl.errors.ConfigError` naming the cell
(``Paramètres!E14 : délai « abc » : un nombre de jours est attendu.``). Cells come as calamine or
Excel COM give them (str, int, float, bool, date, datetime, None); the grid starts at cell A1.
Pure: no file, no clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from relance_xl import fr, values
from relance_xl.columns import FIELDS, INVOICES, header_key
from relance_xl.dates import normalize_half_year
from relance_xl.errors import ConfigError
from relance_xl.escalation import level_rank
from relance_xl.model import (
    SMTP_SECURITY,
    Anomaly,
    ClientType,
    Procedure,
    ProcedureLevel,
    Settings,
    Severity,
)
from relance_xl.procedures import DEFAULT_PROCEDURES, PRECEDENTE, REFERENCES
from relance_xl.rates import SERIES, parse_rate
from relance_xl.text import column_letter, normalize

Grid = Sequence[Sequence[object]]

SHEET = "Paramètres"


def cell_name(row0: int, col0: int) -> str:
    """0-based (row, column) → Excel A1 name: ``(13, 4)`` → ``"E14"``, ``(0, 26)`` → ``"AA1"``."""
    return f"{column_letter(col0 + 1)}{row0 + 1}"


def default_settings() -> Settings:
    """Settings of a workbook without Paramètres: default procedures, 30 days, 10 €."""
    return Settings(procedures=dict(DEFAULT_PROCEDURES))


def parse_settings(grid: Grid, sheet: str = SHEET) -> tuple[Settings, list[Anomaly]]:
    """Read the Paramètres blocks of ``grid``; ConfigError (naming the cell) for invalid tables."""
    blocks = _find_blocks(grid, sheet)
    anomalies: list[Anomaly] = []
    settings = default_settings()
    if block := blocks.get(_PARAMETERS.name):
        settings = _key_values(block, grid, sheet, settings, anomalies)
    if block := blocks.get(_PROCEDURES.name):
        settings = dataclasses.replace(
            settings, procedures={**settings.procedures, **_procedures(block, grid, sheet)}
        )
    if block := blocks.get(_COLUMNS.name):
        settings = dataclasses.replace(settings, columns=_columns(block, grid, sheet, anomalies))
    if block := blocks.get(_RATES.name):
        settings = dataclasses.replace(settings, rates=_rates(block, grid, sheet))
    return settings, anomalies


# --- blocks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """A column of a block: its key, its header text and the other (normalised) texts accepted."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    texts: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", frozenset((normalize(self.label), *self.aliases)))

    def matches(self, cell: object) -> bool:
        return isinstance(cell, str) and normalize(cell) in self.texts


@dataclass(frozen=True)
class _Spec:
    """A kind of block: its name for messages and its columns (the first two identify it)."""

    name: str
    columns: tuple[_Column, ...]


@dataclass(frozen=True)
class _Block:
    """A block found in the grid: header cell, column of each header key, data rows (0-based)."""

    spec: _Spec
    row: int
    col: int
    positions: dict[str, int]
    rows: tuple[int, ...]


@dataclass(frozen=True)
class _Row:
    """One data row of a block: its cells by header key, and their Excel names."""

    grid: Grid
    sheet: str
    block: _Block
    index: int

    def value(self, key: str) -> object:
        col = self.block.positions.get(key)
        return None if col is None else _cell(self.grid, self.index, col)

    def where(self, key: str) -> str:
        return f"{self.sheet}!{cell_name(self.index, self.block.positions[key])}"


_PARAMETERS = _Spec(
    "Paramètre | Valeur",
    (_Column("key", "Paramètre", ("parametres",)), _Column("value", "Valeur", ("valeurs",))),
)
_PROCEDURES = _Spec(
    "Procédures",
    (
        _Column("type", "Type de client", ("type",)),
        _Column("level", "Niveau"),
        _Column("action", "Action"),
        _Column("channel", "Canal"),
        _Column("delay", "Délai (jours)", ("delai",)),
        _Column("reference", "Référence"),
        _Column("template", "Modèle de courrier", ("modele",), required=False),
    ),
)
_COLUMNS = _Spec("Colonnes", (_Column("field", "Champ"), _Column("header", "En-tête")))
_RATES = _Spec(
    "Taux",
    (
        _Column("series", "Série"),
        _Column("half", "Semestre"),
        _Column("rate", "Taux (%)"),
        _Column("source", "Source", required=False),
    ),
)
_SPECS = (_PARAMETERS, _PROCEDURES, _COLUMNS, _RATES)


def _cell(grid: Grid, row: int, col: int) -> object:
    line = grid[row]
    return line[col] if col < len(line) else None


def _find_blocks(grid: Grid, sheet: str) -> dict[str, _Block]:
    """Every block of the sheet by spec name: a header row is recognised by its first two texts."""
    found: dict[str, _Block] = {}
    for row, line in enumerate(grid):
        for col in range(len(line) - 1):
            for spec in _SPECS:
                if spec.columns[0].matches(line[col]) and spec.columns[1].matches(line[col + 1]):
                    if spec.name in found:
                        first = found[spec.name]
                        raise ConfigError(
                            f"{sheet}!{cell_name(row, col)} : second tableau « {spec.name} » "
                            f"(le premier est en {cell_name(first.row, first.col)}) : "
                            "gardez-en un seul."
                        )
                    found[spec.name] = _read_block(grid, sheet, spec, row, col)
    return found


def _read_block(grid: Grid, sheet: str, spec: _Spec, row: int, col: int) -> _Block:
    """Header cells from ``col`` to the first blank one; rows down to the first blank row."""
    end = col
    while end < len(grid[row]) and not values.is_blank(grid[row][end]):
        end += 1
    positions: dict[str, int] = {}
    for position in range(col, end):
        for column in spec.columns:
            if column.key not in positions and column.matches(grid[row][position]):
                positions[column.key] = position
    for column in spec.columns:
        if column.required and column.key not in positions:
            raise ConfigError(
                f"{sheet}!{cell_name(row, col)} : tableau « {spec.name} » sans colonne "
                f"« {column.label} »."
            )
    rows: list[int] = []
    for data_row in range(row + 1, len(grid)):
        if all(values.is_blank(_cell(grid, data_row, c)) for c in range(col, end)):
            break
        rows.append(data_row)
    return _Block(spec, row, col, positions, tuple(rows))


def _text(cell: object) -> str:
    """A cell as stripped text ("" when blank)."""
    try:
        return values.parse_text(cell).value
    except values.ValueProblem:  # an infinite float: no text stands for it
        return str(cell)


def _quoted(cell: object) -> str:
    """``« abc »`` for messages, or ``vide`` for a blank cell."""
    return "vide" if values.is_blank(cell) else values.shown(cell)


def _whole_number(cell: object, what: str) -> int:
    """An integer cell (``15``, ``15.0``, ``"-7"``); ValueProblem naming ``what`` otherwise."""
    try:
        number = values.parse_amount(cell)
    except values.ValueProblem:
        number = None
    if number is None or number.value is None or number.warning or number.value % 1:
        raise values.ValueProblem(f"{values.shown(cell)} n'est pas {what}")
    return int(number.value)


# --- Paramètre | Valeur ---------------------------------------------------------------------------


def _days(cell: object) -> values.Parsed[int]:
    days = _whole_number(cell, "un nombre de jours")
    if days < 0:
        raise values.ValueProblem(f"{values.shown(cell)} n'est pas un nombre de jours positif")
    return values.Parsed(days)


def _port(cell: object) -> values.Parsed[int]:
    port = _whole_number(cell, "un numéro de port")
    if not 0 < port < 65536:
        raise values.ValueProblem(f"{values.shown(cell)} n'est pas un numéro de port (1 à 65535)")
    return values.Parsed(port)


def _minimum(cell: object) -> values.Parsed[Decimal | None]:
    amount = values.parse_amount(cell)
    if amount.value is not None and amount.value < 0:
        raise values.ValueProblem(f"{values.shown(cell)} : un montant positif est attendu")
    return amount


def _multiline(cell: object) -> values.Parsed[str]:
    return values.parse_text(cell, multiline=True)


def _security(cell: object) -> values.Parsed[str | None]:
    return values.parse_choice(
        cell, SMTP_SECURITY, "un mode de sécurité SMTP (starttls, ssl, aucune)"
    )


@dataclass(frozen=True)
class _Key:
    """One known key of ``Paramètre | Valeur``: where its value goes and how it is read."""

    label: str
    target: str  # "creditor", "smtp" or "settings"
    attribute: str
    parse: Callable[[object], values.Parsed[object]] = values.parse_text


_KEYS = {
    normalize(key.label): key
    for key in (
        _Key("Raison sociale", "creditor", "name"),
        _Key("Adresse", "creditor", "address", _multiline),
        _Key("Code postal", "creditor", "postcode"),
        _Key("Ville", "creditor", "city"),
        _Key("SIREN", "creditor", "siren"),
        _Key("Signataire", "creditor", "signatory"),
        _Key("Email", "creditor", "email"),
        _Key("Téléphone", "creditor", "phone"),
        _Key("IBAN", "creditor", "iban"),
        _Key("BIC", "creditor", "bic"),
        _Key("Délai de paiement par défaut (jours)", "settings", "default_term_days", _days),
        _Key("Montant minimum à relancer", "settings", "minimum_amount", _minimum),
        _Key("Appels préventifs pour tous", "settings", "preventive_for_all", values.parse_flag),
        _Key("Taux contractuel global", "settings", "contract_rate", values.parse_rate),
        _Key("Dossier des courriers", "settings", "output_folder"),
        _Key("Dossier des modèles", "settings", "templates_folder"),
        _Key("Serveur SMTP", "smtp", "host"),
        _Key("Port SMTP", "smtp", "port", _port),
        _Key("Sécurité SMTP", "smtp", "security", _security),
        _Key("Utilisateur SMTP", "smtp", "user"),
        _Key("Expéditeur", "smtp", "sender"),
        _Key("Variable du mot de passe SMTP", "smtp", "password_env"),
    )
}
_ALIASES = {"delai de paiement par defaut": "delai de paiement par defaut jours"}
_PASSWORD_KEYS = frozenset({"mot de passe smtp", "mot de passe"})
_PASSWORD_WARNING = (
    "le mot de passe n'est jamais lu dans le classeur : utilisez la variable d'environnement "
    "{variable} et effacez-le de cette feuille."
)


def _key_values(
    block: _Block, grid: Grid, sheet: str, settings: Settings, anomalies: list[Anomaly]
) -> Settings:
    """Known keys update the settings; unknown keys and bad values are avertissements."""
    defaults = {"creditor": settings.creditor, "smtp": settings.smtp, "settings": settings}
    updates: dict[str, dict[str, object]] = {target: {} for target in defaults}
    seen: dict[str, int] = {}
    password_rows: list[int] = []
    key_col, value_col = block.positions["key"], block.positions["value"]

    def warn(row: int, column: str, message: str) -> None:
        anomalies.append(Anomaly(sheet, row + 1, column, Severity.AVERTISSEMENT, message))

    for row in block.rows:
        name, cell = _text(_cell(grid, row, key_col)), _cell(grid, row, value_col)
        normalized = _ALIASES.get(normalize(name), normalize(name))
        if normalized in _PASSWORD_KEYS:
            if not values.is_blank(cell):
                password_rows.append(row)
            continue
        if not name:
            warn(row, "Paramètre", f"valeur {values.shown(cell)} sans nom de paramètre : ignorée.")
            continue
        key = _KEYS.get(normalized)
        if key is None:
            warn(row, "Paramètre", f"paramètre « {name} » inconnu : ligne ignorée.")
            continue
        if normalized in seen:
            first = seen[normalized] + 1
            warn(row, "Paramètre", f"« {name} » en double (déjà ligne {first}) : celle-ci prime.")
        seen[normalized] = row
        if values.is_blank(cell):
            continue
        default = getattr(defaults[key.target], key.attribute)
        try:
            parsed = key.parse(cell)
        except values.ValueProblem as problem:
            kept = _shown_default(default)
            warn(row, "Valeur", f"« {name} » : {problem.message} ; valeur par défaut : {kept}.")
            continue
        if parsed.warning:
            warn(row, "Valeur", f"« {name} » : {parsed.warning}.")
        updates[key.target][key.attribute] = parsed.value

    smtp = dataclasses.replace(settings.smtp, **updates["smtp"])
    for row in password_rows:
        warn(row, "Valeur", _PASSWORD_WARNING.format(variable=smtp.password_env))
    return dataclasses.replace(
        settings,
        creditor=dataclasses.replace(settings.creditor, **updates["creditor"]),
        smtp=smtp,
        **updates["settings"],
    )


def _shown_default(value: object) -> str:
    if value is None or value == "":
        return "vide"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        return fr.number(value)
    return str(value)


# --- Procédures -----------------------------------------------------------------------------------

_REFERENCE_CHOICES = {normalize(reference): reference for reference in REFERENCES}
_TYPE_NAMES = {normalize(client_type.value): client_type.value for client_type in ClientType}


def _procedures(block: _Block, grid: Grid, sheet: str) -> dict[str, Procedure]:
    """The Procédures table, grouped by name (client type or procedure name), levels checked."""
    levels: dict[str, list[ProcedureLevel]] = {}
    names: dict[str, str] = {}
    for index in block.rows:
        row = _Row(grid, sheet, block, index)
        name = _text(row.value("type"))
        if not name:
            raise ConfigError(
                f"{row.where('type')} : type de client vide : indiquez particulier, "
                "professionnel, administration ou le nom d'une procédure."
            )
        group = normalize(name)
        name = names.setdefault(group, _TYPE_NAMES.get(group, name))
        previous = levels.setdefault(group, [])
        step = _procedure_level(row, name)
        _check_order(step.level, previous, name, row.where("level"))
        first_chase = all(earlier.preventive for earlier in previous)
        if step.reference == PRECEDENTE and not step.preventive and first_chase:
            raise ConfigError(
                f"{row.where('reference')} : référence « précédente » impossible au premier "
                f"niveau de relance de « {name} » (aucune étape avant lui) : indiquez "
                "échéance ou facture."
            )
        previous.append(step)
    return {names[group]: Procedure(names[group], tuple(steps)) for group, steps in levels.items()}


def _procedure_level(row: _Row, name: str) -> ProcedureLevel:
    """One row of Procédures; ConfigError naming the cell for a bad level, action, delay…"""
    level = _level(row.value("level"), row.where("level"))
    action = _text(row.value("action"))
    if not action:
        where = row.where("action")
        raise ConfigError(f"{where} : action vide pour le niveau {level} de « {name} ».")
    delay = row.value("delay")
    try:
        days = _whole_number(delay, "un nombre de jours")
    except values.ValueProblem:
        raise ConfigError(
            f"{row.where('delay')} : délai {_quoted(delay)} : un nombre de jours est attendu."
        ) from None
    reference = _reference(row.value("reference"), row.where("reference"))
    channel, template = _text(row.value("channel")), _text(row.value("template"))
    return ProcedureLevel(level, action, channel, days, reference, template)


def _level(cell: object, where: str) -> str:
    try:
        level = values.parse_level(cell).value
    except values.ValueProblem:
        level = None
    if level is None:
        raise ConfigError(
            f"{where} : niveau {_quoted(cell)} : P1, P2 ou un numéro (1, 2, 3…) est attendu."
        )
    return level


def _check_order(level: str, previous: list[ProcedureLevel], name: str, where: str) -> None:
    """A level appears once per procedure, after the levels before it (P1, P2, 1, 2…)."""
    rank = level_rank(level)
    for earlier in previous:
        if earlier.level == level:
            raise ConfigError(f"{where} : niveau « {level} » en double pour « {name} ».")
    if previous and level_rank(previous[-1].level) > rank:
        raise ConfigError(
            f"{where} : niveau « {level} » après le niveau « {previous[-1].level} » pour "
            f"« {name} » : les niveaux vont dans l'ordre croissant (P1, P2, 1, 2…)."
        )


def _reference(cell: object, where: str) -> str:
    try:
        reference = values.parse_choice(cell, _REFERENCE_CHOICES, "une référence").value
    except values.ValueProblem:
        reference = None
    if reference is None:
        raise ConfigError(
            f"{where} : référence {_quoted(cell)} : facture, échéance ou précédente est attendue."
        )
    return reference


# --- Colonnes -------------------------------------------------------------------------------------


_FIELD_NAMES = {
    **{header_key(label): name for name, label in INVOICES.labels.items()},
    **{header_key(name): name for name in FIELDS},
}
"""Champ → field: the field name (``date_facture``, ``Date facture``) or its template header."""


def _columns(block: _Block, grid: Grid, sheet: str, anomalies: list[Anomaly]) -> dict[str, str]:
    """Field → header text of the invoice sheet; an unknown or repeated field is fatal."""
    mapping: dict[str, str] = {}
    rows: dict[str, int] = {}
    field_col, header_col = block.positions["field"], block.positions["header"]
    for row in block.rows:
        field_cell, header = _cell(grid, row, field_col), _text(_cell(grid, row, header_col))
        where = f"{sheet}!{cell_name(row, field_col)}"
        name = _FIELD_NAMES.get(header_key(_text(field_cell)), "")
        if not name:
            unknown = (
                "vide" if values.is_blank(field_cell) else f"{values.shown(field_cell)} inconnu"
            )
            raise ConfigError(f"{where} : champ {unknown} : attendu {', '.join(FIELDS)}.")
        if name in rows:
            raise ConfigError(
                f"{where} : champ « {name} » en double (déjà ligne {rows[name] + 1})."
            )
        rows[name] = row
        if not header:
            message = f"champ « {name} » sans en-tête : ligne ignorée."
            anomalies.append(Anomaly(sheet, row + 1, "En-tête", Severity.AVERTISSEMENT, message))
            continue
        mapping[name] = header
    return mapping


# --- Taux -----------------------------------------------------------------------------------------


def _rates(block: _Block, grid: Grid, sheet: str) -> dict[tuple[str, str], Decimal]:
    """(série, semestre) → percent; a bad series, half-year or rate is fatal."""
    rates: dict[tuple[str, str], Decimal] = {}
    rows: dict[tuple[str, str], int] = {}
    for index in block.rows:
        row = _Row(grid, sheet, block, index)
        series = normalize(_text(row.value("series"))).replace(" ", "_")
        if series not in SERIES:
            raise ConfigError(
                f"{row.where('series')} : série {_quoted(row.value('series'))} inconnue : "
                f"attendu {', '.join(SERIES[:-1])} ou {SERIES[-1]}."
            )
        try:
            half = normalize_half_year(_text(row.value("half")))
        except ValueError as error:
            raise ConfigError(f"{row.where('half')} : {error}.") from None
        try:
            rate = parse_rate(_text(row.value("rate")))
        except ValueError as error:
            raise ConfigError(f"{row.where('rate')} : {error}.") from None
        if (series, half) in rows:
            raise ConfigError(
                f"{row.where('half')} : taux {series} {half} en double "
                f"(déjà ligne {rows[series, half] + 1})."
            )
        rows[series, half] = index
        rates[series, half] = rate
    return rates
