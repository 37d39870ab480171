"""relance_xl: relances de factures impayées depuis un classeur Excel.

Reads the invoice workbook, computes the aged balance, the next dunning step per client and the
French late-payment penalties, and fills the letters — from the command line (``relance-xl``) or
from buttons inside Excel (xlwings).
"""

__version__ = "0.1.0"
