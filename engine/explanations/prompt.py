"""What the language model reads before it fills the plan in: the user's facts.

The plan (:mod:`.plan`) decides what may be written; the prompt lets the model choose
well within it: each pick with its categories and the side that brought it, the recent
items and the user's interests. The system message is the
same for every user, so llama.cpp evaluates it once per process (its cached prefix).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from engine.explanations.plan import CHINESE, PRESENT_N, Language, reasons
from engine.explanations.words import spoken_title

if TYPE_CHECKING:
    from engine.explanations.facts import Facts
    from engine.explanations.grounding import Grounder

SYSTEM = ("You write short, friendly notes that say why items were recommended. Use only "
          "the facts given. Write two or three sentences, each about one pick.")


def facts_text(facts: "Facts", catalogue: "Grounder", language: Language) -> str:
    """The user's facts, one line per pick, then the interests."""
    lines = []
    for pick in facts.top[:PRESENT_N]:
        r = reasons(pick, facts, catalogue, language)
        lines.append(f"- {r.title} ({', '.join(r.categories) or 'no category'}), from the "
                     f"{r.side}")
    lines.append("Recently chosen: " + ("; ".join(spoken_title(t) for t in facts.recent)
                                        or "nothing"))
    lines.append("Interests: " + (", ".join(language.category(k) for k in facts.keywords)
                                  or "none"))
    if language is CHINESE:
        lines.append("Write in Chinese.")
    return "\n".join(lines)


def build_messages(facts: "Facts", catalogue: "Grounder", language: Language
                   ) -> list[dict[str, str]]:
    """Chat messages (system, facts) for an instruct model's chat template."""
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Picks:\n{facts_text(facts, catalogue, language)}"}]


def plain_prompt(facts: "Facts", catalogue: "Grounder", language: Language) -> str:
    """The same request as plain text, for a model without a chat template."""
    return f"{SYSTEM}\n\nPicks:\n{facts_text(facts, catalogue, language)}\n\nNote:"
