"""An architecture editor widget: edit a descriptor, see it validated, realised, counted and trained.

:class:`ArchitectureEditor` shows a :class:`~nasnb.descriptors.NeuralDescriptor` whose layers
you click to select (at most two). Buttons insert a layer after the selected one, add a
branch from it, remove it (its inputs are joined to its outputs), connect or disconnect the
two selected layers, apply a random seeded mutation, or undo. After every change the
descriptor is validated (errors are listed live, naming the layer or connection), built for
the data set, and the realised network (inserted merge layers included), its summary and
its parameter count are shown. *Train* trains it on the data set (scikit-learn's digits by
default) in a background thread with a progress bar and shows test accuracy, loss and time.

Everything the buttons do is also a method, so an editor can be scripted (and tested)
without a browser.

Examples
--------
>>> editor = ArchitectureEditor()
>>> editor.descriptor.topological_order()
['conv', 'relu', 'pool']
>>> before = editor.num_parameters
>>> name = editor.add_layer("nn.Conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}, after="relu")
>>> editor.descriptor.topological_order(), editor.num_parameters > before
(['conv', 'relu', 'layer_0', 'pool'], True)
>>> editor.connect("pool", "conv"); editor.errors
['The descriptor has a cycle: conv -> relu -> layer_0 -> pool -> conv.']
>>> editor.undo(), editor.errors
(True, [])
"""

from __future__ import annotations

import html
import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from nasnb._validation import check_positive_int
from nasnb.descriptors import NeuralDescriptor
from nasnb.exceptions import NasnbError, ParameterError
from nasnb.viz._records import as_descriptor
from nasnb.viz._widget_base import WidgetApp, architecture_view, figure_widget, widgets_module
from nasnb.viz.layout import SharedLayout
from nasnb.viz.svg import architecture_svg

__all__ = ["ArchitectureEditor", "DEFAULT_PALETTE", "default_descriptor"]

logger = logging.getLogger(__name__)

#: Layers offered by default (label -> (layer type, parameters)), for image data such as digits.
DEFAULT_PALETTE: dict[str, tuple[str, dict[str, Any]]] = {
    "Conv 3×3, 16 filters": ("nn.Conv2d", {"out_channels": 16, "kernel_size": 3, "padding": 1}),
    "Conv 5×5, 16 filters": ("nn.Conv2d", {"out_channels": 16, "kernel_size": 5, "padding": 2}),
    "Conv 1×1, 16 filters": ("nn.Conv2d", {"out_channels": 16, "kernel_size": 1}),
    "ReLU": ("nn.ReLU", {}),
    "Max pool 2×2": ("nn.MaxPool2d", {"kernel_size": 2}),
    "Average pool 2×2": ("nn.AvgPool2d", {"kernel_size": 2}),
    "Batch norm": ("nn.BatchNorm2d", {}),
    "Dropout 0.2": ("nn.Dropout", {"p": 0.2}),
    "Identity": ("nn.Identity", {}),
}


