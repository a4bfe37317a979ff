"""List pages → items: every reader on a realistic fixture, the errors, dates, hostile pages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aggregator.errors import ParseError
from aggregator.model import ScrapeRules
from aggregator.parse.scrape import ListPage, find_date, read_list_page

DATA = Path(__file__).parent.parent / "data" / "scrape"
CET = timezone(timedelta(hours=1))


def read(name: str, url: str, content_type: str | None = "text/html", **rules: str) -> ListPage:
    body = (DATA / name).read_bytes()
    return read_list_page(
        body, url=url, rules=ScrapeRules(url=url, **rules), content_type=content_type
    )


def rows(page: ListPage) -> list[tuple[str | None, str | None, datetime | None]]:
    """(title, where the item points, date): its link, or for a block without a page of its
    own (link None) the list page its guid names."""
    for entry in page.entries:
        assert entry.link is not None or (entry.guid is not None and "#" in entry.guid)
    return [
        (entry.title, entry.link or (entry.guid or "").split("#")[0], entry.published)
        for entry in page.entries
    ]


# --- one fixture per pattern --------------------------------------------------------------------


def test_wordpress_blog() -> None:
    page = read("wordpress.html", "https://www.stadtforum-chemnitz.de/aktuelles/")
    base = "https://www.stadtforum-chemnitz.de/2025/"
    assert page.pattern == "wordpress"
    assert page.title == "Aktuelles – Stadtforum Chemnitz"
    assert page.next_url == "https://www.stadtforum-chemnitz.de/aktuelles/page/2/"
    assert rows(page) == [
        (
            "Brühl-Boulevard: Wie weiter nach dem Kulturhauptstadtjahr?",
            base + "11/24/bruehl-boulevard-wie-weiter/",
            datetime(2025, 11, 24, 18, 30, tzinfo=CET),  # <time datetime>, not the updated date
        ),
        (
            "Denkmalschutz für das Wohnhochhaus an der Straße der Nationen",
            base + "11/10/denkmalschutz-fuer-das-wohnhochhaus-an-der-strasse-der-nationen/",
            datetime(2025, 11, 10),  # only the visible ".entry-date" text
        ),
        (
            "Stadtforum im Oktober: Grünzug am Chemnitzfluss",
            base + "10/28/stadtforum-im-oktober-gruenzug-am-chemnitzfluss/",
            datetime(2025, 10, 28, 20, 5, 11, tzinfo=CET),
        ),
    ]
    first = page.entries[0]
    assert first.guid == first.link  # the fragment of "#more-412" is not part of it
    assert (
        first.image
        == "https://www.stadtforum-chemnitz.de/wp-content/uploads/2025/11/bruehl-1568x882.jpg"
    )
    assert first.summary_html == (
        "<p>Der Brühl hat sich zum Kulturhauptstadtjahr herausgeputzt. Doch viele Erdgeschosse "
        "stehen weiter leer. Wir laden am 15. Dezember 2025 zum Stadtspaziergang ein</p>"
    )
    assert page.entries[1].summary_html == (
        "<p>Das Landesamt für Denkmalpflege Sachsen hat das Wohnhochhaus aus den 1960er Jahren in "
        "die Denkmalliste aufgenommen. Das Stadtforum begrüßt die Entscheidung.</p>"
    )


def test_typo3_news_list() -> None:
    page = read("typo3.html", "https://www.denkmalnetz-sachsen.de/neuigkeiten")
    detail = "https://www.denkmalnetz-sachsen.de/neuigkeiten/detail/"  # via <base href>
    assert page.pattern == "typo3"
    assert page.next_url == (
        "https://www.denkmalnetz-sachsen.de/neuigkeiten?tx_news_pi1%5BcurrentPage%5D=2"
        "&cHash=9b1e4c7d2a"
    )
    assert rows(page) == [
        (
            "Görlitz: Jugendstil-Kaufhaus öffnet wieder",
            detail + "goerlitz-jugendstil-kaufhaus-oeffnet-wieder",
            datetime(2025, 11, 21),
        ),
        (
            "Freiberg: Abriss am Wernerplatz verhindert",
            detail + "freiberg-abriss-am-wernerplatz-verhindert",
            datetime(2025, 11, 3),
        ),
        (
            "Tag des offenen Denkmals 2025: eine Bilanz",
            detail + "tag-des-offenen-denkmals-2025-bilanz?cHash=4f2a0c",
            datetime(2025, 9, 29),  # ".news-list-date" text without <time>
        ),
    ]
    assert page.entries[0].image == (
        "https://www.denkmalnetz-sachsen.de/fileadmin/_processed_/5/3/"
        "csm_kaufhaus-goerlitz_8d2c9a1f0b.jpg"
    )
    assert page.entries[1].summary_html == (
        "<p>Der Stadtrat hat den Abrissantrag für das Bürgerhaus abgelehnt.</p>"
    )


def test_jimdo_blog() -> None:
    page = read("jimdo.html", "https://www.altstadt-zittau.de/blog/")
    site = "https://www.altstadt-zittau.de/2025/"
    assert page.pattern == "jimdo"
    assert page.next_url == "https://www.altstadt-zittau.de/blog/?page=2"
    assert rows(page) == [
        ("Salzhaus: neue Nutzung gesucht", site + "11/18/salzhaus-neue-nutzung-gesucht/",
         datetime(2025, 11, 18)),
        ("FÜHRUNG DURCH DIE WEINAU", site + "10/02/fuehrung-durch-die-weinau/",
         datetime(2025, 10, 2)),
        ("Denkmaltag in der Klosterkirche", site + "09/14/denkmaltag-in-der-klosterkirche/",
         datetime(2025, 9, 14)),
    ]  # fmt: skip
    assert page.entries[0].image is not None
    assert page.entries[0].image.startswith("https://image.jimcdn.com/app/cms/image/transf/")
    assert (
        page.entries[2].summary_html
        == "<p>Rund 300 Besucher kamen zum Tag des offenen Denkmals.</p>"
    )


def test_dated_blocks_of_a_hand_made_page() -> None:
    url = "https://www.stadtforum-leipzig.de/index.html"
    page = read("dated-blocks.html", url)
    assert page.pattern == "dated-blocks"
    assert page.next_url == "https://www.stadtforum-leipzig.de/archiv/2024-2/"
    assert rows(page) == [
        (
            "MATTHÄIKIRCHHOF: STADTFORUM FORDERT OFFENEN WETTBEWERB",
            "https://www.stadtforum-leipzig.de/beitraege/2025-11-24-matthaeikirchhof.html",
            datetime(2025, 11, 24),
        ),
        ("Stadtforum im November: Zukunft des Wilhelm-Leuschner-Platzes", url,
         datetime(2025, 11, 13)),
        ("Offener Brief zum Abriss in der Eisenbahnstraße", url, datetime(2025, 10, 2)),
        ("DENKMALTAG 2025 – FÜHRUNG DURCH DAS GRAPHISCHE VIERTEL", url, datetime(2025, 9, 18)),
    ]  # fmt: skip
    first, second, third, fourth = page.entries
    assert first.guid == first.link
    assert second.guid == url + "#stadtforum-november"  # the heading's element id
    assert third.guid.startswith(url + "#") and len(third.guid) == len(url) + 13  # a short hash
    assert len({entry.guid for entry in page.entries}) == 4
    assert first.summary_html == (
        "<p>Der Stadtrat berät im Dezember über das Verfahren für den Matthäikirchhof. Das "
        "Stadtforum fordert einen offenen städtebaulichen Wettbewerb mit breiter Beteiligung.</p>"
    )
    # two paragraphs at most; the third belongs to the page, not the item
    assert second.summary_html == (
        "<p>Über 80 Gäste diskutierten in der Stadtbibliothek über die Bebauung des "
        "Leuschner-Platzes. Die Dokumentation folgt in Kürze.</p>"
    )
    assert third.image == "https://www.stadtforum-leipzig.de/bilder/eisenbahnstrasse.jpg"
    assert fourth.summary_html == (
        "<p>Treffpunkt war das Deutsche Buch- und Schriftmuseum. Informationen unter Tel. "
        "0341 1234567.</p>"
    )


def test_plus_blocks_of_the_old_static_page_in_latin_1() -> None:
    url = "http://www.stadtforum-leipzig.de/home.htm"
    page = read("plus-blocks.html", url, content_type="text/html")  # charset only in <meta>
    assert page.pattern == "plus-blocks"
    assert page.next_url is None
    assert page.title == "Stadtforum Leipzig - Home"
    assert rows(page) == [
        ("Weihnachtsgruß und Rückblick auf das Jahr", url, datetime(2015, 12, 21)),
        ("Stadtforum zur Zukunft des Bayerischen Bahnhofs", url, datetime(2015, 11, 30)),
        (
            "Offener Brief an den Oberbürgermeister",
            "http://www.stadtforum-leipzig.de/offener_brief_oktober.htm",  # its "mehr »" link
            datetime(2015, 10, 12),
        ),
    ]  # "Sommer 2015 // Ohne Datum" has no date: not an item header
    assert page.entries[0].summary_html == (
        "<p>Das Stadtforum dankt allen Mitstreitern. 2015 war das Jahr der Debatte um den "
        "Wilhelm-Leuschner-Platz und die Markthallen. Wir wünschen frohe Feiertage!</p>"
    )


def test_windows_1252_page_without_any_charset_declaration() -> None:
    url = "http://dresdens-erben.de/neues.htm"
    page = read("windows-1252.html", url, content_type=None)
    assert page.pattern == "dated-blocks"
    assert page.title == "Dresdens Erben e.V. – Neues"
    assert rows(page) == [
        ("Elbhang: Stellungnahme zum Bebauungsplan Loschwitz",
         "http://dresdens-erben.de/neues/elbhang.htm", datetime(2025, 11, 5)),
        ("Königsufer: Gespräch mit der Baubürgermeisterin", url, datetime(2025, 10, 22)),
    ]  # fmt: skip
    assert page.entries[0].summary_html == (
        "<p>Wir haben zum Entwurf des Bebauungsplans „Elbhang Loschwitz“ Stellung genommen – "
        "die Sichtachsen zur Elbe müssen frei bleiben.</p>"
    )


def test_dokuwiki_chronicle() -> None:
    url = "http://www.weimar-schiesshausgelaende.de/doku.php?id=chronik"
    page = read("dokuwiki.html", url)
    assert page.pattern == "dokuwiki"
    assert page.next_url is None
    assert rows(page) == [
        (
            "Stadtrat vertagt Entscheidung über den Bebauungsplan „Schießhaus“",
            "https://www.thueringer-allgemeine.de/lokales/weimar/article123456/"
            "schiesshaus-vertagt.html",
            datetime(2025, 11, 24),
        ),
        ("Übergabe von 2.300 Unterschriften an den Oberbürgermeister", url, datetime(2025, 11, 3)),
        (
            "Führung über das Gelände zum Tag des offenen Denkmals mit Bildern",
            url,
            datetime(2025, 9, 15),
        ),  # the link to a missing wiki page (wikilink2) is no item link
        ("Bürgerversammlung im Schießhaus", url, datetime(2025, 7, 8)),
    ]  # fmt: skip; sidebar, table of contents and the row "2025" (a year alone) are not items
    assert page.entries[3].guid == url + "#stadtratsbeschluss"
    assert page.entries[3].summary_html == (
        "<p>Rund 150 Weimarerinnen und Weimarer kamen zur Versammlung. Protokoll</p>"
    )


def test_configured_selectors() -> None:
    url = "https://www.kuratorium-altstadt-pirna.de/presse/"
    page = read(
        "selectors.html",
        url,
        item=".meldung",
        title=".ueberschrift",
        link="a.link",
        date=".datum",
        excerpt=".anriss",
        image="img.bild",
        date_format="Pirna, %d.%m.%Y",
    )
    assert page.pattern == "selectors"
    assert page.next_url == "https://www.kuratorium-altstadt-pirna.de/presse/?seite=2"
    assert rows(page) == [
        (
            "Vortrag: Die Marienkirche und ihre Gewölbe",
            "https://www.kuratorium-altstadt-pirna.de/presse/2025/vortrag-marienkirche",
            datetime(2025, 11, 20),
        ),
        ("Canalettohaus: Kuratorium begrüßt Sanierungsbeschluss", url, datetime(2025, 10, 14)),
    ]  # fmt: skip; the javascript: link is no link, the block without a title is dropped
    assert page.entries[1].guid == url + "#pm-2025-10"
    assert (
        page.entries[0].image == "https://www.kuratorium-altstadt-pirna.de/bilder/marienkirche.jpg"
    )
    assert page.entries[0].summary_html == (
        "<p>Am 4. Dezember spricht Dr. Ute Lehmann über die Baugeschichte der Stadtkirche "
        "St. Marien.</p>"
    )


def test_selectors_with_defaults_only_need_the_item() -> None:
    url = "https://www.kuratorium-altstadt-pirna.de/presse/"
    page = read("selectors.html", url, item=".meldung")
    assert rows(page) == [
        ("Vortrag: Die Marienkirche und ihre Gewölbe",
         "https://www.kuratorium-altstadt-pirna.de/presse/2025/vortrag-marienkirche",
         datetime(2025, 11, 20)),
        ("Canalettohaus: Kuratorium begrüßt Sanierungsbeschluss", url, datetime(2025, 10, 14)),
    ]  # fmt: skip


def test_menus_sidebars_widgets_cookie_banners_and_footers_are_not_items() -> None:
    url = "https://www.buerger-fuer-weissenfels.de/aktuelles/"
    page = read("noise.html", url)
    assert page.pattern == "dated-blocks"
    assert rows(page) == [
        ("Schloss Neu-Augustusburg: neues Nutzungskonzept vorgestellt", url,
         datetime(2025, 10, 30)),
        ("Marktplatz: Bürgerbeteiligung gestartet", url, datetime(2025, 10, 16)),
    ]  # fmt: skip


def test_the_wordpress_sidebar_widget_adds_nothing() -> None:
    page = read("wordpress.html", "https://www.stadtforum-chemnitz.de/aktuelles/")
    assert "https://www.stadtforum-chemnitz.de/2025/09/02/sommerfest-am-schlossteich/" not in {
        entry.link for entry in page.entries
    }
    assert len(page.entries) == 3


def test_reading_the_same_page_twice_gives_the_same_guids() -> None:
    url = "https://www.stadtforum-leipzig.de/index.html"
    first = read("dated-blocks.html", url)
    second = read("dated-blocks.html", url)
    assert [e.guid for e in first.entries] == [e.guid for e in second.entries]


def test_items_without_a_link_point_to_the_configured_page_not_the_redirect_target() -> None:
    body = (DATA / "dated-blocks.html").read_bytes()
    configured = "http://stadtforum-leipzig.de/"
    page = read_list_page(
        body,
        url="https://www.stadtforum-leipzig.de/index.html",
        rules=ScrapeRules(url=configured),
    )
    assert page.entries[1].link is None  # no page of its own: the guid is its address
    assert page.entries[1].guid == configured + "#stadtforum-november"
    assert page.entries[0].link == (  # relative links still resolve against the final URL
        "https://www.stadtforum-leipzig.de/beitraege/2025-11-24-matthaeikirchhof.html"
    )


# --- errors -------------------------------------------------------------------------------------


def expect_error(
    reason: str, body: bytes, content_type: str | None = "text/html", **rules: str
) -> str:
    url = "https://www.stadtforum-gotha.de/aktuelles/"
    with pytest.raises(ParseError) as caught:
        read_list_page(
            body, url=url, rules=ScrapeRules(url=url, **rules), content_type=content_type
        )
    assert caught.value.reason == reason
    assert url in caught.value.message
    return caught.value.message


def test_a_layout_that_finds_nothing_is_an_error_not_an_empty_success() -> None:
    body = (DATA / "nothing.html").read_bytes()
    message = expect_error("no_items", body)
    assert message.startswith("no news items found on ")


def test_selectors_that_match_nothing() -> None:
    body = (DATA / "wordpress.html").read_bytes()
    assert "configured selectors" in expect_error("no_items", body, item=".nachricht")


def test_login_wall() -> None:
    expect_error("login_wall", (DATA / "login.html").read_bytes())


@pytest.mark.parametrize("body", [b"", b"   \r\n\t  "])
def test_empty_page(body: bytes) -> None:
    expect_error("empty_page", body)


@pytest.mark.parametrize(
    ("body", "content_type", "named"),
    [
        (b'{"items": []}', "application/json", "JSON"),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
            "application/rss+xml",
            "feed",
        ),
        (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>', "text/html", "feed"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "binary"),
        (b"Nur Text, kein HTML", "text/csv", "not HTML"),
    ],
)
def test_not_html(body: bytes, content_type: str | None, named: str) -> None:
    message = expect_error("not_html", body, content_type)
    assert named in message
    assert (content_type or "none given") in message


def test_invalid_selector() -> None:
    body = (DATA / "selectors.html").read_bytes()
    message = expect_error("bad_selector", body, item=".meldung", date="span[")
    assert "'span['" in message


def test_a_page_nested_too_deeply_is_read_up_to_its_trap() -> None:
    item = '<article><h2><a href="/a/{n}">Beitrag {n}</a></h2><time datetime="2025-11-2{n}">'
    body = (
        "<html><body>"
        + item.format(n=1)
        + "</article>"
        + "<span>" * 30_000
        + "<div></div>" * 30_000
        + item.format(n=2)  # behind the trap: cut off with it
        + "</article></body></html>"
    ).encode()
    url = "https://www.stadtforum-gotha.de/aktuelles/"
    page = read_list_page(body, url=url, rules=ScrapeRules(url=url))
    assert rows(page) == [
        ("Beitrag 1", "https://www.stadtforum-gotha.de/a/1", datetime(2025, 11, 21)),
    ]


def test_a_page_that_is_only_a_nesting_trap_has_no_items() -> None:
    body = b"<html><body>" + b"<span>" * 30_000 + b"<div></div>" * 30_000 + b"</body></html>"
    expect_error("no_items", body)


# --- pagination ---------------------------------------------------------------------------------


def page_with(links: str, url: str = "https://www.stadtforum-gotha.de/aktuelles/") -> ListPage:
    body = f"""<html><body><article><h2><a href="/2025/11/24/a/">Altstadtfest</a></h2>
    <time datetime="2025-11-24">24.11.2025</time><a href="/2025/11/24/a/">weiter</a></article>
    {links}</body></html>""".encode()
    return read_list_page(body, url=url, rules=ScrapeRules(url=url))


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        ('<a href="?seite=2">»</a>', "https://www.stadtforum-gotha.de/aktuelles/?seite=2"),
        ('<a href="/aktuelles/2/">« Ältere Einträge</a>', "https://www.stadtforum-gotha.de/aktuelles/2/"),
        ('<a href="/p/2">Nächste Seite →</a>', "https://www.stadtforum-gotha.de/p/2"),
        ('<ul class="pagination"><li class="next"><a href="/p/3">3</a></li></ul>',
         "https://www.stadtforum-gotha.de/p/3"),
        ('<a class="next page-numbers" href="/aktuelles/page/2/">Weiter</a>',
         "https://www.stadtforum-gotha.de/aktuelles/page/2/"),
        ('<a href="https://andere-seite.de/seite/2">weiter</a>', None),  # another host
        ('<a href="/aktuelles/#top">weiter</a>', None),  # the page itself
        ('<a href="javascript:next()">weiter</a>', None),
        ('<a href="/impressum/">Impressum</a>', None),
    ],
)  # fmt: skip
def test_next_page(links: str, expected: str | None) -> None:
    page = page_with(links)
    assert page.next_url == expected
    assert [entry.title for entry in page.entries] == ["Altstadtfest"]  # its "weiter" is no pager


# --- hostile and odd pages ----------------------------------------------------------------------


def test_links_that_are_not_http_and_duplicate_links_are_dropped() -> None:
    body = b"""<html><body>
    <div class="n"><h3><a href="mailto:info@example.org">Schreiben Sie uns</a></h3>
      <p>24.11.2025</p></div>
    <div class="n"><h3><a href="/a/1">Erster Beitrag</a></h3><p>23.11.2025</p></div>
    <div class="n"><h3><a href="/a/1#kommentare">Erster Beitrag (Kommentare)</a></h3></div>
    <div class="n"><h3> </h3><a href="/a/2">mehr</a></div>
    </body></html>"""
    url = "https://www.stadtforum-gotha.de/"
    page = read_list_page(body, url=url, rules=ScrapeRules(url=url, item="div.n"))
    assert rows(page) == [
        ("Schreiben Sie uns", url, datetime(2025, 11, 24)),
        ("Erster Beitrag", "https://www.stadtforum-gotha.de/a/1", datetime(2025, 11, 23)),
        ("mehr", "https://www.stadtforum-gotha.de/a/2", None),  # title falls back to the link
    ]


def test_long_titles_and_excerpts_are_cut_and_html_in_text_is_escaped() -> None:
    title = "Bürgerbeteiligung " * 60
    body = f"""<html><body><div class="n"><h3><a href="/a">{title}</a></h3>
    <p>&lt;script&gt;alert(1)&lt;/script&gt; {"Text " * 400}</p></div></body></html>""".encode()
    url = "https://www.stadtforum-gotha.de/"
    entry = read_list_page(body, url=url, rules=ScrapeRules(url=url, item="div.n")).entries[0]
    assert entry.title is not None and len(entry.title) <= 500
    assert entry.summary_html is not None
    assert entry.summary_html.startswith("<p>&lt;script&gt;alert(1)&lt;/script&gt; Text Text")
    assert len(entry.summary_html) <= 1000 + len("<p></p>") + 40  # escaping lengthens a little
    assert entry.summary_html.endswith("…</p>")


def test_at_most_500_blocks_are_read() -> None:
    blocks = "".join(
        f'<article><h2><a href="/b/{n}">Beitrag {n}</a></h2>'
        '<time datetime="2025-01-01">1.1.</time></article>'
        for n in range(700)
    )
    url = "https://www.stadtforum-gotha.de/"
    body = f"<html><body>{blocks}</body></html>".encode()
    page = read_list_page(body, url=url, rules=ScrapeRules(url=url))
    assert len(page.entries) == 500


def test_script_filled_and_malformed_markup_does_not_crash() -> None:
    junk = "<script>" + "var a = '<article><h2><a href=/x>Falle</a></h2>';" * 500 + "</script>"
    body = f"""<html><body>{junk}<p><b>24.11.2025 | Echter Beitrag</b><br>Text <i><b>kaputt
    </p></div></span><table><td>12.11.2025 | Zweiter Beitrag<td>Text</table>""".encode()
    url = "https://www.stadtforum-gotha.de/"
    page = read_list_page(body, url=url, rules=ScrapeRules(url=url))
    assert [(e.title, e.published) for e in page.entries] == [
        ("Echter Beitrag", datetime(2025, 11, 24)),
        ("Zweiter Beitrag", datetime(2025, 11, 12)),
    ]


def test_a_single_dated_block_inside_a_large_page_keeps_its_excerpt() -> None:
    filler = '<div class="row"><span>Altmarkt</span><a href="/x">Link</a></div>' * 300
    body = f"""<html><body>{filler}<div id="inhalt"><div class="kopf">
    <p><b>24.11.2025 | Einziger Beitrag</b></p></div><p>Sein Anriss.</p></div>
    </body></html>""".encode()
    url = "https://www.stadtforum-gotha.de/"
    page = read_list_page(body, url=url, rules=ScrapeRules(url=url))
    assert [(e.title, e.summary_html) for e in page.entries] == [
        ("Einziger Beitrag", "<p>Sein Anriss.</p>")
    ]


def test_charset_of_the_header_wins_over_meta() -> None:
    body = (
        '<html><head><meta charset="utf-8"></head><body><p><b>24.11.2025 | Schloß Gotha</b></p>'
        "</body></html>"
    ).encode("windows-1252")
    url = "https://www.stadtforum-gotha.de/"
    page = read_list_page(
        body, url=url, rules=ScrapeRules(url=url), content_type="text/html; charset=ISO-8859-1"
    )
    assert page.entries[0].title == "Schloß Gotha"


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21. DEZEMBER 2015", datetime(2015, 12, 21)),
        ("24. Nov. 2025", datetime(2025, 11, 24)),
        ("Montag, 24. November 2025", datetime(2025, 11, 24)),
        ("Veröffentlicht am 3. März 2024 um 18:30 Uhr", datetime(2024, 3, 3, 18, 30)),
        ("24.11.2025", datetime(2025, 11, 24)),
        ("24. 11. 2025", datetime(2025, 11, 24)),
        ("2025-11-24", datetime(2025, 11, 24)),
        ("Pirna, 20.11.2025, 14:05", datetime(2025, 11, 20, 14, 5)),
        ("24. Feber 2025", datetime(2025, 2, 24)),  # Austrian: dateparser, not parse_date
        ("Tel. 0341 1234567", None),
        ("Gerichtsweg 28, 04103 Leipzig", None),
        ("seit 2015", None),
        ("2015", None),
        ("24. November", None),  # no year: never guessed
        ("31.02.2025", None),
        ("12 Häuser 2024", None),
        ("1.2.3.2024", None),
        ("", None),
        (None, None),
    ],
)
def test_find_date(text: str | None, expected: datetime | None) -> None:
    assert find_date(text) == expected
