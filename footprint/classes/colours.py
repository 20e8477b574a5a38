"""The class colours: the EU energy label's seven, A (dark green) to G (red), for pages and plots."""

from __future__ import annotations

# The energy label's scale, then three darker reds for the rare table of eight to ten classes.
PALETTE = ["#00843d", "#52ae32", "#c8d400", "#fff000", "#fbba00", "#eb6909", "#e2001a", "#b5121b", "#8b0000", "#5a0000"]
LIGHT = {"#c8d400", "#fff000", "#fbba00"}  # take dark ink


def class_colours(n: int) -> list[str]:
    """Colours of a scale of n classes: up to seven spread over the label's seven, more in order."""
    if n <= 7:
        return [PALETTE[round(i * 6 / max(n - 1, 1))] for i in range(n)]
    return [PALETTE[min(i, len(PALETTE) - 1)] for i in range(n)]


def ink(colour: str) -> str:
    """Text colour readable on a class colour."""
    return "#1b1f24" if colour in LIGHT else "#ffffff"
