"""Rich display: HTML for descriptors, genomes and studies left as the last expression of a cell.

The owners' ``_repr_html_`` methods call these functions (``NeuralDescriptor._repr_html_``
calls :func:`descriptor_html`). They need neither matplotlib nor plotly: an inline SVG on a
fixed layout plus small tables.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> html_text = descriptor_html(NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"], name="tiny"))
>>> "<svg" in html_text and "2 layers" in html_text
True
"""

from __future__ import annotations

import html
import logging
from typing import Any

import pandas as pd

from nasnb.exceptions import NasnbError
from nasnb.viz._records import as_descriptor, as_frame
from nasnb.viz.genome import genome_descriptor, genome_tables
from nasnb.viz.svg import architecture_svg, table_html

__all__ = ["descriptor_html", "genome_html", "study_html", "study_summary"]

logger = logging.getLogger(__name__)

_STYLE = "font-family:sans-serif;font-size:12px"


def descriptor_html(descriptor: Any, layout: Any = None) -> str:
    """HTML of a descriptor: its graph as inline SVG and a one-line summary.

    Parameters
    ----------
    descriptor : NeuralDescriptor, dict or JSON
        The architecture.
    layout : SharedLayout, optional
        Shared layout (so related descriptors display with the same positions).
    """
    d = as_descriptor(descriptor, func="descriptor_html")
    try:
        svg = architecture_svg(d, layout)
    except NasnbError as exc:  # an unfinished descriptor still displays its summary
        logger.debug("descriptor_html could not lay out %r: %s", d, exc)
        svg = f"<i>(not drawable: {html.escape(str(exc))})</i>"
    edges = len(d.connections)
    try:
        inactive = len(d) - len(d.active_layers())
    except NasnbError:
        inactive = 0
    extra = f", {inactive} inactive" if inactive else ""
    title = f"<b>{html.escape(d.name)}</b>: " if d.name else ""
    return (
        f'<div class="nasnb-descriptor" style="{_STYLE}">{title}NeuralDescriptor with {len(d)} layers, '
        f"{edges} connections{extra}<br>{svg}</div>"
    )


def genome_html(genome: Any, gene_set: Any = None, layout: Any = None) -> str:
    """HTML of a genome: its whole graph (inactive nodes faded) and its chromosome tables.

    Parameters
    ----------
    genome : Genome, dict or JSON text
        The genome.
    gene_set : GeneSet, optional
        Used to name the layers as the decoder would.
    layout : SharedLayout, optional
        Shared layout.

    Examples
    --------
    >>> doc = {"format": "nasnb.genome", "schema_version": 1,
    ...        "layers": [{"innovation": 1, "type": "CONV_3.N", "params": {}}],
    ...        "connections": [[0, -2, 99, False], [2, -2, 1, True], [3, 1, 99, True]]}
    >>> text = genome_html(doc)
    >>> "connections chromosome" in text and 'data-name="node_1"' in text
    True
    """
    d = genome_descriptor(genome, gene_set)
    parts = [
        f'<div class="nasnb-genome" style="{_STYLE}"><b>Genome</b>: {len(d) - 2} hidden nodes, '
        f"{len(d.connections)} enabled connections<br>{architecture_svg(d, layout)}"
    ]
    for name, table in genome_tables(genome).items():
        parts.append(
            f"<details><summary>{html.escape(name)} chromosome ({len(table)} genes)</summary>"
            f"{table_html(table)}</details>"
        )
    parts.append("</div>")
    return "".join(parts)


def study_summary(records: Any) -> pd.DataFrame:
    """One-row-per-status summary of a study's evaluations (count, best / mean fitness, time).

    Examples
    --------
    >>> frame = pd.DataFrame({"fitness": [0.5, 0.9, 0.0], "status": ["done", "done", "invalid"]})
    >>> study_summary(frame)[["status", "count", "best fitness"]].values.tolist()
    [['done', 2, 0.9], ['invalid', 1, nan]]
    """
    frame = as_frame(records, func="study_summary")
    rows = []
    for status, group in frame.groupby("status", sort=True):
        fit = group["fitness"] if "fitness" in group else pd.Series(dtype=float)
        rows.append(
            {
                "status": status,
                "count": int(len(group)),
                "best fitness": float(fit.max()) if fit.notna().any() else float("nan"),
                "mean fitness": float(fit.mean()) if fit.notna().any() else float("nan"),
                "total time (s)": float(group["total_time"].sum()) if "total_time" in group else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def study_html(study: Any, *, name: str | None = None) -> str:
    """HTML summary of a study (or any record frame): counts per status, the best evaluations.

    Parameters
    ----------
    study : Study, SearchHistory, DataFrame or list of records
        Anything :func:`nasnb.viz._records.as_frame` reads.
    name : str, optional
        Title (defaults to the study's ``name`` attribute).
    """
    frame = as_frame(study, func="study_html")
    title = name or getattr(study, "name", None) or "Study"
    parts = [
        f'<div class="nasnb-study" style="{_STYLE}"><b>{html.escape(str(title))}</b>: {len(frame)} evaluations<br>',
        table_html(study_summary(frame)),
    ]
    if "fitness" in frame and frame["fitness"].notna().any():
        done = frame[frame["status"] == "done"] if (frame["status"] == "done").any() else frame
        cols = [c for c in ("seq", "fitness", "status", "total_time", "descriptor_hash") if c in done.columns]
        parts.append("<p>Best evaluations</p>" + table_html(done.nlargest(5, "fitness")[cols]))
    parts.append("</div>")
    return "".join(parts)
