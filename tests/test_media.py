"""Media folder: figures found by their wiki name, the folder's digest, what the PDF may read."""
from __future__ import annotations

import os

import pytest

from publish.media import Media


@pytest.fixture
def media(tmp_path) -> Media:
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "Map_of_China.png").write_bytes(b"png")
    (folder / "old photo.jpg").write_bytes(b"jpg")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", folder / "link.png")
    return Media.of(tmp_path / "article.wiki")


def test_a_file_is_found_by_its_wiki_name_with_underscores_or_spaces(media):
    assert media.find("Map of China.png") == "media/Map_of_China.png"
    assert media.find(" Map_of_China.png ") == "media/Map_of_China.png"
    assert media.find("old photo.jpg") == "media/old photo.jpg"
    assert media.path(media.find("old_photo.jpg")).read_bytes() == b"jpg"
    assert media.find("missing.png") == ""


@pytest.mark.parametrize("name", ["../secret.txt", "a/b.png", "a\\b.png", ".hidden.png",
                                  "x\x00.png", "", "   ", "link.png"])
def test_only_plain_files_in_the_folder_are_found(media, name):
    assert media.find(name) == ""


def test_no_folder_finds_nothing_and_digests_as_an_empty_one(tmp_path):
    missing = Media.of(tmp_path / "a.wiki")
    assert missing.find("x.png") == ""
    (tmp_path / "media").mkdir()
    assert Media.of(tmp_path / "a.wiki").digest() == missing.digest()


def test_the_digest_changes_with_a_file(media):
    before = media.digest()
    (media.folder / "new.png").write_bytes(b"new")
    assert media.digest() != before


def test_the_pdf_may_read_files_in_the_folder_only(media, tmp_path):
    assert media.may_read(media.folder / "Map_of_China.png")
    assert not media.may_read(tmp_path / "secret.txt")
    assert not media.may_read(media.folder / ".." / "secret.txt")
    assert not media.may_read(media.folder / "link.png")  # it resolves outside
    assert not media.may_read(media.folder)
