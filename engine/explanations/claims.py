"""The claims of each sentence of a text, each matched to a fact or marked unsupported.

A text is faithful when every claim it makes is a fact of the run; "breaks no rule" is
not enough ("Lone Star is a classic comedy" names a listed film and still says two false
things). A sentence is read for:

* categories: a category (genre) word outside the titles is said of every item the
  sentence names, so each of them must carry it in the catalogue ("The English Patient
  is a sci-fi thriller"); in a sentence that names no item it is an interest of the user;
* interests: what follows "your interest in", "your love of", "you like" ... is said of
  the user, so each part must be one of the user's interest keywords; a category among
  them is also said of the items the sentence names;
* relations: a sentence naming a listed item and a history item relates them, which
  only a category both carry supports, and it must name one;
* recency and sides: "recently" said of a history item means it is one of the user's
  last items; said of a listed item ("comes from your recent choices") it means the
  short-term side brought it, as "long-standing tastes" means the long-term side did;
* days: a date must be the day a history item named beside it was chosen;
* words no fact ever holds: quality and fame ("classic", "award-winning", "cult"),
  nationality, era, audience ("for kids", "anyone with ..."), health, price, and
  relations the data cannot know ("sequel", "same director").

Years are checked by :mod:`.grounding` (a year must be one of the named titles' years).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from engine.explanations.words import MONTHS, WORD, genre_key, inside, script

if TYPE_CHECKING:
    from engine.explanations.facts import Facts
    from engine.explanations.grounding import Grounder

#: Words whose claim no fact of a run can hold, by kind (English, then Chinese).
UNSUPPORTED = {
    "quality or fame": "classic classics award awards award-winning oscar oscars acclaimed "
                       "masterpiece cult iconic legendary famous beloved best greatest hit "
                       "blockbuster bestseller best-selling bestselling critically popular "
                       "favourite favorite must-see timeless hilarious brilliant 经典 获奖 "
                       "奥斯卡 著名 最佳 名作",
    "nationality": "american british french italian german spanish japanese chinese "
                   "korean indian russian swedish danish irish scottish australian canadian "
                   "mexican hollywood bollywood european asian african",
    "era": "decade decades century centuries vintage retro eighties nineties seventies "
           "sixties fifties 年代 世纪 复古",
    "audience": "kids kid children child family families adults adult teens teen teenagers "
                "teenager anyone everyone audience audiences viewers readers beginners fans "
                "women men boys girls parents 家庭 孩子 成人",
    "health": "health healthy mental illness disease therapy medical depression anxiety "
              "doctor cure 健康 疾病",
    "price": "price prices priced cheap cheaper expensive affordable bargain discount sale "
             "deal cost costs money dollars euros free 价格 便宜 昂贵 打折",
    "relation words": "sequel sequels prequel remake follow-up franchise trilogy series spin-off "
                "adaptation adapted director directed starring actor actress author 续集 "
                "导演 主演 作者",
}
_LEXICON = {word: kind for kind, words in UNSUPPORTED.items() for word in words.split()}
_CJK_LEXICON = {word: kind for word, kind in _LEXICON.items() if script(word[0]) == "CJK"}
_PHRASES = re.compile(r"\b(?:based on|inspired by|same (?:director|author|actors?|studio)|"
                      r"written by|made by|directed by)\b", re.IGNORECASE)
_INTEREST = re.compile(r"\b(?:your|you)\s+(?:[\w-]+\s+)?(?:interests?|love|loves|taste|tastes|"
                       r"liking|passion|fondness)\s+(?:in|of|for)\b|\byou\s+(?:like|love|"
                       r"enjoy|prefer)\b|\bfan of\b|你(?:一直)?喜欢的?|你对", re.IGNORECASE)
_RECENT = re.compile(r"\b(?:recent|recently|lately|latest|last)\b|最近", re.IGNORECASE)
_LONG = re.compile(r"\b(?:long-standing|long-term|longtime|lasting)\s+(?:tastes?|choices|"
                   r"side|history)\b|长期的?(?:喜好|选择)", re.IGNORECASE)
_MONTHS = [m.casefold() for m in MONTHS]
_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4})\b|\b(" + "|".join(_MONTHS)
                   + r") (\d{1,2}), (\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b|(\d{4})年(\d{1,2})月"
                   r"(\d{1,2})日", re.IGNORECASE)
_PHRASE_END = re.compile(r"[.,;:!?()。，；：！？（）]|\bwhich\b|\bbecause\b|\blike\b")
_PARTS = re.compile(r",|\band\b|\bor\b|、|和|与|及")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Mention:
    """A title of the user's list or history named in the text, and where."""

    start: int
    end: int
    title: str


