"""The documentation stays true: every template variable and filter is documented."""

from __future__ import annotations

import jinja2
from conftest import PROJECT

from relance_xl.letters.context import documentation
from relance_xl.letters.render import environment

GUIDE = (PROJECT / "docs" / "modeles-courriers.md").read_text(encoding="utf-8")
README = (PROJECT / "README.md").read_text(encoding="utf-8")


def test_chaque_variable_des_modeles_est_documentee():
    """docs/modeles-courriers.md lists every name a template may use."""
    missing = [name for name, _ in documentation() if f"`{name}`" not in GUIDE]
    assert missing == []


def test_chaque_filtre_francais_est_documente():
    """Every filter relance_xl adds to Jinja is in the guide."""
    ours = set(environment().filters) - set(jinja2.defaults.DEFAULT_FILTERS)
    assert ours and all(f"`{name}`" in GUIDE for name in ours)


def test_le_readme_commence_par_les_deux_commandes():
    """The README's first commands install-and-demo, then install-and-test."""
    blocks = [b.split("```")[0].strip() for b in README.split("```bash\n")[1:3]]
    assert blocks == [
        "python -m pip install . && relance-xl demo",
        'python -m pip install -e ".[test]" && python -m pytest',
    ]
