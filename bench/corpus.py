"""A deterministic corpus of dpa plain-text articles (`shared/formats/dpa-text.md`).

    python -m bench.corpus DIR [--n 10000] [--seed 7]

writes N articles as DIR/<section>/<YYYYMMDD-HHMMSS>-<index>.txt, so that name order is
time order within a section. Everything about article i (time, section, headline, lead)
is a function of (seed, i, N) alone, so an article can name any other one under
*Weitere Meldungen* (by its exact headline and minute) without the generator holding
the corpus in memory: it writes one file at a time, in constant memory, whatever N.

What the corpus looks like:
- publication times strictly increasing, unique to the minute, spread over at least
  60 days (longer for large N: at least 1.2 minutes apart), Europe/Berlin summer time;
- unique headlines (a bijection from the index onto combinations of place, actor,
  verb and object), 45-100 characters;
- a keyword line with 1-3 tags from a fixed vocabulary of ~200 places and topics;
- a lead of ~150-250 characters, 4-8 body paragraphs of 300-700 characters, a
  subheading in about a third of the articles, the credit line `@ dpa.de`;
- 0-4 items under *Weitere Meldungen*: most name an earlier article, some a later one
  (imported after the article that names it: back-filled), some an article that never
  arrives; one in six items lacks the period after the headline (rule 1 of the format);
- most files UTF-8 with LF; a few with CRLF, a byte-order mark, or in Windows-1252.
"""

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
# Summer time all through (DST began 30 March 2025 and ends 26 October 2025).
START = datetime(2025, 4, 1, 5, 0, tzinfo=BERLIN).astimezone(UTC)
MIN_SPAN_MINUTES = 60 * 24 * 60

# (folder and slug, name as the agency writes it, share of the corpus)
SECTIONS = [
    ("inland", "Inland", 20),
    ("ausland", "Ausland", 20),
    ("wirtschaft", "Wirtschaft", 15),
    ("sport", "Sport", 15),
    ("panorama", "Panorama", 15),
    ("kultur", "Kultur", 8),
    ("wissenschaft", "Wissenschaft", 7),
]
SECTION_WEIGHTS = [share for _, _, share in SECTIONS]

# fmt: off
PLACES = [
    "Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Düsseldorf", "Leipzig",
    "Dresden", "Hannover", "Nürnberg", "Bremen", "Essen", "Dortmund", "Duisburg", "Bochum",
    "Wuppertal", "Bielefeld", "Bonn", "Münster", "Mannheim", "Karlsruhe", "Augsburg", "Wiesbaden",
    "Mainz", "Kiel", "Rostock", "Magdeburg", "Erfurt", "Potsdam", "Schwerin", "Saarbrücken",
    "Freiburg", "Heidelberg", "Regensburg", "Würzburg", "Ulm", "Kassel", "Göttingen", "Osnabrück",
    "Oldenburg", "Lübeck", "Chemnitz", "Halle", "Jena", "Cottbus", "Aachen", "Trier", "Koblenz",
    "Passau", "Bayern", "Sachsen", "Thüringen", "Hessen", "Niedersachsen", "Brandenburg",
    "Nordrhein-Westfalen", "Baden-Württemberg", "Rheinland-Pfalz", "Schleswig-Holstein",
    "Mecklenburg-Vorpommern", "Sachsen-Anhalt", "Saarland", "Russland", "USA", "Ukraine",
    "Frankreich", "Polen", "Italien", "Spanien", "Österreich", "Schweiz", "Niederlande", "Belgien",
    "Dänemark", "Schweden", "Norwegen", "Finnland", "Estland", "Lettland", "Litauen", "Tschechien",
    "Ungarn", "Rumänien", "Griechenland", "Türkei", "Israel", "Iran", "China", "Japan", "Indien",
    "Brasilien", "Kanada", "Großbritannien", "Irland", "Portugal", "Serbien", "Kroatien",
    "Südafrika", "Ägypten", "Nahost", "Brüssel", "Washington", "Moskau", "Kiew", "Paris", "London",
]
TOPICS = [
    "Bundestag", "Bundesregierung", "Parteien", "Wahlen", "Migration", "Rente", "Gesundheit",
    "Bildung", "Verkehr", "Bahn", "Energie", "Klima", "Umwelt", "Landwirtschaft", "Justiz",
    "Kriminalität", "Polizei", "Verteidigung", "Bundeswehr", "Nato", "EU", "Diplomatie",
    "Konflikte", "Krieg", "Menschenrechte", "Wirtschaft", "Konjunktur", "Inflation", "Arbeit",
    "Gewerkschaften", "Tarife", "Handel", "Industrie", "Autoindustrie", "Banken", "Börse",
    "Immobilien", "Mieten", "Steuern", "Haushalt", "Digitales", "Internet", "Datenschutz",
    "Fußball", "Bundesliga", "Handball", "Basketball", "Eishockey", "Tennis", "Formel 1",
    "Leichtathletik", "Radsport", "Wintersport", "Olympia", "Film", "Musik", "Theater", "Literatur",
    "Kunst", "Museen", "Festivals", "Fernsehen", "Medien", "Forschung", "Raumfahrt", "Medizin",
    "Biologie", "Physik", "Archäologie", "Wetter", "Unwetter", "Unfälle", "Feuerwehr", "Tiere",
    "Gesellschaft", "Kirche", "Familie", "Jugend", "Senioren", "Pflege", "Tourismus", "Luftfahrt",
    "Schifffahrt", "Lebensmittel", "Verbraucher", "Technologie", "Künstliche Intelligenz",
    "Cybersicherheit", "Hochschulen",
]
TAGS = PLACES + TOPICS  # ~200

