"""The content plan and its automaton, on facts made here: every text the plan allows is
true to the facts, each slot holds only what the facts hold for its item, and the
template is the plan's default path."""
from __future__ import annotations

import random

import pytest

from engine.explanations import Facts, Pick, make_facts, template_explanation
from engine.explanations.decoding import Automaton, Vocabulary
from engine.explanations.grounding import Grounder
from engine.explanations.plan import (CHINESE, ENGLISH, Choice, Node, Seq, build_plan,
                                      language_of)

CATEGORIES = {
    "Star Wars (1977)": ["Action", "Adventure", "Sci-Fi"],
    "Titanic (1997)": ["Drama", "Romance"],
    "Saint, The (1997)": ["Action", "Thriller"],
    "Fargo (1996)": ["Crime", "Drama", "Thriller"],
    "Return of the Jedi (1983)": ["Action", "Adventure", "Sci-Fi"],
    "Heat (1995)": ["Action", "Crime", "Thriller"],
    "Emma (1996)": ["Comedy", "Drama", "Romance"],
}


@pytest.fixture(scope="module")
def catalogue() -> Grounder:
    return Grounder(list(CATEGORIES), categories=CATEGORIES)


@pytest.fixture(scope="module")
def facts() -> Facts:
    return make_facts(
        user="u7", keywords=["Drama", "Thriller", "War"],
        recent_titles=["Return of the Jedi (1983)", "Heat (1995)"],
        list_titles=["Star Wars (1977)", "Titanic (1997)", "Saint, The (1997)", "Fargo (1996)"],
        contributions={"cooc": [0.9, 0.1, 0.2, 0.1], "ease": [0.1, 0.8, 0.7, 0.6]},
        gate=0.6, history_titles=["Return of the Jedi (1983)", "Heat (1995)", "Emma (1996)"],
        recent_times=[889_488_000, 886_291_200])


def walk(node: Node, rng: random.Random) -> str:
    """One text of the plan, every choice made at random."""
    if isinstance(node, str):
        return node
    if isinstance(node, Seq):
        return "".join(walk(part, rng) for part in node.parts)
    assert isinstance(node, Choice)
    return walk(rng.choice(node.options), rng)


def test_facts_hold_the_days_of_the_recent_items(facts):
    assert facts.recent_dates == ("1998-03-10", "1998-02-01")
    assert [p.horizon for p in facts.top] == ["short", "long", "long", "long"]


def test_every_text_the_plan_allows_is_faithful(facts, catalogue):
    plan = build_plan(facts, catalogue, ENGLISH)
    rng = random.Random(0)
    texts = {walk(plan, rng) for _ in range(300)}
    assert len(texts) > 100  # the model has real choices to make
    for text in texts:
        verdict = catalogue.check(text, facts)
        assert verdict.ok, (text, verdict.reasons)
        assert 2 <= text.count(".") <= 3


def test_each_slot_holds_only_the_items_own_facts(facts, catalogue):
    automaton = Automaton(build_plan(facts, catalogue, ENGLISH))

    def allowed(prefix: str) -> bool:
        return bool(automaton.run(automaton.start, prefix.encode()))

    assert allowed("Titanic, listed under drama")
    assert not allowed("Titanic, listed under sci")  # Star Wars' category, not Titanic's
    assert allowed("Star Wars is listed under action, adventure and sci-fi, like Return of "
                   "the Jedi, which you chose on 10 March 1998.")
    assert not allowed("Star Wars is listed under action, like Heat, which you chose on 10")
    assert allowed("We picked Titanic for your love of drama.")
    assert not allowed("We picked Titanic for your love of romance")  # not an interest
    assert not allowed("We picked The Saint for your love of drama")  # not its category
    assert not allowed("Titanic, listed under drama and romance, comes from your recent")
    assert not allowed("We picked Fargo")  # only the top three picks are presented
    assert not allowed("Titanic is a classic")


def test_the_template_is_the_plans_default_path(facts, catalogue):
    text = template_explanation(facts, catalogue)
    assert text == ("Star Wars is listed under action, adventure and sci-fi, like Return of "
                    "the Jedi, which you chose recently. We picked Titanic for your interest "
                    "in drama. The Saint is listed under action, like Return of the Jedi, "
                    "which you chose recently.")  # no two reasons of a kind in a row
    assert catalogue.check(text, facts).ok
    empty = Facts(user="u0", keywords=(), recent=(), top=(), gate=None)
    assert template_explanation(empty, catalogue) == "There is no recommendation for you yet."
    one = Facts("u1", (), (), (Pick("Fargo (1996)", "cooc", "short"),), None,
                list_titles=("Fargo (1996)",))
    assert template_explanation(one, catalogue) == ("Fargo, listed under crime, drama and "
                                                    "thriller, comes from your recent choices.")


def test_a_chinese_catalogue_gets_chinese_sentences():
    zh = {"泰坦尼克号 (1997)": ["剧情", "爱情"], "星球大战 (1977)": ["科幻", "动作"],
          "绝地归来 (1983)": ["科幻", "动作"]}
    catalogue = Grounder(list(zh), categories=zh)
    facts = make_facts("u", ["剧情"], ["绝地归来 (1983)"], ["星球大战 (1977)", "泰坦尼克号 (1997)"],
                       {"cooc": [0.9, 0.1], "ease": [0.1, 0.9]}, 0.5,
                       history_titles=["绝地归来 (1983)"], recent_times=[889_488_000])
    text = template_explanation(facts, catalogue)
    assert text == "星球大战和你最近选择的绝地归来同属科幻和动作。我们为你挑选了泰坦尼克号，因为你喜欢剧情。"
    assert catalogue.check(text, facts).ok and language_of(text) is CHINESE
    plan = build_plan(facts, catalogue, CHINESE)
    rng = random.Random(1)
    for _ in range(50):
        sample = walk(plan, rng)
        assert catalogue.check(sample, facts).ok, sample


def test_the_automaton_forces_fixed_text_and_offers_tokens_at_branches():
    plan = Seq(("We picked Titanic for your ", Choice(("love of drama", "taste for drama")),
                "."))
    automaton = Automaton(plan)
    run, after = automaton.forced(automaton.start)
    assert run == b"We picked Titanic for your"  # the space goes with the next word
    vocabulary = Vocabulary([b"", b" love", b" l", b" taste", b" t", b" lo", b" of", b"x",
                             b" love of"], ends=[0])
    allowed = sorted(vocabulary.pieces[i] for i in vocabulary.allowed(automaton, after))
    assert allowed == [b" l", b" lo", b" love", b" love of", b" t", b" taste"]
    later = automaton.run(after, b" love")
    assert automaton.forced(later) == (b" of drama.", automaton.run(later, b" of drama."))
    assert automaton.accepting(automaton.run(later, b" of drama."))
    assert vocabulary.spell(b" love of") == [8]  # the longest token first


def test_a_character_split_over_byte_tokens_is_never_forced_in_halves():
    automaton = Automaton(Choice(("泰坦", "泰山")))
    run, _ = automaton.forced(automaton.start)
    assert run == b"\xe6\xb3\xb0"  # 泰, whole; the branch comes inside the next character
    middle = automaton.run(automaton.start, b"\xe6\xb3\xb0\xe5")
    assert automaton.forced(middle)[0] == b""  # mid-character: the model chooses on
