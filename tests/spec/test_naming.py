"""Name derivation: snake_case, pluralize and the project slug."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.spec.models import derive_slug
from generator.spec.naming import pluralize, snake_case


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Contact", "contact"),
        ("SupportTicket", "support_ticket"),
        ("HTTPLog", "http_log"),
        ("APIKey", "api_key"),
        ("ABC", "abc"),
        ("Version2", "version2"),
        ("Ticket2Item", "ticket2_item"),
        ("OAuthToken", "o_auth_token"),
        ("LineItemV2", "line_item_v2"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert snake_case(name) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("contact", "contacts"),
        ("deal", "deals"),
        ("company", "companies"),
        ("category", "categories"),
        ("day", "days"),  # vowel before the y
        ("key", "keys"),
        ("box", "boxes"),
        ("status", "statuses"),
        ("church", "churches"),
        ("dish", "dishes"),
        ("person", "people"),
        ("child", "children"),
        ("mouse", "mice"),
        ("tooth", "teeth"),
        ("data", "data"),
        ("news", "news"),
        ("staff", "staff"),
        ("series", "series"),
        # only the last word of a snake_case name changes
        ("line_item", "line_items"),
        ("support_ticket", "support_tickets"),
        ("sales_person", "sales_people"),
        ("delivery_company", "delivery_companies"),
        ("customer_data", "customer_data"),
        ("tax_box", "tax_boxes"),
    ],
)
def test_pluralize(word: str, expected: str) -> None:
    assert pluralize(word) == expected


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Acme CRM", "acme_crm"),
        ("acme", "acme"),
        ("Hello, World!", "hello_world"),
        ("  spaced   out  ", "spaced_out"),
        ("Rock'n'Roll Co.", "rock_n_roll_co"),
        ("My-App_v2.0", "my_app_v2_0"),
        # letters outside ASCII are transliterated
        ("Café Olé", "cafe_ole"),
        ("Ünïcödé Tools", "unicode_tools"),
        # a slug must start with a letter
        ("123 Go", "project_123_go"),
        ("2024", "project_2024"),
        ("!!!", "project"),
        ("日本語", "ribenyu"),
        ("★ ✓", "project"),
        ("", "project"),
    ],
)
def test_derive_slug(name: str, slug: str) -> None:
    assert derive_slug(name) == slug


def test_derive_slug_is_cut_to_48_characters() -> None:
    assert derive_slug("word " * 40) == ("word_" * 10)[:48]
    assert len(derive_slug("9" * 100)) == 48


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_derived_slug_is_always_a_valid_slug(name: str) -> None:
    slug = derive_slug(name)
    assert re.fullmatch(r"[a-z][a-z0-9_]*", slug)
    assert len(slug) <= 48
