"""Safe rendering: French filters, escaping, the sandbox, and French errors naming the culprit."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from relance_xl.errors import TemplateError
from relance_xl.letters.render import (
    check_template,
    environment,
    find_template,
    render_checked,
    render_text,
)


def render(source: str, **context: object) -> str:
    """Check and render a Word-style (escaped) template string."""
    template = check_template(environment(), source, "essai.docx", context)
    return render_checked(template, context, "essai.docx")


@pytest.mark.parametrize(
    ("modele", "valeur", "attendu"),
    [
        ("{{ x|montant }}", Decimal("1234.56"), "1\u202f234,56\xa0€"),
        ("{{ x|montant }}", Decimal("0.005"), "0,01\xa0€"),
        ("{{ x|nombre }}", Decimal("12.4"), "12,40"),
        ("{{ x|pourcentage }}", Decimal("12.15"), "12,15 %"),
        ("{{ x|date_longue }}", dt.date(2026, 11, 23), "23 novembre 2026"),
        ("{{ x|date_longue }}", dt.date(2026, 11, 1), "1er novembre 2026"),
        ("{{ x|date_courte }}", dt.date(2026, 11, 23), "23/11/2026"),
        ("{{ x|en_lettres }}", Decimal("21"), "vingt et un euros"),
        ("{{ x|date_courte }}", None, ""),
        ("{{ x|montant }}", None, ""),
    ],
    ids=[
        "montant", "arrondi au centime", "nombre", "pourcentage", "date longue",
        "premier du mois", "date courte", "en lettres", "date absente", "montant absent",
    ],
)  # fmt: skip
def test_filtres_francais(modele, valeur, attendu):
    """Amounts, dates and words come out as a French letter writes them."""
    assert render(modele, x=valeur) == attendu


def test_nom_du_client_echappe_dans_un_modele_word():
    """« Dupont & Fils <SARL> » becomes XML text, never markup."""
    assert render("<w:t>{{ nom }}</w:t>", nom="Dupont & Fils <SARL>") == (
        "<w:t>Dupont &amp; Fils &lt;SARL&gt;</w:t>"
    )


def test_texte_brut_sans_echappement(tmp_path):
    """An email body keeps « & » and « < » as typed."""
    path = tmp_path / "courriel.txt"
    path.write_text(
        "Bonjour {{ nom }},\n{% if vrai %}\nsuite\n{% endif %}\nfin\n", encoding="utf-8"
    )
    assert render_text(path, {"nom": "Dupont & Fils <SARL>", "vrai": True}) == (
        "Bonjour Dupont & Fils <SARL>,\nsuite\nfin\n"
    )


@pytest.mark.parametrize(
    ("modele", "mot_attendu"),
    [
        ("{{ nom.__class__ }}", "nom.__class__"),
        ("{{ nom.__class__.__mro__ }}", "nom.__class__"),
        ("{{ nom['__class__'] }}", "nom.__class__"),
        ("{{ client._secret }}", "client._secret"),
    ],
    ids=["__class__", "chaîne d'attributs", "indice", "attribut privé"],
)
def test_acces_interdit_refuse_avant_tout_rendu(modele, mot_attendu):
    """The sandbox refuses private attributes, naming the template and the expression."""
    with pytest.raises(TemplateError) as error:
        check_template(environment(), modele, "piege.docx", {"nom": "x", "client": "y"})
    assert "« piege.docx »" in error.value.message
    assert mot_attendu in error.value.message


def test_acces_dynamique_interdit_au_rendu():
    """An unsafe attribute reached through a filter is stopped at render time, in French."""
    template = check_template(environment(), "{{ (nom|attr('__class__')) }}", "a.docx", {"nom": 1})
    with pytest.raises(TemplateError, match="tente d'accéder à « __class__ »"):
        render_checked(template, {"nom": 1}, "a.docx")


def test_variable_inconnue_nommee():
    """An unknown name stops the template before rendering, with its name."""
    with pytest.raises(TemplateError) as error:
        check_template(environment(), "{{ client }} {{ montnat }}", "lettre.docx", {"client": 1})
    assert (
        error.value.message == "le modèle « lettre.docx » utilise la variable inconnue « montnat »."
    )


def test_variables_de_boucle_connues():
    """Names set by the template itself (for, set) are not unknown."""
    source = "{% set total = 0 %}{% for f in factures %}{{ f }}{{ loop.index }}{% endfor %}"
    assert render(source, factures=["a", "b"]) == "a1b2"


def test_attribut_inconnu_nomme():
    """A misspelt attribute fails at render time, naming the attribute."""
    template = check_template(environment(), "{{ client.nmo }}", "l.docx", {"client": {}})
    with pytest.raises(TemplateError, match="l'attribut inconnu « nmo »"):
        render_checked(template, {"client": {}}, "l.docx")


def test_filtre_sur_une_valeur_du_mauvais_type():
    """{{ client|montant }} on a name: a French error naming the template, not a crash."""
    template = check_template(environment(), "{{ nom|montant }}", "l.docx", {"nom": "Dupont"})
    with pytest.raises(
        TemplateError, match=re.escape("le modèle « l.docx » ne peut pas être rempli : un filtre")
    ):
        render_checked(template, {"nom": "Dupont"}, "l.docx")


def test_erreur_de_syntaxe_en_francais_avec_le_texte_proche():
    """A stray {% endif %}: French message with the template name and the nearby text."""
    source = "<w:p>Bonjour</w:p>\n<w:p>Madame {% endif %}</w:p>"
    with pytest.raises(TemplateError) as error:
        check_template(environment(), source, "casse.docx", {})
    message = error.value.message
    assert message.startswith("le modèle « casse.docx » contient une erreur de syntaxe")
    assert "près de « Madame {% endif %} »" in message


@pytest.mark.parametrize(
    ("modele", "explication"),
    [
        ("{% endif %}", "balise « endif » inconnue ou sans son ouverture"),
        ("{% if x %}a", "« if » jamais refermé : il manque « endif »"),
        ("{% for f in x %}a", "« for » jamais refermé : il manque « endfor »"),
        ("{{ x }", "« } » inattendu"),
        ("{{ x y }}", "« y » inattendu dans une balise"),
    ],
    ids=["endif en trop", "if sans endif", "for sans endfor", "accolade", "deux noms"],
)
def test_erreurs_de_syntaxe_expliquees_en_francais(modele, explication):
    """The usual mistakes of someone editing a template in Word, explained in French."""
    with pytest.raises(TemplateError) as error:
        check_template(environment(), modele, "m.docx", {"x": 1})
    assert f"erreur de syntaxe ({explication})" in error.value.message


def test_modele_de_l_utilisateur_avant_celui_fourni(tmp_path):
    """Paramètres' templates folder wins; the bundled template fills the gaps."""
    (tmp_path / "mise_en_demeure.docx").write_bytes(b"x")
    assert find_template("mise_en_demeure", ".docx", tmp_path) == tmp_path / "mise_en_demeure.docx"
    assert find_template("lettre_relance_1", ".docx", tmp_path).parent.name == "letter_templates"


def test_modele_introuvable(tmp_path):
    """A template nobody has: French error naming it."""
    with pytest.raises(TemplateError, match=re.escape("« inexistant.docx » est introuvable")):
        find_template("inexistant", ".docx", tmp_path)


def test_dossier_des_modeles_absent(tmp_path):
    """A templates folder that does not exist is reported as such."""
    with pytest.raises(TemplateError, match="n'existe pas"):
        find_template("mise_en_demeure", ".docx", tmp_path / "absent")


def _surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"


@given(st.text(alphabet=st.characters(exclude_characters="\a\f\r"), max_size=60))
def test_toute_valeur_donne_du_xml_valide(text):
    """Whatever a cell holds (markup, control characters), the part stays well-formed XML and
    the text reads back as typed, minus what XML cannot hold."""
    rendered = render("<t>{{ valeur }}</t>", valeur=text)
    kept = "".join(
        c for c in text if c in "\t\n" or not (c < " " or c in "\ufffe\uffff" or _surrogate(c))
    )
    assert (etree.fromstring(rendered).text or "") == kept
