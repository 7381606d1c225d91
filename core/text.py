"""Hidden characters: the one rule for what free text may contain, used by every package.

Also the one rule for UK telephone numbers (``phone_problem``).

Hidden characters are the Unicode control (Cc) and format (Cf) characters (zero-width spaces
and joiners, direction marks and overrides, the byte order mark, escape and bell), the line
and paragraph separators U+2028 and U+2029 (invisible line breaks that some programs ignore),
and the noncharacters (U+FDD0 to U+FDEF and the last two code points of each plane). They make
two names that look the same differ (so a likely duplicate is missed, and search cannot find
the record), make a name look blank ("\u200b\u200b"), or reverse what text appears to say.

- One-line text (names, roles, addresses, phone numbers, summaries): none at all.
- Long text (notes, needs, reasons, the statement's sections): line breaks and tabs are what
  long text is made of, and three format characters are part of ordinary writing, so they
  stay: the soft hyphen, and the zero-width joiner and non-joiner, which build emoji and are
  needed to write some languages (Persian, Hindi). Every other hidden character is refused.
"""

from __future__ import annotations

import re
import unicodedata

_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_LONG_TEXT_ALLOWED = frozenset("\t\n\r\u00ad\u200c\u200d")


def _noncharacter(ch: str) -> bool:
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def hidden_characters(text: str | None, *, multiline: bool = False) -> bool:
    """Whether `text` has a hidden character (see the module's docstring)."""
    for ch in text or "":
        if unicodedata.category(ch) in _HIDDEN_CATEGORIES or _noncharacter(ch):
            if not (multiline and ch in _LONG_TEXT_ALLOWED):
                return True
    return False


PHONE_MESSAGE = "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
# What a telephone number is written with: digits, spaces, a leading +, brackets, hyphens.
_PHONE = re.compile(r"\+?[0-9 ()\-]+", re.ASCII)


def phone_problem(value: str | None) -> str | None:
    """The message for something that is not a UK telephone number (None if it is one, or
    empty): digits, spaces, a leading +, brackets and hyphens, with 10 to 13 digits."""
    value = (value or "").strip()
    if not value:
        return None
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE.fullmatch(value) or not 10 <= digits <= 13:
        return PHONE_MESSAGE
    return None
