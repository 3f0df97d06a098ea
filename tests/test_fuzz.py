"""Property: the reader, the transforms and the HTML writer take any wikitext-like input
without raising, and emit well-formed XML without wikitext debris.

A short run is part of ``make test``; ``make fuzz`` runs the long one (HYPOTHESIS_PROFILE=fuzz).
"""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from publish import transforms
from publish.model import Protected, Text, walk
from publish.readers.wikitext import read_text
from publish.report import Report
from publish.writers.html import Translator

FRAGMENTS = [
    "[[", "]]", "{{", "}}", "|", "=", "==", "\n", "\n\n", "'''", "''", "-{", "}-", ";",
    "zh-hans:", "zh-hant:", "H|", "A|", "<ref>", "</ref>", '<ref name="a">', '<ref name="a"/>',
    "<references/>", "{{rp|3}}", "{{cite book|title=", "{{fact|", "{{Main|", "{{Reflist}}",
    "[[File:x.png|thumb|", "[[Category:类", "[http://example.org ", "]", "{|", "|-", "|}",
    "* ", "# ", "<span>", "</span>", "<br/>", "<!--", "-->", "&nbsp;", "&#1;", "&amp;",
    "<script>", "\x00", "\x1b", "\ufffe", "\u202e", "“", "”", "「", "」", "，", "。",
    "中", "苏", "关系", "國", "后", "Latin", "123", " ",
]
WIKITEXT = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=40).map("".join)
DEBRIS = re.compile(r"\[\[|\]\]|\{\{|\}\}|-\{|\}-|<ref|'''|\ue000|\ue001")
NAMESPACES = 'xmlns:epub="http://www.idpf.org/2007/ops"'


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(WIKITEXT, st.sampled_from(["zh-Hans", "zh-Hant"]))
def test_any_input_gives_a_clean_well_formed_book(wikitext, script):
    report = Report()
    document = transforms.apply(read_text(wikitext, report), script, report)
    # Each run of text on its own: "}" written as -{}}- beside "->" is no "}-" left over.
    for node in walk(document):
        if isinstance(node, (Text, Protected)):
            assert not DEBRIS.search(node.text), node
    for target in ("print", "epub"):
        translator = Translator(document, target)
        body = str(translator.blocks(document.blocks))
        body += "".join(str(translator.section(section)) for section in document.sections)
        if target == "epub":
            body += str(translator.footnotes())
        etree.fromstring(f"<div {NAMESPACES}>{body}</div>".encode())
