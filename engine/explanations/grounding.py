"""Is a recommendation text true to the facts? The check every text passes before it is kept.

A small language model writes fluent text that may name a film that is not in the list,
call a drama a comedy, invent an award, an audience or a relation between two films. None
of that may reach a user as "why we recommend this". The writer decodes within a content
plan that only allows what the facts hold (:mod:`.plan`), and this check reads the text it
produced as if it came from anywhere: every claim of every sentence is matched to a fact
(:mod:`.claims`), and one unsupported claim makes the text unfaithful, which the template
then replaces. The check is plain and fast (no model); its reasons are stored with the text.

Titles are compared in a normalised form (NFKC, case-folded, punctuation and a trailing
year dropped, a trailing article moved to the front as in MovieLens' "Godfather, The
(1972)", a leading article dropped). Names are found two ways:

* quoted spans ("...", “...”, «...», 「...」, 《...》, **...**, *...*) that start with a
  capital, a digit or a CJK character: each must be a title the user may be told about;
* runs of capitalised words (small words such as "of" and "and" allowed inside, a
  "(1995)" after a title read as its year). Each run is split into the known pieces it
  spells (titles, keywords, genres, small words), preferring the split with the fewest
  unexplained words. Allowed are the titles of the user's list and history, the part of
  such a title before or after a subtitle colon, and its first words ("Monty Python").
  A catalogue title outside them is a wrong mention; unexplained capitalised words make
  an invented name when there are two or more ("Brazen Heart") or when they extend a
  known title ("Casablanca Part II"). A single unknown capitalised word ("Hollywood")
  is let through: it may be any proper noun. A single-word title that merely opens a
  sentence ("Crash was ...") is not read as a mention.

The text must also name at least one title of the list, mention no year that no title
has, make no claim that no fact supports (:mod:`.claims`), not speak as a person ("a
favourite of mine"), be long enough, repeat no sentence or phrase, finish its last
sentence, and be written mostly in the script of the catalogue's titles (so a Chinese
catalogue gets Chinese text).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.data.text import STOPWORDS, tokenize
from engine.explanations.claims import Claim, Mention, sentence_claims
from engine.explanations.words import (SENTENCE_END, WORD, abbreviated, display_title,
                                        genre_key, inside, script, script_shares,
                                        sentence_spans, spoken_title, title_key, title_year)

if TYPE_CHECKING:
    from engine.explanations.facts import Facts

_QUOTED = re.compile(r'"([^"\n]{2,120})"|“([^”\n]{2,120})”|«([^»\n]{2,120})»|「([^」\n]{1,120})」'
                     r"|『([^』\n]{1,120})』|《([^》\n]{1,120})》|\*\*([^*\n]{2,120})\*\*"
                     r"|(?<![\w*])\*([^*\n]{2,120})\*(?![\w*])")
_YEAR_WORD = re.compile(r"(?<![\w(])(1[89]\d\d|20\d\d)(s?)(?!\w)")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my|mine|myself)\b")
#: What may stand between two words of one name: spaces, a colon, a comma, an
#: ampersand, a dash, a year in parentheses.
_NAME_GAP = re.compile(r"^(?:[\s:,&–\-]|\(|\))*$")
#: Lower-case words that may join the capitalised words of one name.
_JOINERS = frozenset("of the and a an in on to for at vs from with or de la le du von van"
                     .split())
#: Words that explain themselves wherever they stand in a run.
_SMALL = STOPWORDS | _JOINERS | {"after", "before", "since", "like", "because", "if",
                                 "while", "overall", "top", "together"}
#: Category names that state nothing about an item.
_NO_FACT = frozenset({"unknown", "none", "other", "misc", ""})
#: At least this many words (or CJK characters) make a text worth reading.
MIN_WORDS = 8
#: A content n-gram seen this many times means the model is looping (a plan's three
#: sentences may each say "listed under drama" once).
REPEAT_NGRAM, REPEAT_TIMES = 2, 4
#: Share of the text's letters (outside titles) that must be in the catalogue's script.
MIN_SCRIPT_SHARE = 0.6


@dataclass(frozen=True)
class Grounding:
    """The verdict on one text: ``ok`` (faithful) when ``reasons`` is empty."""

    reasons: tuple[str, ...]
    mentioned: tuple[str, ...] = ()  # list or history titles the text names
    claims: tuple[Claim, ...] = ()  # every claim found, each with its verdict

    @property
    def ok(self) -> bool:
        return not self.reasons


@dataclass
class _Known:
    """Titles by normalised key, with the years each key was released in."""

    titles: dict[str, str] = field(default_factory=dict)
    years: dict[str, set[str]] = field(default_factory=dict)
    dated: dict[tuple[str, str], str] = field(default_factory=dict)  # two "Cape Fear"s

    def add(self, title: str, key: str | None = None) -> None:
        key = key if key is not None else title_key(title)
        if key:
            self.titles.setdefault(key, title)
            year = title_year(title)
            if year:
                self.years.setdefault(key, set()).add(year)
                self.dated.setdefault((key, year), title)

    def title(self, key: str, year: str | None) -> str:
        """The title a name with this key (and year, when one follows it) stands for."""
        return self.dated.get((key, year or ""), self.titles[key])


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str
    sentence_start: bool

    @property
    def capitalised(self) -> bool:
        """Written as a name would be (CJK has no capitals: its names are found apart)."""
        first = self.text[:1]
        return first.isupper() or first.isdigit()


class _Context:
    """What one check compares against: allowed titles and the words that explain
    themselves, beside the catalogue's titles."""

    def __init__(self, grounder: "Grounder", facts: "Facts", foreign: Sequence[str]) -> None:
        self.allowed = _Known()
        self.prefixes: dict[str, str] = {}
        for title in (*facts.list_titles, *facts.history_titles):
            self.allowed.add(title)
            spoken = unicodedata.normalize("NFKC", spoken_title(title)).casefold()
            self.allowed.add(title, " ".join(re.findall(r"[^\W_]+", spoken)))  # "Die Hard 2"
            shown = display_title(title)
            if ":" in shown:  # "Star Trek IV: The Voyage Home" may be named by either part
                head, tail = shown.split(":", 1)
                self.allowed.add(title, title_key(head))
                if len(title_key(tail).split()) > 1:
                    self.allowed.add(title, title_key(tail))
            words = title_key(title).split()
            for n in range(2, len(words)):
                if words[n - 1] not in _SMALL:  # "Monty Python", not "Monty Python and"
                    self.prefixes.setdefault(" ".join(words[:n]), title)
        self.in_list = {title_key(t) for t in facts.list_titles}
        self.foreign = {title_key(t): t for t in foreign}
        self.plain = ({title_key(k) for k in facts.keywords} | {genre_key(k) for k in facts.keywords}
                      | set(grounder.genres))
        self.catalogue = grounder.catalogue