@dataclass(frozen=True)
class Claim:
    """One thing a sentence says, about an item (its title) or about "you"."""

    kind: str  # category, interest, relation, recent, side, date, or a kind of UNSUPPORTED
    about: str
    value: str
    supported: bool
    where: tuple[int, int] = (0, 0)

    @property
    def reason(self) -> str:
        """Why an unsupported claim is one, as the stored reasons say it."""
        what = {"category": f"says {self.about!r} is {self.value}, which the catalogue does "
                            "not list for it",
                "interest": f"says the user likes {self.value}, which is not among their "
                            "interests",
                "relation": f"relates {self.about!r} to {self.value!r} without naming a "
                            "category both carry",
                "recent": f"says {self.about!r} was chosen recently, which it was not",
                "side": f"says {self.about!r} comes from the user's {self.value} side, which "
                        "did not bring it",
                "date": f"gives the day {self.value}, which is not when "
                        + (f"{self.about!r} was chosen" if self.about != "you"
                           else "anything named was chosen")}
        return what.get(self.kind, f"claims {self.value!r} ({self.kind}), which no fact holds")


def sentence_claims(text: str, sentences: Sequence[tuple[int, int]],
                    mentions: Sequence[Mention], titles: Sequence[tuple[int, int]],
                    facts: "Facts", catalogue: "Grounder") -> list[Claim]:
    """Every claim of every sentence of ``text`` with its verdict; ``mentions`` are the
    list and history titles found in it and ``titles`` the spans of all titles found
    (words inside a title claim nothing)."""
    listed, past = set(facts.list_titles), {*facts.history_titles, *facts.recent}
    claims: list[Claim] = []
    for start, end in sentences:
        named = [m for m in mentions if start <= m.start < end]
        reader = _Sentence(text, start, end, titles, facts, catalogue)
        items = list(dict.fromkeys(m.title for m in named))
        picks = [t for t in items if t in listed]
        claims += reader.interests(picks)
        claims += reader.categories(items)
        pick = next((t for t in picks if t not in past), picks[0] if picks else None)
        others = [t for t in items if t in past and t != pick]  # listed ones chosen before too
        if pick is not None and others:
            shared = {c for c in reader.found if all(c in reader.keys(t) for t in items)}
            claims.append(Claim("relation", pick, others[0], bool(shared), (start, end)))
        claims += reader.sides(named, listed, past)
        claims += reader.dates(named)
        claims += reader.words()
    return claims


