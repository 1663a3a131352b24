"""Writing one user's recommendation text with a local causal language model.

:class:`ExplanationWriter` loads any folder that ``AutoModelForCausalLM`` reads (GPT-2 or
newer; the packaged SmolLM2-135M-Instruct by default), lazily: constructing it is free,
the first text loads the model (on the GPU when there is one). ``stream`` yields the text
piece by piece as the model writes it, for a window that shows it live; generation runs
in a thread behind transformers' ``TextIteratorStreamer`` and checks the cancel request
after every token, so a click on "stop" ends it within one token. ``explain`` streams,
tidies the text (at most three sentences, none left unfinished) and keeps the longest run
of leading sentences that passes :class:`~engine.explanations.grounding.Grounder` (a small model's
later sentences drift most). A note should say two or three things (the picks, the
interests, the recent activity), so when fewer than two sentences survive the check,
the writer tries again with seeded sampling (``attempts`` in all) and keeps the attempt
with the most grounded sentences; when no attempt keeps even one, the template is used.
The reasons are kept either way. The words "I", "me", "my" are banned from decoding: the note
speaks as "we", and a persona ("a favourite of mine") is a claim no fact supports.

Greedy decoding (the default) makes the first attempt a pure function of the facts and
the model; the later attempts, and every attempt with ``greedy=False``, sample with the
seed plus the attempt's number, so every text is repeatable.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.core.device import resolve_device, seed_everything
from engine.core.errors import Cancelled, DataError
from engine.core.progress import Task
from engine.explanations.facts import Facts
from engine.explanations.grounding import Grounder, Grounding, split_sentences
from engine.explanations.model import DEFAULT_NAME, default_model_folder, packaged_gguf
from engine.explanations.prompt import (EXAMPLE_TITLES, answer_start, build_messages, plain_prompt,
                                        template_explanation)

if TYPE_CHECKING:
    import torch

#: Something that says whether the user asked to stop: a function or a running Task.
Cancel = Callable[[], bool] | Task | None
GENERATED, TEMPLATE = "generated", "template"
MAX_SENTENCES = 3
#: A note with fewer grounded sentences than this is written again (see ``attempts``).
WANTED_SENTENCES = 2
FIRST_PERSON = ("I", " I", "My", " my", " me", " mine")
_MARKUP = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)|^#+\s*", re.MULTILINE)
_LABEL = re.compile(r"^\s*(?:assistant|note|answer|response)\s*:\s*", re.IGNORECASE)


@dataclass
class Explanation:
    """A user's text and where it came from; ``reasons`` say why a generated one failed."""

    text: str
    source: str  # GENERATED or TEMPLATE
    reasons: list[str] = field(default_factory=list)
    model: str = ""  # the writer's model, "" for a template asked for directly
    generated: str = ""  # the model's own words, kept also when they failed the check
    attempt: int = 1  # which attempt was kept (1: the first, greedy unless sampling)

    @property
    def sentences(self) -> int:
        return len(split_sentences(self.text))


@dataclass(frozen=True)
class GenerationStats:
    """How the last text was generated: sizes and times, for the benchmark and the log."""

    prompt_tokens: int
    new_tokens: int
    first_token_seconds: float  # from the call to the first generated token
    seconds: float  # the whole generation

    @property
    def tokens_per_second(self) -> float:
        """Decoding speed after the first token (the prompt is read before it)."""
        decode = self.seconds - self.first_token_seconds
        return (self.new_tokens - 1) / decode if self.new_tokens > 1 and decode > 0 else 0.0


def template_only(facts: Facts, reason: str = "template asked for") -> Explanation:
    """The template explanation, for when no model is to run."""
    return Explanation(template_explanation(facts), TEMPLATE, [reason])


def tidy(raw: str) -> str:
    """The model's text as a user should read it: one paragraph of at most three
    sentences, without a trailing half-sentence (the token budget may cut one)."""
    text = " ".join(_LABEL.sub("", raw.strip()).split())
    sentences = split_sentences(text)
    if len(sentences) > 1 and not re.search(r"[.!?。！？][\"'”’)\]]*$", sentences[-1]):
        sentences = sentences[:-1]
    return " ".join(sentences[:MAX_SENTENCES])


