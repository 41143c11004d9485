"""What an import did or would do, row by row, in words the admin's dry run shows."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .columns import COLUMNS


@dataclass
class RowReport:
    """What the import does with one spreadsheet row, or why it cannot."""

    line: int
    provider: str = ""
    code: str = ""
    title: str = ""
    action: str = ""  # "new", "changed" or "unchanged"; empty while the row has errors
    changes: list = field(default_factory=list)  # headers of the columns that change
    errors: list = field(default_factory=list)  # complete messages naming row and column


@dataclass
class ImportReport:
    source_format: str
    rows: list
    problems: list = field(default_factory=list)  # problems of the file as a whole
    new_providers: list = field(default_factory=list)
    written: bool = False

    @property
    def errors(self):
        return self.problems + [error for row in self.rows for error in row.errors]

    @property
    def is_valid(self):
        return not self.errors

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def new_count(self):
        return self.count("new")

    @property
    def changed_count(self):
        return self.count("changed")

    @property
    def unchanged_count(self):
        return self.count("unchanged")


# How much of a cell the dry run repeats: a message quotes at most QUOTED characters of a
# value, the table's provider, code and title columns at most LISTED (the longest title a
# valid row can have). A cell may hold 32,767 characters; thousands of rows of those would
# make a page of hundreds of megabytes.
QUOTED = 100
LISTED = 250


def shown(text, limit=QUOTED):
    """``text`` as the dry run shows it: cut to ``limit`` characters, the cut marked by “…”."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def row_error(line, column, problem):
    """“Row 14, Klasse bis: ‘neun’ is not a number” — the row as the spreadsheet numbers it."""
    return _("Row %(row)s, %(column)s: %(problem)s") % {
        "row": line,
        "column": column,
        "problem": problem,
    }


def cell_error(line, key, problem):
    """``row_error`` for the column ``key``, named by its header."""
    return row_error(line, COLUMNS[key], problem)
