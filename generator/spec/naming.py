"""Name derivation shared by the spec, the schema builder and the templates."""

from __future__ import annotations

import re

_IRREGULAR = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "goose": "geese",
    "foot": "feet",
    "tooth": "teeth",
}
_UNCOUNTABLE = frozenset({"data", "equipment", "information", "series", "species", "news", "staff"})


def snake_case(name: str) -> str:
    """'SupportTicket' -> 'support_ticket', 'HTTPLog' -> 'http_log'."""
    spaced = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])|(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return spaced.lower()


def pluralize(word: str) -> str:
    """English plural of the last word of a snake_case name ('line_item' -> 'line_items')."""
    head, _, last = word.rpartition("_")
    prefix = f"{head}_" if head else ""
    if last in _UNCOUNTABLE:
        return word
    if last in _IRREGULAR:
        return prefix + _IRREGULAR[last]
    if re.search(r"[^aeiou]y$", last):
        return prefix + last[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", last):
        return prefix + last + "es"
    return prefix + last + "s"
