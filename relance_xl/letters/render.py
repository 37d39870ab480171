"""Safe rendering of letter templates: a Jinja sandbox, French filters, and French errors.

A template is a file the user may edit in Word, so it is treated as untrusted: it runs in Jinja's
:class:`~jinja2.sandbox.SandboxedEnvironment` (no ``__class__``, no ``__globals__``, no calls to
unsafe methods), every value is escaped (``Dupont & Fils <SARL>`` stays text, never markup), and an
unknown name is an error (:class:`~jinja2.StrictUndefined`), not a blank in a letter sent to a
client. :func:`check_template` finds these problems *before* a batch writes anything; the message
names the template and the variable, in French.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from relance_xl import fr
from relance_xl.assets import LETTER_TEMPLATES, asset
from relance_xl.errors import TemplateError
from relance_xl.letters.context import VIEWS

TEXT_SUFFIX = ".txt"
DOCX_SUFFIX = ".docx"


@lru_cache(maxsize=4096)
def _amount(value: Decimal | int | None) -> str:
    """``{{ total|montant }}`` → ``1 234,56 €`` (remembered: a batch prints the same amounts
    again and again, and Babel is the slowest step of a letter)."""
    return "" if value is None else fr.amount(Decimal(value))


def _number(value: Decimal | int | None, decimals: int = 2) -> str:
    """``{{ taux|nombre }}`` → ``12,15``."""
    return "" if value is None else fr.number(Decimal(value), decimals)


def _percent(value: Decimal | int | None) -> str:
    """``{{ taux|pourcentage }}`` → ``12,15 %``."""
    return "" if value is None else fr.percent(Decimal(value))


@lru_cache(maxsize=1024)
def _date_long(value: dt.date | None) -> str:
    """``{{ date|date_longue }}`` → ``23 novembre 2026``."""
    return "" if value is None else fr.date_long(value)


@lru_cache(maxsize=1024)
def _date_short(value: dt.date | None) -> str:
    """``{{ date|date_courte }}`` → ``23/11/2026``."""
    return "" if value is None else fr.date_short(value)


def _in_words(value: Decimal | int | None) -> str:
    """``{{ total|en_lettres }}`` → « mille deux cent trente-quatre euros et … »."""
    return "" if value is None else fr.amount_in_words(Decimal(value))


FILTERS: dict[str, Callable[..., str]] = {
    "montant": _amount,
    "nombre": _number,
    "pourcentage": _percent,
    "date_longue": _date_long,
    "date_courte": _date_short,
    "en_lettres": _in_words,
}
"""French filters a template may use, besides Jinja's own (``upper``, ``length``…)."""


_NOT_XML = re.compile("[\x00-\x06\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold (a stray control character pasted into a cell); tab, line
break, ``\a`` (new paragraph) and ``\f`` (page break) stay: docxtpl turns them into Word's."""


def _xml_safe(value: object) -> object:
    """Every value printed into a Word part loses the characters XML refuses."""
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


_DATA_FIELDS: dict[type, frozenset[str]] = {
    view: frozenset(item.name for item in fields(view)) for view in VIEWS.values()
}


class LetterSandbox(SandboxedEnvironment):
    """Jinja's sandbox, with a shortcut for the letter's own views (``client.nom``…): their
    fields are plain data by construction, so the sandbox's checks (the slowest part of a
    letter) are kept for everything else only."""

    def getattr(self, obj: object, attribute: str) -> object:
        if attribute in _DATA_FIELDS.get(type(obj), ()):
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)


def environment(text: bool = False) -> SandboxedEnvironment:
    """The sandbox every template runs in: strict undefined and the French filters. For Word
    templates, values are escaped and cleaned of characters XML refuses, Jinja's defaults kept
    (as docxtpl has them); for plain-text emails (``text``), no escaping, and block tags do not
    leave blank lines."""
    env = LetterSandbox(
        autoescape=not text,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=text,
        trim_blocks=text,
        lstrip_blocks=text,
        finalize=None if text else _xml_safe,
    )
    env.filters.update(FILTERS)
    return env


def check_template(
    env: jinja2.Environment, source: str, name: str, known: Iterable[str]
) -> jinja2.Template:
    """Parse, check and compile a template once: a syntax error, an access to a private attribute
    (``x.__class__``) or a name that ``known`` does not provide raises :class:`TemplateError`."""
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError as error:
        near = _near(source, error.lineno)
        raise TemplateError(
            f"le modèle « {name} » contient une erreur de syntaxe "
            f"({_syntax_in_french(error.message or '')}){near}."
        ) from None
    forbidden = next(_private_accesses(tree), None)
    if forbidden:
        raise TemplateError(
            f"le modèle « {name} » utilise « {forbidden} », "
            "un accès interdit dans un modèle de courrier."
        )
    unknown = sorted(meta.find_undeclared_variables(tree) - set(known) - set(env.globals))
    if unknown:
        names = ", ".join(f"« {variable} »" for variable in unknown)
        plural = "les variables inconnues" if len(unknown) > 1 else "la variable inconnue"
        raise TemplateError(f"le modèle « {name} » utilise {plural} {names}.")
    return env.from_string(source)


