"""The domain types cross process boundaries (parser processes → crawler) by pickle."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime

import pytest

from aggregator.model import Item, Tag
from aggregator.reading import SourceRead

ITEM = Item(
    source_id="leipzig",
    guid="beitrag-1",
    url="https://forum.example/beitrag-1",
    canonical_url="https://forum.example/beitrag-1",
    title="Abriss der Halle in Plagwitz",
    content_html="<p>Text</p>",
    excerpt="Text",
    published=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
    updated=None,
    author="Redaktion",
    cities=("Leipzig",),
    dated=False,
    tags=(
        Tag("city", "Leipzig", "text", ("Plagwitz",)),
        Tag("topic", "denkmalpflege", "text", ("Abriss",)),
    ),
)


def test_an_item_and_its_tags_come_back_equal_from_pickle() -> None:
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(ITEM, protocol=protocol))
        assert back == ITEM
        assert type(back) is Item and all(type(tag) is Tag for tag in back.tags)
        assert back.dated is False and back.updated is None


def test_a_source_read_with_items_round_trips() -> None:
    read = SourceRead((ITEM, ITEM), 30, "1 entry could not be read", complete=False)
    assert pickle.loads(pickle.dumps(read)) == read


def test_copies_are_equal_and_still_frozen() -> None:
    for copied in (copy.copy(ITEM), copy.deepcopy(ITEM)):
        assert copied == ITEM
        with pytest.raises(AttributeError):
            copied.title = "anders"  # type: ignore[misc]
