"""The sample texts of the demo network: fictional news of fictional people in real member cities.

Pure data: every date is derived from the `now` handed to `Calendar`, so the demo always looks
fresh (posts spread over the last six weeks, announced events lie ahead). Bodies are HTML written
the way the member sites write it, with root-relative links (`/leipzig/...`) that resolve against
the demo server whatever the base URL is. `sites.py` turns these posts into pages and feeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

# The one story carried by two sites: the network's invitation page. Leipzig links to it with
# tracking parameters, the network without; both have the same canonical URL.
SHARED_STORY_PATH = "/netzwerk/treffen/vernetzungstreffen-altenburg/"
SHARED_STORY_TRACKING = "utm_source=stadtforum-leipzig&utm_medium=rss&utm_campaign=vernetzung"

_WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


@dataclass(frozen=True, slots=True)
class Post:
    """One news post of a demo site."""

    slug: str
    title: str
    published: datetime  # aware, UTC
    body: str  # HTML; may hold root-relative links and (on purpose) unsafe markup
    author: str = "Redaktion"
    categories: tuple[str, ...] = ()
    updated: datetime | None = None
    path: str | None = None  # fixed page path instead of the site's permalink pattern
    link: str | None = None  # the item's link when it points elsewhere (root-relative + query)


class Calendar:
    """German dates relative to one `now`: publication times in the past, events ahead."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware (e.g. datetime.now(UTC))")
        self.now = now.astimezone(UTC)
        self.today = now.astimezone(BERLIN).date()

    def ago(self, days: int, hour: int, minute: int = 0) -> datetime:
        """Publication time: `days` before today at hour:minute Berlin time, in UTC."""
        if days < 1:
            raise ValueError("posts are at least one day old, so they never lie in the future")
        local = datetime.combine(self.today - timedelta(days=days), time(hour, minute), BERLIN)
        return local.astimezone(UTC)

    def ahead(self, days: int, hour: int, minute: int = 0, weekday: int | None = None) -> datetime:
        """Event time: `days` after today (moved on to `weekday`, 0 = Monday), Berlin time."""
        day = self.today + timedelta(days=days)
        if weekday is not None:
            day += timedelta(days=(weekday - day.weekday()) % 7)
        return datetime.combine(day, time(hour, minute), BERLIN)

    def meeting(self) -> datetime:
        """The network meeting in Altenburg: a Saturday at least ten days ahead, 10 Uhr."""
        return self.ahead(10, 10, weekday=5)

    @staticmethod
    def date(moment: datetime | date) -> str:
        """'17. März 2026' (Berlin date)."""
        day = moment.astimezone(BERLIN).date() if isinstance(moment, datetime) else moment
        return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"

    @staticmethod
    def when(moment: datetime) -> str:
        """'am Dienstag, 17. März 2026, um 19 Uhr' (or 'um 18.30 Uhr')."""
        local = moment.astimezone(BERLIN)
        clock = f"{local.hour}" if local.minute == 0 else f"{local.hour}.{local.minute:02d}"
        weekday = _WEEKDAYS[local.weekday()]
        return f"am {weekday}, {Calendar.date(local)}, um {clock} Uhr"


# --- Leipzig: Stadtforum Leipzig (WordPress) -------------------------------------------------


