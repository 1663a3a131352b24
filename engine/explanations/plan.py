"""The content plan of one user's text: every sentence the facts allow, and nothing else.

A text is two or three sentences, each about a different pick at the top of the list,
each giving a reason the facts hold:

* a recent item it shares a category with ("Star Wars is listed under action and sci-fi,
  like Return of the Jedi, which you chose on 10 March 1998.");
* an interest of the user's profile that is one of its categories ("We picked Titanic
  for your love of drama.");
* the side of the fusion that brought it, with its categories ("Fargo, listed under
  crime, comes from your recent choices.").

The plan is a tree of literal text, sequences and choices (:class:`Seq`,
:class:`Choice`), built per user so that every slot can only hold what the facts hold
for *that* item: a category slot after a title holds that title's categories, an
interest slot the user's keywords that are also the item's categories, a date slot the
day that recent item was chosen. The language model fills the plan in
(:mod:`.decoding`): it picks the items, their order, the reasons and the wording among
the choices, token by token, and cannot write anything outside it. Connectives and verbs
are a small fixed set per language; claims (categories, interests, relations, days) come
only from the facts.

The first option of every choice is the plan's default, so the template is the plan
itself read along its first options: the same sentences, true by the same construction,
for when no model writes. Phrases exist in English and Chinese; a catalogue whose titles
are mostly CJK gets Chinese, any other English (:func:`language_for`).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Union

from engine.explanations.words import (MONTHS, display_title, genre_key, script_shares,
                                       spoken_title, title_key)

if TYPE_CHECKING:
    from engine.explanations.facts import Facts, Pick
    from engine.explanations.grounding import Grounder

#: How many picks from the top of the list a text may present, in at least
#: MIN_SENTENCES and at most MAX_SENTENCES sentences (one pick each).
PRESENT_N = 3
MIN_SENTENCES, MAX_SENTENCES = 2, 3
#: How many categories or interests one slot may join ("drama, romance and war").
JOIN_N = 3


@dataclass(frozen=True)
class Seq:
    """Parts written one after the other."""

    parts: tuple["Node", ...]


@dataclass(frozen=True)
class Choice:
    """One of the options; the first is the default (the template's)."""

    options: tuple["Node", ...]


Node = Union[str, Seq, Choice]


def seq(*parts: Node) -> Seq:
    return Seq(tuple(parts))


def choice(*options: Node) -> Node:
    """A choice of the distinct options (a single option is just that option)."""
    unique = tuple(dict.fromkeys(options))
    return unique[0] if len(unique) == 1 else Choice(unique)


def default_text(node: Node) -> str:
    """The plan read along the first option of every choice: the template."""
    if isinstance(node, str):
        return node
    if isinstance(node, Seq):
        return "".join(default_text(p) for p in node.parts)
    return default_text(node.options[0])


@dataclass(frozen=True)
class Language:
    """The fixed words of one language's sentences."""

    name: str
    space: str  # between sentences
    recent: str  # "recent choices": the short-term side
    lasting: str  # "long-standing tastes": the long-term side

    def join(self, words: Sequence[str]) -> str:
        words = list(words)
        if self.name == "Chinese":
            return "、".join(words[:-1]) + ("和" if len(words) > 1 else "") + words[-1]
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"

    def day(self, iso: str) -> str:
        d = date.fromisoformat(iso)
        if self.name == "Chinese":
            return f"{d.year}年{d.month}月{d.day}日"
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"

    def category(self, name: str) -> str:
        """A category as a sentence says it: "Sci-Fi" -> "sci-fi", "DIY" stays."""
        return name if self.name == "Chinese" or name.isupper() else name.lower()


ENGLISH = Language("English", " ", "recent choices", "long-standing tastes")
CHINESE = Language("Chinese", "", "最近的选择", "长期的喜好")


def language_for(script: str) -> Language:
    """The language of a catalogue written mostly in ``script`` (Grounder.script)."""
    return CHINESE if script == "CJK" else ENGLISH


def language_of(text: str) -> Language:
    """The language a stored text is written in, read from its letters."""
    shares = script_shares([text])
    return language_for(shares.most_common(1)[0][0] if shares else "LATIN")


@dataclass(frozen=True)
class _Reasons:
    """What the facts hold for one pick, as the sentences say it."""

    title: str
    side: str  # the Language's recent or lasting
    short: bool
    categories: list[str]
    interests: list[str]  # the user's keywords among the pick's categories
    related: list[tuple[str, list[str], str]]  # recent title, shared categories, ISO day


def _namer(facts: "Facts") -> Callable[[str], str]:
    """How a text names a title: without its year, unless another title of the user's
    list or history reads the same ("Cape Fear (1962)" and "Cape Fear (1991)")."""
    keys = Counter(title_key(t) for t in {*facts.list_titles, *facts.history_titles,
                                          *facts.recent})
    return lambda title: display_title(title) if keys[title_key(title)] > 1 \
        else spoken_title(title)


def reasons(pick: "Pick", facts: "Facts", catalogue: "Grounder",
            language: Language) -> _Reasons:
    name = _namer(facts)
    own = catalogue.categories(pick.title)
    keys = {genre_key(c) for c in own}
    interests = [language.category(k) for k in facts.keywords if genre_key(k) in keys]
    days = dict(zip(facts.recent, facts.recent_dates))
    related = []
    for recent in facts.recent:
        theirs = {genre_key(c) for c in catalogue.categories(recent)}
        shared = [language.category(c) for c in own if genre_key(c) in theirs]
        if shared:
            related.append((name(recent), shared, days.get(recent, "")))
    short = pick.horizon == "short"
    return _Reasons(name(pick.title), language.recent if short else language.lasting,
                    short, [language.category(c) for c in own], interests, related)


def _joined(words: list[str], language: Language) -> Node:
    """A slot of one or more of ``words``: all of them (up to JOIN_N) first, then each."""
    return choice(language.join(words[:JOIN_N]), *words)


Form = tuple[str, Node]  # a kind of reason ("recent", "interest", "side") and a sentence


def english_sentences(r: _Reasons) -> list[Form]:
    lang, t = ENGLISH, r.title
    forms: list[Form] = []
    for recent, shared, day in r.related:
        when = choice("recently", f"on {lang.day(day)}") if day else "recently"
        cats = _joined(shared, lang)
        forms += [("recent", seq(t, " is listed under ", cats, ", like ", recent,
                                 ", which you chose ", when, ".")),
                  ("recent", seq("Like ", recent, ", which you chose ", when, ", ", t,
                                 " is listed under ", cats, "."))]
    liked: list[Form] = []
    if r.interests:
        kw = _joined(r.interests, lang)
        liked = [("interest", seq("We picked ", t, " for your ",
                                  choice("interest in", "love of", "taste for"), " ", kw, ".")),
                 ("interest", seq(t, " ", choice("matches", "suits"), " your ",
                                  choice("interest in", "taste for"), " ", kw, "."))]
    forms = forms + liked if r.short else liked + forms  # the side's own reason first
    if r.categories:
        forms.append(("side", seq(t, ", listed under ", _joined(r.categories, lang),
                                  ", comes from your ", r.side, ".")))
    forms.append(("side", seq("We picked ", t, " from your ", r.side, ".")))
    return forms


def chinese_sentences(r: _Reasons) -> list[Form]:
    lang, t = CHINESE, r.title
    forms: list[Form] = []
    for recent, shared, day in r.related:
        when = choice("最近", f"于{lang.day(day)}") if day else "最近"
        forms.append(("recent", seq(t, "和你", when, "选择的", recent, "同属",
                                    _joined(shared, lang), "。")))
    liked: list[Form] = []
    if r.interests:
        liked = [("interest", seq("我们为你挑选了", t, "，因为你喜欢", _joined(r.interests, lang),
                                  "。"))]
    forms = forms + liked if r.short else liked + forms
    if r.categories:
        forms.append(("side", seq(t, "属于", _joined(r.categories, lang), "，来自你", r.side,
                                  "。")))
    forms.append(("side", seq("我们根据你", r.side, "挑选了", t, "。")))
    return forms


def _by_kind(forms: list[Form], previous: str) -> list[tuple[str, Node]]:
    """The sentences of one pick grouped by kind of reason, leaving out the kind the
    previous sentence gave (unless the pick has no other): three picks "from your
    long-standing tastes" in a row read like a form letter."""
    kept = [f for f in forms if f[0] != previous] or forms
    kinds = list(dict.fromkeys(kind for kind, _ in kept))
    return [(kind, choice(*(node for k, node in kept if k == kind))) for kind in kinds]


def build_plan(facts: "Facts", catalogue: "Grounder", language: Language) -> Node:
    """Every text the facts allow for this user, the template's first (see the module)."""
    picks = facts.top[:PRESENT_N]
    if not picks:
        return ("你的推荐列表还是空的。" if language is CHINESE
                else "There is no recommendation for you yet.")
    write = chinese_sentences if language is CHINESE else english_sentences
    forms = [write(reasons(p, facts, catalogue, language)) for p in picks]
    most = min(MAX_SENTENCES, len(forms))
    least = min(MIN_SENTENCES, len(forms))

    def after(used: tuple[int, ...], previous: str) -> Node:
        options: list[Node] = []
        for i in range(len(forms)):
            if i in used:
                continue
            for kind, sentence in _by_kind(forms[i], previous):
                if len(used) + 1 == most:
                    options.append(sentence)
                    continue
                rest = seq(language.space, after((*used, i), kind))
                options.append(seq(sentence, choice(rest, "") if len(used) + 1 >= least
                                   else rest))  # enough said: another sentence may follow
        return choice(*options)

    return after((), "")


def template_explanation(facts: "Facts", catalogue: "Grounder") -> str:
    """The template text: the plan's default, in the catalogue's language."""
    return default_text(build_plan(facts, catalogue, language_for(catalogue.script)))
