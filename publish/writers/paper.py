"""PDF writer helper: the paper sizes and the page geometry set on each.

Apart from ``pdf`` so that the command line lists the sizes without importing the renderer
(its templates, images and fonts modules: most of a no-change rebuild's time).
"""
from __future__ import annotations

import dataclasses

__all__ = ["BOOKLET_PAGES", "HANDOUT_PAPERS", "PAPERS", "Paper"]


@dataclasses.dataclass(frozen=True)
class Paper:
    """Represents a paper size and the page geometry set on it (points)."""
    width: float
    height: float
    chars: int
    font_size: float = 10.5
    top: float = 62.0
    bottom: float = 66.0
    #: The inner margin's share of the two side margins (the binding side, or for a
    #: handout the side of the paragraph numbers; the other side is left for notes).
    inner_share: float = 0.44

    @property
    def measure(self) -> float:
        return self.chars * self.font_size

    @property
    def inner(self) -> float:
        return round((self.width - self.measure) * self.inner_share, 3)

    @property
    def outer(self) -> float:
        return round(self.width - self.measure - self.inner, 3)


#: Paper sizes: A4 and Letter carry 38 characters a line at 10.5 pt, A5 and B5 fewer.
PAPERS = {
    "a4": Paper(595.276, 841.89, 38),
    "letter": Paper(612.0, 792.0, 38),
    "a5": Paper(419.528, 595.276, 28, top=48.0, bottom=54.0),
    "b5": Paper(498.898, 708.661, 34, top=54.0, bottom=60.0),
    "half-letter": Paper(396.0, 612.0, 26, top=48.0, bottom=54.0),
}
#: Handouts: 12 pt type, a narrow inner margin and a wide outer one for the class's notes.
HANDOUT_PAPERS = {
    "a4": Paper(595.276, 841.89, 30, font_size=12.0, top=56.0, bottom=60.0, inner_share=0.25),
    "letter": Paper(612.0, 792.0, 30, font_size=12.0, top=52.0, bottom=56.0, inner_share=0.25),
    "a5": Paper(419.528, 595.276, 25, font_size=12.0, top=44.0, bottom=50.0, inner_share=0.5),
    "b5": Paper(498.898, 708.661, 28, font_size=12.0, top=50.0, bottom=54.0, inner_share=0.3),
    "half-letter": Paper(396.0, 612.0, 23, font_size=12.0, top=44.0, bottom=50.0,
                         inner_share=0.5),
}
#: A booklet folds sheets of one size: its pages are half of them.
BOOKLET_PAGES = {"a4": "a5", "letter": "half-letter"}
