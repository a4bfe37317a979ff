"""What an item is about: its cities (`cities`, from a gazetteer) and topics (`topics`, from a
taxonomy). Pure. `tag_text` is the one call the crawl, `classify` and re-tagging share."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from aggregator.model import Item, Tag

if TYPE_CHECKING:
    from aggregator.tagging.topics import Taxonomy


def tag_text(
    title: str, text: str, *, source_city: str | None, taxonomy: Taxonomy | None = None
) -> tuple[Tag, ...]:
    """City tags (the source's city first, origin "source"), then topic tags."""
    from aggregator.tagging.cities import city_tags
    from aggregator.tagging.topics import topic_tags

    return city_tags(title, text, source_city=source_city) + topic_tags(title, text, taxonomy)


def tagged(item: Item, *, source_city: str | None, taxonomy: Taxonomy | None = None) -> Item:
    """`item` with its source's city (`cities`) and the tags its title and excerpt give."""
    tags = tag_text(item.title, item.excerpt, source_city=source_city, taxonomy=taxonomy)
    return replace(
        item,
        cities=with_source_city(item, source_city).cities,
        tags=tuple(tag for tag in tags if tag.origin != "source"),
    )


def with_source_city(item: Item, source_city: str | None) -> Item:
    """The prior alone: what an item carries when its text could not be tagged."""
    return replace(item, cities=(source_city,) if source_city else ())


__all__ = ["tag_text", "tagged", "with_source_city"]
