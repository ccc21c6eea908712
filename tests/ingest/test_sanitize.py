"""The allow-list every body passes (articles/sanitize.py), and agency HTML through it."""

import json

import pytest

from articles.ingest import digitalwires
from articles.sanitize import clean_html


def test_javascript_link_loses_its_address_and_keeps_its_text():
    cleaned = clean_html('<p><a href="javascript:alert(1)">Klick</a></p>')
    assert cleaned == '<p><a rel="nofollow">Klick</a></p>'


def test_web_link_is_kept_with_nofollow():
    cleaned = clean_html('<p><a class="externalLink" href="https://www.dpa.com/" target="_blank">dpa</a></p>')
    assert cleaned == '<p><a href="https://www.dpa.com/" rel="nofollow">dpa</a></p>'


@pytest.mark.parametrize("scheme", ["javascript:", "JavaScript:", "data:text/html,", "vbscript:", "ftp://x/"])
def test_only_http_and_https_addresses_survive(scheme):
    assert "href" not in clean_html(f'<a href="{scheme}x">x</a>')


def test_event_handler_attributes_are_dropped():
    cleaned = clean_html('<p onclick="steal()">Text<img src="x" onerror="alert(1)"></p>')
    assert cleaned == "<p>Text</p>"


def test_script_and_style_go_with_their_content():
    cleaned = clean_html("<p>Vorher<script>alert('x')</script><style>p{}</style> nachher</p>")
    assert cleaned == "<p>Vorher nachher</p>"


def test_dnl_embed_goes_whole_even_with_paragraphs_inside():
    cleaned = clean_html(
        "<p>Erster Absatz.</p>"
        '<dnl-embed data-urn="urn:x"><p>Bildunterschrift des Embeds</p><img src="x"></dnl-embed>'
        "<p>Zweiter Absatz.</p>"
    )
    assert cleaned == "<p>Erster Absatz.</p><p>Zweiter Absatz.</p>"


def test_nested_and_self_closing_dnl_elements_go_whole():
    cleaned = clean_html(
        "<p>A</p><dnl-wiretable><dnl-row>eins<dnl-cell>zwei</dnl-cell></dnl-row></dnl-wiretable>"
        '<DNL-Video src="v"/><p>B</p>'
    )
    assert cleaned == "<p>A</p><p>B</p>"


def test_other_tags_go_but_their_text_stays():
    cleaned = clean_html('<section class="main"><div><p>Text <span>mit</span> Span</p></div></section>')
    assert cleaned == "<p>Text mit Span</p>"


def test_empty_paragraphs_are_dropped():
    assert clean_html("<p>Text</p><p> </p><p><br></p><p>&nbsp;<strong> </strong></p><p></p>") == "<p>Text</p>"


def test_allowed_structure_is_kept():
    html = (
        "<h2>Zwischenzeile</h2><h3>Klein</h3><p><strong>fett</strong> <em>kursiv</em><br>Zeile</p>"
        "<ul><li>eins</li></ul><ol><li>zwei</li></ol>"
        '<table><tbody><tr><th>A</th><td colspan="2">B</td></tr></tbody></table>'
    )
    assert clean_html(html) == html


def test_table_attributes_other_than_spans_go():
    cleaned = clean_html('<table><tr><td align="right" style="color:red">1.</td></tr></table>')
    assert cleaned == "<table><tbody><tr><td>1.</td></tr></tbody></table>"


def test_cleaning_twice_changes_nothing():
    html = '<p>A &amp; B <a href="https://x.example/?a=1&amp;b=2">x</a></p><dnl-x>weg</dnl-x><p> </p>'
    once = clean_html(html)
    assert clean_html(once) == once


def test_empty_input_is_empty():
    assert clean_html("") == ""


def test_article_html_of_a_digitalwires_entry_goes_through_the_allow_list():
    entry = {
        "format": "digitalwires@0.9.1",
        "urn": "urn:newsml:dpa.com:20090101:250101-99-000001",
        "version": 1,
        "version_created": "2025-01-01T10:00:00+01:00",
        "headline": "Sanitiser",
        "dateline": "Berlin (dpa) - ",
        "article_html": (
            '<section class="main"><p>Erster <a href="javascript:alert(1)">Link</a>'
            '<img src="x" onerror="alert(1)"></p><script>alert(2)</script>'
            '<dnl-embed><p>Embed-Text</p></dnl-embed><p></p><p>Zweiter</p></section>'
        ),
    }
    parsed = digitalwires.parse(json.dumps(entry).encode())
    assert parsed.body_html == '<p>Berlin (dpa) - Erster <a rel="nofollow">Link</a></p><p>Zweiter</p>'