def leipzig(c: Calendar) -> tuple[Post, ...]:
    talk = c.ahead(6, 19, weekday=1)
    return (
        Post(
            "petition-eckhaus-leutzsch",
            "Petition: Eckhaus in Leutzsch erhalten – jetzt unterschreiben",
            c.ago(1, 21, 14),
            "<p>Gemeinsam mit Anwohnerinnen und Anwohnern haben wir eine Petition an den Stadtrat "
            "gestartet: Das Gründerzeit-Eckhaus Sperlingsgasse 14 soll gesichert statt abgerissen "
            "werden. Nach einer Woche sind schon 1.240 Unterschriften zusammengekommen.</p>\n"
            '<div id="petition-widget"><script>window.petitionWidget && '
            "window.petitionWidget.render('#petition-widget');</script></div>\n"
            '<p><a href="/leipzig/petition/" onclick="trackClick(\'petition\'); return true;">'
            "Hier die Petition unterschreiben</a> – Unterschriftenlisten liegen außerdem im "
            "Stadtteilladen Leutzsch aus.</p>",
            author="Jens Hartmann",
            categories=("Beteiligung", "Denkmalpflege"),
        ),
        Post(
            "einladung-vernetzungstreffen-altenburg",
            "Einladung: 14. Vernetzungstreffen der Stadtforen in Altenburg",
            c.ago(3, 19, 5),
            "<p>Das NETZWERK Stadtforen Mitteldeutschland lädt "
            f"{c.when(c.meeting())} zum 14. Vernetzungstreffen nach Altenburg ein. Gastgeber ist "
            "das Stadtforum Altenburg; auf dem Programm stehen ein Altstadtrundgang, Berichte aus "
            "den Mitgliedsstädten und eine Diskussion über leerstehende Baudenkmale in "
            "Kleinstädten.</p>\n"
            "<p>Aus Leipzig fahren wir gemeinsam mit der S-Bahn; Treffpunkt ist um 8.15 Uhr im "
            f'Hauptbahnhof an der Infotafel. Alle Einzelheiten stehen in der <a href="'
            f'{SHARED_STORY_PATH}">Einladung des Netzwerks</a>.</p>',
            categories=("Netzwerk", "Veranstaltungen"),
            link=f"{SHARED_STORY_PATH}?{SHARED_STORY_TRACKING}",
        ),
        Post(
            "gespraechsabend-industriedenkmale-plagwitz",
            "Gesprächsabend: Zukunft der Industriedenkmale in Plagwitz",
            c.ago(5, 16, 20),
            "<p>Was wird aus den leerstehenden Fabrikhallen an der Weißen Elster? Wir laden "
            f"{c.when(talk)} zu einem Gesprächsabend in die Galerie im Hinterhaus "
            "(Karl-Heine-Straße) ein. Es diskutieren die Architektin Dr. Sabine Krüger, eine "
            "Vertreterin des Landesamts für Denkmalpflege und Nutzer zweier Wächterhäuser.</p>\n"
            "<p>Der Eintritt ist frei, eine Anmeldung ist nicht nötig.</p>",
            author="Katrin Vogel",
            categories=("Veranstaltungen", "Denkmalpflege"),
        ),
        Post(
            "abrissantrag-gruenderzeitecke-leutzsch",
            "Abrissantrag für Gründerzeitecke in Leutzsch",
            c.ago(9, 20, 40),
            "<p>Für das seit 2009 leerstehende Eckhaus Sperlingsgasse 14 in Leutzsch hat der "
            "Eigentümer eine Abrissgenehmigung beantragt. Das 1897 errichtete Haus mit seiner "
            "Stuckfassade und dem Eckerker ist stadtbildprägend, steht aber nicht auf der "
            "Denkmalliste.</p>\n"
            '<p><img src="/leipzig/wp-content/uploads/demo/sperlingsgasse-14.png" '
            'alt="Eckhaus Sperlingsgasse 14, Straßenansicht" width="120" height="80"></p>\n'
            '<p>Wir haben das Haus schon im Frühjahr <a href="/leipzig/rote-liste/">auf unsere '
            "Rote Liste</a> gesetzt und bitten die Stadt, vor jeder Entscheidung ein Gutachten zur "
            "Bausubstanz einzuholen. Wer Fotos oder Erinnerungen an das Haus hat, meldet sich "
            "bitte bei uns.</p>",
            author="Katrin Vogel",
            categories=("Denkmalpflege",),
        ),
        Post(
            "rote-liste-reudnitz-gohlis",
            "Rote Liste: sechs neue Sorgenkinder in Reudnitz und Gohlis",
            c.ago(15, 10, 0),
            "<p>Unsere Rote Liste der bedrohten Gebäude wächst: Sechs Häuser in Reudnitz und "
            "Gohlis sind neu hinzugekommen, darunter eine Villa mit Jugendstil-Treppenhaus und "
            "zwei Fachwerkhäuser im Hof einer früheren Gärtnerei. Bei drei Häusern sind die Dächer "
            "offen, Notsicherung wäre dringend.</p>\n"
            '<p>Die ganze Liste mit Fotos steht <a href="/leipzig/rote-liste/?utm_source='
            'newsletter&amp;utm_medium=email&amp;utm_campaign=rote-liste">auf unserer '
            "Website</a>.</p>",
            categories=("Denkmalpflege", "Rote Liste"),
        ),
        Post(
            "stellungnahme-bebauungsplan-gleisbogen",
            "Unsere Stellungnahme zum Bebauungsplan „Gleisbogen Connewitz“",
            c.ago(22, 18, 45),
            "<p>Bis Freitag konnten Einwendungen zum Bebauungsplan für die Brache am Gleisbogen "
            "eingereicht werden. Das Stadtforum begrüßt neue Wohnungen auf der Fläche, fordert "
            "aber, den alten Lokschuppen als Quartierstreff zu erhalten und die Baumreihe an der "
            "Böschung zu schonen.</p>\n"
            "<p>Unsere Stellungnahme haben wir allen Fraktionen im Stadtrat geschickt.</p>",
            author="Jens Hartmann",
            categories=("Beteiligung", "Stadtentwicklung"),
        ),
        Post(
            "rueckblick-rundgang-gaswerk-ost",
            "Rückblick: Rundgang über das alte Gaswerk Ost",
            c.ago(31, 20, 10),
            "<p>Mehr als 60 Interessierte kamen am Sonntag zu unserem Rundgang über das Gelände "
            "des alten Gaswerks. Der Förderverein zeigte das Ofenhaus, das seit dem vergangenen "
            "Jahr notgesichert ist, und erklärte die Pläne für ein Kultur- und "
            "Gewerbequartier.</p>",
            author="Katrin Vogel",
            categories=("Denkmalpflege",),
        ),
        Post(
            "waechterhaus-eisenbahnstrasse",
            "Wächterhaus in der Eisenbahnstraße sucht neue Nutzer",
            c.ago(40, 9, 30),
            "<p>Im Wächterhaus Eisenbahnstraße 96 werden zwei Ladenräume und eine Etage frei. "
            "Wer das Haus gegen geringe Betriebskosten nutzen und damit vor dem Verfall bewahren "
            "möchte, kann sich bis Monatsende bei uns melden. Das Gründerzeithaus stand zehn Jahre "
            "leer, bevor die ersten Wächter einzogen.</p>",
            categories=("Wohnen", "Denkmalpflege"),
        ),
    )


def leipzig_pages() -> dict[str, tuple[str, str]]:
    """Pages the Leipzig posts link to: path → (title, HTML body)."""
    return {
        "/leipzig/rote-liste/": (
            "Rote Liste",
            "<p>Gebäude in Leipzig, die leer stehen, verfallen oder vom Abriss bedroht sind. "
            "Hinweise nehmen wir gern entgegen.</p>\n<ul><li>Sperlingsgasse 14, Leutzsch</li>"
            "<li>Villa Rosenthal, Gohlis</li><li>Fachwerkhaus im Gärtnerhof, Reudnitz</li></ul>",
        ),
        "/leipzig/petition/": (
            "Petition: Eckhaus Sperlingsgasse 14 erhalten",
            "<p>Wir bitten den Stadtrat, den Abriss des Eckhauses abzulehnen und mit dem "
            "Eigentümer über eine Sicherung zu verhandeln. (Beispielinhalt: hier gibt es "
            "nichts zu unterschreiben.)</p>",
        ),
    }


# --- the network itself (network-wide, no city) ------------------------------------------------