class _Sentence:
    """One sentence being read; ``found`` collects the category keys it states."""

    def __init__(self, text: str, start: int, end: int, titles: Sequence[tuple[int, int]],
                 facts: "Facts", catalogue: "Grounder") -> None:
        self.text, self.start, self.end = text, start, end
        self.titles = list(titles)
        self.facts, self.catalogue = facts, catalogue
        self.taken: list[tuple[int, int]] = list(titles)  # titles, then interest phrases
        self.found: set[str] = set()
        self.interest_keys = {genre_key(k) for k in facts.keywords}

    def keys(self, title: str) -> set[str]:
        return {genre_key(c) for c in self.catalogue.categories(title)}

    def _free(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        return [m for m in pattern.finditer(self.text, self.start, self.end)
                if not inside(m.start(), self.taken)]

    def interests(self, own: list[str]) -> list[Claim]:
        """The parts of each "your love of ..." phrase: interests, and categories of the
        listed items named beside them."""
        claims = []
        for cue in self._free(_INTEREST):
            stop = _PHRASE_END.search(self.text, cue.end(), self.end)
            phrase_end = stop.start() if stop else self.end
            self.taken.append((cue.start(), phrase_end))
            for part in _PARTS.split(self.text[cue.end():phrase_end]):
                part = _ARTICLE.sub("", part.strip())
                if not part:
                    continue
                key = genre_key(part)
                where = (cue.start(), phrase_end)
                claims.append(Claim("interest", "you", part, key in self.interest_keys, where))
                if key in self.catalogue.genres:
                    self.found.add(key)
                    claims += [Claim("category", t, part, key in self.keys(t), where)
                               for t in own]
        return claims

    def categories(self, items: list[str]) -> list[Claim]:
        """Each category word outside titles and interest phrases, said of every named
        item (or, with none named, of the user)."""
        claims = []
        for key, shown, where in self._category_words():
            self.found.add(key)
            if items:
                claims += [Claim("category", t, shown, key in self.keys(t), where)
                           for t in items]
            else:
                claims.append(Claim("interest", "you", shown, key in self.interest_keys, where))
        return claims

    def _category_words(self) -> list[tuple[str, str, tuple[int, int]]]:
        genres = self.catalogue.genres
        out = []
        words = [m for m in WORD.finditer(self.text, self.start, self.end)
                 if not inside(m.start(), self.taken)]
        i = 0
        while i < len(words):
            pair = (f"{words[i].group()} {words[i + 1].group()}" if i + 1 < len(words)
                    and self.text[words[i].end():words[i + 1].start()] in (" ", "-") else "")
            if pair and genre_key(pair) in genres:
                out.append((genre_key(pair), pair, (words[i].start(), words[i + 1].end())))
                i += 2
                continue
            key = genre_key(words[i].group())
            if key in genres:
                out.append((key, words[i].group(), words[i].span()))
            i += 1
        for key, name in genres.items():  # CJK names: no word boundaries to find them by
            if name and script(name[0]) == "CJK":
                for m in re.finditer(re.escape(name), self.text[self.start:self.end]):
                    where = (self.start + m.start(), self.start + m.end())
                    if not inside(where[0], self.taken):
                        out.append((key, name, where))
        return out

    def sides(self, named: list[Mention], listed: set[str], past: set[str]) -> list[Claim]:
        """"Recently" said of an item (:func:`_nearest`): of a history item, that it is one
        of the last items; of a listed one, that the short-term side brought it.
        "Long-standing tastes": the long-term side brought it."""
        sides = {p.title: p.horizon for p in self.facts.top}
        recent = set(self.facts.recent)
        claims = []
        for cue in self._free(_RECENT):
            item = _nearest(named, cue)
            if item is None:
                continue
            t = item.title
            short = sides.get(t) == "short"
            if t in past:  # a listed item chosen before may be either
                claims.append(Claim("recent", t, "recently",
                                    t in recent or (t in listed and short), cue.span()))
            else:
                claims.append(Claim("side", t, "short-term", short, cue.span()))
        for cue in self._free(_LONG):
            item = _nearest(named, cue)
            if item is not None and item.title in listed:
                claims.append(Claim("side", item.title, "long-term",
                                    sides.get(item.title) == "long", cue.span()))
        return claims

    def dates(self, named: list[Mention]) -> list[Claim]:
        """A day is when the item it is said of (:func:`_nearest`) was chosen."""
        days = dict(zip(self.facts.recent, self.facts.recent_dates))
        claims = []
        for match in self._free(_DATE):
            value = _iso(match)
            item = _nearest(named, match)
            about = item.title if item is not None else "you"
            claims.append(Claim("date", about, value, days.get(about) == value, match.span()))
        return claims

    def words(self) -> list[Claim]:
        """Words and phrases whose claims no fact holds."""
        claims = []
        for m in WORD.finditer(self.text, self.start, self.end):
            kind = _LEXICON.get(m.group().casefold())
            if kind and not inside(m.start(), self.taken) \
                    and genre_key(m.group()) not in self.catalogue.genres:  # "Children's"
                claims.append(Claim(kind, "", m.group(), False, m.span()))
        for word, kind in _CJK_LEXICON.items():
            for m in re.finditer(re.escape(word), self.text[self.start:self.end]):
                if not inside(self.start + m.start(), self.taken):
                    claims.append(Claim(kind, "", word, False,
                                        (self.start + m.start(), self.start + m.end())))
        claims += [Claim("relation words", "", m.group(), False, m.span())
                   for m in self._free(_PHRASES)]
        return claims


def _nearest(named: list[Mention], cue: re.Match[str]) -> Mention | None:
    """The item a cue ("recently", a day) is said of: the one named just before it ("Heat,
    which you chose recently"), else just after; in Chinese the one just after it
    (最近选择的《教父》), else just before."""
    before = [m for m in named if m.end <= cue.start()]
    after = [m for m in named if m.start >= cue.end()]
    if any(script(c) == "CJK" for c in cue.group()):
        return after[0] if after else (before[-1] if before else None)
    return before[-1] if before else (after[0] if after else None)


def _iso(match: re.Match[str]) -> str:
    """The ISO day of a date as any of :data:`_DATE`'s forms writes it ("" if impossible)."""
    g = match.groups()
    if g[0]:
        day, month, year = int(g[0]), _MONTHS.index(g[1].casefold()) + 1, int(g[2])
    elif g[3]:
        day, month, year = int(g[4]), _MONTHS.index(g[3].casefold()) + 1, int(g[5])
    elif g[6]:
        year, month, day = int(g[6]), int(g[7]), int(g[8])
    else:
        year, month, day = int(g[9]), int(g[10]), int(g[11])
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return match.group()
