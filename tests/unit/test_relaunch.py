"""The CMS-relaunch rule: many old items re-issued under new guids, or re-dated, in one fetch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aggregator.relaunch import Incoming, Known, relaunch_verdict, threshold, title_key

OLD = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def old_posts(count: int) -> list[Incoming]:
    return [
        Incoming(
            f"alt-{n}", f"https://forum.example/{n}", f"Beitrag Nummer {n}", OLD + timedelta(n)
        )
        for n in range(count)
    ]


def test_forty_old_items_under_new_guids_and_urls_are_a_relaunch_by_their_titles() -> None:
    stored = old_posts(40)
    reissued = [
        Incoming(f"neu-{n}", f"https://forum.example/neu/{n}", f"BEITRAG  Nummer {n}!", NOW)
        for n in range(40)
    ]
    fresh = Incoming("neu-x", "https://forum.example/neu/x", "Stammtisch im Dezember", NOW)
    verdict = relaunch_verdict(
        [*reissued, fresh], Known(40, titles=[post.title for post in stored])
    )
    assert verdict.relaunch
    assert verdict.reissued == tuple(f"neu-{n}" for n in range(40))
    # every new item of the fetch is held, the unmatched one too
    assert verdict.hold == frozenset({f"neu-{n}" for n in range(40)} | {"neu-x"})


def test_reissues_are_matched_by_canonical_url_too() -> None:
    incoming = [
        Incoming(f"g{n}", f"https://forum.example/{n}", f"Neuer Titel {n}", NOW) for n in range(12)
    ]
    known = Known(30, urls={f"https://forum.example/{n}" for n in range(12)})
    verdict = relaunch_verdict(incoming, known)
    assert verdict.relaunch
    assert len(verdict.hold) == 12


def test_re_dated_stored_items_are_a_relaunch_and_are_held() -> None:
    posts = old_posts(15)
    stored = {post.guid: post.published for post in posts}
    redated = [
        Incoming(p.guid, p.canonical_url, p.title, NOW - timedelta(hours=n))
        for n, p in enumerate(posts)
    ]
    verdict = relaunch_verdict(redated, Known(15, published=stored))
    assert verdict.relaunch
    assert verdict.redated == tuple(p.guid for p in posts)
    assert verdict.hold == frozenset(p.guid for p in posts)


def test_a_normal_fetch_is_no_relaunch() -> None:
    posts = old_posts(40)
    stored = {post.guid: post.published for post in posts}
    # the feed again, one date corrected by two hours, and two new posts
    incoming = [
        *posts[:-1],
        replace(posts[-1], published=posts[-1].published + timedelta(hours=2)),
        Incoming("neu-1", "https://forum.example/neu-1", "Baustelle am Markt", NOW),
        Incoming("neu-2", "https://forum.example/neu-2", "Führung durch die Altstadt", NOW),
    ]
    verdict = relaunch_verdict(incoming, Known(40, published=stored))
    assert not verdict.relaunch
    assert verdict.hold == frozenset()


def test_old_items_seen_for_the_first_time_are_no_relaunch() -> None:
    """A news page's older pages read over several crawls: old dates, but nothing repeated."""
    verdict = relaunch_verdict(old_posts(40), Known(20))
    assert not verdict.relaunch
    assert verdict.reissued == ()


def test_a_sources_first_fetch_is_never_a_relaunch() -> None:
    verdict = relaunch_verdict(old_posts(40), Known(0, titles=["Beitrag Nummer 1"]))
    assert verdict == relaunch_verdict([], Known(0))
    assert not verdict.relaunch


def test_a_few_repeats_are_below_the_threshold_undated_items_are_never_re_dated() -> None:
    posts = old_posts(40)
    repeats = [Incoming(f"n{n}", p.canonical_url, p.title, NOW) for n, p in enumerate(posts[:9])]
    assert not relaunch_verdict(repeats, Known(40, urls={p.canonical_url for p in posts})).relaunch
    undated = [Incoming(p.guid, p.canonical_url, p.title, NOW, dated=False) for p in posts]
    stored = {p.guid: p.published for p in posts}
    assert not relaunch_verdict(undated, Known(40, published=stored)).relaunch


def test_the_threshold_is_half_the_stored_items_between_three_and_ten() -> None:
    assert [threshold(n) for n in (1, 4, 6, 7, 12, 20, 21, 500)] == [3, 3, 3, 4, 6, 10, 10, 10]
    posts = old_posts(6)
    repeats = [Incoming(f"n{n}", p.canonical_url, p.title, NOW) for n, p in enumerate(posts[:3])]
    assert relaunch_verdict(repeats, Known(6, titles=[p.title for p in posts])).relaunch


def test_title_key_ignores_case_punctuation_and_spacing() -> None:
    assert (
        title_key("  Tag des offenen Denkmals:\n Führung!  ") == "tag des offenen denkmals führung"
    )
    assert title_key("ＳＴＡＤＴ") == "stadt"