def netzwerk(c: Calendar) -> tuple[Post, ...]:
    meeting = c.meeting()
    deadline = meeting - timedelta(days=5)
    contest_end = c.ahead(20, 23, 59)
    return (
        Post(
            "vernetzungstreffen-altenburg",
            "Einladung zum 15. Vernetzungstreffen in Altenburg",
            c.ago(4, 11, 0),
            "<p>Das NETZWERK Stadtforen Mitteldeutschland lädt alle Mitgliedsforen und Gäste "
            f"herzlich zum 15. Vernetzungstreffen ein: {c.when(meeting)}, im Kulturhaus am Markt "
            "in Altenburg. Gastgeber ist das Stadtforum Altenburg.</p>\n"
            "<h3>Programm</h3>\n<ul>"
            "<li>10 Uhr: Begrüßung und Berichte aus den Städten</li>"
            "<li>12.30 Uhr: Mittagessen</li>"
            "<li>14 Uhr: Altstadtrundgang „Leerstand und Hoffnung“</li>"
            "<li>16 Uhr: Podium: Baudenkmale in schrumpfenden Kleinstädten</li></ul>\n"
            f"<p>Anmeldung bis {c.date(deadline)} an die Geschäftsstelle. "
            "Die Teilnahme ist kostenlos.</p>",
            author="Geschäftsstelle",
            categories=("Vernetzungstreffen",),
            path=SHARED_STORY_PATH,
        ),
        Post(
            "baustein-18",
            "BAUSTEIN Nr. 18 erschienen",
            c.ago(11, 9, 0),
            "<p>Die neue Ausgabe unseres Magazins BAUSTEIN ist da. Schwerpunkt ist die Frage, "
            "wie Bürgerinnen und Bürger leerstehende Baudenkmale retten können – mit Beiträgen "
            "aus Görlitz, Pirna und Weimar. Das Heft liegt kostenlos bei allen Stadtforen aus.</p>",
            author="Geschäftsstelle",
            categories=("BAUSTEIN",),
        ),
        Post(
            "gaeste-aus-naumburg",
            "Gäste aus Naumburg beim Netzwerk",
            c.ago(19, 14, 0),
            "<p>Das Forum Baukultur Naumburg hat angefragt, als Gast an den Vernetzungstreffen "
            "teilzunehmen. Der Sprecherkreis begrüßt das ausdrücklich: Je mehr Stadtforen sich "
            "austauschen, desto lauter wird unsere gemeinsame Stimme.</p>",
            author="Geschäftsstelle",
            categories=("Mitglieder",),
        ),
        Post(
            "positionspapier-ueberarbeitet",
            "Positionspapier „Städte erhalten – Bürger beteiligen“ überarbeitet",
            c.ago(26, 10, 30),
            "<p>Die Stadtforen haben ihr gemeinsames Positionspapier aktualisiert. Neu sind "
            "Forderungen zu grauer Energie und zirkulärem Bauen: Ein Abriss soll nur noch "
            "genehmigt werden, wenn eine Sanierung nachweislich nicht zumutbar ist.</p>",
            author="Geschäftsstelle",
            categories=("Positionen",),
        ),
        Post(
            "rueckblick-vernetzungstreffen-zittau",
            "Rückblick: 14. Vernetzungstreffen in Zittau",
            c.ago(34, 17, 0),
            "<p>Rund 40 Aktive aus elf Städten kamen zum Vernetzungstreffen nach Zittau. Das "
            "Stadtforum Zittau führte durch die Innenstadt und zeigte, wie Leerstand in "
            "Umgebindehäusern und Bürgerhäusern am Markt neu genutzt wird.</p>",
            author="Geschäftsstelle",
            categories=("Vernetzungstreffen",),
        ),
        Post(
            "fotowettbewerb-vergessene-haeuser",
            "Fotowettbewerb „Vergessene Häuser“",
            c.ago(41, 12, 0),
            "<p>Zeigen Sie uns die Häuser, an denen alle vorbeigehen! Gesucht sind Fotos von "
            "leerstehenden oder vergessenen Gebäuden aus den Städten des Netzwerks. "
            f"Einsendeschluss ist der {c.date(contest_end)}; die besten Bilder erscheinen im "
            "nächsten BAUSTEIN.</p>",
            author="Geschäftsstelle",
            categories=("Mitmachen",),
        ),
    )


# --- Chemnitz: Stadtforum Chemnitz (WordPress, slow server) ----------------------------------


