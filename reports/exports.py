"""The statement's figures as one tidy CSV table: the same (suppressed) numbers as the PDF.

Columns: section, breakdown, category, this year, last year; one row per figure, the total
rows included. Counts are written as plain numbers (no thousands separator) and hidden ones
as the words the PDF prints ("fewer than 6", "not shown"). Text that a spreadsheet would run
as a formula (starting =, +, -, @, tab or carriage return) is prefixed with an apostrophe.
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
    this_year = context["year_label"] + (" (so far)" if context["in_progress"] else "")
    rows = [
        [
            "Section",
            "Breakdown",
            "Category",
            f"This year: {this_year}",
            f"Last year: {context['previous_label']}",
        ]
    ]
    range_ = context["range"]
    if range_.available:
        localities = range_.data["localities"]
        for t in range_.data["by_type"]:
            for code, label in localities:
                rows.append(
                    [
                        "The range of short breaks (services in the register now)",
                        f"Services of this type: {t['label']}",
                        label,
                        str(t["counts"][code]),
                        "",  # the register holds today's services, not last year's
                    ]
                )
    needs = context["needs"]
    if needs.available:
        for pop in needs.data["populations"]:
            for table in pop["tables"]:
                for row in table["rows"]:
                    last, this = row["cells"]
                    rows.append(
                        [pop["title"], table["heading"], row["label"], _figure(this), _figure(last)]
                    )
                total_label = (
                    "Total"
                    if table["additive"]
                    else "Total children (a child can have more than one category)"
                )
                last, this = table["totals"]
                rows.append(
                    [pop["title"], table["heading"], total_label, _figure(this), _figure(last)]
                )
    return rows


def statement_csv(context: dict) -> bytes:
    """UTF-8 with a byte order mark, so that spreadsheet programs read accents correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in statement_rows(context):
        writer.writerow([safe(v) for v in row])
    return out.getvalue().encode("utf-8-sig")
