"""Model: the one description of the tree's shape covers every node type and every child field."""
from __future__ import annotations

import dataclasses
import typing

import pytest

from publish import model
from publish.model import (CHILD_FIELDS, INLINE_ROOTS, Document, Emphasis, Meta, NoteRef,
                           Paragraph, Strong, Text, Variant, children, plain_text, rebuild, walk)

NODE_TYPES = [obj for obj in vars(model).values()
              if isinstance(obj, type) and dataclasses.is_dataclass(obj)
              and obj.__module__ == model.__name__]


@pytest.mark.parametrize("node_type", NODE_TYPES, ids=lambda t: t.__name__)
def test_every_field_that_holds_nodes_is_a_child_field(node_type):
    hints = typing.get_type_hints(node_type, vars(model))
    holding = set()
    for field in dataclasses.fields(node_type):
        text = str(hints[field.name])
        if any(f"publish.model.{other.__name__}" in text for other in NODE_TYPES):
            holding.add(field.name)
    holding.discard("meta")  # Document.meta: data about the article, not part of its text
    holding.discard("credits")  # Meta.credits: data about its images, not part of the text
    assert set(CHILD_FIELDS[node_type]) == holding


def test_inline_roots_are_child_fields():
    for node_type, fields in INLINE_ROOTS.items():
        assert set(fields) <= set(CHILD_FIELDS[node_type])


def test_a_node_type_outside_the_table_is_an_error_not_a_skipped_subtree():
    @dataclasses.dataclass(frozen=True)
    class Strange:
        children: tuple = ()

    document = Document(Meta("x"), blocks=(Paragraph((Strange((Text("lost?"),)),)),))
    with pytest.raises(KeyError):
        list(walk(document))
    with pytest.raises(KeyError):
        rebuild(document, lambda node: node)
    with pytest.raises(TypeError, match="no rule for Strange"):
        plain_text([Strange()])


def test_walk_and_rebuild_reach_variant_branches_and_locators():
    note = NoteRef("s1", locator=(Text("第3页"),))
    variant = Variant((("zh-hans", (Strong((Text("甲"),)),)), ("zh-hant", (Text("乙"),))))
    paragraph = Paragraph((Emphasis((Text("a"),)), note, variant))
    texts = [node.text for node in walk(paragraph) if isinstance(node, Text)]
    assert texts == ["a", "第3页", "甲", "乙"]
    assert len(children(variant)) == 2
    upper = rebuild(paragraph, lambda n: Text(n.text.upper()) if isinstance(n, Text) else n)
    assert [n.text for n in walk(upper) if isinstance(n, Text)] == ["A", "第3页", "甲", "乙"]
