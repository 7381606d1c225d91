"""The one rule for hidden characters in free text (core.text)."""

import pytest

from core.text import hidden_characters


@pytest.mark.parametrize(
    ("text", "multiline", "hidden"),
    [
        ("Zoë O’Neill-Smith", False, False),
        ("Kai\u200b", False, True),  # zero-width space
        ("Kai\u2028Smith", False, True),  # line separator: an invisible line break
        ("notes\u2029more", True, True),  # paragraph separator, even in long text
        ("Kai\U0010ffff", False, True),  # a noncharacter
        ("Kai\ufdd0", True, True),  # a noncharacter
        ("family 👨\u200d👩\u200d👧", True, False),  # joiners build emoji in long text
        ("family 👨\u200d👩\u200d👧", False, True),  # but not in a name
        ("co\u00adoperate", True, False),  # soft hyphen
        ("Phone us\u2066 now\u2069", True, True),  # direction isolates
        ("日本語の名前", False, False),
    ],
)
def test_what_counts_as_hidden(text, multiline, hidden):
    assert hidden_characters(text, multiline=multiline) is hidden
