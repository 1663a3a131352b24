"""The grounding check on crafted texts: what a generated recommendation text may say."""
from __future__ import annotations

import pytest

from engine.explanations import Facts, Pick
from engine.explanations.grounding import Grounder, display_title, split_sentences, title_key

CATALOGUE = ["Star Wars (1977)", "Titanic (1997)", "Saint, The (1997)", "Godfather, The (1972)",
             "Star Trek IV: The Voyage Home (1986)", "Toy Story (1995)", "Crash (1996)",
             "Monty Python and the Holy Grail (1974)", "Return of the Jedi (1983)",
             "L.A. Confidential (1997)", "Mr. Holland's Opus (1995)", "Heat (1995)"]
GENRES = ["Action", "Drama", "Thriller", "Mystery", "Sci-Fi", "Western", "Comedy"]


@pytest.fixture(scope="module")
def grounder() -> Grounder:
    return Grounder(CATALOGUE, GENRES)


@pytest.fixture(scope="module")
def facts() -> Facts:
    return Facts(
        user="u1", keywords=("Thriller", "Mystery", "Drama"),
        recent=("Return of the Jedi (1983)",),
        top=(Pick("Star Wars (1977)", "cooc", "short"), Pick("Titanic (1997)", "ease", "long"),
             Pick("Saint, The (1997)", "ease", "long")),
        gate=0.6,
        list_titles=("Star Wars (1977)", "Titanic (1997)", "Saint, The (1997)",
                     "Star Trek IV: The Voyage Home (1986)", "L.A. Confidential (1997)",
                     "Mr. Holland's Opus (1995)", "Monty Python and the Holy Grail (1974)"),
        history_titles=("Return of the Jedi (1983)", "Godfather, The (1972)"))


def reasons(grounder: Grounder, facts: Facts, text: str) -> str:
    return " | ".join(grounder.check(text, facts).reasons)


def test_titles_are_normalised_as_sentences_say_them():
    assert display_title("Godfather, The (1972)") == "The Godfather (1972)"
    assert display_title("Amityville Curse, The (1990)") == "The Amityville Curse (1990)"
    assert title_key("Godfather, The (1972)") == title_key("the godfather") == "godfather"
    assert title_key("L.A. Confidential (1997)") == "l a confidential"
    assert split_sentences("Dr. No is old. L.A. Confidential is new! Really?") == [
        "Dr. No is old.", "L.A. Confidential is new!", "Really?"]


@pytest.mark.parametrize("text", [
    "We picked Titanic and The Saint for your love of thriller and drama. "
    "Star Wars (1977) follows on from Return of the Jedi, which you chose recently.",
    "We picked \"Titanic\", The Godfather and L.A. Confidential for your taste in mysteries.",
    "We picked Monty Python and Mr. Holland's Opus. The Voyage Home suits your drama side too.",
    "Crash aside, we picked Star Wars and Titanic (1997) for your long-standing love of drama.",
])
def test_a_grounded_text_passes(grounder, facts, text):
    verdict = grounder.check(text, facts)
    assert verdict.ok, verdict.reasons
    assert verdict.mentioned


@pytest.mark.parametrize("text, expected", [
    ("We picked \"The Great Adventure\" and Titanic for your love of drama and thrillers.",
     "names 'The Great Adventure', which is in neither the list, the history nor the "
     "catalogue"),
    ("We picked Titanic and Brazen Heart for your love of drama and thrillers.",
     "names 'Brazen Heart', which is in neither the list, the history nor the catalogue"),
    ("We picked Titanic and Toy Story for your love of drama and thrillers.",
     "names 'Toy Story (1995)', which is neither in the list nor in the history"),
    ("We picked Titanic and Dune (1965) for your love of drama and thrillers.",
     "names 'Dune', which is in neither the list, the history nor the catalogue"),
    ("We picked Titanic Part II and Star Wars for your love of drama and thrillers.",
     "names 'Titanic Part II', which is in neither the list, the history nor the catalogue"),
    ("We picked Spice Routes and Titanic for your love of drama and thrillers.",
     "names 'Spice Routes', which is neither in the list nor in the history"),
])
def test_an_invented_or_foreign_title_fails(grounder, facts, text, expected):
    verdict = grounder.check(text, facts, foreign=["Spice Routes"])
    assert not verdict.ok
    assert expected in " | ".join(verdict.reasons)