class Grounder:
    """The catalogue a text is checked against; build it once per dataset, check many texts.

    ``categories`` maps titles to their categories (genres), when the catalogue has them:
    the facts of what each item is, which the plan may say and the check holds a text to.
    ``genres`` adds category names no title carries. A category called "unknown" (as in
    MovieLens) is no fact about an item and is left out.
    """

    def __init__(self, catalogue_titles: Iterable[str], genres: Iterable[str] = (),
                 categories: Mapping[str, Sequence[str]] | None = None,
                 max_script_sample: int = 20000) -> None:
        self.catalogue = _Known()
        sample = []
        for title in catalogue_titles:
            self.catalogue.add(str(title))
            if len(sample) < max_script_sample:
                sample.append(str(title))
        shares = script_shares(sample)
        self.script = shares.most_common(1)[0][0] if shares else "LATIN"
        self._longest = max((len(k.split()) for k in self.catalogue.titles), default=1)
        self._categories = {str(t): tuple(str(g) for g in gs if genre_key(g) not in _NO_FACT)
                            for t, gs in (categories or {}).items()}
        names = [*genres, *(g for gs in self._categories.values() for g in gs)]
        self.genres = {genre_key(g): str(g) for g in names
                       if genre_key(g) and genre_key(g) not in _NO_FACT}
        self._cjk = {k: t for k, t in self.catalogue.titles.items()
                     if any(script(c) == "CJK" for c in k)}

    def categories(self, title: str) -> tuple[str, ...]:
        """The catalogue's categories of ``title`` (none when it has none or is unknown)."""
        return self._categories.get(title, ())

    def check(self, text: str, facts: "Facts", foreign: Sequence[str] = ()) -> Grounding:
        """All the reasons ``text`` fails (none: it passes), and the titles it names.

        ``facts`` give the titles the text may name (the user's list and history), the
        recent ones and the interest keywords. ``foreign`` titles are known not to be
        the user's (the prompt's worked example): naming one is a wrong mention.
        """
        text = text.strip()
        if not text:
            return Grounding(("the text is empty",))
        context = _Context(self, facts, foreign)
        reasons: list[str] = []
        named: list[Mention] = []
        spans = self._quoted(text, context, reasons, named)
        spans += self._unquoted_cjk(text, spans, context, reasons, named)
        spans += self._spelled(text, spans, context, reasons, named)
        for run in _runs(text, spans):
            spans += self._read_run(text, run, context, reasons, named, spans)
        if not any(title_key(m.title) in context.in_list for m in named):
            reasons.append("names none of the recommended titles")
        claims = sentence_claims(text, sentence_spans(text, spans), sorted(named), spans, facts,
                                 self)
        reasons += [claim.reason for claim in claims if not claim.supported]
        dates = [c.where for c in claims if c.kind == "date"]
        reasons += self._years(text, spans + dates, context.allowed)
        if any(not inside(m.start(), spans) for m in _FIRST_PERSON.finditer(text)):
            reasons.append("speaks as a person (I, me, my)")  # not "G.I. Jane"
        reasons += self._form(text, spans)
        return Grounding(tuple(dict.fromkeys(reasons)),
                         tuple(dict.fromkeys(m.title for m in named)), tuple(claims))

    # -- names ----------------------------------------------------------------------------

    def _quoted(self, text: str, context: _Context, reasons: list[str],
                named: list[Mention]) -> list[tuple[int, int]]:
        """Judge every quoted title; the spans they cover."""
        spans = []
        for match in _QUOTED.finditer(text):
            inner = next(g for g in match.groups() if g is not None).strip()
            if not inner or not (inner[0].isupper() or inner[0].isdigit()
                                 or script(inner[0]) == "CJK"):
                continue  # "scare quotes" around an ordinary word
            key = title_key(inner)
            if key in context.plain:
                continue
            spans.append(match.span())
            self._judge(inner, match.span(), key, title_year(inner), context, reasons, named,
                        strict=True)
        return spans

    def _unquoted_cjk(self, text: str, taken: list[tuple[int, int]], context: _Context,
                      reasons: list[str], named: list[Mention]) -> list[tuple[int, int]]:
        """Titles written in a script without capitals, found by spelling: CJK text marks
        no word boundaries, so each title of the user's facts and of the catalogue is
        looked for as a substring (longest first)."""
        if not any(script(c) == "CJK" for c in text):
            return []
        spans: list[tuple[int, int]] = []
        folded = unicodedata.normalize("NFKC", text).casefold()
        candidates = {**self._cjk, **{k: t for k, t in context.allowed.titles.items()
                                      if any(script(c) == "CJK" for c in k)}}
        for key in sorted(candidates, key=len, reverse=True):
            needle = key.replace(" ", "")
            for match in re.finditer(re.escape(needle), folded):
                span = match.span()
                if not any(s < span[1] and span[0] < e for s, e in taken + spans):
                    spans.append(span)
                    self._judge(text[span[0]:span[1]], span, key, _year_after(text, span[1]),
                                context, reasons, named, strict=False)
        return spans

    def _spelled(self, text: str, taken: list[tuple[int, int]], context: _Context,
                 reasons: list[str], named: list[Mention]) -> list[tuple[int, int]]:
        """The user's own titles wherever the text spells them from a capital on, whatever
        the case after it ("Candle with Rosehip Oil, 50 ml"; not "contact" for "Contact"),
        longest first."""
        words = [(m.start(), m.end(), unicodedata.normalize("NFKC", m.group()).casefold())
                 for m in re.finditer(r"[^\W_]+", text)]
        starts: dict[str, list[int]] = {}
        for i, (_, _, word) in enumerate(words):
            starts.setdefault(word, []).append(i)
        spans: list[tuple[int, int]] = []
        for key in sorted(context.allowed.titles, key=lambda k: -len(k.split())):
            parts = key.split()
            for i in starts.get(parts[0], []):
                if [w for _, _, w in words[i:i + len(parts)]] != parts:
                    continue
                span = (words[i][0], words[i + len(parts) - 1][1])
                first = text[span[0]]
                if (first.isupper() or first.isdigit()) and not any(
                        s < span[1] and span[0] < e for s, e in taken + spans):
                    spans.append(span)
                    self._judge(text[span[0]:span[1]], span, key, _year_after(text, span[1]),
                                context, reasons, named, strict=False)
        return spans

    def _judge(self, span: str, where: tuple[int, int], key: str, year: str | None,
               context: _Context, reasons: list[str], named: list[Mention], strict: bool
               ) -> None:
        """One name: allowed (with the right year), wrong, or invented when ``strict``."""
        allowed = context.allowed
        if key in allowed.titles:
            if year and allowed.years.get(key) and year not in allowed.years[key]:
                reasons.append(f"gives {span!r} the wrong year {year}")
            named.append(Mention(*where, allowed.title(key, year)))
        elif key in context.prefixes:
            named.append(Mention(*where, context.prefixes[key]))
        elif key in context.catalogue.titles or key in context.foreign:
            title = context.catalogue.titles.get(key) or context.foreign[key]
            reasons.append(f"names {title!r}, which is neither in the list nor in the history")
        elif strict:
            reasons.append(f"names {span!r}, which is in neither the list, the history nor "
                           "the catalogue")

    def _read_run(self, text: str, run: list[_Word], context: _Context,
                  reasons: list[str], named: list[Mention], taken: list[tuple[int, int]]
                  ) -> list[tuple[int, int]]:
        """Split a run of capitalised words into known pieces and judge them; the spans
        of the titles it names. A run right after a title found before (``taken``)
        that it cannot explain extends that title into a new one ("Titanic Part II")."""
        dated = False
        while len(run) > 1 and re.fullmatch(r"\(\d{4}", text[run[-1].start - 1:run[-1].end]):
            run, dated = run[:-1], True  # "Dune (1965)": a dated name
        n = len(run)
        # best[i] = (unexplained capitalised words, pieces, split) for run[:i]
        best: list[tuple[float, int, list[tuple[int, int, str]]]] = [(0, 0, [])]
        for end in range(1, n + 1):
            options = []
            for start in range(max(0, end - self._longest), end):
                cost, count, split = best[start]
                kind = self._piece(text, run, start, end, context)
                if kind is None:
                    continue
                penalty = {"unknown": 1.0, "wrong": 0.5}.get(kind, 0.0)
                options.append((cost + penalty, count + 1, split + [(start, end, kind)]))
            best.append(min(options, key=lambda o: (o[0], o[1])))
        pieces = best[n][2]
        spans = []
        for start, end, kind in pieces:
            if kind in ("title", "wrong"):
                where = (run[start].start, run[end - 1].end)
                spans.append(where)
                span = text[where[0]:where[1]]
                self._judge(span, where, title_key(span), _year_after(text, where[1]),
                            context, reasons, named, strict=False)
        for (_, end, kind), (start, _, next_kind) in zip(pieces, pieces[1:]):
            gap = text[run[end - 1].end:run[start].start]
            if kind in ("title", "wrong") and next_kind in ("title", "wrong") \
                    and not re.search(r"[,&]", gap):
                span = _name(text, run)  # two titles fused into a new one
                reasons.append(f"names {span!r}, which is in neither the list, the history "
                               "nor the catalogue")
        unknown = [run[s] for s, _, kind in pieces if kind == "unknown"]
        inside = sum(not w.sentence_start for w in unknown)  # not merely opening a sentence
        dated = dated or _year_after(text, run[-1].end) is not None
        extended = next((s for s, e in taken if e <= run[0].start
                         and re.fullmatch(r"[ :]*", text[e:run[0].start])), None)
        if unknown and extended is not None:
            reasons.append(f"names {text[extended:run[-1].end]!r}, which is in neither the "
                           "list, the history nor the catalogue")
        elif (inside and (len(unknown) >= 2 or spans)) or (dated and unknown and not spans):
            reasons.append(f"names {_name(text, run)!r}, which is in neither the list, the "
                           "history nor the catalogue")
        return spans

    def _piece(self, text: str, run: list[_Word], start: int, end: int, context: _Context
               ) -> str | None:
        """What ``run[start:end]`` is: "title", "wrong", "plain", "unknown" or None."""
        key = title_key(text[run[start].start:run[end - 1].end])
        single = end - start == 1
        if key in context.allowed.titles or key in context.prefixes:
            return "title"
        if key in context.plain or (single and genre_key(key) in context.plain):
            return "plain"
        if key in context.catalogue.titles or key in context.foreign:
            dated = _year_after(text, run[end - 1].end) is not None
            if single and not dated and (run[start].sentence_start or len(key) < 3):
                return "plain" if key in _SMALL else "unknown"  # "Crash was ..."
            return "wrong"
        if single:
            word = run[start].text.casefold()
            return "plain" if word in _SMALL or word.isdigit() else "unknown"
        return None

    # -- claims and form ------------------------------------------------------------------

    def _years(self, text: str, spans: list[tuple[int, int]], allowed: _Known) -> list[str]:
        """A year or decade outside a title must be one of the titles' years."""
        years = {y for ys in allowed.years.values() for y in ys}
        reasons = []
        for match in _YEAR_WORD.finditer(text):
            if inside(match.start(), spans):
                continue
            year, decade = match.group(1), match.group(2)
            if (decade and not any(y[:3] == year[:3] for y in years)) or (
                    not decade and year not in years):
                reasons.append(f"mentions the year {match.group()}, which no title has")
        return reasons

    def _form(self, text: str, spans: list[tuple[int, int]]) -> list[str]:
        """Reasons the text is unusable whatever it names: short, looping, cut, foreign."""
        reasons = []
        cjk = sum(script(c) == "CJK" for c in text if c.isalpha())
        words = len(WORD.findall(text)) + cjk
        if words < MIN_WORDS:
            reasons.append(f"too short ({words} words)")
        whole = sentence_spans(text, spans)
        sentences = [s for s in (_norm(text[a:b]) for a, b in whole) if s]
        if len(sentences) != len(set(sentences)):
            reasons.append("repeats a sentence")
        for start, end in whole:
            own = [m for m in WORD.finditer(text, start, end) if not inside(m.start(), spans)]
            own_cjk = sum(script(c) == "CJK" and not inside(i, spans)  # no word breaks
                          for i, c in enumerate(text[start:end], start))
            if len(own) + own_cjk < 2 and len(sentences) > 1:
                reasons.append(f"a sentence is only a name: {text[start:end]!r}")
        outside = "".join(" " if inside(i, spans) else c for i, c in enumerate(text))
        tokens = tokenize(outside)  # a title may come twice; a phrase of the model's may not
        grams = Counter(tuple(tokens[i:i + REPEAT_NGRAM])
                        for i in range(len(tokens) - REPEAT_NGRAM + 1))
        if grams and grams.most_common(1)[0][1] >= REPEAT_TIMES:
            reasons.append(f"repeats the phrase {' '.join(grams.most_common(1)[0][0])!r}")
        if not SENTENCE_END.search(text[-3:] + " "):
            reasons.append("the last sentence is unfinished")
        shares = script_shares([outside])
        total = sum(shares.values())
        if total >= 10 and shares[self.script] / total < MIN_SCRIPT_SHARE:
            reasons.append(f"not written in the catalogue's script ({self.script.lower()})")
        return reasons