def plain_text(text: str) -> str:
    """``text`` without Markdown emphasis or heading marks (the check reads them as quotes)."""
    return " ".join(_MARKUP.sub("", text).split())


def _first_person_ids(tokenizer: Any) -> list[list[int]]:
    """Token ids of "I", "me", "my", "mine": the note speaks as "we", and a small model
    left to itself slips into a persona ("a favourite of mine") that no fact supports.
    Words the tokenizer does not know are skipped."""
    unknown = getattr(tokenizer, "unk_token_id", None)
    banned = []
    for word in FIRST_PERSON:
        ids = tokenizer.encode(word, add_special_tokens=False)
        if ids and unknown not in ids:
            banned.append(ids)
    return banned


def _better(new: Explanation, old: Explanation) -> bool:
    """A generated text beats the template; between generated ones, more grounded
    sentences win (the first attempt on a tie)."""
    if (new.source == GENERATED) != (old.source == GENERATED):
        return new.source == GENERATED
    return new.source == GENERATED and new.sentences > old.sentences


def _is_cancelled(cancel: Cancel) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, Task):
        return lambda: cancel.cancelled
    return cancel


@dataclass
class _Generation:
    """One text being generated in a thread: what its reader needs and what it measures."""

    started: float  # when the caller asked for the text
    prompt_tokens: int = 0
    streamer: Any = None  # the TextIteratorStreamer the pieces come through
    stop: threading.Event = field(default_factory=threading.Event)
    first_token: list[float] = field(default_factory=list)  # seconds to the first new token
    new_tokens: list[int] = field(default_factory=list)  # tokens generated per step
    failure: list[BaseException] = field(default_factory=list)  # raised by the generator

    def stats(self) -> GenerationStats:
        now = time.perf_counter()
        return GenerationStats(self.prompt_tokens, sum(self.new_tokens),
                               self.first_token[0] if self.first_token else now - self.started,
                               now - self.started)