@pytest.mark.parametrize("text, expected", [
    ("", "the text is empty"),
    ("   ", "the text is empty"),
    ("Titanic, for you.", "too short (3 words)"),
    ("We picked Titanic for your love of drama. We picked Titanic for your love of drama.",
     "repeats a sentence"),
    ("We picked Titanic, a classic drama, a classic drama and a classic drama, for you.",
     "repeats the phrase 'classic drama'"),
    ("We picked Titanic for your love of drama, and we think that you will",
     "the last sentence is unfinished"),
    ("We picked Titanic for your love of thrillers and drama. It is all a joy.",
     ""),
    ("We picked Return of the Jedi and The Godfather for your love of drama and thrillers.",
     "names none of the recommended titles"),
    ("We picked Titanic (1995) for your love of drama and thrillers and mysteries.",
     "gives 'Titanic' the wrong year 1995"),
    ("We picked Titanic for your love of drama, a film of the 1960s that you will like.",
     "mentions the year 1960s, which no title has"),
    ("We picked Titanic and The Saint for your long-standing love of westerns.",
     "claims an interest in 'Western', which is not among the user's interests"),
    ("We picked Titanic and The Saint, which you chose recently, for your drama side.",
     "speaks of the recent activity without naming a recent item"),
    ("We picked Titanic and The Saint, a favourite of mine, for your love of drama.",
     "speaks as a person (I, me, my)"),
])
def test_crafted_failures(grounder, facts, text, expected):
    found = reasons(grounder, facts, text)
    if expected:
        assert expected in found
    else:
        assert found == ""


def test_the_text_must_be_in_the_catalogues_script(facts):
    latin = Grounder(CATALOGUE)
    chinese_text = "我们为你挑选了 Titanic 和 The Saint，因为你喜欢剧情片和惊悚片，也喜欢悬疑片。"
    assert "not written in the catalogue's script (latin)" in reasons(latin, facts, chinese_text)

    chinese = Grounder(["泰坦尼克号 (1997)", "星球大战 (1977)", "教父 (1972)"])
    zh_facts = Facts(user="u", keywords=("剧情",), recent=("教父 (1972)",),
                     top=(Pick("泰坦尼克号 (1997)", "ease", "long"),), gate=None,
                     list_titles=("泰坦尼克号 (1997)",), history_titles=("教父 (1972)",))
    assert chinese.script == "CJK"
    assert chinese.check("我们为你挑选了《泰坦尼克号》，因为你一直喜欢剧情片和爱情片。", zh_facts).ok
    english = "We picked 《泰坦尼克号》 for your long-standing love of drama and romance films."
    assert "not written in the catalogue's script (cjk)" in reasons(chinese, zh_facts, english)
    invented = "我们为你挑选了《长江七号》，因为你一直喜欢剧情片和爱情片，也喜欢喜剧。"
    assert "names '长江七号'" in reasons(chinese, zh_facts, invented)


def test_ordinary_words_are_not_titles(grounder, facts):
    heat = Facts(user="u2", keywords=("Action",), recent=(), top=(Pick("Heat (1995)", "ease",
                                                                      "long"),),
                 gate=None, list_titles=("Heat (1995)",), history_titles=())
    text = "We picked this for your love of action: it brings the heat of a summer night."
    assert "names none of the recommended titles" in reasons(grounder, heat, text)
    assert grounder.check("We picked Heat for your love of action films and big chases.",
                          heat).ok