ACTORS = [
    "Bundesregierung", "Kanzler", "Opposition", "Polizei", "Forscher", "Gewerkschaft",
    "Landesregierung", "Bundesrat", "Verbraucherschützer", "Ärzte", "Lehrerverband", "Bahn",
    "Feuerwehr", "Staatsanwaltschaft", "Gericht", "Ministerin", "Bürgermeister", "Umweltverband",
    "Industrieverband", "Mieterbund", "Bauern", "Studenten", "Klinikum", "Stadtrat",
    "Verkehrsminister", "Wirtschaftsminister", "Innenministerin", "Zoll", "Wetterdienst", "Trainer",
    "Verein", "Nationalmannschaft", "Museum", "Orchester", "Festival", "Verlag", "Sender",
    "Start-up", "Autobauer", "Chemiekonzern", "Reederei", "Flughafen", "Bundesamt", "Rechnungshof",
    "Sozialverband", "Kirche", "Zentralbank", "Krankenkassen", "Handwerk", "Einzelhandel",
    "Versicherer", "Stadtwerke", "Uni-Klinik", "Sternwarte", "Zoo", "Landtag", "EU-Kommission",
    "Nato-Chef", "Regierungschef", "Team",
]
VERBS = [
    "warnt vor", "fordert", "kritisiert", "plant", "prüft", "beschließt", "verschiebt", "begrüßt",
    "stoppt", "startet", "erwartet", "bestätigt", "meldet", "verteidigt", "verlangt", "unterstützt",
    "bremst", "feiert", "untersucht", "verbietet", "lockert", "verschärft", "streicht",
    "verlängert", "diskutiert", "beendet", "erhöht", "senkt", "rechnet mit", "setzt auf",
    "hofft auf", "ringt um", "streitet über", "einigt sich auf", "scheitert mit", "investiert in",
    "kämpft gegen", "wirbt für", "zweifelt an", "drängt auf", "öffnet", "schließt", "zeigt",
    "sucht", "verliert", "gewinnt", "präsentiert", "ändert", "wagt", "testet",
]
OBJECTS = [
    "neue Regeln für Mieten", "die Reform der Rente", "höhere Strompreise", "mehr Geld für Schulen",
    "schärfere Grenzkontrollen", "den Ausbau der Windkraft", "ein Tempolimit auf Autobahnen",
    "Streiks im Nahverkehr", "den Haushaltsentwurf", "Kürzungen bei der Pflege",
    "ein Verbot von Böllern", "eine Steuer auf Zucker", "die Sanierung maroder Brücken",
    "neue Wohnungen am Stadtrand", "die Rückkehr der Wölfe", "Hitzeschutz in Kliniken",
    "das Deutschlandticket", "den Kohleausstieg", "längere Öffnungszeiten",
    "schnelleres Internet auf dem Land", "den Bau einer Moschee", "Videoüberwachung an Bahnhöfen",
    "eine Impfkampagne", "Entlastungen für Familien", "den Abbau von Stellen", "ein neues Stadion",
    "eine Fusion der Kliniken", "die Zukunft des Standorts",
    "eine Sonderschau mit Werken von Dürer", "eine Mission zum Mond", "Funde aus der Bronzezeit",
    "Rekordzahlen bei Touristen", "ein Comeback im Pokal", "den Wechsel des Torwarts",
    "Sanktionen gegen Moskau", "Waffenlieferungen an Kiew", "Gespräche über eine Waffenruhe",
    "Zölle auf Stahl", "einen Gipfel in Brüssel", "Hilfe für Flutopfer", "Warnstreiks an Flughäfen",
    "Grundsteuer-Bescheide", "Engpässe bei Medikamenten", "die Lage nach dem Sturm",
    "einen Neustart der Verhandlungen", "Pläne für ein Wasserstoffnetz",
    "eine Studie über Mikroplastik", "die Rettung eines Wals", "Bußgelder für Raser",
    "Personalmangel in Kitas", "den Umbau des Hauptbahnhofs", "Millionen für die Forschung",
    "eine Klage gegen den Bund", "die Vergabe der Spiele", "neue Funde im Watt",
    "Regeln für Drohnen", "einen Rekord am Aktienmarkt", "Preise für Lebensmittel",
    "die Saison ohne Zuschauer", "den Schutz von Mooren",
]
PEOPLE = [
    "Anna Schmidt", "Thomas Müller", "Julia Weber", "Michael Fischer", "Sabine Wagner",
    "Stefan Becker", "Katrin Hoffmann", "Andreas Schulz", "Claudia Koch", "Markus Richter",
    "Petra Klein", "Jens Wolf", "Monika Schröder", "Frank Neumann", "Birgit Schwarz",
    "Uwe Zimmermann", "Daniela Braun", "Holger Krüger", "Nicole Hartmann", "Lars Lange",
]
ROLES = [
    "Sprecherin des Ministeriums", "Vorsitzende des Verbandes", "Experte für Energiepolitik",
    "Leiter der Behörde", "Oppositionsführerin", "Sprecher der Polizei", "Ökonom",
    "Bürgermeisterin", "Trainer", "Intendantin", "Professor an der Universität", "Geschäftsführer",
    "Gewerkschaftschefin", "Landrat", "Staatssekretärin",
]
SUBHEADINGS = [
    "Kritik aus der Opposition", "Was jetzt geplant ist", "Reaktionen aus der Wirtschaft",
    "Wie es weitergeht", "Ein langer Streit", "Zahlen und Fakten", "Sorge bei Anwohnern",
    "Entscheidung im Herbst", "Lob von Experten", "Die Vorgeschichte", "Hoffnung auf eine Einigung",
    "Offene Fragen", "Blick in die Nachbarländer", "Polizei ermittelt", "Stimmen aus dem Verein",
    "Neue Studie",
]
WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
WHEN = [
    "am {day}", "am späten {day}abend", "in der Nacht zum {day}", "bereits am {day}", "seit {day}",
    "am {day}morgen",
]
SENTENCES = [
    "{actor} {verb} {object}, wie {person} {when} in {place} mitteilte.",
    "Nach Angaben von {person}, {role}, geht es um rund {number} Millionen Euro.",
    "«Wir werden das sehr genau prüfen», sagte {person} {when}.",
    "Zuvor hatte bereits die {org} in {place} ähnliche Forderungen erhoben.",
    "Die Zahl der Betroffenen stieg demnach im Vergleich zum Vorjahr um {pct} Prozent.",
    "Ob das reicht, ist unter Fachleuten umstritten.",
    "Ein Sprecher sagte, man sei mit allen Beteiligten im Gespräch und rechne mit einer "
    "Entscheidung in den kommenden Wochen.",
    "In {place} und {place2} waren {when} mehrere Hundert Menschen auf die Straße gegangen.",
    "{person}, {role}, sprach von einem «wichtigen Signal» für {place}.",
    "Kritiker bemängeln, dass die Pläne zu spät kommen und zu wenig konkret sind.",
    "Die Entscheidung soll nach dem Willen der Koalition noch vor der Sommerpause fallen.",
    "Insgesamt sind nach offiziellen Angaben mehr als {number}000 Menschen betroffen.",
    "Wie es {when} hieß, sollen die Gespräche in der kommenden Woche in {place} fortgesetzt werden.",
    "{actor} und {actor2} hatten sich zuletzt einen heftigen Streit über {object} geliefert.",
    "Die Polizei war mit einem Großaufgebot im Einsatz, verletzt wurde nach ersten Erkenntnissen niemand.",
    "Der Verband rechnet für das laufende Jahr mit einem Plus von {pct} Prozent.",
    "Eine Studie aus {place} war zuvor zu einem ähnlichen Ergebnis gekommen.",
    "«Das ist ein guter Tag für {place}», sagte {person} nach der Sitzung.",
    "Auch in {place2} wird über {object} seit Monaten gestritten.",
    "Die Opposition warf der Regierung vor, die Folgen für {place} zu unterschätzen.",
    "Bis Ende des Jahres sollen erste Ergebnisse vorliegen, hieß es aus {place}.",
    "Zahlreiche Fans hatten die Mannschaft {when} in {place} empfangen.",
    "Das Museum zeigt die Werke bis zum Herbst, der Eintritt kostet {pct} Euro.",
    "Nach Einschätzung von {person}, {role}, ist eine schnelle Lösung nicht in Sicht.",
]
ORGS = [
    "Landesregierung", "Bundesagentur für Arbeit", "Industrie- und Handelskammer", "Deutsche Bahn",
    "Verbraucherzentrale", "Ärztekammer", "Stadtverwaltung", "Handwerkskammer",
    "Kassenärztliche Vereinigung", "Deutsche Umwelthilfe",
]
# fmt: on

