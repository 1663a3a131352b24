"""Filling a content plan in with a language model, token by token: constrained decoding.

The plan (:mod:`.plan`) becomes an automaton over the UTF-8 bytes of every text it
allows (:class:`Automaton`, a Thompson construction: literal bytes, sequences,
alternatives). Decoding then alternates two moves:

* where the plan allows exactly one way on (the rest of a title, a fixed phrase), that
  text is tokenized and fed to the model in one batch: no token is chosen, and a batch
  costs far less than token-by-token generation;
* where it branches, the candidates are exactly the vocabulary's tokens that keep the
  automaton alive (found by walking the automaton beside the sorted vocabulary, never by
  testing all of it), plus the end-of-text tokens once the plan may end; the model's
  logits choose among them (greedy, or sampled with a seed).

So every token is checked against the plan before it is taken, not filtered after the
text is written. A forced run stops before the spaces that precede a branch (" matches"
is one token, not " " + "matches") and at whole characters (a CJK character may span
several byte tokens). Tokens are bytes, so any script works the same way.
"""
from __future__ import annotations

import bisect
import codecs
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

import numpy as np

from engine.core.errors import Cancelled, DataError
from engine.explanations.plan import Choice, Node, Seq


class Automaton:
    """The byte-level automaton of a plan: each state has one byte edge or epsilon
    edges; a set of states (closed over epsilon edges) is where decoding stands."""

    def __init__(self, plan: Node) -> None:
        self._byte: list[int] = []
        self._next: list[int] = []
        self._eps: list[list[int]] = []
        start, self._accept = self._build(plan)
        self.start = self._closure({start})

    def _state(self) -> int:
        self._byte.append(-1)
        self._next.append(-1)
        self._eps.append([])
        return len(self._byte) - 1

    def _build(self, node: Node) -> tuple[int, int]:
        first = last = self._state()
        if isinstance(node, str):
            for byte in node.encode("utf-8"):
                new = self._state()
                self._byte[last], self._next[last] = byte, new
                last = new
        elif isinstance(node, Seq):
            for part in node.parts:
                start, end = self._build(part)
                self._eps[last].append(start)
                last = end
        elif isinstance(node, Choice):
            last = self._state()
            for option in node.options:
                start, end = self._build(option)
                self._eps[first].append(start)
                self._eps[end].append(last)
        return first, last

    def _closure(self, states: set[int]) -> frozenset[int]:
        stack, seen = list(states), set(states)
        while stack:
            for target in self._eps[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return frozenset(s for s in seen if self._byte[s] >= 0 or s == self._accept)

    def step(self, states: frozenset[int], byte: int) -> frozenset[int]:
        """Where ``byte`` leads from ``states`` (empty: the plan does not allow it)."""
        return self._closure({self._next[s] for s in states if self._byte[s] == byte})

    def run(self, states: frozenset[int], data: bytes) -> frozenset[int]:
        for byte in data:
            states = self.step(states, byte)
            if not states:
                break
        return states

    def next_bytes(self, states: frozenset[int]) -> set[int]:
        return {self._byte[s] for s in states if self._byte[s] >= 0}

    def accepting(self, states: frozenset[int]) -> bool:
        return self._accept in states

    def forced(self, states: frozenset[int]) -> tuple[bytes, frozenset[int]]:
        """The text the plan allows as the only way on from ``states`` (whole characters,
        without the spaces before the next branch), and where it leads."""
        out, path = bytearray(), [states]
        while not self.accepting(states):
            ahead = self.next_bytes(states)
            if len(ahead) != 1:
                break
            byte = ahead.pop()
            out.append(byte)
            states = self.step(states, byte)
            path.append(states)
        keep = len(out)
        if not self.accepting(states) or self.next_bytes(states):  # a branch follows
            while keep and out[keep - 1] == 0x20:
                keep -= 1
        while keep and not _whole(bytes(out[:keep])):
            keep -= 1
        if out[:1] and 0x80 <= out[0] < 0xC0:  # the model ended mid-character: choose on
            keep = 0
        return bytes(out[:keep]), path[keep]


def _whole(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class Vocabulary:
    """A model's tokens as bytes, sorted, so the tokens a plan allows are found by prefix."""

    def __init__(self, pieces: Sequence[bytes], ends: Sequence[int]) -> None:
        order = sorted((piece, i) for i, piece in enumerate(pieces) if piece)
        self._sorted = [piece for piece, _ in order]
        self._ids = [i for _, i in order]
        self.pieces = list(pieces)
        self.ends = list(ends)  # end-of-generation tokens

    def spell(self, data: bytes) -> list[int]:
        """Tokens for ``data``, longest match first (where the tokenizer adds text)."""
        tokens, at = [], 0
        while at < len(data):
            for end in range(min(len(data), at + 64), at, -1):
                i = bisect.bisect_left(self._sorted, data[at:end])
                if i < len(self._sorted) and self._sorted[i] == data[at:end]:
                    tokens.append(self._ids[i])
                    at = end
                    break
            else:
                raise DataError(f"the model's vocabulary cannot write {data[at:at + 8]!r}")
        return tokens

    def allowed(self, automaton: Automaton, states: frozenset[int]) -> list[int]:
        """Every token whose bytes the plan allows from ``states``."""
        found: list[int] = []
        stack: list[tuple[bytes, frozenset[int]]] = [(b"", states)]
        while stack:
            prefix, here = stack.pop()
            for byte in automaton.next_bytes(here):
                longer = prefix + bytes((byte,))
                at = bisect.bisect_left(self._sorted, longer)
                if at == len(self._sorted) or not self._sorted[at].startswith(longer):
                    continue  # no token starts so
                while at < len(self._sorted) and self._sorted[at] == longer:
                    found.append(self._ids[at])
                    at += 1
                stack.append((longer, automaton.step(here, byte)))
        return found


class LanguageModel(Protocol):
    """What decoding needs of a model (:class:`engine.explanations.model.LlamaModel`)."""

    vocabulary: Vocabulary

    def tokenize(self, text: bytes) -> list[int]: ...

    def begin(self, prompt: list[int], shared: int) -> np.ndarray: ...

    def feed(self, tokens: list[int]) -> np.ndarray: ...


Picker = Callable[[np.ndarray, list[int]], int]


def greedy(logits: np.ndarray, candidates: list[int]) -> int:
    return candidates[int(np.argmax(logits[candidates]))]


def sampler(seed: int, temperature: float = 0.7) -> Picker:
    """Sampling among the candidates, repeatable with ``seed``."""
    rng = np.random.default_rng(seed)

    def pick(logits: np.ndarray, candidates: list[int]) -> int:
        z = logits[candidates].astype(np.float64) / temperature
        p = np.exp(z - z.max())
        return candidates[int(rng.choice(len(candidates), p=p / p.sum()))]
    return pick


def fill(plan: Node, model: LanguageModel, prompt: list[int], shared: int = 0,
         pick: Picker = greedy, budget: int = 80,
         cancelled: Callable[[], bool] = lambda: False,
         counted: Callable[[int], None] = lambda n: None) -> Iterator[str]:
    """The text the model writes within ``plan`` after ``prompt``, piece by piece.

    The first ``shared`` tokens of the prompt are the same for every user (kept
    evaluated by the model).
    Optional parts (a third sentence) are left out once ``budget`` new tokens are
    spent; the sentence under way is always finished. ``counted(n)`` hears of every
    ``n`` new tokens as they are fed. Raises :class:`Cancelled` once ``cancelled()``.
    """
    automaton, vocabulary = Automaton(plan), model.vocabulary
    text = codecs.getincrementaldecoder("utf-8")()
    states, spent = automaton.start, 0
    logits = model.begin(prompt, shared)
    while True:
        if cancelled():
            raise Cancelled("cancelled while writing an explanation")
        run, after = automaton.forced(states)
        if run:
            states = after
            if automaton.accepting(states) and not automaton.next_bytes(states):
                counted(len(model.tokenize(run)))
                yield text.decode(run, final=True)
                return
            tokens = model.tokenize(run)
            logits = model.feed(tokens)
            spent += len(tokens)
            counted(len(tokens))
            yield text.decode(run)
            continue
        ends = automaton.accepting(states)
        if ends and (spent >= budget or not automaton.next_bytes(states)):
            return
        candidates = vocabulary.allowed(automaton, states) + (vocabulary.ends if ends else [])
        if not candidates:
            raise DataError("the model's vocabulary cannot write what the plan holds next")
        token = pick(logits, candidates)
        if token in vocabulary.ends:
            return
        piece = vocabulary.pieces[token]
        states = automaton.run(states, piece)
        logits = model.feed([token])
        spent += 1
        counted(1)
        yield text.decode(piece)
