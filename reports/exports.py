"""The statement's figures as one tidy CSV table: the same (suppressed) numbers as the PDF.

Columns: section, breakdown, category, then last year and this year (as the PDF prints them,
headed with their years; a year before the records began has no column), then the providers
register as it is now (the range of short breaks: the register keeps no history). One row per
figure, the total rows included. Counts are written as plain numbers (no thousands separator)
and hidden ones as the words the PDF prints ("fewer than 6", "not shown"). Text that a
spreadsheet would run as a formula (starting =, +, -, @, tab or carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io

from .services import Cell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str:
    """A cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _figure(cell: Cell | int | None) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Cell):
        return str(cell.value) if cell.value is not None else cell.text
    return str(cell)


def statement_rows(context: dict) -> list[list[str]]:
    """The header and every figure of the statement, in the order the statement gives them."""
    needs = context["needs"]
    years = list(needs.data["columns_in_full"]) if needs.available else []
    register = context["register_now"]
    rows = [["Section", "Breakdown", "Category", *years, register[0].upper() + register[1:]]]
    range_ = context["range"]
    if range_.available:
        localities = range_.data["localities"]
        for t in range_.data["by_type"]:
            for code, label in localities:
                rows.append(
                    [
                        "The range of short breaks",
                        f"Services of this type: {t['label']}",
                        label,
                        *[""] * len(years),  # the register keeps no history of past years
                        str(t["counts"][code]),
                    ]
                )
    if needs.available:
        for pop in needs.data["populations"]:
            for table in pop["tables"]:
                for row in table["rows"]:
                    figures = [_figure(c) for c in row["cells"]]
                    rows.append([pop["title"], table["heading"], row["label"], *figures, ""])
                total_label = (
                    "Total"
                    if table["additive"]
                    else "Total children (a child can have more than one category)"
                )
                figures = [_figure(c) for c in table["totals"]]
                rows.append([pop["title"], table["heading"], total_label, *figures, ""])
    return rows


def statement_csv(context: dict) -> bytes:
    """UTF-8 with a byte order mark, so that spreadsheet programs read accents correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in statement_rows(context):
        writer.writerow([safe(v) for v in row])
    return out.getvalue().encode("utf-8-sig")