# The headline of index i is the mixed-radix digits of a permutation of i: unique for
# every index below RADIX (about 36 million), whatever N.
RADIX = len(PLACES) * len(ACTORS) * len(VERBS) * len(OBJECTS) * 2
MULTIPLIER = 7_919_023  # coprime to RADIX (checked below)


@dataclass(frozen=True)
class Meta:
    """What another article's *Weitere Meldungen* needs to name article i."""

    index: int
    minute: datetime  # UTC, second 0
    section: tuple[str, str, int]
    headline: str
    lead: str


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


assert _gcd(MULTIPLIER, RADIX) == 1


class Corpus:
    def __init__(self, n: int, seed: int = 7):
        self.n = n
        self.seed = seed
        self.span = max(MIN_SPAN_MINUTES, (n * 6) // 5)

    # --- what other articles can know of article i -------------------------------------

    def rng(self, index: int, stream: str) -> random.Random:
        return random.Random(f"{self.seed}:{index}:{stream}")

    def headline(self, index: int) -> str:
        p = (index * MULTIPLIER + self.seed) % RADIX
        p, place = divmod(p, len(PLACES))
        p, actor = divmod(p, len(ACTORS))
        p, verb = divmod(p, len(VERBS))
        p, obj = divmod(p, len(OBJECTS))
        pattern = p % 2
        actor, verb, obj, place = ACTORS[actor], VERBS[verb], OBJECTS[obj], PLACES[place]
        if pattern == 0:
            return f"{place}: {actor} {verb} {obj}"
        return f"{actor} in {place} {verb} {obj}"

    def meta(self, index: int) -> Meta:
        rng = self.rng(index, "meta")
        if index < self.n:
            low, high = index * self.span // self.n, (index + 1) * self.span // self.n
            offset = low + rng.randrange(max(1, high - low))
        else:  # an article the agency names that never arrives
            offset = rng.randrange(self.span)
        section = rng.choices(SECTIONS, weights=SECTION_WEIGHTS)[0]
        lead = paragraph(rng, 150, 250, lead=True)
        return Meta(index, START + timedelta(minutes=offset), section, self.headline(index), lead)

    # --- one article --------------------------------------------------------------------

    def article(self, index: int) -> tuple[str, str, bytes]:
        """(section folder, file name, file content) of article i."""
        meta = self.meta(index)
        rng = self.rng(index, "body")
        published = meta.minute + timedelta(seconds=rng.randrange(60))
        local = published.astimezone(BERLIN)

        tags = rng.sample(TAGS, rng.choice([1, 1, 2, 2, 2, 3]))
        blocks = [", ".join(tags), meta.lead, local.strftime("%d.%m.%Y - %H:%M:%S"), meta.headline]
        paragraphs = rng.randint(4, 8)
        subheading_at = rng.randrange(2, paragraphs) if rng.random() < 0.35 else None
        for number in range(paragraphs):
            if number == subheading_at:
                blocks.append(rng.choice(SUBHEADINGS))
            blocks.append(paragraph(rng, 300, 700))
        blocks.append("@ dpa.de")
        targets: list[int] = []
        for _ in range(rng.choice([0, 1, 2, 2, 3, 3, 4, 4])):
            target = self.related_target(index, rng)
            if target not in targets:
                targets.append(target)
        items = [self.related_item(target, rng) for target in targets]
        if items:
            blocks.append("Weitere Meldungen")
            blocks.extend(items)

        encoding, newline, bom = "utf-8", "\n", False
        roll = rng.random()
        if roll < 0.02:
            encoding = "cp1252"
        elif roll < 0.07:
            newline = "\r\n"
        elif roll < 0.10:
            bom = True
        text = (newline * 2).join(blocks) + newline
        data = text.encode(encoding)
        if bom:
            data = b"\xef\xbb\xbf" + data
        name = f"{local:%Y%m%d-%H%M%S}-{index:06d}.txt"
        return meta.section[0], name, data

    def related_target(self, index: int, rng: random.Random) -> int:
        roll = rng.random()
        if roll < 0.70 and index > 0:  # an earlier article: the usual case
            return index - 1 - min(int(rng.expovariate(1 / 40)), index - 1)
        if roll < 0.85 and index + 1 < self.n:  # a later one: linked when it arrives
            return index + 1 + min(int(rng.expovariate(1 / 10)), self.n - index - 2)
        return self.n + rng.randrange(10 * self.n + 1000)  # one that never arrives

    def related_item(self, target: int, rng: random.Random) -> str:
        meta = self.meta(target)
        teaser = meta.lead.split(". ")[0].rstrip(".") + "."
        separator = " " if rng.random() < 1 / 6 else ". "
        when = meta.minute.astimezone(BERLIN).strftime("%d.%m.%Y - %H:%M")
        more = " weiterlesen..." if rng.random() < 0.9 else ""
        return f"{meta.headline}{separator}{teaser} ({meta.section[1]}, {when}){more}"


def paragraph(rng: random.Random, low: int, high: int, lead: bool = False) -> str:
    """Sentences until the paragraph is between `low` and `high` characters long."""
    target = rng.randint(low, high)
    sentences: list[str] = []
    length = 0
    while length < target:
        sentence = sentence_text(rng, lead and not sentences)
        if sentences and length + len(sentence) + 1 > high:
            if length >= low:
                break
            continue
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences)


