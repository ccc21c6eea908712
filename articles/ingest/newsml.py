"""NewsML-G2 as dpa sends it (shared/formats/dpa-feeds.md): bytes in, ParsedArticle out.

A file is a `newsMessage` with one or more `newsItem`s, or a single `newsItem`.
dpa makes it from digitalwires, so the fields and rules are digitalwires'.
Pure: no Django, no network. XML that declares a DOCTYPE or entities is refused
before it is parsed: that is where external entities and entity bombs live.
"""

import re
import xml.etree.ElementTree as ET

from . import markup
from .parsed import ParsedArticle, ParsedPicture, ParseError

FORMAT = "newsml-g2"
NAR = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
HEADLINE, SUBHEAD, KICKER = 1, 2, 3  # dpa's ranks of contentMeta/headline
NOTEPAD_ROLE = "dpaednoterole:notepad"
CORRECTION_ROLE = "dpaednoterole:correctionshort"
PICTURE_CLASS = "ninat:picture"


def nar(path: str) -> str:
    """An ElementTree path in the NewsML-G2 namespace: nar("itemMeta/provider")."""
    return "/".join(f"{{{NAR}}}{step}" for step in path.split("/"))


def parse(data: bytes) -> ParsedArticle:
    items = load_items(data)
    if len(items) != 1:
        raise ParseError(f"the file holds {len(items)} newsItems, not one")
    return parse_item(items[0])


def parse_all(data: bytes) -> list[ParsedArticle]:
    items = load_items(data)
    if len(items) == 1:
        return [parse_item(items[0])]
    return [parse_item(item, f"newsItem {index}: ") for index, item in enumerate(items, start=1)]


def split(data: bytes) -> list[bytes]:
    """Each newsItem as a file of its own, for a caller that keeps the ones that fail."""
    return [ET.tostring(item, encoding="utf-8") for item in load_items(data)]


def load_items(data: bytes) -> list[ET.Element]:
    root = load(data)
    if root.tag == f"{{{NAR}}}newsItem":
        return [root]
    if root.tag == f"{{{NAR}}}newsMessage":
        return root.findall(nar("itemSet/newsItem"))
    raise ParseError(
        f"XML, but not NewsML-G2: the root is {root.tag}, not a newsMessage or newsItem in {NAR}"
    )


def load(data: bytes) -> ET.Element:
    refuse_declarations(data)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        reason = re.sub(r": line \d+, column \d+$", "", str(error))
        raise ParseError(f"invalid XML: {reason}", error.position[0]) from None
    refuse_deep_nesting(root)
    return root


