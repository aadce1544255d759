"""The Double-DQN agent of thesis ch. 3: builds a cell one layer at a time.

The agent works on any benchmark with a ``cell_space()`` (a
:class:`~nasnb.benchmarks.CellSpace`): NAS-Bench-101 (the thesis' setting),
NAS-Bench-Graph and NAS-Bench-201.

* **State** -- one-hot layer slots (input slot + hidden slots, each ``len(ops) + 1`` bits:
  the ops and "input") followed by the upper triangle of the connection matrix (input,
  hidden layers, output). On NAS-Bench-101: 6 × 4 + 21 = 45 bits.
* **Actions** -- two heads of one Q-network: the layer type (ops + "stop") and the input
  selection (one neuron per earlier vertex + "no connection"); the ``max_inputs``
  strongest allowed neurons are the new layer's inputs (two on NAS-Bench-101, one on
  NAS-Bench-Graph; fixed by the space on NAS-Bench-201).
* **Reward** -- the benchmark's validation accuracy at the terminal state ("stop" or all
  slots used); 0 for an invalid cell. Intermediate rewards are 0.
* **Learning** -- Double DQN per head: the online network picks the next action, the
  target network values it; experience replay (learning starts once ``learning_starts``
  transitions are stored); Huber loss; gradient-norm clipping; epsilon-greedy exploration
  decaying linearly; the target network is synced every ``target_sync`` episodes.
* **Reward scale** -- validation accuracies of a benchmark differ by a few hundredths, too
  little for the Q-network to tell good cells from average ones. With
  ``normalize_rewards=True`` (default) the terminal reward is standardised when it is
  learnt from: ``(reward - mean) / std`` of the valid rewards seen so far (a running
  baseline), clipped to ``[-reward_clip, reward_clip]``; cells that did not finish
  (``invalid``, ``failed``, ``diverged``: :func:`nasnb.results.is_finished`) are learnt at
  the bottom of that range, ``-reward_clip``. Without normalisation they are learnt as the
  lowest of 0 and the worst finished reward so far, so an unfinished cell never outranks a
  finished one, whatever the sign of the fitness. The history keeps the raw rewards.
* **Threads** -- the networks are tiny, so torch runs them with ``torch_threads`` intra-op
  threads (default 1; the previous setting is restored after every ask/tell). More threads
  only add synchronisation cost, which on a busy machine can make each step 10-100 x slower.

Determinism: the networks are initialised from a ``torch.Generator`` and every random
choice uses one numpy Generator, both from ``seed``; no global RNG is touched.

Examples
--------
>>> from nasnb.benchmarks import NASBenchGraph
>>> nb = NASBenchGraph("cora")
>>> agent = DoubleDQNSearch(nb, seed=0)
>>> history = agent.run(nb, 5)          # the one Strategy.run: studies, executors, resume
>>> len(history), history.rewards.shape, float(history.epsilon[0])
(5, (5,), 1.0)
"""

from __future__ import annotations

import logging
import math
import time
from contextlib import contextmanager
from typing import Any

import numpy as np

from nasnb._validation import as_generator, check_positive_int, check_probability, parameter_error
from nasnb.results import competes
from nasnb.strategies.base import Strategy

__all__ = ["DoubleDQNSearch"]

logger = logging.getLogger(__name__)


class _Episode:
    __slots__ = ("states", "types", "inputs", "candidate", "epsilon")

    def __init__(self) -> None:
        self.states: list[np.ndarray] = []
        self.types: list[int] = []
        self.inputs: list[tuple] = []
        self.candidate = None
        self.epsilon = 0.0


