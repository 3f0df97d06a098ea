"""Writer helper: TeX formulas → MathML (EPUB) and SVG (print), with mhchem translated to TeX.

latex2mathml turns TeX into MathML; ziamath lays the MathML out with its own STIX Two Math
font into SVG paths, which WeasyPrint (no MathML) embeds as an image. mhchem's ``\\ce``
notation, which neither knows, is translated into plain TeX first (:func:`chem_to_tex`). A
formula either library cannot lay out — a macro neither knows, a character the math font
lacks — gives ``None``; the writer then sets its TeX in monospace with a warning.
"""
from __future__ import annotations

import base64
import functools
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from fontTools.ttLib import TTFont

__all__ = ["Svg", "chem_to_tex", "mathml", "svg"]

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
#: The size ziamath lays formulas out at; the SVG is then scaled in ``em`` to the text size.
_SIZE = 20.0
_ARROWS = {"->": r"\rightarrow", "<-": r"\leftarrow", "<->": r"\leftrightarrow",
           "<=>": r"\rightleftharpoons", "<=>>": r"\rightleftharpoons",
           "<<=>": r"\rightleftharpoons", "=": "="}
_CHEM_TOKEN = re.compile(r"(<=>>|<<=>|<=>|<->|->|<-)(\[[^\]]*\])?(\[[^\]]*\])?|\s+|\$[^$]*\$")
_SPECIES_PART = re.compile(r"\((?:aq|s|l|g)\)|\^\{[^}]*\}|\^[0-9]*[+\-]|\^|\d+|[+\-](?=$)"
                           r"|[A-Za-z()\[\]]+|[.*·]|\\[A-Za-z]+|.")


@dataclass(frozen=True)
class Svg:
    """A formula laid out: the SVG, its size and its depth below the baseline, in em."""
    markup: str
    width: float
    height: float
    depth: float

    def data_url(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.markup.encode()).decode()


def chem_to_tex(ce: str) -> str:
    """mhchem ``\\ce`` notation → TeX, like ``2H2 + O2 -> 2H2O`` → ``2\\text{H}_{2} + …``."""
    ce = ce.strip()
    match = re.fullmatch(r"\\ce\s*\{(.*)\}", ce, re.S)
    if match:
        ce = match.group(1)
    out: list[str] = []
    position = 0
    for token in _CHEM_TOKEN.finditer(ce):
        out.append(_species_run(ce[position:token.start()]))
        text = token.group(0)
        if text.isspace():
            out.append(" ")
        elif text.startswith("$"):
            out.append(text[1:-1])
        else:
            arrow = _ARROWS[token.group(1)]
            above, below = (token.group(2) or "")[1:-1], (token.group(3) or "")[1:-1]
            if above or below:
                name = arrow.lstrip("\\")
                arrow = rf"\x{name}[{_species_run(below)}]{{{_species_run(above)}}}" \
                    if name in ("rightarrow", "leftarrow") else \
                    rf"\overset{{{_species_run(above)}}}{{{arrow}}}"
            out.append(f" {arrow} ")
        position = token.end()
    out.append(_species_run(ce[position:]))
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def _species_run(text: str) -> str:
    """One space-free run: ``+`` alone is a plus; a leading number a coefficient; digits after
    an element or bracket subscripts; ``^2+`` or a trailing ``+``/``-`` a charge."""
    if not text:
        return ""
    if text in ("+", "-"):
        return text
    if text == "v":
        return r"\downarrow"
    if text == "^":
        return r"\uparrow"
    out: list[str] = []
    if text.startswith("+") and len(text) > 1:
        out.append("+ ")
        text = text[1:]
    coefficient = re.match(r"\d+(?:/\d+)?", text)
    if coefficient:
        out.append(coefficient.group(0))
        text = text[coefficient.end():]
    previous = ""
    for part in _SPECIES_PART.findall(text):
        if part.isdigit() and previous:
            out.append(f"_{{{part}}}")
        elif part.startswith("^{"):
            out.append(part)
        elif part.startswith("^") and len(part) > 1:
            out.append(f"^{{{part[1:]}}}")
        elif part == "^":
            out.append(r"\uparrow")
        elif part in ("+", "-"):
            out.append(f"^{{{part}}}")
        elif part in (".", "*", "·"):
            out.append(r"\cdot ")
        elif part.startswith("\\"):
            out.append(part + " ")
        elif re.fullmatch(r"[A-Za-z()\[\]]+|\((?:aq|s|l|g)\)", part):
            out.append(rf"\text{{{part}}}")
        else:
            out.append(part)
        # After a dot (a hydrate's ·) a number is a coefficient again.
        previous = "" if part in (".", "*", "·") else part
    return "".join(out)