def chemnitz(c: Calendar) -> tuple[Post, ...]:
    talk = c.ahead(4, 18, 30, weekday=3)
    return (
        Post(
            "kassberg-notsicherung-stuckfassade",
            "Kaßberg: Notsicherung für Stuckfassade beginnt",
            c.ago(1, 17, 40),
            "<p>Gute Nachricht vom Kaßberg: Am Gründerzeithaus Weststraße 71 hat die "
            "Notsicherung der Stuckfassade begonnen. Teile des Gesimses waren im Winter auf den "
            "Gehweg gestürzt. Wir hatten die Denkmalschutzbehörde im Herbst auf die Schäden "
            "hingewiesen.</p>",
            author="Anja Seidel",
            categories=("Denkmalpflege",),
        ),
        Post(
            "vortrag-strassenbahn-chemnitz",
            "Vortrag: 140 Jahre Straßenbahn in Chemnitz",
            c.ago(7, 13, 0),
            f"<p>Das Stadtforum lädt {c.when(talk)} zum Vortrag in die Stadtbibliothek ein. "
            "Der Verkehrshistoriker Rainer Lehmann erzählt, wie die Straßenbahn die Stadt geprägt "
            "hat – von der Pferdebahn bis zur Linie 5 – und welche Depots und Wartehallen noch "
            "erhalten sind.</p>\n<p>Eintritt frei.</p>",
            author="Thomas Ullrich",
            categories=("Veranstaltungen",),
        ),
        Post(
            "brache-zwickauer-strasse-entwurf",
            "Brache an der Zwickauer Straße: Investor zeigt Entwurf",
            c.ago(13, 19, 20),
            "<p>Für die Brache an der Zwickauer Straße liegt ein erster Entwurf vor: ein Neubau "
            "mit Supermarkt, Büros und 80 Wohnungen. Wir halten die Fassade zur Straße für zu "
            "eintönig und regen einen Architektenwettbewerb an, wie ihn der Gestaltungsbeirat "
            "empfohlen hat.</p>",
            author="Thomas Ullrich",
            categories=("Architektur", "Stadtentwicklung"),
        ),
        Post(
            "offener-brief-spinnerei-hoffmann",
            "Offener Brief: Spinnerei Hoffmann nicht abreißen",
            c.ago(20, 8, 50),
            "<p>In einem offenen Brief an den Oberbürgermeister und den Stadtrat fordern wir, "
            "den Abriss der ehemaligen Spinnerei Hoffmann zu stoppen. Das Industriedenkmal von "
            "1889 ist eines der letzten seiner Art im Stadtteil und ließe sich für Wohnungen und "
            "Werkstätten umbauen.</p>",
            author="Anja Seidel",
            categories=("Beteiligung", "Denkmalpflege"),
        ),
        Post(
            "leerstand-sonnenberg-ggg",
            "Leerstand auf dem Sonnenberg: GGG legt Zahlen vor",
            c.ago(29, 15, 10),
            "<p>Die GGG hat im Bauausschuss neue Zahlen zum Leerstand auf dem Sonnenberg "
            "vorgestellt: Gut jede fünfte Wohnung in ihren Altbauten steht leer. Das Stadtforum "
            "schlägt vor, einzelne Häuser im Erbbaurecht an Hausprojekte zu vergeben.</p>",
            categories=("Wohnen",),
        ),
        Post(
            "neuer-sprecherkreis",
            "Stadtforum wählt neuen Sprecherkreis",
            c.ago(37, 20, 0),
            "<p>Auf der Mitgliederversammlung wurde ein neuer Sprecherkreis gewählt: Anja Seidel, "
            "Thomas Ullrich und Marko Richter. Wir danken dem bisherigen Sprecherkreis für vier "
            "Jahre Arbeit. Wer mitmachen möchte: Wir treffen uns jeden zweiten Mittwoch.</p>",
            categories=("Intern",),
        ),
    )


# --- Altenburg: Stadtforum Altenburg (WordPress, plain permalinks, dates without zone) ---------


def altenburg(c: Calendar) -> tuple[Post, ...]:
    tour = c.ahead(5, 15, weekday=6)
    meeting = c.meeting()
    day = c.date
    notsicherung = c.ago(10, 18, 0)
    konzept = c.ago(17, 20, 30)
    fragebogen = c.ago(33, 16, 0)
    versammlung = c.ago(42, 19, 30)
    return (
        Post(
            "gastgeber-netzwerktreffen",
            f"Wir sind Gastgeber: Netzwerktreffen in Altenburg – {day(meeting)}",
            c.ago(2, 9, 15),
            "<p>Zum ersten Mal ist das Stadtforum Altenburg Gastgeber des Vernetzungstreffens "
            "der mitteldeutschen Stadtforen. Wir zeigen unseren Gästen die Altstadt, die "
            "Brüderstraße mit ihren leerstehenden Bürgerhäusern und das Gelände der früheren "
            "Spielkartenfabrik. Helfer für Empfang und Mittagessen werden noch gesucht.</p>",
            author="Stadtforum Altenburg",
            categories=("Netzwerk",),
        ),
        Post(
            "notsicherung-wettiner-hof",
            f"Notsicherung am ehemaligen Hotel „Wettiner Hof“ – {day(notsicherung)}",
            notsicherung,
            "<p>Am ehemaligen Hotel „Wettiner Hof“ hat die Stadt mit der Notsicherung des "
            "Daches begonnen. Das Baudenkmal steht seit über 15 Jahren leer. Für uns ist das ein "
            "erster Erfolg – nun braucht das Haus eine Nutzung.</p>",
            author="Stadtforum Altenburg",
            categories=("Denkmalpflege",),
        ),
        Post(
            "innenstadtkonzept",
            f"Stadtrat beschließt Innenstadtkonzept – {day(konzept)}",
            konzept,
            "<p>Der Stadtrat hat das neue Integrierte Stadtentwicklungskonzept (ISEK) für die "
            "Innenstadt beschlossen. Viele unserer Vorschläge aus dem Bürgerforum sind "
            "aufgenommen worden, etwa ein Programm gegen Leerstand am Markt und mehr Bäume auf "
            "dem Brühl.</p>",
            author="Stadtforum Altenburg",
            categories=("Stadtentwicklung",),
        ),
        Post(
            "altstadtfuehrung-verborgene-hoefe",
            f"Altstadtführung „Verborgene Höfe“ – {day(tour)}",
            c.ago(24, 11, 45),
            f"<p>Wir laden herzlich ein: {c.when(tour)} führt Stadtführerin Ute Brandt durch "
            "Hinterhöfe der Altstadt, die sonst verschlossen sind. Treffpunkt ist der "
            "Rathausbrunnen. Die Teilnahme ist kostenlos, Spenden für die Notsicherung des "
            "Wettiner Hofs sind willkommen.</p>",
            author="Stadtforum Altenburg",
            categories=("Veranstaltungen",),
        ),
        Post(
            "fragebogen-leerstand-markt",
            f"Leerstand am Markt: Fragebogen an die Eigentümer – {day(fragebogen)}",
            fragebogen,
            "<p>Mit einem Fragebogen wenden wir uns an die Eigentümer leerstehender Häuser rund "
            "um den Markt: Was fehlt, damit die Häuser wieder genutzt werden? Die Antworten "
            "stellen wir im Herbst öffentlich vor.</p>",
            author="Stadtforum Altenburg",
            categories=("Beteiligung", "Wohnen"),
        ),
        Post(
            "jahreshauptversammlung",
            f"Jahreshauptversammlung des Stadtforums – {day(versammlung)}",
            versammlung,
            "<p>Auf der Jahreshauptversammlung blickten wir auf ein arbeitsreiches Jahr zurück: "
            "zwei Bürgerforen, drei Führungen und die Rettung des Gartenhauses am Teichufer. "
            "Der Vorstand wurde einstimmig bestätigt.</p>",
            author="Stadtforum Altenburg",
            categories=("Intern",),
        ),
    )