def sentence_text(rng: random.Random, first_of_lead: bool) -> str:
    template = SENTENCES[0] if first_of_lead else rng.choice(SENTENCES)
    day = rng.choice(WEEKDAYS)
    return template.format(
        actor=rng.choice(ACTORS),
        actor2=rng.choice(ACTORS),
        verb=rng.choice(VERBS),
        object=rng.choice(OBJECTS),
        person=rng.choice(PEOPLE),
        role=rng.choice(ROLES),
        place=rng.choice(PLACES),
        place2=rng.choice(PLACES),
        org=rng.choice(ORGS),
        number=rng.randint(2, 900),
        pct=rng.randint(2, 40),
        when=rng.choice(WHEN).format(day=day),
    )


def write(directory: Path, n: int, seed: int = 7) -> dict[str, int]:
    """Write the corpus below `directory`, one file at a time; files per section."""
    corpus = Corpus(n, seed)
    counts: dict[str, int] = {}
    for section, _, _ in SECTIONS:
        (directory / section).mkdir(parents=True, exist_ok=True)
    for index in range(n):
        section, name, data = corpus.article(index)
        (directory / section / name).write_bytes(data)
        counts[section] = counts.get(section, 0) + 1
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = write(args.directory, args.n, args.seed)
    print(
        f"{args.n} articles in {time.perf_counter() - started:.1f} s below {args.directory}: "
        + ", ".join(f"{section} {count}" for section, count in counts.items()),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
