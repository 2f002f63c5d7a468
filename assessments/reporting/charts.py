"""The report's charts: the thematic matrix as a heat map, response rates, added value ranked.

Figures are built with matplotlib's object API on the Agg canvas (no pyplot state, safe in a
worker) and written as SVG for HTML and PDF or PNG for Word. The SVG is byte-for-byte the same
for the same figures: a fixed hash salt for its ids and no date in its metadata.
"""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from assessments.reporting.selectors import ReportData

SVG_SETTINGS = {"svg.hashsalt": "iscm-round-report", "svg.fonttype": "none"}
BLUE, GREY, LIGHT = "#1f5f8b", "#6b7280", "#eef1f4"
LABEL_LENGTH = 48


def short(text: str, length: int = LABEL_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def svg(fig: Figure) -> str:
    """The figure as an SVG element to put inline in HTML (no XML prolog)."""
    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_SETTINGS):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def png(fig: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def inline(svg_text: str, *, prefix: str, label: str) -> str:
    """Ready to sit inline in a page beside other charts: its ids (and the references to them)
    prefixed so that two charts never share one, and named for assistive technology (its
    figures are in the tables beside it)."""
    svg_text = re.sub(r'(\bid="|url\(#|href="#)', rf"\g<1>{prefix}-", svg_text)
    label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return re.sub(r"<svg\b", f'<svg role="img" aria-label="{label}"', svg_text, count=1)


def empty(fig: Figure, message: str) -> Figure:
    axes = fig.add_subplot()
    axes.axis("off")
    axes.text(0.5, 0.5, message, ha="center", va="center", color=GREY)
    return fig


def thematic_heatmap(data: ReportData, no_data: str = "No answers") -> Figure:
    matrix = data.thematic_matrix
    mechanisms, areas = matrix["mechanisms"], matrix["areas"]
    # About 15 cm high for the 30 areas: the figure fits a landscape page under its heading.
    fig = new_figure(max(5.0, 3.6 + 0.42 * len(mechanisms)), 0.8 + 0.17 * max(len(areas), 4))
    if not mechanisms:
        return empty(fig, no_data)
    axes = fig.add_subplot()
    cells = [[1 if cell else 0 for cell in area["cells"]] for area in areas]
    axes.imshow(
        cells, cmap=ListedColormap([LIGHT, BLUE]), vmin=0, vmax=1, aspect="auto",
        interpolation="nearest",
    )  # fmt: skip
    axes.set_xticks(range(len(mechanisms)), mechanisms, rotation=90 if len(mechanisms) > 8 else 0)
    axes.set_yticks(range(len(areas)), [f"{short(a['label'])} ({a['mechanisms']})" for a in areas])
    axes.xaxis.tick_top()
    axes.tick_params(length=0, labelsize=6.5)
    axes.set_xticks([x - 0.5 for x in range(1, len(mechanisms))], minor=True)
    axes.set_yticks([y - 0.5 for y in range(1, len(areas))], minor=True)
    axes.grid(which="minor", color="white", linewidth=1.5)
    axes.tick_params(which="minor", length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    return fig


def bars(
    axes: Any,
    labels: list[str],
    values: list[float | None],
    notes: list[str],
    slots: int = 0,
) -> None:
    """Horizontal percentage bars, first label on top, each with its note at the bar's end;
    `slots` keeps bars as thick as in a longer panel beside this one."""
    slots = max(slots, len(labels))
    positions = [slots - 1 - i for i in range(len(labels))]
    # A share is at most 100 % (more blocks than expected, after membership changes, is cut).
    widths = [min(v or 0, 100.0) for v in values]
    axes.barh(positions, widths, color=BLUE, height=0.6)
    axes.set_yticks(positions, [short(label, 40) for label in labels])
    axes.set_ylim(-0.5, slots - 0.5)
    axes.set_xlim(0, 118)
    axes.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100 %"])
    axes.tick_params(labelsize=7, length=0)
    for position, width, note in zip(positions, widths, notes, strict=True):
        axes.text(width + 1.5, position, note, va="center", fontsize=7, color=GREY)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def response_rates_chart(data: ReportData, titles: tuple[str, str]) -> Figure:
    """By audience and by region side by side, so that many regions stay legible on a page."""
    by_audience = data.response_rates_by_audience
    by_region = data.response_rates_by_region
    slots = max(len(by_audience), len(by_region), 1)
    fig = new_figure(10.0, 1.0 + 0.24 * slots)
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.3])
    bars(
        left, [r["label"] for r in by_audience], [r["percent"] for r in by_audience],
        [f"{r['responded']} / {r['participants']}" for r in by_audience], slots,
    )  # fmt: skip
    left.set_title(titles[0], fontsize=9, loc="left")
    bars(
        right, [r["region"] for r in by_region], [r["percent"] for r in by_region],
        [f"{r['submitted']} / {r['expected']}" for r in by_region], slots,
    )  # fmt: skip
    right.set_title(titles[1], fontsize=9, loc="left")
    return fig


def added_value_chart(data: ReportData, no_data: str = "No answers") -> Figure:
    rows = data.added_value["overall"]
    fig = new_figure(7.5, 1.0 + 0.3 * max(len(rows), 2))
    if not rows:
        return empty(fig, no_data)
    bars(
        fig.add_subplot(), [f"{r['rank']}. {r['label']}" for r in rows],
        [r["percent"] for r in rows], [f"{r['percent']} % ({r['count']})" for r in rows],
    )  # fmt: skip
    return fig
