"""Names as search compares them: lower case, accents and punctuation gone, spaces closed up.

"O’Neill", "o'neill", "O Neill" and "ONeill" all become "oneill"; "Zoë" becomes "zoe" and
"Anne-Marie" "annemarie". The child table keeps this form of each name in its own indexed
column (``search_first_name``, ``search_last_name``, ``search_preferred_name``), so search is a
prefix match on an index whatever punctuation people type or leave out.
"""

from __future__ import annotations

import unicodedata

SEARCH_NAME_LENGTH = 100


def search_key(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "").casefold()
    return "".join(ch for ch in decomposed if ch.isalnum())[:SEARCH_NAME_LENGTH]


def default_for(column: str):
    """A column default that fills a search name from the row's own name when a row is
    inserted without the ORM (bulk loaders: demo data, benchmarks)."""

    def default(context) -> str:
        return search_key(context.get_current_parameters().get(column))

    return default