def default_descriptor() -> NeuralDescriptor:
    """The editor's starting network: conv 3×3 (8 filters) → ReLU → max pool 2×2.

    Examples
    --------
    >>> default_descriptor().topological_order()
    ['conv', 'relu', 'pool']
    """
    d = NeuralDescriptor("edited")
    d.add_layer_sequential("nn.Conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}, name="conv")
    d.add_layer_sequential("nn.ReLU", name="relu")
    d.add_layer_sequential("nn.MaxPool2d", {"kernel_size": 2}, name="pool")
    return d


class ArchitectureEditor(WidgetApp):
    """Edit an architecture with live validation, its realised network, parameter count and training.

    Parameters
    ----------
    descriptor : NeuralDescriptor, dict, JSON or genome, optional
        Starting architecture (copied); default :func:`default_descriptor`.
    dataset : str
        Data set the network is built for and trained on (a name in the evaluator's registry).
    palette : dict, optional
        Layers offered: ``{label: (layer type, params)}``; default :data:`DEFAULT_PALETTE`.
    evaluator : LocalEvaluator, optional
        Gives optimizer, batch size, merge policy, device and data (default: Adam, lr 0.01,
        batch 64).
    epochs : int
        Default number of training epochs.
    seed : int
        Seed of the mutations, of the weights and of the batch order.

    Attributes
    ----------
    descriptor : NeuralDescriptor
        The architecture being edited.
    errors : list of str
        Why it cannot be built now (empty when it can).
    num_parameters : int or None
        Parameters of the realised network (``None`` while it cannot be built).
    result : EvaluationResult or None
        The last training result.
    """

    # widgets made by _build (only when the UI is built); loss_chart when training starts
    loss_chart: Any
    loss_box: Any

    def __init__(
        self,
        descriptor: Any = None,
        *,
        dataset: str = "digits",
        palette: Mapping[str, Any] | None = None,
        evaluator: Any = None,
        epochs: int = 3,
        seed: int = 0,
    ) -> None:
        self.descriptor = (
            default_descriptor() if descriptor is None else as_descriptor(descriptor, func="ArchitectureEditor").copy()
        )
        self.dataset = dataset
        self.palette = dict(DEFAULT_PALETTE if palette is None else palette)
        if not self.palette:
            raise ParameterError("The 'palette' parameter of ArchitectureEditor must offer at least one layer.")
        for label, entry in self.palette.items():
            if not (isinstance(entry, (tuple, list)) and len(entry) == 2 and isinstance(entry[1], Mapping)):
                raise ParameterError(
                    f"The 'palette' entry {label!r} of ArchitectureEditor must be "
                    f"(layer type, params dict). Got {entry!r} instead."
                )
        self.evaluator = evaluator
        self.epochs = check_positive_int(epochs, "epochs", "ArchitectureEditor")
        self.seed = int(seed)
        self._rng = np.random.default_rng(self.seed)
        self._undo: list[NeuralDescriptor] = []
        self._layout = SharedLayout()
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.network: Any = None
        self.num_parameters: int | None = None
        self.result: Any = None
        self.losses: list[float] = []
        self.last_mutation = ""
        self._thread: threading.Thread | None = None
        self._check()

    # ----------------------------------------------------------------- data set and evaluator
    def _evaluator(self):
        if self.evaluator is None:
            from nasnb.evaluators import LocalEvaluator

            self.evaluator = LocalEvaluator("Adam", {"lr": 1e-2}, batch_size=64)
        return self.evaluator

    def _config(self):
        return self._evaluator().registry().get(self.dataset)

    # ----------------------------------------------------------------- checking
    def _check(self) -> None:
        """Validate, build and count; refresh the display."""
        from nasnb.builders import build_network

        d = self.descriptor
        self.errors, self.warnings, self.network, self.num_parameters = [], [], None, None
        try:
            d.validate()
            inactive = sorted(set(d.layers) - d.active_layers())
            if inactive:
                self.warnings.append(
                    f"Layer(s) {', '.join(inactive)} lie on no input → output path and are left out of the network."
                )
            config = self._config()
            ev = self._evaluator()
            self.network = build_network(
                d,
                config.input_shape,
                config.num_outputs,
                merge=ev.merge,
                fixed_channels=config.fixed_channels,
                head=config.head,
                seed=self.seed,
            )
            self.num_parameters = int(self.network.num_parameters())
        except (NasnbError, ValueError, RuntimeError) as exc:
            self.errors.append(str(exc))
        self._render()

    # ----------------------------------------------------------------- editing
    def _edit(self) -> NeuralDescriptor:
        self._undo.append(self.descriptor.copy())
        return self.descriptor

    def _resolve(self, layer: Any, params: Any) -> tuple[str, dict]:
        if isinstance(layer, str) and layer in self.palette:
            type_, default = self.palette[layer]
            return type_, dict(default if params is None else params)
        return layer, dict(params or {})

    def add_layer(
        self, layer: Any, params: Mapping[str, Any] | None = None, *, after: str | None = None, branch: bool = False
    ) -> str:
        """Add a layer after ``after`` (default: the output layer) and return its name.

        ``layer`` is a palette label or a layer type. Without ``branch`` the new layer is
        inserted: it takes over ``after``'s outgoing connections. With ``branch`` it only
        receives ``after``'s output (connect its output yourself).
        """
        type_, params = self._resolve(layer, params)
        d = self.descriptor
        if after is not None and after not in d:
            raise ParameterError(
                f"The 'after' parameter of ArchitectureEditor.add_layer must be a layer of the "
                f"descriptor. Got {after!r} instead."
            )
        if after is None and len(d):
            try:
                after = d.output_layer
            except NasnbError:
                after = None
        was_output = after is not None and self._is_output(after)
        d = self._edit()
        try:
            name = d.add_layer(type_, params)
        except NasnbError:
            self._undo.pop()
            raise
        if after is not None:
            if not branch:
                for nxt in d.outgoing(after):
                    d.disconnect_layers(after, nxt)
                    d.connect_layers(name, nxt)
                if was_output:
                    d.set_output(name)
            d.connect_layers(after, name)
        self._check()
        return name

    def _is_output(self, name: str) -> bool:
        try:
            return self.descriptor.output_layer == name
        except NasnbError:
            return False

    def remove_layer(self, name: str) -> None:
        """Remove layer ``name``; its inputs are connected to its outputs so the path stays."""
        d = self.descriptor
        if name not in d:
            raise ParameterError(
                f"The 'name' parameter of ArchitectureEditor.remove_layer must be a layer of the "
                f"descriptor. Got {name!r} instead."
            )
        ins, outs = d.incoming(name), d.outgoing(name)
        was_output = self._is_output(name)
        d = self._edit()
        d.remove_layer(name)
        for p in ins:
            for q in outs:
                d.connect_layers(p, q)
        if was_output and len(ins) == 1:
            d.set_output(ins[0])
        self._check()

    def connect(self, src: str, dst: str) -> None:
        """Connect ``src`` → ``dst`` (a cycle or a missing layer shows up in :attr:`errors`)."""
        d = self._edit()
        try:
            d.connect_layers(src, dst)
        except NasnbError as exc:
            self._undo.pop()
            raise ParameterError(str(exc)) from exc
        self._check()

    def disconnect(self, src: str, dst: str) -> None:
        """Remove the connection ``src`` → ``dst``."""
        d = self._edit()
        try:
            d.disconnect_layers(src, dst)
        except NasnbError as exc:
            self._undo.pop()
            raise ParameterError(str(exc)) from exc
        self._check()

    def mutate(self) -> str:
        """Apply one random mutation (seeded by ``seed``); return what it did.

        One of: insert a palette layer on a connection, remove a hidden layer, add a forward
        connection, change a layer to another palette layer.
        """
        d, rng = self.descriptor, self._rng
        try:
            order = d.topological_order()
        except NasnbError:
            order = list(d.layers)
        ends = set()
        for role in ("input_layer", "output_layer"):
            try:
                ends.add(getattr(d, role))
            except NasnbError:
                pass
        hidden = [n for n in order if n not in ends]
        pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 2 :] if b not in d.outgoing(a)]
        ops = (
            ["change"]
            + (["insert"] if d.connections else [])
            + (["remove"] if len(hidden) > 0 and len(d) > 2 else [])
            + (["connect"] if pairs else [])
        )
        op = ops[int(rng.integers(len(ops)))]
        labels = list(self.palette)
        label = labels[int(rng.integers(len(labels)))]
        if op == "insert":
            src, dst = d.connections[int(rng.integers(len(d.connections)))]
            self._edit()
            type_, params = self.palette[label]
            name = self.descriptor.add_layer(type_, params)
            self.descriptor.disconnect_layers(src, dst)
            self.descriptor.connect_layers(src, name)
            self.descriptor.connect_layers(name, dst)
            text = f"inserted {label} ({name}) on {src} → {dst}"
            self._check()
        elif op == "remove":
            name = hidden[int(rng.integers(len(hidden)))]
            self.remove_layer(name)
            text = f"removed {name}"
        elif op == "connect":
            src, dst = pairs[int(rng.integers(len(pairs)))]
            self.connect(src, dst)
            text = f"connected {src} → {dst}"
        else:
            name = order[int(rng.integers(len(order)))]
            self._replace(name, *self.palette[label])
            text = f"changed {name} to {label}"
        self.last_mutation = text
        self._render()
        return text

    def _replace(self, name: str, type_: str, params: Mapping[str, Any]) -> None:
        d = self.descriptor
        ins, outs = d.incoming(name), d.outgoing(name)
        roles = (self._is_output(name),)
        self._edit()
        d.remove_layer(name)
        d.add_layer(type_, params, name=name)
        for p in ins:
            d.connect_layers(p, name)
        for q in outs:
            d.connect_layers(name, q)
        if roles[0]:
            d.set_output(name)
        self._check()

    def set_layer(self, name: str, layer: Any, params: Mapping[str, Any] | None = None) -> None:
        """Replace the type and parameters of layer ``name`` (its connections stay)."""
        if name not in self.descriptor:
            raise ParameterError(
                f"The 'name' parameter of ArchitectureEditor.set_layer must be a layer of the "
                f"descriptor. Got {name!r} instead."
            )
        self._replace(name, *self._resolve(layer, params))

    def undo(self) -> bool:
        """Go back one edit; return whether there was one."""
        if not self._undo:
            return False
        self.descriptor = self._undo.pop()
        self._check()
        return True

    # ----------------------------------------------------------------- training
    def train(self, epochs: int | None = None, *, wait: bool = True):
        """Train the current architecture on the data set; return the result (``wait``) or the thread.

        The progress bar advances per batch; the result shows test loss and metrics.
        """
        epochs = self.epochs if epochs is None else check_positive_int(epochs, "epochs", "ArchitectureEditor.train")
        if self.network is None:
            raise ParameterError("The architecture cannot be trained while it has errors: " + "; ".join(self.errors))
        if self._thread is not None and self._thread.is_alive():
            raise ParameterError("A training run is already in progress; wait for it to finish.")
        d = self.descriptor.copy()
        if hasattr(self, "loss_box") and self.loss_chart is None:
            self.loss_chart = figure_widget()
            self.loss_chart.add_scatter(x=[], y=[], mode="lines+markers", name="training loss")
            self.loss_chart.update_layout(
                height=220,
                width=380,
                margin=dict(l=50, r=10, t=30, b=40),
                title="training loss",
                xaxis_title="epoch",
                yaxis_title="loss",
                template="plotly_white",
            )
            self.loss_box.children = (self.loss_chart,)
        self._thread = threading.Thread(
            target=self._train_job, args=(d, epochs), name="nasnb-editor-train", daemon=True
        )
        self._thread.start()
        if not wait:
            return self._thread
        self._thread.join()
        return self.result

    def _train_job(self, d: NeuralDescriptor, epochs: int) -> None:
        from nasnb.builders import build_network
        from nasnb.data.batches import TensorBatches
        from nasnb.data.metrics import resolve_loss
        from nasnb.evaluators.local import fitness_from_metrics
        from nasnb.evaluators.train import evaluate, resolve_device, resolve_optimizer, train_epoch
        from nasnb.results import EvaluationResult

        start = time.perf_counter()
        ev, config = self._evaluator(), self._config()
        self.losses = []
        self._progress(0, 1, "loading data")
        try:
            device = resolve_device(ev.device)
            splits = ev.splits(config, 1.0, device)
            model = build_network(
                d,
                config.input_shape,
                config.num_outputs,
                merge=ev.merge,
                fixed_channels=config.fixed_channels,
                head=config.head,
                seed=self.seed,
            ).to(device)
            optimizer = resolve_optimizer(ev.optimizer_class)(model.parameters(), **ev.optimizer_params)
            batches: Any = splits.train
            if splits.train_tensors is not None:
                x_train, y_train = splits.train_tensors
                batches = TensorBatches(x_train, y_train, ev.batch_size, shuffle=True, seed=self.seed)
            per_epoch = len(batches)
            loss_fn = resolve_loss(config.loss)
            done = 0
            for epoch in range(epochs):

                def counted(it=batches, epoch=epoch):
                    nonlocal done
                    for batch in it:
                        yield batch
                        done += 1
                        if done % 4 == 0 or done == per_epoch * epochs:
                            self._progress(done, per_epoch * epochs, f"epoch {epoch + 1}/{epochs}")

                self.losses.append(train_epoch(model, counted(), optimizer, loss_fn, device=device))
                self._render_losses()
                if not np.isfinite(self.losses[-1]):
                    break
            loss, metrics = evaluate(model, splits.test, loss_fn, metrics=config.metrics, device=device)
            elapsed = time.perf_counter() - start
            if not (np.isfinite(loss) and all(np.isfinite(v) for v in metrics.values())):
                self.result = EvaluationResult.diverged(f"test loss is {loss}", elapsed)
            else:
                self.result = EvaluationResult(loss, metrics, elapsed, fitness_from_metrics(config, metrics))
        except (NasnbError, ValueError, RuntimeError) as exc:
            logger.warning("ArchitectureEditor training failed: %s", exc)
            self.result = EvaluationResult.failed(f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
        self._progress(1, 1, "done")
        self._render_result()

    # ----------------------------------------------------------------- display
    def _build(self) -> None:
        w = widgets_module()
        self.view = architecture_view(selectable=True)
        self.layer_choice = w.Dropdown(
            options=list(self.palette), value=list(self.palette)[0], description="Layer", layout=w.Layout(width="300px")
        )
        self.params_text = w.Text(description="Params", layout=w.Layout(width="420px"))
        self.layer_choice.observe(lambda ch: self._fill_params(), names="value")
        self._fill_params()
        b = {}
        for key, text, tip in (
            ("insert", "Insert after", "insert the layer after the selected one"),
            ("branch", "Add branch", "add the layer fed by the selected one"),
            ("remove", "Remove", "remove the selected layer"),
            ("connect", "Connect", "connect the first selected layer to the second"),
            ("disconnect", "Disconnect", "remove the connection first → second"),
            ("mutate", "Mutate", "apply one random mutation"),
            ("undo", "Undo", "undo the last edit"),
        ):
            b[key] = w.Button(description=text, tooltip=tip, layout=w.Layout(width="auto"))
            b[key].add_class(f"nasnb-editor-{key}")
            b[key].on_click(lambda _b, k=key: self._on_button(k))
        self.buttons = b
        self.message = w.HTML()
        self.selection = w.HTML()
        self.status = w.HTML()
        self.realised = architecture_view()
        self.summary = w.HTML()
        realised_tabs = w.Tab(children=[self.realised, self.summary])
        realised_tabs.set_title(0, "Realised network")
        realised_tabs.set_title(1, "Summary")
        self.epochs_slider = w.IntSlider(
            value=self.epochs, min=1, max=30, description="Epochs", continuous_update=False
        )
        self.train_button = w.Button(description=f"Train on {self.dataset}", button_style="primary", icon="play")
        self.train_button.add_class("nasnb-editor-train")
        self.train_button.on_click(lambda _b: self._on_train())
        self.progress = w.IntProgress(value=0, min=0, max=1, description="", layout=w.Layout(width="300px"))
        self.progress_label = w.HTML()
        self.result_html = w.HTML()
        self.loss_chart = None  # a plotly chart, made when training starts
        self.loss_box = w.Box([])
        self.view.observe(lambda ch: self._render_selection(), names="selected")
        self._render()
        box = w.VBox(
            [
                w.HTML("<b>Architecture editor</b> — click layers to select them (first, second)"),
                w.HBox([self.layer_choice, self.params_text]),
                w.HBox(list(b.values())),
                w.HBox([self.selection, self.message]),
                # the realised network keeps its width: beside the drawing when both fit, else below it
                w.HBox(
                    [self.view, w.VBox([self.status, realised_tabs], layout=w.Layout(max_width="100%"))],
                    layout=w.Layout(flex_flow="row wrap", align_items="flex-start"),
                ),
                w.HBox([self.epochs_slider, self.train_button, self.progress, self.progress_label]),
                w.HBox([self.result_html, self.loss_box]),
            ]
        )
        box.add_class("nasnb-architecture-editor")
        return box

    def _fill_params(self) -> None:
        self.params_text.value = json.dumps(self.palette[self.layer_choice.value][1])

    def _form_params(self) -> dict:
        text = self.params_text.value.strip() or "{}"
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParameterError(f'Params must be a JSON object such as {{"kernel_size": 3}}: {exc}') from exc
        if not isinstance(value, dict):
            raise ParameterError(f'Params must be a JSON object such as {{"kernel_size": 3}}. Got {text!r}.')
        return value

    def _on_button(self, key: str) -> None:
        sel = list(self.view.selected)
        try:
            if key in ("insert", "branch"):
                type_ = self.palette[self.layer_choice.value][0]
                name = self.add_layer(type_, self._form_params(), after=sel[0] if sel else None, branch=key == "branch")
                self.view.selected = [name]
                text = f"added {name}"
            elif key == "remove":
                self._need(sel, 1, "Select the layer to remove.")
                self.remove_layer(sel[0])
                self.view.selected = []
                text = f"removed {sel[0]}"
            elif key in ("connect", "disconnect"):
                self._need(sel, 2, f"Select two layers to {key}: first the source, then the destination.")
                (self.connect if key == "connect" else self.disconnect)(sel[0], sel[1])
                text = f"{key}ed {sel[0]} → {sel[1]}"
            elif key == "mutate":
                text = self.mutate()
            else:
                text = "undone" if self.undo() else "nothing to undo"
            self.message.value = f'<span style="color:#333">{html.escape(text)}</span>'
        except (NasnbError, ValueError) as exc:
            self.message.value = f'<span style="color:#c00">{html.escape(str(exc))}</span>'

    @staticmethod
    def _need(sel: list, n: int, text: str) -> None:
        if len(sel) < n:
            raise ParameterError(text)

    def _on_train(self) -> None:
        try:
            self.train(self.epochs_slider.value, wait=False)
        except (NasnbError, ValueError) as exc:
            self.message.value = f'<span style="color:#c00">{html.escape(str(exc))}</span>'

    def _svg(self) -> str:
        try:
            return architecture_svg(self.descriptor, self._layout)
        except (NasnbError, ValueError) as exc:
            return f"<i>(cannot draw: {html.escape(str(exc))})</i>"

    def _status_html(self) -> str:
        if self.errors:
            items = "".join(f"<li>{html.escape(e)}</li>" for e in self.errors)
            head = '<span class="nasnb-param-count" data-params="">no network</span>'
            return f'{head}<div class="nasnb-editor-errors" style="color:#c00"><b>Errors</b><ul>{items}</ul></div>'
        warn = "".join(f'<div style="color:#a60">{html.escape(t)}</div>' for t in self.warnings)
        return (
            f'<div class="nasnb-editor-ok" style="color:#070">✓ valid: {len(self.descriptor)} layers, '
            f'{len(self.descriptor.connections)} connections; <span class="nasnb-param-count" '
            f'data-params="{self.num_parameters}"><b>{self.num_parameters:,}</b> parameters</span> on '
            f"{html.escape(self.dataset)}</div>{warn}"
        )

    def _realised_svg(self) -> str:
        if self.network is None:
            return "<i>no realised network while there are errors</i>"
        from nasnb.viz.realised import realised_data

        try:
            return architecture_svg(realised_data(self.descriptor, network=self.network))
        except (NasnbError, ValueError) as exc:
            return f"<i>(cannot draw: {html.escape(str(exc))})</i>"

    def _render(self) -> None:
        if self._ui is None and not hasattr(self, "view"):
            return
        self.view.svg = self._svg()
        self.view.selected = [n for n in self.view.selected if n in self.descriptor]
        self.status.value = self._status_html()
        self.realised.svg = self._realised_svg()
        self.summary.value = (
            f"<pre style='font-size:11px'>{html.escape(self.network.summary())}</pre>"
            if self.network is not None
            else ""
        )
        self.train_button.disabled = self.network is None
        self._render_selection()

    def _render_selection(self) -> None:
        if hasattr(self, "selection"):
            sel = list(self.view.selected)
            hint = " → ".join(sel) if sel else "none (Insert appends after the output layer)"
            self.selection.value = (
                f'<span class="nasnb-editor-selection" style="margin-right:16px">selected: {html.escape(hint)}</span>'
            )

    def _progress(self, value: int, total: int, text: str) -> None:
        if hasattr(self, "progress"):
            self.progress.max = max(int(total), 1)
            self.progress.value = int(value)
            self.progress_label.value = html.escape(text)

    def _render_losses(self) -> None:
        if getattr(self, "loss_chart", None) is not None:
            with self.loss_chart.batch_update():
                self.loss_chart.data[0].x = list(range(1, len(self.losses) + 1))
                self.loss_chart.data[0].y = list(self.losses)

    def _result_html(self) -> str:
        r = self.result
        if r is None:
            return "<i>not trained yet</i>"
        if r.status != "done":
            return f'<div class="nasnb-editor-result" data-status="{r.status}" style="color:#c00">{r.status}</div>'
        metrics = ", ".join(f"{k} {v:.4f}" for k, v in r.metrics.items())
        return (
            f'<div class="nasnb-editor-result" data-status="done" data-fitness="{r.fitness:.6f}">'
            f"<b>Test</b>: {html.escape(metrics)}; loss {r.loss:.4f}; trained in {r.total_time:.1f} s "
            f"({len(self.losses)} epochs)</div>"
        )

    def _render_result(self) -> None:
        if hasattr(self, "result_html"):
            self.result_html.value = self._result_html()

    def _snapshot(self) -> str:
        summary = (
            f"<details><summary>realised network summary</summary><pre style='font-size:11px'>"
            f"{html.escape(self.network.summary())}</pre></details>"
            if self.network is not None
            else ""
        )
        return (
            f"<b>ArchitectureEditor</b><div style='display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start'>"
            f"<div>{self._svg()}</div><div>{self._status_html()}{self._realised_svg()}</div></div>"
            f"{summary}{self._result_html()}"
        )
