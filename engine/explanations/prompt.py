"""What the language model is asked, and the template used when its text fails the check.

Both read only :class:`~engine.explanations.facts.Facts`. A 135M-parameter model invents
titles freely when it is merely asked to "recommend", follows a structured request
poorly, but imitates a worked example closely. So the prompt is one worked example
(invented titles of another domain, which the grounding check refuses should the model
copy them) followed by the user's facts in the same short form: the titles to present,
grouped by the side of the interests that brought them (the short-term ones next to the
last item they follow on from), and the interest keywords; titles go without their year,
which the model otherwise garbles. The answer is started with "We picked", as in the example, which keeps the
model presenting the list instead of chatting about itself; the words that follow,
titles included, are the model's own. The template says the same things in fixed
sentences, so a user always gets a truthful text.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from engine.explanations.facts import Facts
from engine.explanations.grounding import display_title

_YEAR = re.compile(r"\s*\((?:1[89]|20)\d\d\)$")
#: How many of the top titles the text presents, and how many keywords it uses.
PRESENT_N = 3
KEYWORDS_N = 3
SYSTEM = ("You write short recommendation notes from the facts given. "
          "Name only the titles in the facts.")
#: The worked example: facts and the note written from them.
EXAMPLE_FACTS = ("Interests: cooking, travel, history\n"
                 "Recommended for the interests: Spice Routes; A Kitchen in Rome\n"
                 "Recommended after The Silk Road Atlas: Old Harbours")
EXAMPLE_NOTE = ("We picked Spice Routes and A Kitchen in Rome for your long-standing love of "
                "cooking, travel and history. Old Harbours follows on from The Silk Road Atlas.")
#: The example's titles: a text that names one has copied the example, not the facts.
EXAMPLE_TITLES = ("The Silk Road Atlas", "Spice Routes", "A Kitchen in Rome", "Old Harbours")
#: The first words of every generated note (Latin-script catalogues), as in the example.
ANSWER_START = "We picked"


def _join(words: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def spoken_title(title: str) -> str:
    """A title as the prompt gives it: without its year, which small models garble."""
    return _YEAR.sub("", display_title(title))


def facts_text(facts: Facts) -> str:
    """The user's facts in the example's form: picks grouped by the side that brought
    them, the short-term ones next to the last item they follow on from."""
    picks = facts.top[:PRESENT_N]
    long_picks = [spoken_title(p.title) for p in picks if p.horizon == "long"]
    short_picks = [spoken_title(p.title) for p in picks if p.horizon == "short"]
    last = spoken_title(facts.recent[0]) if facts.recent else "your recent activity"
    lines = [f"Interests: {', '.join(k.lower() for k in facts.keywords[:KEYWORDS_N]) or 'none'}"]
    if long_picks:
        lines.append(f"Recommended for the interests: {'; '.join(long_picks)}")
    if short_picks:
        lines.append(f"Recommended after {last}: {'; '.join(short_picks)}")
    return "\n".join(lines)


def answer_start(script: str = "LATIN") -> str:
    """The words the answer begins with: English ones only for a Latin-script catalogue."""
    return ANSWER_START if script == "LATIN" else ""


def build_messages(facts: Facts, script: str = "LATIN") -> list[dict[str, str]]:
    """Chat messages (system, example, facts) for an instruct model's chat template."""
    system = SYSTEM if script == "LATIN" else f"{SYSTEM} Write in the language of the titles."
    return [{"role": "system", "content": system},
            {"role": "user", "content": EXAMPLE_FACTS},
            {"role": "assistant", "content": EXAMPLE_NOTE},
            {"role": "user", "content": facts_text(facts)}]


def plain_prompt(facts: Facts, script: str = "LATIN") -> str:
    """The same request as plain text, for a model without a chat template (GPT-2)."""
    return (f"{SYSTEM}\n\n{EXAMPLE_FACTS}\nNote: {EXAMPLE_NOTE}\n\n{facts_text(facts)}\n"
            f"Note: {answer_start(script)}").rstrip()


def template_explanation(facts: Facts) -> str:
    """Two or three fixed sentences from the facts; always grounded."""
    picks = facts.top[:PRESENT_N]
    if not picks:
        return "There is no recommendation for you yet."
    names = [display_title(p.title) for p in picks]
    sentences = [f"Top picks for you: {_join(names)}."]
    long_picks = [display_title(p.title) for p in picks if p.horizon == "long"]
    short_picks = [display_title(p.title) for p in picks if p.horizon == "short"]
    clauses = []
    if long_picks:
        interest = (f"your long-term interest in {_join(facts.keywords[:KEYWORDS_N])}"
                    if facts.keywords else "your long-term interests")
        verb = "match" if len(long_picks) > 1 else "matches"
        clauses.append(f"{_join(long_picks)} {verb} {interest}")
    if short_picks:
        recent = f", such as {display_title(facts.recent[0])}" if facts.recent else ""
        verb = "follow" if len(short_picks) > 1 else "follows"
        clauses.append(f"{_join(short_picks)} {verb} what you chose recently{recent}")
    sentences.append(f"{'; '.join(clauses)}.")
    if facts.gate is not None:
        sentences.append(f"Overall the list leans {facts.gate:.0%} on your long-term interests "
                         f"and {1 - facts.gate:.0%} on your short-term ones.")
    return " ".join(sentences)
