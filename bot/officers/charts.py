"""The rekap as a chart image (PNG) for officers in the chat."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no screen on a server

from matplotlib import pyplot  # noqa: E402

from bot.officers.rekap import STATES, Rekap  # noqa: E402

# The same colours as the overview page's bars; "not needed" is apart from "have", never green.
COLOURS = {"have": "#2e9e5b", "processing": "#e0a020", "lack": "#c9d3da", "not_needed": "#8ab4d8"}


def rekap_chart(table: Rekap, permit: str, title: str, labels: dict[str, str]) -> bytes:
    """A horizontal stacked bar per group: how many have `permit`, are processing it, lack it, or do not need it
    (a bar is as long as the group's businesses)."""
    rows = table.rows or [table.total]
    names = [row.shown for row in rows]  # "Mataram (Kota Mataram)": a name may repeat across regencies
    figure, axes = pyplot.subplots(figsize=(7, 0.5 * len(rows) + 1.6), dpi=110)
    left = [0] * len(rows)
    for state in STATES:
        values = [row.permits[permit][state] for row in rows]
        axes.barh(names, values, left=left, color=COLOURS[state], label=labels.get(state, state))
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.set_title(title)
    axes.legend(loc="lower right", fontsize="small")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()
