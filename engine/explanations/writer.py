"""Writing one user's recommendation text: a local GGUF model fills in the facts' plan.

:class:`ExplanationWriter` builds the user's content plan (:mod:`.plan`), prompts the
model with the facts (:mod:`.prompt`) and lets it write within the plan, token by token
(:mod:`.decoding`), on llama.cpp (:mod:`.model`): the packaged SmolLM2-135M-Instruct by
default, or any GGUF file. Constructing a writer checks the model path and loads
nothing; the first text loads the model (kept for the process). ``stream`` yields the
text as it is written, for a window that shows it live, and checks the cancel request
before every token.

Every text is then read by the claim-level check
(:meth:`~engine.explanations.grounding.Grounder.check`) as if it came from anywhere;
one that fails it (which the plan should make impossible) is replaced by the template,
the plan's default path, and the reasons are kept. A catalogue in a language the model
does not write (the packaged model writes English only) gets the template in that
language, and the reasons say so.

Greedy decoding (the default) makes a text a pure function of the facts and the model;
``greedy=False`` samples among the allowed tokens with the writer's seed.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.core.errors import DataError
from engine.core.progress import Task
from engine.explanations.decoding import fill, greedy, sampler
from engine.explanations.facts import Facts
from engine.explanations.grounding import Grounder
from engine.explanations.model import (DEFAULT_NAME, LlamaModel, default_threads, gpu_layers,
                                       load_model, model_file, model_name)
from engine.explanations.plan import (ENGLISH, Language, build_plan, default_text,
                                      language_for)
from engine.explanations.prompt import build_messages, plain_prompt
from engine.explanations.words import split_sentences

#: Something that says whether the user asked to stop: a function or a running Task.
Cancel = Callable[[], bool] | Task | None
GENERATED, TEMPLATE = "generated", "template"


@dataclass
class Explanation:
    """A user's text and where it came from; ``reasons`` say why a template was used."""

    text: str
    source: str  # GENERATED or TEMPLATE
    reasons: list[str] = field(default_factory=list)
    model: str = ""  # the writer's model, "" for a template asked for directly
    generated: str = ""  # the model's own words, kept also when they failed the check
    language: str = ENGLISH.name

    @property
    def sentences(self) -> int:
        return len(split_sentences(self.text))


@dataclass(frozen=True)
class GenerationStats:
    """How the last text was generated: sizes and times, for the benchmark and the log."""

    prompt_tokens: int
    new_tokens: int
    first_token_seconds: float  # from the call to the first piece of text
    seconds: float  # the whole text


def template_only(facts: Facts, catalogue: Grounder,
                  reason: str = "template asked for") -> Explanation:
    """The template explanation, for when no model is to run."""
    language = language_for(catalogue.script)
    return Explanation(default_text(build_plan(facts, catalogue, language)), TEMPLATE,
                       [reason], language=language.name)


def _is_cancelled(cancel: Cancel) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, Task):
        return lambda: cancel.cancelled
    return cancel


class ExplanationWriter:
    """Writes recommendation texts within each user's plan; see the module notes.

    ``model``: a GGUF file, a folder holding one, or None for the packaged
    SmolLM2-135M-Instruct. ``device``: "auto" (GPU layers when llama.cpp has a GPU),
    "cpu" or "cuda". ``threads``: CPU threads (default: half the cores).
    ``max_new_tokens``: past this many tokens no optional sentence is begun.
    """

    def __init__(self, model: str | Path | None = None, device: str = "auto", seed: int = 0,
                 max_new_tokens: int = 80, greedy: bool = True,
                 threads: int | None = None) -> None:
        if max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        self.model_file = model_file(model)
        self.packaged = model is None or str(model) == ""
        self.name = DEFAULT_NAME if self.packaged else model_name(self.model_file)
        gpu_layers(device)  # an unknown device or a missing GPU fails now, not later
        self.device = device
        self.seed = int(seed)
        self.max_new_tokens = int(max_new_tokens)
        self.greedy = bool(greedy)
        self.threads = int(threads) if threads else default_threads()
        self.last_stats: GenerationStats | None = None
        self._model: LlamaModel | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> LlamaModel:
        """Load the model (once per process and file); call it from a worker."""
        if self._model is None:
            self._model = load_model(self.model_file, self.threads, self.device)
        return self._model

    def writes(self, language: Language) -> str | None:
        """None when the model writes ``language``, else why the template is used: the
        packaged model writes English only; a model the user picked is trusted."""
        if language is ENGLISH or not self.packaged:
            return None
        return (f"{self.name} writes English only: the text is the template, in "
                f"{language.name} (choose a multilingual GGUF model to generate)")

    def stream(self, facts: Facts, catalogue: Grounder, cancel: Cancel = None
               ) -> Iterator[str]:
        """The model's text for ``facts``, piece by piece, within the user's plan.

        Raises :class:`~engine.core.errors.Cancelled` once ``cancel`` says stop (checked
        before every token). Statistics of the finished text are in :attr:`last_stats`.
        """
        language = language_for(catalogue.script)
        plan = build_plan(facts, catalogue, language)
        model = self.load()
        started = time.perf_counter()
        with model.lock:
            prompt, shared = model.prompt(build_messages(facts, catalogue, language),
                                          plain_prompt(facts, catalogue, language))
            counts: list[int] = []
            first: list[float] = []
            pick = greedy if self.greedy else sampler(self.seed)
            for piece in fill(plan, model, prompt, shared, pick, self.max_new_tokens,
                              _is_cancelled(cancel), counts.append):
                if not first:
                    first.append(time.perf_counter() - started)
                yield piece
            seconds = time.perf_counter() - started
            self.last_stats = GenerationStats(len(prompt), sum(counts),
                                              first[0] if first else seconds, seconds)

    def explain(self, facts: Facts, catalogue: Grounder,
                on_token: Callable[[str], None] | None = None,
                cancel: Cancel = None) -> Explanation:
        """The generated text if it passes the check, else the template (with reasons).

        ``on_token`` receives every piece as it is written (a window's live view);
        ``cancel`` as in :meth:`stream`.
        """
        language = language_for(catalogue.script)
        refused = self.writes(language)
        if refused:
            return template_only(facts, catalogue, refused)
        pieces = []
        try:
            for piece in self.stream(facts, catalogue, cancel):
                pieces.append(piece)
                if on_token is not None:
                    on_token(piece)
        except DataError as exc:  # the model cannot spell the plan: say so, use the template
            return self._template(facts, catalogue, [str(exc)], "".join(pieces))
        text = "".join(pieces)
        verdict = catalogue.check(text, facts)
        if not verdict.ok:
            return self._template(facts, catalogue, list(verdict.reasons), text)
        return Explanation(text, GENERATED, [], self.name, text, language.name)

    def _template(self, facts: Facts, catalogue: Grounder, reasons: list[str],
                  generated: str) -> Explanation:
        template = template_only(facts, catalogue)
        return Explanation(template.text, TEMPLATE, reasons, self.name, generated,
                           template.language)

    def explain_many(self, facts_list: Sequence[Facts], catalogue: Grounder,
                     task: Task | None = None) -> Iterator[tuple[Facts, Explanation]]:
        """Each user's facts with their explanation, one by one, so a caller can store
        them in batches as they come; progress over the whole list and cancellation
        (also in the middle of a text) go through ``task``."""
        self.load()
        for i, facts in enumerate(facts_list):
            explanation = self.explain(facts, catalogue, cancel=task)
            if task is not None:
                task.update((i + 1) / len(facts_list),
                            f"wrote {i + 1:,} of {len(facts_list):,} texts")
            yield facts, explanation