def refuse_deep_nesting(root: ET.Element) -> None:
    """Serialising and sanitising walk the tree recursively: no real item nests deep."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > markup.MAX_NESTING:
            raise ParseError(f"XML nests elements more than {markup.MAX_NESTING} deep")
        stack.extend((child, depth + 1) for child in element)


def refuse_declarations(data: bytes) -> None:
    # NUL bytes out, so that UTF-16 and UTF-32 spellings of "<!DOCTYPE" are found too.
    probe = data.replace(b"\x00", b"")
    found = DECLARATION.search(probe)
    if found:
        raise ParseError(
            "XML with a DOCTYPE or ENTITY declaration is refused (external entities, entity expansion)",
            probe.count(b"\n", 0, found.start()) + 1,
        )


def parse_item(item: ET.Element, where: str = "") -> ParsedArticle:
    """One newsItem; `where` ("newsItem 2: ") starts every error message."""
    urn = markup.plain(item.get("guid"))
    if not urn:
        raise ParseError(f"{where}newsItem without guid (urn)")
    where = f"{where}{urn}: "
    meta = item.find(nar("itemMeta"))
    content = item.find(nar("contentMeta"))
    if meta is None or content is None:
        raise ParseError(f"{where}newsItem without itemMeta or contentMeta")
    headlines = ranked_headlines(content)
    headline = headlines.get(HEADLINE, "")
    if not headline:
        raise ParseError(f"{where}newsItem without headline")
    teaser = markup.plain(text_of(content, "description", role="drol:teaser"))
    article_html, infobox_html = body_parts(item)
    if not markup.text_of(article_html) and not teaser:
        item_class = meta.find(nar("itemClass"))
        kind = item_class.get("qcode") if item_class is not None else None
        raise ParseError(f"{where}newsItem has no text: no body and no teaser (a bare {kind or 'item'}?)")

    version_created = markup.aware_time(text_of(meta, "versionCreated"), f"{where}versionCreated")
    dateline = markup.dateline_of(text_of(content, "dateline"))
    geo_subjects = markup.unique(subject_names(content, "cpnat:geoArea"))
    keywords = [element.text for element in content.findall(nar("keyword"))]
    notes = public_ednotes(meta)
    picture, links = picture_and_links(meta)
    provider = provider_of(meta)
    status = meta.find(nar("pubStatus"))
    return ParsedArticle(
        headline=headline,
        teaser=teaser,
        body_html=markup.body_html(article_html, dateline),
        published_at=markup.publication_time(text_of(content, "contentCreated"), version_created, where),
        kicker=headlines.get(KICKER, ""),
        tags=markup.unique([*keywords, *geo_subjects]),
        credit=provider,
        byline=markup.plain(text_of(content, "by")),
        dateline=dateline,
        urn=urn,
        format=FORMAT,
        subhead=headlines.get(SUBHEAD, ""),
        version=version_of(item.get("version"), where),
        version_created=version_created,
        pubstatus=markup.pubstatus(status.get("qcode") if status is not None else None, where),
        embargo=markup.aware_time(text_of(meta, "embargoed"), f"{where}embargoed"),
        desk=desk_of(content),
        geo_subjects=geo_subjects,
        infobox_html=markup.clean(infobox_html, "the info box"),
        links=links,
        picture=picture,
        editor_notes=editor_notes(notes),
        correction=next((markup.plain(text) for role, text in notes if role == CORRECTION_ROLE), ""),
        provider=provider,
        language=language_of(item, content),
    )


def text_of(parent: ET.Element, tag: str, role: str | None = None) -> str:
    for element in parent.findall(nar(tag)):
        if role is None or element.get("role") == role:
            return "".join(element.itertext())
    return ""


def ranked_headlines(content: ET.Element) -> dict[int, str]:
    """dpa's headline ranks: 1 the headline, 2 the subhead, 3 the kicker."""
    headlines: dict[int, str] = {}
    for element in content.findall(nar("headline")):
        rank = element.get("rank", "1")
        rank = int(rank) if rank.isdigit() else 1
        headlines.setdefault(rank, markup.plain("".join(element.itertext())))
    return headlines


def version_of(value: str | None, where: str) -> int | None:
    if value is None:
        return None
    if value.strip().isdigit():
        return int(value)
    raise ParseError(f"{where}version must be a whole number, not {value!r}")


def subject_names(content: ET.Element, kind: str) -> list[str]:
    return [
        "".join(name.itertext())
        for subject in content.findall(nar("subject"))
        if subject.get("type") == kind
        for name in subject.findall(nar("name"))[:1]
    ]


def desk_of(content: ET.Element) -> str:
    for subject in content.findall(nar("subject")):
        qcode = subject.get("qcode") or ""
        if subject.get("type") == "dpatype:category" or qcode.startswith("dpacat:"):
            return qcode.rpartition(":")[2].lower()
    return ""


def provider_of(meta: ET.Element) -> str:
    provider = meta.find(nar("provider"))
    if provider is None:
        return ""
    return markup.plain(text_of(provider, "name")) or (provider.get("qcode") or "").rpartition(":")[2]


def language_of(item: ET.Element, content: ET.Element) -> str:
    language = content.find(nar("language"))
    return (language.get("tag") if language is not None else None) or item.get(XML_LANG) or ""


