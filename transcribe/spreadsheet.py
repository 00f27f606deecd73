"""CSV for spreadsheets: every text cell neutralised against formula injection.

Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab, a
carriage return, a line feed before one) as a formula: ``=HYPERLINK(…)`` in a learner's name,
a file name or an exercise title would become a link, or worse, in the trainer's spreadsheet.
``safe_cell`` gives such a text a leading apostrophe (shown as text, not run); a plain number
(``-12.5``, ``3,5``) is left as it is. ``writer`` and ``dict_writer`` are the csv module's
writers with every row — the header included — passed through ``safe_cell``: every CSV the
toolkit writes goes through one of them.
"""

from __future__ import annotations

import csv
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def safe_cell(value):
    """``value``, with a leading apostrophe when it is a text a spreadsheet would run."""
    if isinstance(value, str) and value[:1] in FORMULA_START and not NUMBER.fullmatch(value):
        return "'" + value
    return value


class _SafeRows:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(buffer, **options) -> _SafeRows:
    """``csv.writer(buffer, **options)`` whose every cell goes through ``safe_cell``."""
    return _SafeRows(csv.writer(buffer, **options))


def dict_writer(buffer, fieldnames, **options) -> csv.DictWriter:
    """``csv.DictWriter`` whose every cell, the header's too, goes through ``safe_cell``."""
    rows = csv.DictWriter(buffer, fieldnames, **options)
    rows.writer = _SafeRows(rows.writer)
    return rows
