"""The shelf: a folder gets each file by a rename, an object store by one upload; sizes and
texts read back through fsspec."""
from __future__ import annotations

import pickle

import fsspec
import pytest

from publish.report import PublishError
from publish.shelf import Shelf


def test_a_folder_gets_whole_files_and_no_temporaries(tmp_path):
    shelf = Shelf(str(tmp_path / "books"))
    shelf.make()
    local = tmp_path / "book.pdf"
    local.write_bytes(b"%PDF-1.7 body")
    shelf.put(local, "书.pdf")
    assert (tmp_path / "books" / "书.pdf").read_bytes() == b"%PDF-1.7 body"
    assert shelf.sizes() == {"书.pdf": 13}
    assert [p.name for p in (tmp_path / "books").iterdir()] == ["书.pdf"]
    assert shelf.local and pickle.loads(pickle.dumps(shelf)).root == shelf.root


def test_an_object_store_url(tmp_path):
    shelf = Shelf("memory://shelf-test/books")
    shelf.make()
    local = tmp_path / "manifest.jsonl"
    local.write_text('{"title": "甲"}\n', encoding="utf-8")
    shelf.put(local, "manifest.jsonl")
    assert not shelf.local
    assert shelf.read_text("manifest.jsonl") == '{"title": "甲"}\n'
    assert shelf.read_text("missing.jsonl") is None
    assert shelf.sizes() == {"manifest.jsonl": len(local.read_bytes())}
    fsspec.filesystem("memory").rm("/shelf-test", recursive=True)


def test_an_unknown_protocol_is_one_line():
    with pytest.raises(PublishError, match="cannot write to nosuchprotocol://x"):
        Shelf("nosuchprotocol://x")


def test_an_empty_folder_has_no_sizes(tmp_path):
    assert Shelf(str(tmp_path / "absent")).sizes() == {}