def public_ednotes(meta: ET.Element) -> list[tuple[str, str]]:
    """(role, text) of the edNotes without a publication constraint; the notepad as HTML."""
    notes = []
    for note in meta.findall(nar("edNote")):
        if note.get("pubconstraint"):  # dpapconstraint:nonpublic: never kept
            continue
        role = note.get("role") or ""
        if role == NOTEPAD_ROLE:
            notes.append((role, "".join(xhtml(child) for child in note)))
        else:
            notes.append((role, markup.plain(markup.public_text("".join(note.itertext())))))
    return notes


def editor_notes(notes: list[tuple[str, str]]) -> str:
    lines = [line for role, text in notes if role == NOTEPAD_ROLE for line in markup.notes_text(text)]
    known = " ".join(lines)
    for role, text in notes:
        if role != NOTEPAD_ROLE and text and text not in known:
            lines.append(text)
            known += " " + text
    return "\n".join(lines)


def picture_and_links(meta: ET.Element) -> tuple[ParsedPicture | None, tuple[tuple[str, str], ...]]:
    """The first linked picture (lowest rank) and the other web links (the link box)."""
    picture, links = None, []
    for link in sorted(meta.findall(nar("link")), key=link_rank):
        href = (link.get("href") or "").strip()
        if not markup.is_web_url(href):
            continue
        title = markup.plain(text_of(link, "title"))
        item_class = link.find(nar("itemClass"))
        if item_class is not None and item_class.get("qcode") == PICTURE_CLASS:
            if picture is None:
                picture = ParsedPicture(
                    url=href,
                    alt=title,
                    width=number(link.get("width")),
                    height=number(link.get("height")),
                    urn=markup.plain(link.get("residref")),
                )
        elif item_class is None:
            links.append((title, href))
    return picture, markup.unique_links(links)


def link_rank(link: ET.Element) -> int:
    rank = link.get("rank") or ""
    return int(rank) if rank.isdigit() else 0


def number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def body_parts(item: ET.Element) -> tuple[str, str]:
    """The body's HTML and the info box's, from the XHTML of inlineXML.

    dpa's XHTML repeats headline, kicker and byline in <header> and the teaser as
    <p class="teaser">: they are fields of their own, not body. The info box is a
    <div class="INFOBOX"> at the end of the main section.
    """
    html = item.find(f"{nar('contentSet/inlineXML')}/{{{XHTML}}}html")
    body = html.find(f"{{{XHTML}}}body") if html is not None else None
    if body is None:
        return "", ""
    main = next(
        (section for section in body.iter(f"{{{XHTML}}}section") if "main" in classes(section)), body
    )
    local_names(main)
    infoboxes = []
    for parent in list(main.iter()):
        for child in list(parent):
            if child.tag == "header" or (child.tag == "p" and "teaser" in classes(child)):
                remove(parent, child)
            elif "infobox" in {name.lower() for name in classes(child)}:
                infoboxes.append(child)
                remove(parent, child)
    return serialize(main), "".join(serialize(box) for box in infoboxes)


def classes(element: ET.Element) -> list[str]:
    return (element.get("class") or "").split()


def local_names(root: ET.Element) -> None:
    """Tags and attributes without their namespace, as the HTML sanitiser expects them."""
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = element.tag.rpartition("}")[2]
        element.attrib = {name.rpartition("}")[2]: value for name, value in element.attrib.items()}


def remove(parent: ET.Element, child: ET.Element) -> None:
    """Remove `child`, keeping the text that follows it."""
    if child.tail and child.tail.strip():
        index = list(parent).index(child)
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def serialize(element: ET.Element) -> str:
    tail, element.tail = element.tail, None
    try:
        return ET.tostring(element, encoding="unicode", method="html")
    finally:
        element.tail = tail


def xhtml(element: ET.Element) -> str:
    local_names(element)
    return serialize(element)