def render_checked(template: jinja2.Template, context: Mapping[str, object], name: str) -> str:
    """Render, turning any Jinja failure into a :class:`TemplateError` naming the template and,
    when Jinja gives it, the variable."""
    try:
        return template.render(context)
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError) as error:
        # ArithmeticError…: a filter given the wrong kind of value ({{ client.nom|montant }})
        raise template_error(error, name) from None


def template_error(error: BaseException, name: str) -> TemplateError:
    """One French sentence for a Jinja error raised while rendering template ``name``."""
    message = str(error)
    if isinstance(error, jinja2.exceptions.SecurityError) or "unsafe" in message:
        attribute = _first(r"attribute '([^']+)'", message) or message
        return TemplateError(
            f"le modèle « {name} » tente d'accéder à « {attribute} », "
            "un accès interdit dans un modèle de courrier."
        )
    if isinstance(error, jinja2.UndefinedError):
        variable = _first(r"'([^']+)' is undefined", message)
        if variable:
            return TemplateError(
                f"le modèle « {name} » utilise la variable inconnue « {variable} »."
            )
        attribute = _first(r"has no attribute '([^']+)'", message) or _first(
            r"has no element (.+)$", message
        )
        return TemplateError(
            f"le modèle « {name} » utilise l'attribut inconnu « {attribute or message} »."
        )
    if not isinstance(error, jinja2.TemplateError):
        return TemplateError(
            f"le modèle « {name} » ne peut pas être rempli : un filtre (montant, date…) a reçu "
            "une valeur qui ne lui convient pas."
        )
    return TemplateError(f"le modèle « {name} » ne peut pas être rempli ({message}).")


_SYNTAX_FR = (
    (r"Encountered unknown tag '([^']+)'\.", "balise « {0} » inconnue ou sans son ouverture"),
    (
        r"Unexpected end of template\..*innermost block that needs to be closed is '([^']+)'\.",
        "« {0} » jamais refermé : il manque « end{0} »",
    ),
    (r"unexpected '([^']+)'", "« {0} » inattendu"),
    (r"expected token '[^']+', got '([^']+)'", "« {0} » inattendu dans une balise"),
    (r"Expected an expression, got .*", "balise vide"),
    (r"expected name or number", "nom attendu après un point"),
)


def _syntax_in_french(message: str) -> str:
    """Jinja's usual syntax messages in French; any other one as Jinja wrote it."""
    for pattern, french in _SYNTAX_FR:
        found = re.fullmatch(pattern, message, flags=re.DOTALL)
        if found:
            return french.format(*found.groups())
    return message


def _first(pattern: str, text: str) -> str | None:
    found = re.search(pattern, text)
    return found.group(1) if found else None


def _private_accesses(tree: nodes.Template) -> Iterator[str]:
    """``x.__class__``, ``x._secret``, ``x['__dict__']``: attributes a letter never needs."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            attribute = node.attr
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            attribute = node.arg.value
        else:
            continue
        if attribute.startswith("_"):
            yield f"{_describe(node.node)}.{attribute}"


def _describe(node: nodes.Node) -> str:
    """Readable text of a simple expression (``client``, ``client.nom``) for messages."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_describe(node.node)}.{node.attr}"
    return "…"


def _near(source: str, lineno: int | None) -> str:
    """`` près de « … »``: the text (tags stripped) of the template line where Jinja stopped;
    in a docx each paragraph starts a line."""
    if not lineno:
        return ""
    lines = source.splitlines()
    if not 0 < lineno <= len(lines):
        return ""
    text = " ".join(re.sub(r"<[^>]+>", "", lines[lineno - 1]).split())
    if not text:
        return ""
    return f" près de « {text[:80]}{'…' if len(text) > 80 else ''} »"


_TEXT_CACHE: dict[tuple[Path, int, frozenset[str]], jinja2.Template] = {}


def render_text(path: Path, context: Mapping[str, object]) -> str:
    """A plain-text template (the email body): same sandbox and checks, no escaping; compiled
    once per file and set of names."""
    try:
        key = (path.resolve(), path.stat().st_mtime_ns, frozenset(context))
        template = _TEXT_CACHE.get(key)
        if template is None:
            source = path.read_text(encoding="utf-8-sig")
            template = check_template(environment(text=True), source, path.name, context)
            _TEXT_CACHE[key] = template
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"le modèle « {path.name} » est illisible ({error}).") from None
    return render_checked(template, context, path.name)


def bundled_templates_folder() -> Path:
    """The templates shipped with relance_xl (``letter_templates``)."""
    return asset(LETTER_TEMPLATES)


def find_template(name: str, suffix: str, user_folder: Path | None) -> Path:
    """The template ``name`` + ``suffix``: the user's folder (Paramètres, « Dossier des
    modèles ») first, then the bundled ones."""
    file_name = name if name.endswith(suffix) else name + suffix
    if user_folder and not user_folder.is_dir():
        raise TemplateError(f"le dossier des modèles « {user_folder} » n'existe pas.")
    folders = [user_folder] if user_folder else []
    folders.append(bundled_templates_folder())
    for folder in folders:
        path = folder / file_name
        if path.is_file():
            return path
    searched = " ni dans ".join(f"« {folder} »" for folder in folders)
    raise TemplateError(f"le modèle de courrier « {file_name} » est introuvable dans {searched}.")
