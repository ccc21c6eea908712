"""NewsML-G2 as dpa sends it: the same fields as digitalwires, and XML read safely.

Pure: bytes in, a ParsedArticle out, no database.
"""

import time
from dataclasses import replace
from pathlib import Path

import pytest

from articles.ingest import digitalwires, newsml
from articles.ingest.parsed import ParsedArticle, ParseError

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
NAR = "http://iptc.org/std/nar/2006-10-01/"


def sample(name: str) -> ParsedArticle:
    return newsml.parse((SAMPLES / "newsml-g2" / name).read_bytes())


def item(body: str = "<p>Text.</p>", meta: str = "", content: str = "", guid: str = "urn:x:1") -> str:
    """A small newsItem; `meta` and `content` go into itemMeta and contentMeta."""
    return f"""<newsItem xmlns="{NAR}" guid="{guid}" version="3">
  <itemMeta>
    <itemClass qcode="ninat:text"/>
    <versionCreated>2025-01-01T10:00:00+01:00</versionCreated>
    {meta}
  </itemMeta>
  <contentMeta>
    <headline rank="1">Überschrift</headline>
    <dateline>Berlin (dpa) - </dateline>
    {content}
  </contentMeta>
  <contentSet><inlineXML contenttype="application/xhtml+xml">
    <html xmlns="http://www.w3.org/1999/xhtml"><body>
      <section class="main">{body}</section>
    </body></html>
  </inlineXML></contentSet>
</newsItem>"""


def message(*items: str) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><newsMessage xmlns="{NAR}"><itemSet>'
    return (head + "".join(items) + "</itemSet></newsMessage>").encode()


@pytest.mark.parametrize("name", ["dw-1", "eil", "embargoed", "spe_tab"])
def test_sample_maps_like_its_digitalwires_twin(name):
    twin = digitalwires.parse((SAMPLES / "digitalwires" / f"{name}.json").read_bytes())
    assert sample(f"{name}.xml") == replace(twin, format="newsml-g2")


def test_with_infobox_maps_like_its_twin_but_the_picture_lacks_what_g2_does_not_send():
    twin = digitalwires.parse((SAMPLES / "digitalwires" / "with_infobox.json").read_bytes())
    parsed = sample("with_infobox.xml")
    assert replace(parsed, picture=None) == replace(twin, format="newsml-g2", picture=None)
    assert parsed.picture.url == twin.picture.url
    assert parsed.picture.urn == twin.picture.urn
    assert parsed.picture.alt == "Ein ausgebranntes Fahrzeug und Trümmer nach dem Waldbrand."


def test_dw1_fields():
    parsed = sample("dw-1.xml")
    assert parsed.urn == "urn:newsml:dpa.com:20090101:240923-930-240378"
    assert parsed.version == 2
    assert parsed.headline == "«Mythos Jungfernhäutchen» - Zwischen Aufklärung und Kommerz"
    assert parsed.kicker == "Frauenrechte"
    assert parsed.byline == "Von Marco Krefting und Sunrita Sen, dpa"
    assert parsed.desk == "vm"
    assert parsed.tags == ("Frauen", "Baden-Württemberg", "Deutschland")


def test_dw1_body_has_neither_header_nor_teaser_and_the_dateline_once():
    parsed = sample("dw-1.xml")
    assert parsed.body_html.startswith("<p>Waghäusel (dpa) - Die meisten Kundinnen")
    assert parsed.body_html.count("Waghäusel (dpa)") == 1
    assert parsed.teaser not in parsed.body_html
    assert "Frauenrechte" not in parsed.body_html


def test_with_infobox_moves_the_infobox_out_of_the_body():
    parsed = sample("with_infobox.xml")
    assert parsed.infobox_html.startswith("<h2>Links</h2>")
    assert "Links</h2>" not in parsed.body_html
    assert parsed.body_html.endswith("<p>(Stand: 22.1.2025)</p>")


def test_with_infobox_picture_link_is_no_related_link():
    links = sample("with_infobox.xml").links
    assert [url for _, url in links] == [
        "https://www.dpa.com/faktencheck",
        "https://www.dpa.com/index.php?id=1384&ADMCMD_editIcons=1#kontakt",
    ]


def test_bare_picture_item_is_rejected():
    with pytest.raises(ParseError, match=r"newsItem has no text: .* \(a bare ninat:picture\?\)"):
        sample("image.xml")


def test_a_news_item_alone_is_a_file_too():
    parsed = newsml.parse(item().encode())
    assert (parsed.urn, parsed.version, parsed.headline) == ("urn:x:1", 3, "Überschrift")
    assert parsed.body_html == "<p>Berlin (dpa) - Text.</p>"


def test_a_news_message_gives_every_item():
    parsed = newsml.parse_all(message(item(guid="urn:x:1"), item(guid="urn:x:2")))
    assert [story.urn for story in parsed] == ["urn:x:1", "urn:x:2"]


def test_a_news_message_splits_into_items_each_parsed_alone():
    parts = newsml.split(message(item(guid="urn:x:1"), item(guid="urn:x:2")))
    assert [newsml.parse(part).urn for part in parts] == ["urn:x:1", "urn:x:2"]