# --- Görlitz: Aktionskreis für Görlitz e. V. (Atom) --------------------------------------------


def goerlitz(c: Calendar) -> tuple[Post, ...]:
    forum = c.ahead(8, 19, weekday=2)
    return (
        Post(
            "buergerforum-wilhelmsplatz",
            "Bürgerforum: Wie soll der Wilhelmsplatz künftig aussehen?",
            c.ago(3, 10, 0),
            f"<p>Das nächste Bürgerforum findet {c.when(forum)} im Ratsarchiv am Untermarkt "
            "statt. Thema ist die Umgestaltung des Wilhelmsplatzes: Wie viele Parkplätze braucht "
            "der Platz, wie viele Bäume verträgt er, und wo kann der alte Brunnen wieder "
            "aufgestellt werden?</p>\n<p>Alle Görlitzerinnen und Görlitzer sind herzlich "
            "eingeladen, mitzudiskutieren.</p>",
            categories=("Bürgerforum", "Öffentlicher Raum"),
            updated=c.ago(2, 8, 30),
        ),
        Post(
            "gruenderzeitviertel-leerstand",
            "Gründerzeitviertel: Leerstand sinkt, Sorgenkinder bleiben",
            c.ago(11, 15, 30),
            "<p>Im Gründerzeitviertel stehen weniger Wohnungen leer als noch vor fünf Jahren. "
            "Trotzdem bleiben gut zwanzig Häuser ohne Perspektive, einige davon "
            "denkmalgeschützt. Der Aktionskreis hat sie in einer Karte zusammengestellt "
            '(<a href="/goerlitz/karte/">zur Karte</a>).</p>',
            categories=("Wohnen", "Denkmalpflege"),
        ),
        Post(
            "einwendungen-parkhaus-stadtmauer",
            "Einwendungen gegen Parkhaus an der Stadtmauer",
            c.ago(18, 18, 15),
            "<p>Gegen den geplanten Parkhausneubau direkt an einem erhaltenen Stück der "
            "Stadtmauer haben wir Einwendungen eingereicht. Die Zufahrt würde den Mauerrest "
            "durchschneiden; zudem fehlt ein Konzept für den Durchgangsverkehr in der "
            "Altstadt.</p>",
            categories=("Denkmalpflege", "Beteiligung"),
        ),
        Post(
            "rundgang-umgebindehaeuser",
            "Rückblick: Umgebindehäuser im Landkreis Görlitz",
            c.ago(27, 9, 40),
            "<p>Mit 35 Mitgliedern und Gästen besuchten wir Umgebindehäuser im Landkreis, die "
            "von Vereinen und jungen Familien gerettet wurden. Eine Idee nehmen wir mit nach "
            "Hause: Patenschaften für leerstehende Häuser auch in der Görlitzer Altstadt.</p>",
            categories=("Denkmalpflege",),
        ),
        Post(
            "jahresbericht-haeuser-gerettet",
            "Jahresbericht: vierzehn Häuser gerettet",
            c.ago(39, 20, 0),
            "<p>Der Aktionskreis hat seinen Jahresbericht vorgelegt: Vierzehn Häuser, für die es "
            "vor drei Jahren keinen Käufer gab, werden inzwischen saniert oder sind bewohnt. "
            "Der Bericht liegt in der Geschäftsstelle aus.</p>",
            categories=("Verein",),
        ),
    )


def goerlitz_pages() -> dict[str, tuple[str, str]]:
    return {
        "/goerlitz/karte/": (
            "Karte der Sorgenkinder",
            "<p>(Beispielinhalt: Hier zeigt der Aktionskreis seine Karte der leerstehenden "
            "Häuser im Gründerzeitviertel.)</p>",
        )
    }


# --- Halle (Saale): Arbeitskreis Innenstadt (RSS 1.0 / RDF) ----------------------------------


