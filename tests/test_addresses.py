"""Addresses built from patterns reversed once per process (articles/addresses.py)."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from articles.addresses import address


@pytest.mark.parametrize("slug", ["wahl", "börse", "50%-quote", "rock'n'roll"])
def test_tag_address_is_the_one_reverse_gives(slug):
    assert address("articles:tag", slug) == reverse("articles:tag", args=[slug])


def test_addresses_keep_the_script_prefix_they_are_built_under():
    set_script_prefix("/nachrichten/")
    try:
        built = (address("articles:home"), address("articles:article", "inland", "wahl"))
    finally:
        clear_script_prefix()

    assert built == ("/nachrichten/", "/nachrichten/inland/wahl/")
    assert address("articles:article", "inland", "wahl") == "/inland/wahl/"
