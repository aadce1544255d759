"""Visual analysis: fixed-layout architecture plots, overlays, charts, widgets, rich display.

Everything works from records (descriptors, genomes, DataFrames), so a store produced on a
cluster can be analysed on a laptop. Architecture drawings share one geometry
(:func:`graph_geometry`: label boxes, connections routed around nodes, arrowheads) between the
matplotlib, plotly and SVG renderers. matplotlib figures are not tracked by pyplot, so a figure
returned at the end of a notebook cell is shown once; :func:`subplots` makes grids the same way.
Study charts take a ``Study``, ``SearchHistory`` or DataFrame first, then keyword options
(``backend="matplotlib" | "plotly"``). matplotlib, plotly and ipywidgets are imported only
when a function that draws with them is called; builders (torch) only for realised plots.

Examples
--------
>>> from nasnb.descriptors import NeuralDescriptor
>>> from nasnb.viz import SharedLayout, plot_architecture
>>> layout = SharedLayout()
>>> fig = plot_architecture(NeuralDescriptor.sequential(["nn.Identity", "nn.ReLU"]), layout)
>>> fig.savefig  # doctest: +ELLIPSIS
<bound method Figure.savefig of <Figure ...>>
"""

from nasnb.viz._graph_draw import subplots
from nasnb.viz.architecture import ArchitectureData, architecture_data, plot_architecture
from nasnb.viz.charts_analysis import (
    GeneBoxData,
    ParamsFitnessData,
    SurfaceData,
    TauHeatmapData,
    gene_box_data,
    params_fitness_data,
    plot_gene_boxes,
    plot_params_fitness,
    plot_surfaces,
    plot_tau_heatmap,
    surface_data,
    tau_heatmap_data,
)
from nasnb.viz.charts_search import (
    ECDFData,
    ParallelData,
    ProgressData,
    SampleCountData,
    TimelineData,
    ecdf_data,
    parallel_data,
    plot_ecdf,
    plot_parallel_coordinates,
    plot_progress,
    plot_sample_counts,
    plot_timeline,
    progress_data,
    sample_count_data,
    timeline_data,
)
from nasnb.viz.dashboard import LiveDashboard
from nasnb.viz.display import descriptor_html, genome_html, study_html, study_summary
from nasnb.viz.dot import architecture_dot, graphviz_available, render_dot
from nasnb.viz.editor import ArchitectureEditor
from nasnb.viz.genome import genome_descriptor, genome_tables
from nasnb.viz.geometry import Geometry, graph_geometry
from nasnb.viz.inspector import EvolutionExplorer, GenomeInspector
from nasnb.viz.layout import SharedLayout, node_keys
from nasnb.viz.overlay import OverlayData, overlay_alpha, overlay_data, plot_overlay
from nasnb.viz.rank_explorer import RankCorrelationExplorer
from nasnb.viz.realised import plot_realised, realised_data
from nasnb.viz.study_explorer import StudyExplorer
from nasnb.viz.svg import architecture_svg, overlay_svg

__all__ = [
    "ArchitectureData",
    "architecture_data",
    "plot_architecture",
    "SharedLayout",
    "node_keys",
    "Geometry",
    "graph_geometry",
    "subplots",
    "OverlayData",
    "overlay_data",
    "overlay_alpha",
    "plot_overlay",
    "realised_data",
    "plot_realised",
    "architecture_dot",
    "render_dot",
    "graphviz_available",
    "architecture_svg",
    "overlay_svg",
    "genome_descriptor",
    "genome_tables",
    "ProgressData",
    "progress_data",
    "plot_progress",
    "ECDFData",
    "ecdf_data",
    "plot_ecdf",
    "SampleCountData",
    "sample_count_data",
    "plot_sample_counts",
    "ParallelData",
    "parallel_data",
    "plot_parallel_coordinates",
    "TimelineData",
    "timeline_data",
    "plot_timeline",
    "TauHeatmapData",
    "tau_heatmap_data",
    "plot_tau_heatmap",
    "SurfaceData",
    "surface_data",
    "plot_surfaces",
    "GeneBoxData",
    "gene_box_data",
    "plot_gene_boxes",
    "ParamsFitnessData",
    "params_fitness_data",
    "plot_params_fitness",
    "GenomeInspector",
    "EvolutionExplorer",
    "LiveDashboard",
    "RankCorrelationExplorer",
    "StudyExplorer",
    "ArchitectureEditor",
    "descriptor_html",
    "genome_html",
    "study_html",
    "study_summary",
]