def halle(c: Calendar) -> tuple[Post, ...]:
    talk = c.ahead(3, 19, weekday=0)
    return (
        Post(
            "leipziger-strasse-kaufhausfassade",
            "Leipziger Straße: Kaufhausfassade soll hinter Blech verschwinden",
            c.ago(5, 14, 20),
            "<p>Das frühere Kaufhaus an der Leipziger Straße in Halle soll eine neue "
            "Metallfassade bekommen, die die Sandsteinfassade von 1928 vollständig verdeckt. "
            "Der AKI hält das für einen Verlust für das Stadtbild und bittet die "
            "Denkmalschutzbehörde um eine Stellungnahme.</p>",
            author="Arbeitskreis Innenstadt",
            categories=("Denkmalpflege", "Architektur"),
        ),
        Post(
            "vortrag-hallesche-altstadt",
            "Vortrag: Die hallesche Altstadt nach 1990",
            c.ago(12, 19, 0),
            f"<p>Wir laden {c.when(talk)} ins Stadtmuseum ein. Die Stadtplanerin Dr. Heike "
            "Brückner erzählt, wie die Altstadt nach 1990 vor dem Verfall gerettet wurde – und "
            "welche Fehler sich nicht wiederholen sollten. Eintritt frei.</p>",
            author="Arbeitskreis Innenstadt",
            categories=("Veranstaltung",),
        ),
        Post(
            "schlachthof-hallen-abriss",
            "Alter Schlachthof: Abriss der Hallen 1 bis 6 droht",
            c.ago(21, 10, 10),
            "<p>Für den alten Schlachthof in Halle liegt ein Abrissantrag vor, der die Hallen 1 "
            "bis 6 umfasst. Nur das Verwaltungsgebäude soll stehen bleiben. Der AKI fordert, die "
            "Backsteinhallen in die Planung für das neue Quartier einzubeziehen.</p>",
            author="Arbeitskreis Innenstadt",
            categories=("Denkmalpflege", "Stadtentwicklung"),
        ),
        Post(
            "muehlgraben-freiraumplanung",
            "Mühlgraben: Freiraumplanung vorgestellt",
            c.ago(30, 16, 45),
            "<p>Die Stadt hat Pläne für den Uferweg am Mühlgraben vorgestellt: breitere Wege, "
            "neue Bänke und ein Zugang zum Wasser. Wir begrüßen das, bitten aber darum, die alten "
            "Platanen zu erhalten.</p>",
            author="Arbeitskreis Innenstadt",
            categories=("Öffentlicher Raum",),
        ),
        Post(
            "aki-fordert-gestaltungsbeirat",
            "AKI fordert Gestaltungsbeirat für Halle (Saale)",
            c.ago(40, 11, 0),
            "<p>Andere Städte haben gute Erfahrungen mit einem unabhängigen Gestaltungsbeirat "
            "gemacht. Der Arbeitskreis Innenstadt schlägt dem Stadtrat vor, auch in Halle ein "
            "solches Gremium für wichtige Neubauten in der Innenstadt einzurichten.</p>",
            author="Arbeitskreis Innenstadt",
            categories=("Architektur", "Beteiligung"),
        ),
    )


# --- Weimar: BI „Rettet das Schießhausgelände jetzt!“ (JSON Feed) -----------------------------


def weimar(c: Calendar) -> tuple[Post, ...]:
    tour = c.ahead(2, 11, weekday=6)
    return (
        Post(
            "gutachten-schiesshaus",
            "Gutachten zum Schießhaus liegt vor",
            c.ago(2, 20, 15),
            "<p>Das Gutachten zum baulichen Zustand des Schießhauses ist veröffentlicht. "
            "Ergebnis: Das Dach muss dringend gesichert werden, die Substanz ist aber "
            "erhaltenswert. Wir fordern die Stadt auf, die Notsicherung noch in diesem Jahr zu "
            "beauftragen.</p>",
            author="Bürgerinitiative Schießhausgelände",
            categories=("Denkmalpflege",),
        ),
        Post(
            "unterschriften-uebergeben",
            "1.860 Unterschriften an den Oberbürgermeister übergeben",
            c.ago(9, 12, 0),
            "<p>Vor dem Rathaus haben wir 1.860 Unterschriften für den Erhalt des "
            "Schießhausgeländes als öffentlichen Park übergeben. Der Oberbürgermeister sagte zu, "
            "das Anliegen im Stadtrat zu beraten.</p>",
            author="Bürgerinitiative Schießhausgelände",
            categories=("Petition",),
        ),
        Post(
            "baumfaellungen-gestoppt",
            "Baumfällungen am Schießhausgelände vorerst gestoppt",
            c.ago(16, 7, 50),
            "<p>Nach unserem Eilantrag hat die Stadt die geplanten Baumfällungen am "
            "Schießhausgelände vorerst ausgesetzt. Bis zur Entscheidung des Stadtrats über den "
            "Bebauungsplan bleiben die Linden und Eichen am Hang stehen.</p>",
            author="Bürgerinitiative Schießhausgelände",
            categories=("Bäume",),
        ),
        Post(
            "fuehrung-schiesshausgelaende",
            "Führung über das Schießhausgelände",
            c.ago(25, 18, 30),
            f"<p>Wir laden {c.when(tour)} zu einer Führung über das Gelände ein. Treffpunkt ist "
            "das Tor an der Schützengasse. Wir zeigen das Schießhaus, den alten Baumbestand und "
            "die Flächen, die bebaut werden sollen.</p>",
            author="Bürgerinitiative Schießhausgelände",
            categories=("Veranstaltung",),
        ),
        Post(
            "einwendungen-bebauungsplan",
            "Bebauungsplan-Entwurf: unsere Einwendungen",
            c.ago(35, 21, 0),
            "<p>Zum Entwurf des Bebauungsplans haben wir ausführliche Einwendungen eingereicht. "
            "Kernpunkte: Die Grünfläche muss öffentlich bleiben, und die geplanten Wohnblöcke "
            "rücken zu nah an das Kulturdenkmal heran.</p>",
            author="Bürgerinitiative Schießhausgelände",
            categories=("Bebauungsplan", "Beteiligung"),
            updated=c.ago(33, 9, 0),
        ),
    )


# --- Dresden: Dresdens Erben e. V. (hand-made RSS 2.0, feed moved) -----------------------------


