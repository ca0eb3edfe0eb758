"""Printing benchmark results: plain text tables."""
from __future__ import annotations


def table(headers: list[str], lines: list[list[str]], left: set[int]) -> str:
    """Columns right-aligned but those numbered in `left`."""
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:{'<' if i in left else '>'}{w}}}" for i, w in enumerate(widths))
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt.format(*headers), rule] + [fmt.format(*line).rstrip()
                                                       for line in lines])
