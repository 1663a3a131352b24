"""What a run will do and about how long it will take, told before it starts.

A run on a log ten times larger than the last one should not be a surprise of an hour.
Before a run the Run screen and ``run --estimate`` show its steps: each model it fits,
with the method the model picks for this catalogue's size (:meth:`Recommender.method_for`)
and its time budget if it has one, then the evaluation and the lists. The seconds come
from this machine's own earlier runs, never from figures measured elsewhere: each step
takes the time it took in the earlier run nearest in size that had it, scaled to this
data's size (fits in proportion to the interactions, scoring every user against every
item in proportion to users x items, the evaluation's users at most the split's
``eval_users``), and a fit with a budget no longer than its budget.
A step no earlier run had is shown without seconds, and so is the total: a guess from
another machine's speed would be wrong in both directions.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Mapping

from engine.core.stages import Stage
from engine.models import make_model
from engine.models.base import Composite, Recommender
from engine.pipeline.config import RunConfig

#: Stages whose cost grows with users x items (every user scored against the catalogue);
#: the others grow with the interactions.
SCORING_STAGES = (Stage.EVALUATE, Stage.RECOMMEND)
#: Stages a run has before and after its fits, in order (as a run stores their times;
#: saving comes after and is not among them).
BEFORE_FIT = (Stage.SPLIT,)
AFTER_FIT = (Stage.EVALUATE, Stage.RECOMMEND, Stage.PROFILES)


@dataclass(frozen=True)
class DataSize:
    """The size of a dataset, which is what the cost of a run follows."""

    users: int
    items: int
    interactions: int

    def scale(self, other: "DataSize", stage: str, eval_users: int | None = None) -> float:
        """How many times ``stage`` costs more on this size than on ``other``; the
        evaluation measures at most ``eval_users`` users (None: all) on either."""
        if stage in SCORING_STAGES:
            cap = eval_users if stage == Stage.EVALUATE and eval_users else None
            mine, theirs = (min(n, cap or n) for n in (self.users, other.users))
            return (mine * self.items) / max(theirs * other.items, 1)
        return self.interactions / max(other.interactions, 1)


@dataclass(frozen=True)
class PastRun:
    """A finished run of this machine: its dataset's size and each stage's seconds."""

    size: DataSize
    stage_seconds: Mapping[str, float]


@dataclass(frozen=True)
class Step:
    """One step of the planned run: its stage name, how it goes (for a fit: the model's
    method at this size; "" when a model has one way), its budget in seconds when it has
    one, and its estimated seconds (None: no earlier run had it)."""

    stage: str
    method: str = ""
    budget: float | None = None
    seconds: float | None = None
    basis: DataSize | None = None  # the earlier run's size the seconds were scaled from


@dataclass(frozen=True)
class RunEstimate:
    """The planned steps of a run in order."""

    steps: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def seconds(self) -> float | None:
        """The whole run's estimate; None when a step has none."""
        times = [s.seconds for s in self.steps]
        return None if any(t is None for t in times) else float(sum(times))  # type: ignore[arg-type]

    def lines(self) -> list[str]:
        """The plan as the command line prints it, a step a line."""
        def one(step: Step) -> str:
            time = "no earlier run to go by" if step.seconds is None else \
                f"about {_duration(step.seconds)}"
            extra = [step.method] if step.method else []
            if step.budget:
                extra.append(f"budget {_duration(step.budget)}")
            return f"{step.stage}: {time}" + (f" ({'; '.join(extra)})" if extra else "")
        total = self.seconds
        return [one(s) for s in self.steps] + [
            "in all: " + ("unknown until a run on this machine" if total is None else
                          f"about {_duration(total)}")]


def planned_fits(config: RunConfig, has_text: bool = True
                 ) -> list[tuple[str, Recommender]]:
    """The models a run of ``config`` fits, in order, as (stage name, unfitted model): a
    fusion's members first (with its cold-start text model when the catalogue has
    text), then the fusion itself (its gate); a single model alone."""
    model = make_model(config.model, **config.params.get(config.model, {}))
    if not isinstance(model, Composite):
        return [(Stage.FIT.of(config.model), model)]
    names = [m for m in model.members() if has_text or m in model.components]
    members = [(Stage.FIT.of(n), make_model(n, **model.component_params.get(n, {})))
               for n in names]
    return [*members, (Stage.FIT.of(config.model), model)]


def estimate_run(config: RunConfig, size: DataSize, past: Sequence[PastRun],
                 has_text: bool = True) -> RunEstimate:
    """The steps of a run of ``config`` on data of ``size``, timed from ``past`` runs."""
    fits = planned_fits(config, has_text)
    member_stages = {stage for stage, _ in fits[:-1]}
    steps = [_timed(stage, size, past) for stage in BEFORE_FIT]
    for stage, model in fits:
        budget = model.budget_seconds()
        if stage in member_stages or not isinstance(model, Composite):
            seconds, basis = _scaled(stage, size, past)
        else:  # a fusion's own part: its fit stage less its members' fits
            seconds, basis = _scaled(stage, size, past, minus=member_stages)
        if seconds is not None and budget:
            seconds = min(seconds, budget)
        steps.append(Step(stage, model.method_for(size.items), budget or None, seconds, basis))
    steps += [_timed(stage, size, past, config.split.eval_users) for stage in AFTER_FIT]
    return RunEstimate(tuple(steps))


def _timed(stage: str, size: DataSize, past: Sequence[PastRun],
           eval_users: int | None = None) -> Step:
    """A step of one way and no budget, timed from ``past``."""
    seconds, basis = _scaled(stage, size, past, eval_users=eval_users)
    return Step(stage, seconds=seconds, basis=basis)


def _scaled(stage: str, size: DataSize, past: Sequence[PastRun],
            minus: set[str] | frozenset[str] = frozenset(), eval_users: int | None = None
            ) -> tuple[float | None, DataSize | None]:
    """``stage``'s seconds in the past run nearest to ``size`` (in log interactions)
    that had it (and every stage of ``minus``, subtracted), scaled to ``size``."""
    having = [r for r in past if stage in r.stage_seconds
              and all(m in r.stage_seconds for m in minus)]
    if not having:
        return None, None
    near = min(having, key=lambda r: abs(math.log(max(r.size.interactions, 1))
                                         - math.log(max(size.interactions, 1))))
    seconds = near.stage_seconds[stage] - sum(near.stage_seconds[m] for m in minus)
    return max(seconds, 0.0) * size.scale(near.size, stage, eval_users), near.size


def _duration(seconds: float) -> str:
    """``40 s``, ``12 min``, ``1 h 05 min``: an estimate's precision, no more."""
    if seconds < 60:
        return f"{max(seconds, 1):.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