def dresden(c: Calendar) -> tuple[Post, ...]:
    talk = c.ahead(7, 19, 30, weekday=2)
    return (
        Post(
            "elbhang-loschwitz",
            "Elbhang in Loschwitz: Bauvoranfrage für Villengrundstück",
            c.ago(4, 18, 0),
            "<p>Für ein Villengrundstück am Elbhang in Loschwitz liegt eine Bauvoranfrage für "
            "drei Stadtvillen vor. Dafür müssten die Gartenmauer und ein Teil des alten "
            "Weinbergs weichen. Wir bitten um einen Ortstermin mit dem Stadtplanungsamt.</p>",
            author="Dresdens Erben",
        ),
        Post(
            "pieschen-speicher-hafen",
            "Pieschen: Alter Speicher am Hafen soll Wohnungen weichen",
            c.ago(12, 10, 30),
            "<p>Der Getreidespeicher am Pieschener Hafen soll nach dem Willen des neuen "
            "Eigentümers abgebrochen werden. Wir meinen: Der Speicher lässt sich zu Wohnungen "
            "umbauen, wie es Beispiele in Magdeburg und Hamburg zeigen.</p>",
            author="Dresdens Erben",
        ),
        Post(
            "gespraechsabend-dresdner-barock",
            "Gesprächsabend „Was bleibt vom Dresdner Barock?“",
            c.ago(19, 20, 0),
            f"<p>Dresdens Erben laden {c.when(talk)} zu einem Gesprächsabend in das "
            "Gemeindehaus der Dreikönigskirche ein. Es geht um barocke Bürgerhäuser, die nach "
            "1945 verloren gingen, und um die Frage, was Rekonstruktion leisten kann.</p>",
            author="Dresdens Erben",
        ),
        Post(
            "weisser-hirsch-nebengebaeude",
            "Weißer Hirsch: Nebengebäude des Kurhauses abgebrochen",
            c.ago(28, 9, 0),
            "<p>Ohne Ankündigung ist in der vergangenen Woche ein Nebengebäude des früheren "
            "Kurhauses am Weißen Hirsch abgebrochen worden. Wir haben die Denkmalschutzbehörde "
            "um Aufklärung gebeten, ob dafür eine Genehmigung vorlag.</p>",
            author="Dresdens Erben",
        ),
        Post(
            "offener-brief-denkmalschutz",
            "Offener Brief an die Denkmalschutzbehörde",
            c.ago(38, 16, 0),
            "<p>In einem offenen Brief fordern wir mehr Personal für die untere "
            "Denkmalschutzbehörde. Anträge bleiben monatelang liegen, während leerstehende "
            "Baudenkmale in Pillnitz und Loschwitz weiter verfallen.</p>",
            author="Dresdens Erben",
        ),
    )


# --- Pirna: Kuratorium Altstadt Pirna e. V. (WordPress, feed cut off mid-entry) ---------------


def pirna(c: Calendar) -> tuple[Post, ...]:
    talk = c.ahead(9, 19, weekday=1)
    cleanup = c.ahead(12, 9, weekday=5)
    return (
        Post(
            "vortrag-buergerhaeuser-renaissance",
            "Vortrag: Pirnaer Bürgerhäuser der Renaissance",
            c.ago(1, 19, 0),
            f"<p>Das Kuratorium lädt {c.when(talk)} zum Vortrag in den Ratssaal ein. Die "
            "Bauforscherin Claudia Sommer stellt neue Funde aus drei Bürgerhäusern am Markt vor, "
            "darunter bemalte Holzbalkendecken aus dem 16. Jahrhundert.</p>",
            author="Kuratorium Altstadt Pirna",
            categories=("Veranstaltungen",),
        ),
        Post(
            "stadtmauer-gesichert",
            "Stadtmauer an der Schifftorvorstadt gesichert",
            c.ago(8, 11, 30),
            "<p>Das lange gefährdete Stück der Stadtmauer an der Schifftorvorstadt ist gesichert. "
            "Das Kuratorium hatte 12.000 Euro an Spenden für die Arbeiten gesammelt. Herzlichen "
            "Dank allen Spenderinnen und Spendern!</p>",
            author="Kuratorium Altstadt Pirna",
            categories=("Denkmalpflege",),
        ),
        Post(
            "helfer-altstadtputz",
            "Helfer für den Altstadtputz gesucht",
            c.ago(14, 15, 0),
            f"<p>{c.when(cleanup)[3:]} ist wieder Altstadtputz: Wir befreien Brunnen, Treppen "
            "und Mauern von Laub und Unkraut. Handschuhe und Werkzeug stellt das Kuratorium, "
            "für Kaffee und Kuchen ist gesorgt. Bitte mitmachen!</p>",
            author="Kuratorium Altstadt Pirna",
            categories=("Mitmachen",),
        ),
        Post(
            "rueckblick-bergbau-und-bauen",
            "Rückblick: Bergbau und Bauen in Pirna",
            c.ago(22, 18, 0),
            "<p>Zu unserem Vortrag über den Sandstein aus der Sächsischen Schweiz kamen mehr als "
            "50 Gäste. Der Referent vom Bergamt Freiberg zeigte, aus welchen Brüchen die Steine "
            "der Pirnaer Altstadt stammen.</p>",
            author="Kuratorium Altstadt Pirna",
            categories=("Rückblick",),
        ),
        Post(
            "elbufer-hochwasserschutz",
            "Elbufer: Hochwasserschutzmauer und Altstadtbild",
            c.ago(30, 10, 0),
            "<p>Die geplante Hochwasserschutzmauer am Elbufer würde den Blick von der Elbe auf "
            "die Altstadt deutlich verändern. Das Kuratorium hat sich die Entwürfe angesehen und "
            "schlägt mobile Elemente vor, wo die Mauer die Sicht auf die Marienkirche "
            "versperrt.</p>",
            author="Kuratorium Altstadt Pirna",
            categories=("Denkmalpflege", "Stadtbild"),
        ),
        Post(
            "jahresprogramm",
            "Unser Jahresprogramm",
            c.ago(36, 9, 0),
            "<p>Vorträge, Führungen und der Tag der Altstadt: Das Jahresprogramm des Kuratoriums "
            "liegt in der Tourist-Information aus.</p>",
            author="Kuratorium Altstadt Pirna",
        ),
        Post(
            "neue-mitglieder",
            "Zwölf neue Mitglieder",
            c.ago(41, 17, 0),
            "<p>Das Kuratorium freut sich über zwölf neue Mitglieder, darunter drei "
            "Studierende der Architektur.</p>",
            author="Kuratorium Altstadt Pirna",
        ),
    )


# --- Zittau: Stadtforum Zittau (Joomla; no working feed, undated blocks) ----------------------


