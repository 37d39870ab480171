"""``python -m relance_xl`` runs the command line."""

from relance_xl.cli import run

run()
