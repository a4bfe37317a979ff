"""`aggregator sources add|list|enable|disable|export|remove` against a real fixture site and a
real SQLite file: the operator's way into the registry of sources."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.cli import main
from aggregator.config import parse_config
from aggregator.demo.httpserver import FixtureServer, Response

NOW = datetime.now(UTC)
FEED = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Stadtforum</title><link>http://forum.example/</link><description>d</description>
<item><guid>g1</guid><title>Rundgang durch die Altstadt</title><link>http://forum.example/g1</link>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0100</pubDate></item></channel></rss>"""


def homepage(feed_path: str) -> bytes:
    return (
        '<!doctype html><html lang="de"><head><title>Stadtforum Görlitz</title>'
        f'<link rel="alternate" type="application/rss+xml" href="{feed_path}"></head>'
        "<body><h1>Stadtforum Görlitz</h1></body></html>"
    ).encode()


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureServer]:
    monkeypatch.setenv("AGGREGATOR_ALLOW_PRIVATE_URLS", "1")  # the site is on 127.0.0.1
    with FixtureServer(
        {
            "/": Response(200, homepage("/neuigkeiten/feed/"), {"Content-Type": "text/html"}),
            "/neuigkeiten/feed/": Response(200, FEED, {"Content-Type": "application/rss+xml"}),
            "/leipzig.xml": Response(200, FEED, {"Content-Type": "application/rss+xml"}),
            "/drei.xml": Response(200, FEED, {"Content-Type": "application/rss+xml"}),
        }
    ) as s:
        yield s


@pytest.fixture
def env(site: FixtureServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n  - id: leipzig\n    name: Stadtforum Leipzig\n    city: Leipzig\n"
        f"    homepage: http://forum.example/\n    feed: {site.url('/leipzig.xml')}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config))
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    return config


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_discovers_the_feed_registers_and_crawls_it(
    env: Path, site: FixtureServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "sources",
        "add",
        site.url("/"),
        "--name",
        "Stadtforum Görlitz",
        "--city",
        "görlitz",
        "--contact",
        "Kontakt@Forum.example",
    )
    assert (code, err) == (0, "")
    assert f"feed {site.url('/neuigkeiten/feed/')}" in out
    assert "Rundgang durch die Altstadt" in out
    assert (
        f"added source 'stadtforum-goerlitz' (feed {site.url('/neuigkeiten/feed/')}) "
        "to the registry" in out
    )
    assert "1 sources: 1 ok, 0 not modified, 0 failed; items: 1 new" in out

    code, out, _ = run(capsys, "sources", "list")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["leipzig", "yaml", "feed"]
    assert lines[1].split()[:4] == ["stadtforum-goerlitz", "registered", "feed", "Görlitz"]

    # the same feed again, under another id: refused, nothing overwritten
    code, _, err = run(
        capsys,
        "sources",
        "add",
        "http://other.example/",
        "--name",
        "Zwei",
        "--feed",
        site.url("/neuigkeiten/feed/"),
    )
    assert code == 1
    assert "error: Diese Seite ist schon im Netzwerk (als „Stadtforum Görlitz“)" in err
    # an id of sources.yaml, even one no crawl has stored yet
    code, _, err = run(
        capsys,
        "sources",
        "add",
        "http://drei.example/",
        "--name",
        "Drei",
        "--feed",
        site.url("/drei.xml"),
        "--id",
        "leipzig",
        "--no-crawl",
    )
    assert code == 1 and "Die Kennung „leipzig“" in err


def test_enable_disable_export_and_remove(
    env: Path, site: FixtureServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "sources", "add", site.url("/"), "--name", "Forum G", "--no-crawl")[0] == 0

    assert run(capsys, "sources", "disable", "forum-g")[1] == "source 'forum-g' disabled\n"
    assert "(disabled)" in run(capsys, "sources", "list")[1].splitlines()[1]
    assert run(capsys, "sources", "enable", "forum-g")[1] == "source 'forum-g' enabled\n"
    code, _, err = run(capsys, "sources", "disable", "leipzig")
    assert code == 2
    assert "source 'leipzig' is not a registered source: sources.yaml's are enabled" in err
    assert f"disabled in {env}" in err

    export = tmp_path / "export.yaml"
    assert run(capsys, "sources", "export", "-o", str(export))[0] == 0
    reread = parse_config(export.read_text(encoding="utf-8"), str(export), allow_private=True)
    assert [(s.id, s.feed) for s in reread.sources] == [
        ("leipzig", site.url("/leipzig.xml")),
        ("forum-g", site.url("/neuigkeiten/feed/")),
    ]
    assert "  # registered\n  - id: forum-g" in export.read_text(encoding="utf-8")

    code, out, _ = run(capsys, "sources", "remove", "forum-g")
    assert code == 0 and "its items stay" in out
    assert [line.split()[0] for line in run(capsys, "sources", "list")[1].splitlines()] == [
        "leipzig"
    ]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1/", "zeigt auf den Server selbst (Loopback)"),
        ("http://[::1]/", "zeigt auf den Server selbst (Loopback)"),
        ("http://[::ffff:127.0.0.1]/", "zeigt auf den Server selbst (Loopback)"),
        ("http://0x7f.1/", "zeigt auf den Server selbst (Loopback)"),
        ("http://2130706433/", "zeigt auf den Server selbst (Loopback)"),
        ("http://10.0.0.1/", "zeigt in ein privates Netz"),
        ("http://100.64.0.1/", "zeigt in ein privates Netz"),
        ("http://169.254.169.254/", "(Link-Local)"),
        ("http://user:pw@forum.example/", "keinen Benutzernamen und kein Passwort"),
        ("ftp://forum.example/", "Nur Adressen mit http:// oder https:// sind möglich."),
    ],
)
def test_add_refuses_internal_and_odd_urls_before_any_fetch(
    url: str,
    why: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text("sources: []\n", encoding="utf-8")
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config))
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.delenv("AGGREGATOR_ALLOW_PRIVATE_URLS", raising=False)
    code, out, err = run(capsys, "sources", "add", url, "--name", "X")
    assert code == 2
    assert why in err and out == ""
    assert not (tmp_path / "db.sqlite").exists()  # nothing fetched, nothing stored