def _hooks(tokenizer: Any, run: _Generation, asked: Callable[[], bool]) -> tuple[Any, Any]:
    """transformers' streamer, which also counts the generated tokens and times the first
    into ``run``, and the stopping criteria that end generation after the token at hand
    once ``run.stop`` is set or the user asked to stop."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

    class Counting(TextIteratorStreamer):
        def put(self, value: "torch.Tensor") -> None:
            if not self.next_tokens_are_prompt:
                if not run.first_token:
                    run.first_token.append(time.perf_counter() - run.started)
                run.new_tokens.append(int(value.numel()))
            super().put(value)

    class StopRequested(StoppingCriteria):
        def __call__(self, input_ids: "torch.Tensor", scores: Any, **kwargs: Any
                     ) -> "torch.Tensor":
            halt = run.stop.is_set() or asked()
            return torch.full((input_ids.shape[0],), halt, dtype=torch.bool,
                              device=input_ids.device)

    return (Counting(tokenizer, skip_prompt=True, skip_special_tokens=True),
            StoppingCriteriaList([StopRequested()]))


def _pieces(run: _Generation, start: str, asked: Callable[[], bool]) -> Iterator[str]:
    """The text as the model writes it, after the answer's first words ``start``; it ends
    early when the generating thread failed or the user asked to stop."""
    if start:
        yield start
    for piece in run.streamer:
        if run.failure or asked():  # pieces written ahead of the reader are dropped
            break
        if piece:
            if start and piece[:1].isalnum():  # a tokenizer without word spaces
                piece = f" {piece}"
            start = ""
            yield piece


class ExplanationWriter:
    """Writes grounded recommendation texts with a local causal LM; see the module notes.

    ``model_folder=None`` takes the packaged SmolLM2-135M-Instruct (converted once into
    the cache, ``cache_dir`` or ``$IFS_CACHE_DIR`` or the user cache folder). ``device``:
    "auto" (the GPU when present), "cpu" or "cuda". ``max_new_tokens`` bounds each text;
    ``attempts`` bounds how often a text with too few grounded sentences is written again.
    """

    def __init__(self, model_folder: str | Path | None = None, device: str = "auto",
                 seed: int = 0, max_new_tokens: int = 60, greedy: bool = True,
                 cache_dir: str | Path | None = None, attempts: int = 3) -> None:
        if max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        if model_folder is None:
            packaged_gguf()  # a missing package fails now, not at the first text
            self.name = DEFAULT_NAME
        else:
            folder = Path(model_folder)
            if not (folder / "config.json").is_file():
                raise DataError("not a language model folder (expected a folder written by "
                                "transformers' save_pretrained, with config.json)", file=folder)
            self.name = folder.name
        self.model_folder = Path(model_folder) if model_folder is not None else None
        self.device = device
        self.seed = int(seed)
        self.max_new_tokens = int(max_new_tokens)
        self.greedy = bool(greedy)
        self.attempts = int(attempts)
        self.cache_dir = cache_dir
        self.last_stats: GenerationStats | None = None
        self._tokenizer: Any = None
        self._model: Any = None
        self._torch_device: "torch.device | None" = None
        self._lock = threading.Lock()  # one generation at a time per loaded model
        self._loading = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> None:
        """Load tokenizer and model (converting the packaged one on first use); idempotent.

        Call it from a worker to take the wait out of the first text.
        """
        with self._loading:  # a window may ask from two workers at once
            if self._model is None:
                self._load()

    def _load(self) -> None:
        torch_device = resolve_device(self.device)
        folder = self.model_folder or default_model_folder(self.cache_dir)
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True)
        except Exception as exc:  # transformers raises many types for a broken folder
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(f"transformers cannot load a language model from this folder: "
                            f"{first}", file=folder) from None
        finally:
            if bars:
                hf_logging.enable_progress_bar()
        if torch_device.type == "cpu":
            model = model.float()  # half-precision matmuls are slow on most CPUs
        self._model = model.to(torch_device).eval()
        self._tokenizer = tokenizer
        self._torch_device = torch_device

    def prompt(self, facts: Facts, script: str = "LATIN") -> str:
        """The exact text the model continues: its chat template when it has one, ending
        with the answer's first words (:func:`~engine.explanations.prompt.answer_start`)."""
        self.load()
        if getattr(self._tokenizer, "chat_template", None):
            chat = self._tokenizer.apply_chat_template(build_messages(facts, script),
                                                       tokenize=False, add_generation_prompt=True)
            return chat + answer_start(script)
        return plain_prompt(facts, script)

    def stream(self, facts: Facts, cancel: Cancel = None, script: str = "LATIN",
               attempt: int = 1) -> Iterator[str]:
        """The model's text for ``facts``, piece by piece as it is generated.

        ``attempt`` 1 decodes greedily (unless the writer samples); later attempts sample
        with ``seed + attempt - 1``, so that each gives another, repeatable text. Raises
        :class:`~engine.core.errors.Cancelled` once ``cancel`` says stop (checked
        after every token). ``script`` is the catalogue's writing system
        (:attr:`Grounder.script`), which the prompt asks the model to write in.
        Statistics of the finished text are in :attr:`last_stats`.
        """
        prompt = self.prompt(facts, script)
        asked = _is_cancelled(cancel)
        run = _Generation(started=time.perf_counter())
        with self._lock:
            worker = self._start_generation(prompt, attempt, asked, run)
            try:
                yield from _pieces(run, answer_start(script), asked)
            finally:
                run.stop.set()  # the reader left early (an error, or the generator was closed)
                worker.join()
            if run.failure:
                raise DataError(f"the language model failed while writing: {run.failure[0]}")
            if asked():
                raise Cancelled("cancelled while writing an explanation")
            self.last_stats = run.stats()

    def _start_generation(self, prompt: str, attempt: int, asked: Callable[[], bool],
                          run: _Generation) -> threading.Thread:
        """Start generating the text that continues ``prompt`` in a thread; its pieces
        come through ``run.streamer``, an error it raises lands in ``run.failure``."""
        import torch

        assert self._torch_device is not None
        tokenizer = self._tokenizer
        inputs = tokenizer(prompt, return_tensors="pt",
                           add_special_tokens=not tokenizer.chat_template)
        inputs = {k: v.to(self._torch_device) for k, v in inputs.items()}
        run.prompt_tokens = int(inputs["input_ids"].shape[1])
        streamer, stopping = _hooks(tokenizer, run, asked)
        run.streamer = streamer
        sample = not self.greedy or attempt > 1
        options = self._options(tokenizer, sample)

        def generate() -> None:
            try:
                if sample:
                    seed_everything(self.seed + attempt - 1)
                with torch.inference_mode():
                    self._model.generate(**inputs, **options, streamer=streamer,
                                         stopping_criteria=stopping)
            except BaseException as exc:  # handed to the reading thread (stream)
                run.failure.append(exc)
                streamer.end()

        worker = threading.Thread(target=generate, name="explanation-writer", daemon=True)
        worker.start()
        return worker

    def _options(self, tokenizer: Any, sample: bool) -> dict[str, Any]:
        """``generate``'s settings: the token budget, greedy or sampled decoding, the pad
        token (the end-of-text one when the tokenizer has none), no first person."""
        options: dict[str, Any] = {"max_new_tokens": self.max_new_tokens,
                                   "do_sample": sample,
                                   "pad_token_id": tokenizer.pad_token_id
                                   if tokenizer.pad_token_id is not None
                                   else tokenizer.eos_token_id}
        if sample:
            options.update(temperature=0.7, top_p=0.9)
        banned = _first_person_ids(tokenizer)
        if banned:
            options["bad_words_ids"] = banned
        return options

    def explain(self, facts: Facts, grounder: Grounder,
                on_token: Callable[[str], None] | None = None, cancel: Cancel = None,
                on_attempt: Callable[[int], None] | None = None) -> Explanation:
        """The best grounded text of up to ``attempts`` tries, else the template.

        ``on_token`` receives every piece as it is written (a window's live view);
        ``on_attempt(n)`` is called before attempt ``n`` > 1 starts, so such a view can
        clear what the refused attempt wrote; ``cancel`` as in :meth:`stream`.
        """
        best: Explanation | None = None
        refused: list[str] = []
        for attempt in range(1, self.attempts + 1):
            if attempt > 1 and on_attempt is not None:
                on_attempt(attempt)
            pieces = []
            for piece in self.stream(facts, cancel, grounder.script, attempt):
                pieces.append(piece)
                if on_token is not None:
                    on_token(piece)
            result = self.judge("".join(pieces), facts, grounder)
            result.attempt = attempt
            if best is None or _better(result, best):
                best = result
            if best.source == GENERATED and best.sentences >= WANTED_SENTENCES:
                break
            refused.append(f"attempt {attempt}: {'; '.join(result.reasons) or 'too short'}")
        assert best is not None
        others = [r for r in refused if not r.startswith(f"attempt {best.attempt}:")]
        best.reasons = others + best.reasons
        return best

    def judge(self, raw: str, facts: Facts, grounder: Grounder) -> Explanation:
        """Keep the longest run of whole sentences from the start of ``raw`` that passes
        the check (the model's later sentences drift most), else fall back to the
        template; the reasons say what was dropped or why the text was refused."""
        sentences = split_sentences(tidy(raw))
        whole: Grounding | None = None
        for n in range(len(sentences), 0, -1):
            text = " ".join(sentences[:n])
            verdict = grounder.check(text, facts, EXAMPLE_TITLES)
            whole = whole or verdict
            if verdict.ok:
                dropped = [f"dropped the last {len(sentences) - n} of {len(sentences)} "
                           f"sentences: {reason}" for reason in whole.reasons]
                return Explanation(plain_text(text), GENERATED, dropped, self.name, raw)
        reasons = list(whole.reasons) if whole else ["the text is empty"]
        return Explanation(template_explanation(facts), TEMPLATE, reasons, self.name, raw)

    def explain_many(self, facts_list: Sequence[Facts], grounder: Grounder,
                     task: Task | None = None) -> Iterator[tuple[Facts, Explanation]]:
        """Each user's facts with their explanation, one by one, so a caller can store
        them in batches as they come; progress over the whole list and cancellation
        (also in the middle of a text) go through ``task``."""
        self.load()
        for i, facts in enumerate(facts_list):
            explanation = self.explain(facts, grounder, cancel=task)
            if task is not None:
                task.update((i + 1) / len(facts_list),
                            f"wrote {i + 1:,} of {len(facts_list):,} texts")
            yield facts, explanation
