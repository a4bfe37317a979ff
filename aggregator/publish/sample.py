"""A made-up German sample network for trying and checking the public site (timing: bench/).

    python -m aggregator.publish.sample OUT_DIR [--stories 120] [--base-url URL] [--hostile]

Deterministic: the same arguments give the same stories. All links point to `.example` hosts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aggregator.model import FetchState, Source, Story

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
BASE_URL = "https://nachrichten.netzwerk-stadtforen.de/"

SOURCES = (
    Source(
        "leipzig-stadtforum",
        "Stadtforum Leipzig",
        "Leipzig",
        "https://www.stadtforum-leipzig.example/",
        "https://www.stadtforum-leipzig.example/feed/",
    ),
    Source(
        "dresden-dresdens-erben",
        "Dresdens Erben e. V.",
        "Dresden",
        "https://dresdens-erben.example/",
        None,
    ),
    Source(
        "halle-aki",
        "Arbeitskreis Innenstadt e. V. (AKI)",
        "Halle (Saale)",
        "https://www.aki-halle.example/",
        "https://www.aki-halle.example/feed/",
    ),
    Source(
        "weissenfels-buerger",
        "Bürger für Weißenfels",
        "Weißenfels",
        "https://www.buerger-fuer-weissenfels.example/",
        "https://www.buerger-fuer-weissenfels.example/?format=feed&type=rss",
        feed_verified=False,
    ),
    Source(
        "goerlitz-aktionskreis",
        "Aktionskreis für Görlitz e. V.",
        "Görlitz",
        "https://www.aktionskreis-goerlitz.example/",
        "https://www.aktionskreis-goerlitz.example/feed.xml",
    ),
    Source(
        "netzwerk",
        "NETZWERK Stadtforen Mitteldeutschland",
        None,
        "https://www.netzwerk-stadtforen.example/",
        "https://www.netzwerk-stadtforen.example/feed/",
    ),
)


def _states(now: datetime) -> dict[str, FetchState]:
    hour = timedelta(hours=1)
    return {
        "leipzig-stadtforum": FetchState(
            "leipzig-stadtforum", last_status="ok", last_success_at=now - hour, item_count=412
        ),
        "dresden-dresdens-erben": FetchState(
            "dresden-dresdens-erben",
            last_status="not_modified",
            last_success_at=now - 2 * hour,
            item_count=37,
        ),
        "halle-aki": FetchState(
            "halle-aki",
            last_status="failed",
            last_error="timeout",
            consecutive_failures=3,
            last_success_at=now - 30 * hour,
            item_count=88,
        ),
        "goerlitz-aktionskreis": FetchState(
            "goerlitz-aktionskreis",
            last_status="failed",
            last_error="http_404",
            moved_to="https://aktionskreis-goerlitz.example/neuigkeiten/feed/",
            last_success_at=now - 80 * hour,
            item_count=12,
        ),
        "netzwerk": FetchState("netzwerk", last_status="ok", last_success_at=now - hour),
    }


TOPICS = (
    (
        "{place}: Stadtrat berät über die Sanierung",
        "Am Donnerstag berät der Stadtrat über die "
        "Sanierung. Das Stadtforum fordert, die historische Fassade zu erhalten (Ort: {place}).",
    ),
    (
        "{place}: Führung „Verborgene Höfe“",
        "Zu einer Führung durch Hinterhöfe und Passagen lädt "
        "das Forum ein. Treffpunkt: {place}; die Teilnahme ist kostenlos.",
    ),
    (
        "{place}: Denkmalschutz gefordert",
        "Ein Gutachten bestätigt den Wert des Ensembles "
        "„{place}“; nun soll es unter Denkmalschutz gestellt werden.",
    ),
    (
        "{place}: Bürgerforum zur Zukunft des Quartiers & der Umgebung",
        "Beim Bürgerforum kamen "
        "über 120 Menschen zusammen, um über Bebauung und Verkehr zu sprechen (Ort: {place}).",
    ),
    (
        "{place}: Abriss geplant? Stellungnahme des Vereins",
        "Gegen den geplanten Abriss hat der "
        "Verein eine Stellungnahme veröffentlicht – mit Vorschlägen für eine Nachnutzung.",
    ),
    (
        "{place}: Programm zum Tag des offenen Denkmals",
        "Zum Tag des offenen Denkmals sind "
        "Vorträge, Rundgänge und eine Ausstellung geplant (Ort: {place}).",
    ),
)
PLACES = {
    "Leipzig": ("Bayerischer Bahnhof", "Wilhelm-Leuschner-Platz", "Naschmarkt"),
    "Dresden": ("Neumarkt", "Elbhang", "Kraftwerk Mitte"),
    "Halle (Saale)": ("Marktplatz", "Riveufer", "Stadtgottesacker"),
    "Weißenfels": ("Schloss Neu-Augustusburg", "Marktplatz", "Novalishaus"),
    "Görlitz": ("Untermarkt", "Waggonbau", "Nikolaivorstadt"),
}
HOSTILE_TITLE = "<script>alert(1)</script> \"&<> ' Test"


def sample_stories(
    count: int, now: datetime = NOW, *, hostile: bool = False, step_minutes: int = 97
) -> list[Story]:
    """`count` German stories, newest first, spread over the sample members and five cities."""
    members = [s for s in SOURCES if s.city]
    names = [s.name for s in SOURCES]
    stories = []
    for n in range(count):
        source = members[n % len(members)]
        assert source.city is not None
        city = source.city
        place = PLACES[city][(n // len(members)) % 3]
        title, text = TOPICS[(n // 2) % len(TOPICS)]
        published = now - timedelta(minutes=step_minutes * n + 7)
        cities: tuple[str, ...] = (city,)
        if n % 11 == 3:
            cities = (city, "Leipzig") if city != "Leipzig" else (city, "Dresden")
        also_at: tuple[str, ...] = ()
        if n % 7 == 2:
            also_at = tuple(x for x in names if x != source.name)[: 1 + n % 2]
        excerpt = text.format(place=place)
        stories.append(
            Story(
                id=f"{source.id}:https://{source.id}.example/{n}",
                source_id=source.id,
                source_name=source.name,
                source_city=city,
                title=title.format(place=place),
                url=f"{source.homepage}{published:%Y/%m}/meldung-{n}/",
                content_html=f'<p>{_html(excerpt)}</p><p><a href="{source.homepage}">Mehr beim '
                f"{_html(source.name)}</a></p>",
                excerpt=excerpt,
                published=published,
                updated=published + timedelta(hours=2) if n % 5 == 0 else None,
                first_seen=published + timedelta(minutes=20),
                cities=cities,
                also_at=also_at,
            )
        )
    if hostile and stories:
        first = stories[0]
        stories[0] = Story(
            id=first.id,
            source_id=first.source_id,
            source_name='Forum "<b>fett</b>" & Co',
            source_city=first.source_city,
            title=HOSTILE_TITLE,
            url=first.url,
            content_html='<p onclick="alert(2)">Text<script>alert(3)</script>'
            '<iframe src="https://evil.example/"></iframe><img src="x" onerror="alert(4)"></p>',
            excerpt='<img src=x onerror=alert(5)> "&<>',
            published=first.published,
            updated=None,
            first_seen=first.first_seen,
            cities=("<i>Ort</i>",),
            also_at=("<b>Andere</b> & Co",),
        )
    return stories


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sample_members(now: datetime = NOW) -> list[tuple[Source, FetchState | None]]:
    states = _states(now)
    return [(source, states.get(source.id)) for source in SOURCES]


def main(argv: Sequence[str] | None = None) -> int:
    from aggregator.publish import publish_site

    parser = argparse.ArgumentParser(prog="python -m aggregator.publish.sample")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--stories", type=int, default=None)
    parser.add_argument("--base-url", default=BASE_URL)
    parser.add_argument("--hostile", action="store_true", help="first story carries XSS attempts")
    args = parser.parse_args(argv)
    stories = sample_stories(args.stories or 120, hostile=args.hostile)
    report = publish_site(stories, sample_members(), args.out_dir, base_url=args.base_url, now=NOW)
    print(
        f"published {report.stories} stories: {report.pages} pages, {report.feeds} feeds "
        f"in {report.elapsed_s:.2f} s -> {report.out_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