def test_health_lists_every_source_with_its_figures(
    env: Path, site: FixtureServer, capsys: pytest.CaptureFixture[str]
) -> None:
    site.routes["/leipzig.xml"] = Response(404, b"weg")
    assert run(capsys, "sources", "add", site.url("/"), "--name", "Forum G")[0] == 0
    assert run(capsys, "crawl")[0] == 0
    code, out, _ = run(capsys, "sources", "health")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[:4] for line in lines] == [
        ["forum-g", "feed", "ok", "last"],
        ["leipzig", "feed", "failed", "(http_404)"],
    ]
    assert "failures 1" in lines[1] and "newest never" in lines[1]
    assert "failures 0" in lines[0] and "held 0  flags: -" in lines[0]


def test_a_sources_yaml_forum_gets_its_status_link_at_its_contact(
    site: FixtureServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """sources.yaml's forums never registered: `contact:` is where their alerts and their
    status link go (`sources link ID --send`)."""
    from aggregator.mail.tokens import is_source_status_key
    from aggregator.runtime import load_sources, open_store
    from aggregator.settings import Settings
    from aggregator.store.health import SourceHealthStore
    from tests.mailserver import MailServer

    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n"
        "  - id: leipzig\n    name: Stadtforum Leipzig\n    homepage: http://forum.example/\n"
        f"    feed: {site.url('/leipzig.xml')}\n    contact: Vorstand@Stadtforum-Leipzig.example\n"
        "  - id: ohne\n    name: Ohne Kontakt\n    homepage: http://ohne.example/\n"
        f"    feed: {site.url('/drei.xml')}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config))
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("AGGREGATOR_BASE_URL", "https://stadtforen.example.org/portal/")
    assert run(capsys, "crawl")[0] == 0

    settings = Settings.from_env()
    store = open_store(settings)
    sources = load_sources(settings, store).sources
    stats = {s.source_id: s for s in SourceHealthStore(store.engine).stats(sources, NOW)}
    assert stats["leipzig"].contact_email == "vorstand@stadtforum-leipzig.example"  # the alerts'
    assert stats["ohne"].contact_email is None

    code, out, _ = run(capsys, "sources", "link", "leipzig")
    assert code == 0
    link = out.strip()
    prefix = "https://stadtforen.example.org/portal/quelle/leipzig/"
    assert link.startswith(prefix)
    from aggregator.mail.newsletter import mail_secret

    assert is_source_status_key(
        mail_secret(settings, store.engine, NOW), "leipzig", link[len(prefix) :]
    )

    with MailServer() as mail:
        monkeypatch.setenv("AGGREGATOR_SMTP_PORT", str(mail.port))
        code, out, _ = run(capsys, "sources", "link", "leipzig", "--send")
        assert (code, out) == (
            0,
            "sent the status link of 'leipzig' to vorstand@stadtforum-leipzig.example\n",
        )
        (message,) = mail.messages
        assert message["To"] == "vorstand@stadtforum-leipzig.example"
        assert message["Subject"] == (
            "Ihre Statusseite im Nachrichtenportal der Stadtforen: Stadtforum Leipzig"
        )
        body = message.get_body(("plain",))
        assert body is not None and link in body.get_content()
        code, _, err = run(capsys, "sources", "link", "ohne", "--send")
        assert code == 2 and "source 'ohne' has no contact: add `contact:`" in err
        assert len(mail.messages) == 1


def test_an_invalid_contact_in_sources_yaml_is_a_file_line_error(tmp_path: Path) -> None:
    from aggregator.config import parse_config
    from aggregator.errors import ConfigError

    text = (
        "sources:\n  - id: a\n    name: A\n    homepage: https://a.example/\n"
        "    feed: https://a.example/feed/\n    contact: kein-at\n"
    )
    with pytest.raises(ConfigError) as raised:
        parse_config(text, "sources.yaml")
    assert list(raised.value.problems) == [
        "sources.yaml:6: source 'a': field 'contact' must be one email address"
    ]
