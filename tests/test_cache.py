"""Rebuild cache: unchanged inputs are not rebuilt; a changed source, template or option is."""
from __future__ import annotations

import shutil

from publish import cache
from publish.cli import main


def _build(source, out, *args):
    assert main(["build", str(source), "--out", str(out), "--format", "epub",
                 "--script", "zh-Hans", *args]) == 0
    return (out / f"{source.stem}.zh-Hans.epub").stat().st_mtime_ns


def test_an_unchanged_edition_is_kept_and_a_changed_one_rebuilt(tmp_path, capsys):
    source = tmp_path / "a.wiki"
    source.write_text("正文。", encoding="utf-8")
    out = tmp_path / "out"
    first = _build(source, out)
    assert _build(source, out) == first
    assert "kept" in capsys.readouterr().err
    source.write_text("新的正文。", encoding="utf-8")
    second = _build(source, out)
    assert second != first
    source.with_suffix(".toml").write_text('title = "新标题"\n', encoding="utf-8")
    third = _build(source, out)
    assert third != second
    assert _build(source, out, "--force") != third


def test_an_output_changed_by_hand_is_rebuilt(tmp_path):
    source = tmp_path / "a.wiki"
    source.write_text("正文。", encoding="utf-8")
    out = tmp_path / "out"
    _build(source, out)
    edition = out / "a.zh-Hans.epub"
    edition.write_bytes(b"not an epub")
    _build(source, out)
    assert edition.read_bytes().startswith(b"PK")


def test_a_changed_template_changes_the_key(tmp_path, monkeypatch):
    from publish import writers

    templates = tmp_path / "templates"
    shutil.copytree(writers.TEMPLATES, templates)
    monkeypatch.setattr(writers, "TEMPLATES", templates)
    source = tmp_path / "a.wiki"
    source.write_text("正文。", encoding="utf-8")

    def key():
        cache._code_and_templates.cache_clear()
        return cache.edition_key(cache.source_digest(source), "zh-Hans", "epub", {}, [])

    before = key()
    assert key() == before
    with open(templates / "epub.css.jinja", "a", encoding="utf-8") as css:
        css.write("\np { color: black; }\n")
    assert key() != before
    cache._code_and_templates.cache_clear()


def test_a_folder_builds_every_source_in_it(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("甲", "乙", "丙"):
        (folder / f"{name}.wiki").write_text(f"{name}的正文。", encoding="utf-8")
    (folder / "notes.txt").write_text("not a source", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(folder), "--out", str(out), "--format", "epub"]) == 0
    assert sorted(p.name for p in out.glob("*.epub")) == sorted(
        f"{n}.{s}.epub" for n in ("甲", "乙", "丙") for s in ("zh-Hans", "zh-Hant"))