def zittau(c: Calendar) -> tuple[Post, ...]:
    stammtisch = c.ahead(1, 19, weekday=3)
    return (
        Post(
            "41",
            "Pressespiegel: Abrisspläne für Gasthof „Stadt Zittau“ in Jonsdorf",
            c.ago(6, 12, 0),
            "<p>Die Lokalpresse berichtet über Abrisspläne für den früheren Gasthof „Stadt "
            "Zittau“ in Jonsdorf. Das Stadtforum hat dem Gemeinderat seine Unterstützung für "
            "einen Erhalt angeboten.</p>",
        ),
        Post(
            "40",
            "Mandaukaserne: neue Nutzungsideen gesucht",
            c.ago(13, 12, 0),
            "<p>Für die leerstehende Mandaukaserne sucht die Stadt Ideen. Das Stadtforum "
            "sammelt Vorschläge von Bürgerinnen und Bürgern und reicht sie gebündelt ein.</p>",
        ),
        Post(
            "39",
            "Bürgerforum zur Innenstadt: Protokoll online",
            c.ago(20, 12, 0),
            "<p>Das Protokoll unseres Bürgerforums zur Belebung der Innenstadt steht jetzt "
            "online. Danke an alle 70 Teilnehmerinnen und Teilnehmer!</p>",
        ),
        Post(
            "38",
            "Weinaupark: Allee wird nachgepflanzt",
            c.ago(27, 12, 0),
            "<p>Die Lücken in der Lindenallee im Weinaupark werden geschlossen: 24 junge Bäume "
            "werden gepflanzt, finanziert zum Teil durch Baumpatenschaften.</p>",
        ),
        Post(
            "37",
            "Stammtisch des Stadtforums",
            c.ago(34, 12, 0),
            "<p>Unser Stammtisch trifft sich jeden ersten Donnerstag im Monat, das nächste Mal "
            f"{c.when(stammtisch)}, im Ratskeller. Gäste sind willkommen.</p>",
        ),
    )


# --- Gotha: Stadtforum Gotha (WordPress; the feed answers 500) --------------------------------


def gotha(c: Calendar) -> tuple[Post, ...]:
    return (
        Post(
            "pressemitteilung-sanierungsbeschluss",
            "Pressemitteilung: Stadtforum begrüßt Sanierungsbeschluss",
            c.ago(3, 10, 0),
            "<p>Das Stadtforum Gotha begrüßt den Beschluss des Stadtrats, das leerstehende "
            "Schulgebäude am Schlossberg zu sanieren statt es abzureißen.</p>",
            author="Stadtforum Gotha",
        ),
        Post(
            "vortrag-residenzstadt",
            "Vortrag: Gotha als Residenzstadt",
            c.ago(10, 18, 0),
            "<p>Ein Abend über Bürgerhäuser, Hofbeamte und die Stadterweiterungen des 18. "
            "Jahrhunderts.</p>",
            author="Stadtforum Gotha",
        ),
        Post(
            "leerstand-erfurter-strasse",
            "Leerstand in der Erfurter Straße",
            c.ago(18, 9, 30),
            "<p>Sieben Ladenlokale stehen in der Erfurter Straße leer. Wir schlagen "
            "Zwischennutzungen durch Vereine und Kunstschaffende vor.</p>",
            author="Stadtforum Gotha",
        ),
        Post(
            "baeume-am-schlossberg",
            "Bäume am Schlossberg",
            c.ago(26, 14, 0),
            "<p>Für die Sanierung der Wasserkunst sollen zwölf Bäume gefällt werden. Wir bitten "
            "die Stadt, Ersatzpflanzungen am Ort vorzusehen.</p>",
            author="Stadtforum Gotha",
        ),
        Post(
            "mitgliederversammlung",
            "Mitgliederversammlung",
            c.ago(38, 19, 0),
            "<p>Die Mitgliederversammlung hat den Jahresbericht angenommen.</p>",
            author="Stadtforum Gotha",
        ),
    )


# --- Weißenfels: Bürger für Weißenfels (Joomla; registered but disabled) ----------------------


def weissenfels(c: Calendar) -> tuple[Post, ...]:
    return (
        Post(
            "neue-website",
            "Unsere Website zieht um",
            c.ago(2, 19, 0),
            "<p>In den nächsten Wochen bauen wir unsere Website neu auf. Bis dahin bitten wir "
            "um Geduld, falls Beiträge fehlen.</p>",
            author="Bürger für Weißenfels",
        ),
        Post(
            "gruenderzeithaus-promenade",
            "Gründerzeithaus an der Promenade: Eigentümer gesucht",
            c.ago(9, 11, 0),
            "<p>Das leerstehende Gründerzeithaus an der Promenade steht zum Verkauf. Wir hoffen "
            "auf einen Käufer, der die Stuckfassade erhält.</p>",
            author="Bürger für Weißenfels",
        ),
        Post(
            "schloss-fuehrung",
            "Führung rund um das Schloss Neu-Augustusburg",
            c.ago(16, 15, 0),
            "<p>Rund 30 Gäste folgten uns bei der Führung um das Schloss und durch die "
            "Altstadtgassen.</p>",
            author="Bürger für Weißenfels",
        ),
        Post(
            "innenstadt-umfrage",
            "Umfrage: Was fehlt in der Innenstadt?",
            c.ago(24, 10, 0),
            "<p>Mit einem Fragebogen wollen wir wissen, was Sie in der Innenstadt vermissen. "
            "Die Bögen liegen in der Stadtbibliothek aus.</p>",
            author="Bürger für Weißenfels",
        ),
        Post(
            "saale-ufer",
            "Saaleufer: Weg wird erneuert",
            c.ago(35, 16, 30),
            "<p>Der Uferweg an der Saale wird erneuert. Wir haben angeregt, die alten "
            "Pflastersteine wiederzuverwenden.</p>",
            author="Bürger für Weißenfels",
        ),
    )