def _tex(tex: str, chem: bool) -> str:
    return chem_to_tex(tex) if chem else _chem_macros(tex)


def _chem_macros(tex: str) -> str:
    """``\\ce{…}`` (and ``\\pu{…}``) inside a ``<math>`` translated in place."""
    if "\\ce" not in tex and "\\pu" not in tex:
        return tex
    out, position = [], 0
    for match in re.finditer(r"\\(?:ce|pu)\s*\{", tex):
        if match.start() < position:
            continue
        start, depth, index = match.end(), 1, match.end()
        while index < len(tex) and depth:
            depth += {"{": 1, "}": -1}.get(tex[index], 0)
            index += 1
        if depth:
            break
        out.append(tex[position:match.start()])
        out.append("{" + chem_to_tex(tex[start:index - 1]) + "}")
        position = index
    out.append(tex[position:])
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def mathml(tex: str, chem: bool = False, display: bool = False) -> str | None:
    """The formula as a MathML ``<math>`` element (``alttext`` its TeX), or None."""
    element = _mathml_element(_tex(tex, chem), display)
    if element is None:
        return None
    element.set("alttext", tex)
    ElementTree.register_namespace("", MATHML_NS)
    return ElementTree.tostring(element, encoding="unicode")


def _mathml_element(tex: str, display: bool) -> ElementTree.Element | None:
    import latex2mathml.converter  # here: a second of start-up that books without math skip
    try:
        markup = latex2mathml.converter.convert(tex, display="block" if display else "inline")
        element = ElementTree.fromstring(markup)
    except Exception:  # latex2mathml raises its own and plain errors on bad TeX
        return None
    for node in element.iter():
        if node.text and "\\" in node.text:
            return None  # a macro latex2mathml does not know, printed as its name
    return element


@functools.lru_cache(maxsize=4096)
def svg(tex: str, chem: bool = False, display: bool = False) -> Svg | None:
    """The formula laid out as SVG paths at :data:`_SIZE`, measured in em, or None."""
    element = _mathml_element(_tex(tex, chem), display)
    if element is None:
        return None
    if any(ord(ch) > 127 and ord(ch) not in _math_font_characters()
           for node in element.iter() for ch in (node.text or "")):
        return None
    ziamath = _ziamath()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            laid = ziamath.Latex(_tex(tex, chem), size=_SIZE, inline=not display, margin=0)
            markup = laid.svg()
    except Exception:  # ziamath raises plain errors on what it cannot lay out
        return None
    box = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"', markup)
    if box is None:
        return None
    _, top, width, height = (float(value) for value in box.groups())
    return Svg(markup, width / _SIZE, height / _SIZE, (height + top) / _SIZE)


@functools.cache
def _ziamath():
    """ziamath, imported on the first formula (it loads its font as it is imported)."""
    with warnings.catch_warnings():
        # ziamath 0.13 loads its font through importlib.resources.path, deprecated in 3.11.
        warnings.simplefilter("ignore", DeprecationWarning)
        import ziamath
    ziamath.config.svg2 = False  # plain paths: WeasyPrint's SVG has no <symbol>
    return ziamath


@functools.cache
def _math_font_characters() -> frozenset[int]:
    """The characters of the math font ziamath ships and lays formulas out in."""
    path = Path(_ziamath().__file__).parent / "fonts" / "STIXTwoMath-Regular.ttf"
    with TTFont(str(path)) as font:
        return frozenset(font.getBestCmap())