def _runs(text: str, taken: list[tuple[int, int]]) -> list[list[_Word]]:
    """Maximal runs of capitalised words (joined by small words) outside ``taken``."""
    openers = set()
    for found, _ in sentence_spans(text, taken):
        while found < len(text) and text[found] in " \"'“‘(*":
            found += 1
        openers.add(found)
    words = [_Word(m.start(), m.end(), m.group(), m.start() in openers)
             for m in WORD.finditer(text)]
    runs: list[list[_Word]] = []
    current: list[_Word] = []
    for word in words:
        free = not inside(word.start, taken)
        if current and free and not word.sentence_start and (
                word.capitalised or word.text in _JOINERS):
            gap = text[current[-1].end:word.start]
            if abbreviated(current[-1].text):
                gap = gap.replace(".", "", 1)
            if _NAME_GAP.match(gap):
                current.append(word)
                continue
        if current:
            runs.append(current)
        current = [word] if free and word.capitalised else []
    if current:
        runs.append(current)
    for run in runs:  # a run ends on a capitalised word: "The Saint and" -> "The Saint"
        while run and not run[-1].capitalised:
            run.pop()
    return [run for run in runs if run]


def _name(text: str, run: list[_Word]) -> str:
    """The run as written, without a trailing year: what a reason quotes."""
    words = list(run)
    while len(words) > 1 and words[-1].text.isdigit():
        words.pop()
    return text[words[0].start:words[-1].end]


def _year_after(text: str, end: int) -> str | None:
    """The year in "(1995)" right after position ``end``, if any."""
    match = re.match(r"\s*\((1[89]\d\d|20\d\d)\)", text[end:])
    return match.group(1) if match else None


def _norm(sentence: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", sentence.casefold()))