def test_parse_wants_exactly_one_item():
    with pytest.raises(ParseError, match="holds 2 newsItems, not one"):
        newsml.parse(message(item(), item()))


def test_ednotes_with_a_publication_constraint_are_dropped():
    meta = """
      <edNote role="dpaednoterole:editorialnote">Bitte Foto beachten</edNote>
      <edNote role="dpaednoterole:contacts" pubconstraint="dpapconstraint:nonpublic"
        >Anna Geheim, +49 30 1234567</edNote>
    """
    parsed = newsml.parse(item(meta=meta).encode())
    assert parsed.editor_notes == "Bitte Foto beachten"
    assert "Geheim" not in repr(parsed)


def test_the_notepad_loses_its_non_public_section():
    meta = """<edNote role="dpaednoterole:notepad">
      <section xmlns="http://www.w3.org/1999/xhtml" class="notepad">
      <header><h3>Notizblock</h3></header>
      <section class="np-public"><h4>Redaktionelle Hinweise</h4><ul><li>Öffentlich</li></ul></section>
      <section class="np-nonpublic">
        <p>Die folgenden Informationen sind nicht zur Veröffentlichung bestimmt</p>
        <ul><li>Anna Geheim, anna@example.org</li></ul></section>
      <p class="closingline">dpa xy</p></section></edNote>"""
    parsed = newsml.parse(item(meta=meta).encode())
    assert parsed.editor_notes == "Redaktionelle Hinweise\n- Öffentlich"
    assert "anna@example.org" not in repr(parsed)


def test_dnl_embeds_in_the_xhtml_go_whole():
    parsed = newsml.parse(item(body="<p>Eins.</p><dnl-embed><p>Embed</p></dnl-embed><p>Zwei.</p>").encode())
    assert parsed.body_html == "<p>Berlin (dpa) - Eins.</p><p>Zwei.</p>"


def test_headline_ranks_give_subhead_and_kicker():
    content = '<headline rank="3">Dachzeile</headline><headline rank="2">Unterzeile</headline>'
    parsed = newsml.parse(item(content=content).encode())
    assert (parsed.headline, parsed.subhead, parsed.kicker) == ("Überschrift", "Unterzeile", "Dachzeile")


def test_canceled_pubstatus_and_embargo():
    meta = '<pubStatus qcode="stat:canceled"/><embargoed>2025-01-02T19:00:00+01:00</embargoed>'
    parsed = newsml.parse(item(meta=meta).encode())
    assert parsed.pubstatus == "canceled"
    assert parsed.embargo.isoformat() == "2025-01-02T19:00:00+01:00"


# Unsafe and broken XML: refused before it is parsed, with one clear line

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE newsMessage [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">&lol9;</newsMessage>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE newsItem [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x"><itemMeta/><contentMeta>
<headline>&secret;</headline></contentMeta></newsItem>"""


def test_billion_laughs_is_refused_at_once():
    started = time.monotonic()
    with pytest.raises(ParseError, match=r"DOCTYPE or ENTITY declaration is refused .*\(line 2\)"):
        newsml.parse_all(BILLION_LAUGHS)
    assert time.monotonic() - started < 1


def test_external_entity_is_refused_and_never_read():
    with pytest.raises(ParseError, match="DOCTYPE or ENTITY declaration is refused") as error:
        newsml.parse_all(EXTERNAL_ENTITY)
    assert "root:" not in str(error.value)


def test_declarations_in_utf16_are_found_too():
    with pytest.raises(ParseError, match="DOCTYPE or ENTITY declaration is refused"):
        utf16 = EXTERNAL_ENTITY.decode().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>', 1).encode("utf-16")
        newsml.parse_all(utf16)


def test_an_undeclared_entity_is_invalid_xml():
    with pytest.raises(ParseError, match=r"invalid XML: undefined entity \(line 1\)"):
        newsml.parse_all(f'<newsItem xmlns="{NAR}" guid="x">&secret;</newsItem>'.encode())


def test_malformed_xml_names_the_line():
    with pytest.raises(ParseError, match=r"invalid XML: mismatched tag \(line 3\)"):
        newsml.parse_all(f'<newsMessage xmlns="{NAR}">\n<itemSet>\n</newsMessage>'.encode())


def test_xml_that_is_not_newsml_is_named_so():
    with pytest.raises(ParseError, match="XML, but not NewsML-G2: the root is rss"):
        newsml.parse_all(b"<rss><channel/></rss>")


def test_item_without_guid_is_rejected():
    with pytest.raises(ParseError, match=r"newsItem without guid \(urn\)"):
        newsml.parse(item(guid="").encode())


def test_item_with_a_version_that_is_no_number_is_rejected():
    with pytest.raises(ParseError, match="version must be a whole number"):
        newsml.parse(item().replace('version="3"', 'version="drei"').encode())


def test_deeply_nested_xml_is_refused():
    body = "<div>" * 2000 + "Text" + "</div>" * 2000
    with pytest.raises(ParseError, match="XML nests elements more than 500 deep"):
        newsml.parse(item(body=body).encode())