def _build_qnet(torch, state_size: int, hidden: int, n_types: int, n_inputs: int, gen):
    nn = torch.nn

    class QNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.trunk = nn.Sequential(nn.Linear(state_size, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
            self.type_head = nn.Linear(hidden, n_types)
            self.input_head = nn.Linear(hidden, n_inputs)

        def forward(self, x):
            h = self.trunk(x)
            return self.type_head(h), self.input_head(h)

    net = QNet()
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, nn.Linear):
                bound = 1.0 / module.in_features**0.5
                module.weight.uniform_(-bound, bound, generator=gen)
                module.bias.uniform_(-bound, bound, generator=gen)
    return net


class DoubleDQNSearch(Strategy):
    """Double-DQN cell builder (thesis ch. 3): a :class:`~nasnb.strategies.Strategy`.

    Episodes are sequential (each learns from the rewards before it), so ``run`` evaluates one
    cell at a time on any executor; it records into a study and resumes like every strategy
    (a resumed run replays the agent's episodes from the stored rewards). The history's
    ``epsilon`` column holds the exploration probability of each episode.

    Parameters
    ----------
    space : benchmark
        Any object with ``cell_space()`` (the nasnb benchmarks) and the SearchSpace methods.
    seed : int, numpy Generator or None
        Seeds the network initialisation, exploration and replay sampling.
    hidden : int
        Width of the two hidden layers of the Q-network.
    lr : float
        Adam learning rate.
    gamma : float
        Discount per layer step (default 1: episodes are a few steps long and the only
        reward is terminal, so nothing needs discounting).
    replay_batch_size, buffer_size : int
        Replay batch and capacity (transitions).
    epsilon_start, epsilon_end : float
        Exploration probability, decayed linearly over ``epsilon_decay_episodes``.
    target_sync : int
        Episodes between target-network syncs.
    updates_per_step : int
        Gradient steps per stored transition.
    normalize_rewards : bool
        Learn from the standardised terminal reward (running mean and standard deviation
        of the valid rewards so far) instead of the raw one; see the module docstring.
    reward_clip : float
        Bound of the standardised reward.
    grad_clip : float or None
        Maximum gradient norm per step (``None``: no clipping).
    learning_starts : int, optional
        Transitions stored before the first gradient step (default ``replay_batch_size``).
    torch_threads : int or None
        Intra-op torch threads while the agent computes (``None``: leave torch's setting).
    """

    def __init__(
        self,
        space: Any,
        *,
        seed: Any = None,
        hidden: int = 64,
        lr: float = 1e-3,
        gamma: float = 1.0,
        replay_batch_size: int = 64,
        buffer_size: int = 10_000,
        epsilon_start: float = 1.0,
        epsilon_end: float = 0.05,
        epsilon_decay_episodes: int = 200,
        target_sync: int = 10,
        updates_per_step: int = 1,
        normalize_rewards: bool = True,
        reward_clip: float = 10.0,
        grad_clip: float | None = 10.0,
        learning_starts: int | None = None,
        torch_threads: int | None = 1,
    ) -> None:
        func = "DoubleDQNSearch"
        if not callable(getattr(space, "cell_space", None)):
            raise parameter_error("space", func, "a benchmark with a cell_space() method", type(space).__name__)
        super().__init__(space, seed=seed)
        self.hidden = check_positive_int(hidden, "hidden", func)
        if not (isinstance(lr, (int, float)) and lr > 0):
            raise parameter_error("lr", func, "a positive float", lr)
        self.lr = float(lr)
        self.gamma = check_probability(gamma, "gamma", func)
        self.replay_batch_size = check_positive_int(replay_batch_size, "replay_batch_size", func)
        self.buffer_size = check_positive_int(buffer_size, "buffer_size", func)
        self.epsilon_start = check_probability(epsilon_start, "epsilon_start", func)
        self.epsilon_end = check_probability(epsilon_end, "epsilon_end", func)
        self.epsilon_decay_episodes = check_positive_int(epsilon_decay_episodes, "epsilon_decay_episodes", func)
        self.target_sync = check_positive_int(target_sync, "target_sync", func)
        self.updates_per_step = check_positive_int(updates_per_step, "updates_per_step", func)
        self.normalize_rewards = bool(normalize_rewards)
        if isinstance(reward_clip, bool) or not isinstance(reward_clip, (int, float)) or not reward_clip > 0:
            raise parameter_error("reward_clip", func, "a positive float", reward_clip)
        self.reward_clip = float(reward_clip)
        if grad_clip is not None and (
            isinstance(grad_clip, bool) or not isinstance(grad_clip, (int, float)) or not grad_clip > 0
        ):
            raise parameter_error("grad_clip", func, "a positive float or None", grad_clip)
        self.grad_clip = None if grad_clip is None else float(grad_clip)
        self.learning_starts = (
            self.replay_batch_size
            if learning_starts is None
            else check_positive_int(learning_starts, "learning_starts", func)
        )
        self.torch_threads = None if torch_threads is None else check_positive_int(torch_threads, "torch_threads", func)
        self._ready = False

    # ------------------------------------------------------------ set-up
    def _setup(self) -> None:
        from nasnb._optional import require

        torch = require("torch", extra="torch", purpose="train the DQN agent")
        self._torch = torch
        cell = self.space.cell_space()
        self.cell = cell
        self._k = len(cell.ops)
        self._n_types = self._k + 1  # ops + stop
        self._n_inputs = cell.num_slots + 1  # earlier vertices + "no connection"
        self._rng = as_generator(self.seed)
        gen = torch.Generator().manual_seed(int(self._rng.integers(2**62)))
        size = cell.state_size
        self.online = _build_qnet(torch, size, self.hidden, self._n_types, self._n_inputs, gen)
        self.target = _build_qnet(torch, size, self.hidden, self._n_types, self._n_inputs, gen)
        self.target.load_state_dict(self.online.state_dict())
        self.optimizer = torch.optim.Adam(self.online.parameters(), lr=self.lr)
        n = self.buffer_size
        self._buf_s = np.zeros((n, size), np.float32)
        self._buf_s2 = np.zeros((n, size), np.float32)
        self._buf_type = np.zeros(n, np.int64)
        self._buf_inp = np.full((n, 2), -1, np.int64)
        self._buf_r = np.zeros(n, np.float32)
        self._buf_done = np.zeros(n, np.float32)
        self._buf_bad = np.zeros(n, bool)  # terminal transition of a cell that did not finish
        self._buf_tmask = np.zeros((n, self._n_types), bool)
        self._buf_imask = np.zeros((n, self._n_inputs), bool)
        self._buf_len = 0
        self._buf_pos = 0
        self._episodes = 0
        self._episode_queue: list[_Episode] = []
        self._epsilons: list[float] = []
        self.logic_time = 0.0
        self._r_count, self._r_mean, self._r_m2 = 0, 0.0, 0.0  # Welford: valid terminal rewards
        self._r_min = 0.0  # min(0, worst valid reward): what an unfinished cell is learnt as (unnormalised)
        tri = np.triu_indices(cell.num_vertices, 1)
        self._tri_index = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(*tri))}
        self._ready = True

    @contextmanager
    def _threads(self):
        """Run torch with ``torch_threads`` intra-op threads, restoring the setting after."""
        torch, want = self._torch, self.torch_threads
        old = torch.get_num_threads()
        if want is None or want == old:
            yield
            return
        torch.set_num_threads(want)
        try:
            yield
        finally:
            torch.set_num_threads(old)

    def reward_stats(self) -> tuple[float, float]:
        """``(mean, standard deviation)`` of the valid rewards seen so far (the baseline)."""
        if not self._ready or self._r_count == 0:
            return 0.0, 1.0
        std = math.sqrt(self._r_m2 / (self._r_count - 1)) if self._r_count > 1 else 1.0
        return self._r_mean, std

    # ------------------------------------------------------------ state and masks
    def _encode(self, ops: list[int], inputs: list[tuple]) -> np.ndarray:
        cell, width = self.cell, self._k + 1
        state = np.zeros(cell.state_size, np.float32)
        state[0] = 1.0  # slot 0 holds the input
        for i, op in enumerate(ops, start=1):
            state[i * width + 1 + op] = 1.0
        base = cell.num_slots * width
        for i, srcs in enumerate(inputs, start=1):
            for s in srcs:
                state[base + self._tri_index[(s, i)]] = 1.0
        return state

    def _masks(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        cell = self.cell
        tmask = np.zeros(self._n_types, bool)
        if step < cell.max_layers:
            tmask[: self._k] = True
        if cell.allow_stop and step >= cell.min_layers or step >= cell.max_layers:
            tmask[self._k] = True
        imask = np.zeros(self._n_inputs, bool)
        if cell.max_inputs > 0 and step < cell.max_layers:
            imask[: step + 1] = True  # input vertex + earlier layers
            if cell.allow_no_input and cell.max_inputs > 1:
                imask[-1] = True
        return tmask, imask

    def epsilon(self) -> float:
        """Exploration probability of the next episode."""
        frac = min(1.0, self._episodes / self.epsilon_decay_episodes) if self._ready else 0.0
        return self.epsilon_start + (self.epsilon_end - self.epsilon_start) * frac

    # ------------------------------------------------------------ strategy hooks
    def config(self) -> dict[str, Any]:
        cfg = super().config()
        cfg.update(
            hidden=self.hidden,
            lr=self.lr,
            gamma=self.gamma,
            replay_batch_size=self.replay_batch_size,
            buffer_size=self.buffer_size,
            epsilon_start=self.epsilon_start,
            epsilon_end=self.epsilon_end,
            epsilon_decay_episodes=self.epsilon_decay_episodes,
            target_sync=self.target_sync,
            updates_per_step=self.updates_per_step,
            normalize_rewards=self.normalize_rewards,
        )
        return cfg

    def _reset_state(self) -> None:
        self._setup()

    def _propose(self) -> tuple[Any, int]:
        """Build one cell with the epsilon-greedy policy (``None`` if the cell is invalid)."""
        t0 = time.perf_counter()
        with self._threads():
            candidate = self._ask()
        self._epsilons.append(self._episode_queue[-1].epsilon)
        self.logic_time += time.perf_counter() - t0
        return candidate, -1

    def _history_extra(self, told: list[int]) -> dict[str, Any]:
        return {"extra": {"epsilon": [self._epsilons[i] for i in told]}}

    def _ask(self) -> Any:
        torch, cell, rng = self._torch, self.cell, self._rng
        ep = _Episode()
        ep.epsilon = eps = self.epsilon()
        self._episodes += 1
        ops: list[int] = []
        inputs: list[tuple] = []
        for step in range(cell.max_layers + 1):
            state = self._encode(ops, inputs)
            tmask, imask = self._masks(step)
            explore = rng.random() < eps
            if not explore:
                with torch.no_grad():
                    qt, qi = self.online(torch.from_numpy(state)[None])
                qt, qi = qt[0].numpy(), qi[0].numpy()
            if explore:
                action = int(rng.choice(np.flatnonzero(tmask)))
            else:
                action = int(np.flatnonzero(tmask)[np.argmax(qt[tmask])])
            ep.states.append(state)
            ep.types.append(action)
            if action == self._k:  # stop
                ep.inputs.append(())
                break
            if cell.max_inputs == 0:
                chosen = tuple(cell.fixed_inputs(step)) if cell.fixed_inputs else (step,)
                picked: tuple = ()
            else:
                allowed = np.flatnonzero(imask)
                k = min(cell.max_inputs, len(allowed))
                if explore:
                    picked = tuple(int(x) for x in rng.choice(allowed, size=k, replace=False))
                else:
                    order = allowed[np.argsort(-qi[allowed], kind="stable")]
                    picked = tuple(int(x) for x in order[:k])
                chosen = tuple(sorted(p for p in picked if p != self._n_inputs - 1))
                if not chosen:  # only "no connection" picked: fall back to the strongest vertex
                    chosen = (int(allowed[0]),)
            ep.inputs.append(picked)
            ops.append(action)
            inputs.append(chosen)
            if len(ops) == cell.max_layers and not cell.allow_stop:
                break
        ep.candidate = cell.build(ops, inputs)
        self._episode_queue.append(ep)
        return ep.candidate

    def _apply(self, index: int, fitness: float) -> None:
        """Learn from the terminal reward of the oldest asked episode (episodes are told in order)."""
        t0 = time.perf_counter()
        ep = self._episode_queue.pop(0)
        result = self._result_of(index)
        valid = competes(result.status) and np.isfinite(result.fitness)
        reward = float(result.fitness) if valid else 0.0
        if valid:  # running baseline of the valid rewards (Welford)
            self._r_min = min(self._r_min, reward)
            self._r_count += 1
            delta = reward - self._r_mean
            self._r_mean += delta / self._r_count
            self._r_m2 += delta * (reward - self._r_mean)
        steps = len(ep.types)
        with self._threads():
            for i in range(steps):
                done = i == steps - 1
                nxt = ep.states[i + 1] if not done else ep.states[i]
                tmask, imask = (
                    self._masks(i + 1) if not done else (np.ones(self._n_types, bool), np.ones(self._n_inputs, bool))
                )
                self._store(
                    ep.states[i],
                    ep.types[i],
                    ep.inputs[i],
                    reward if done else 0.0,
                    done,
                    nxt,
                    tmask,
                    imask,
                    bad=done and not valid,
                )
                for _ in range(self.updates_per_step):
                    self._learn()
            if self._episodes % self.target_sync == 0:
                self.target.load_state_dict(self.online.state_dict())
        self.logic_time += time.perf_counter() - t0

    def _store(self, s, a, inp, r, done, s2, tmask, imask, bad=False) -> None:
        p = self._buf_pos
        self._buf_s[p], self._buf_s2[p] = s, s2
        self._buf_type[p] = a
        self._buf_inp[p] = -1
        for j, x in enumerate(inp[:2]):
            self._buf_inp[p, j] = x
        self._buf_r[p], self._buf_done[p] = r, float(done)
        self._buf_bad[p] = bad
        self._buf_tmask[p], self._buf_imask[p] = tmask, imask
        self._buf_pos = (p + 1) % self.buffer_size
        self._buf_len = min(self._buf_len + 1, self.buffer_size)

    def _learnt_rewards(self, idx: np.ndarray) -> np.ndarray:
        """The rewards the Q-network learns for the replayed transitions ``idx``."""
        raw, done_np, bad = self._buf_r[idx], self._buf_done[idx], self._buf_bad[idx]
        if self.normalize_rewards:  # standardise terminal rewards with the current baseline
            mean, std = self.reward_stats()
            scaled = np.clip((raw - mean) / max(std, 1e-6), -self.reward_clip, self.reward_clip)
            scaled = np.where(bad, -self.reward_clip, scaled)  # an unfinished cell: the bottom of the range
            return np.where(done_np > 0, scaled, 0.0).astype(np.float32)
        return np.where(bad, self._r_min, raw).astype(np.float32)  # never above a finished cell

    def _learn(self) -> None:
        if self._buf_len < max(self.replay_batch_size, self.learning_starts):
            return
        torch = self._torch
        idx = self._rng.integers(0, self._buf_len, self.replay_batch_size)
        s = torch.from_numpy(self._buf_s[idx])
        s2 = torch.from_numpy(self._buf_s2[idx])
        done_np = self._buf_done[idx]
        r = torch.from_numpy(self._learnt_rewards(idx))
        done = torch.from_numpy(done_np)
        tmask = torch.from_numpy(self._buf_tmask[idx])
        imask = torch.from_numpy(self._buf_imask[idx])
        a = torch.from_numpy(self._buf_type[idx])
        inp = torch.from_numpy(self._buf_inp[idx])
        with torch.no_grad():
            on_t, on_i = self.online(s2)
            tg_t, tg_i = self.target(s2)
            best_t = on_t.masked_fill(~tmask, -1e9).argmax(1, keepdim=True)
            y_t = r + self.gamma * (1 - done) * tg_t.gather(1, best_t).squeeze(1)
            has_inp = imask.any(1)
            best_i = on_i.masked_fill(~imask, -1e9).argmax(1, keepdim=True)
            next_i = torch.where(has_inp, tg_i.gather(1, best_i).squeeze(1), tg_t.gather(1, best_t).squeeze(1))
            y_i = r + self.gamma * (1 - done) * next_i
        q_t, q_i = self.online(s)
        loss = torch.nn.functional.smooth_l1_loss(q_t.gather(1, a[:, None]).squeeze(1), y_t)
        valid = inp >= 0
        if bool(valid.any()):
            q_sel = q_i.gather(1, inp.clamp(min=0))
            loss = loss + torch.nn.functional.smooth_l1_loss(q_sel[valid], y_i[:, None].expand_as(q_sel)[valid])
        self.optimizer.zero_grad()
        loss.backward()
        if self.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(self.online.parameters(), self.grad_clip)
        self.optimizer.step()
