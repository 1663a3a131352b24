"""The strict check on crafted texts: every claim of a sentence matched to a fact."""
from __future__ import annotations

import pytest

from engine.explanations import Facts, Pick
from engine.explanations.grounding import Grounder
from engine.explanations.words import display_title, split_sentences, title_key

CATEGORIES = {
    "Star Wars (1977)": ["Action", "Adventure", "Sci-Fi"],
    "Titanic (1997)": ["Drama", "Romance"],
    "Saint, The (1997)": ["Action", "Thriller"],
    "Godfather, The (1972)": ["Crime", "Drama"],
    "Star Trek IV: The Voyage Home (1986)": ["Sci-Fi"],
    "Toy Story (1995)": ["Animation", "Children's", "Comedy"],
    "Crash (1996)": ["Drama", "Thriller"],
    "Monty Python and the Holy Grail (1974)": ["Comedy"],
    "Return of the Jedi (1983)": ["Action", "Adventure", "Sci-Fi"],
    "L.A. Confidential (1997)": ["Crime", "Mystery", "Thriller"],
    "Mr. Holland's Opus (1995)": ["Drama"],
    "Heat (1995)": ["Action", "Crime", "Thriller"],
    "Lone Star (1996)": ["Drama", "Mystery"],
    "English Patient, The (1996)": ["Drama", "Romance", "War"],
    "G.I. Jane (1997)": ["Action", "Drama", "War"],
    "Anything (1990)": ["unknown"],
    "Pvt. Benjamin (1980)": ["Comedy", "War"],
}


@pytest.fixture(scope="module")
def grounder() -> Grounder:
    return Grounder(list(CATEGORIES), ["Western"], categories=CATEGORIES)


@pytest.fixture(scope="module")
def facts() -> Facts:
    return Facts(
        user="u1", keywords=("Thriller", "Mystery", "Drama"),
        recent=("Return of the Jedi (1983)", "Heat (1995)"),
        top=(Pick("Star Wars (1977)", "cooc", "short"), Pick("Titanic (1997)", "ease", "long"),
             Pick("Saint, The (1997)", "ease", "long")),
        gate=0.6,
        list_titles=("Star Wars (1977)", "Titanic (1997)", "Saint, The (1997)",
                     "Star Trek IV: The Voyage Home (1986)", "L.A. Confidential (1997)",
                     "Mr. Holland's Opus (1995)", "Monty Python and the Holy Grail (1974)",
                     "Lone Star (1996)", "English Patient, The (1996)", "G.I. Jane (1997)",
                     "Pvt. Benjamin (1980)"),
        history_titles=("Return of the Jedi (1983)", "Heat (1995)", "Godfather, The (1972)"),
        recent_dates=("1998-03-10", "1998-02-01"))


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
    "Star Wars is listed under action and sci-fi, like Return of the Jedi, which you chose "
    "on 10 March 1998. We picked Titanic for your love of drama.",
    "Like Heat, which you chose recently, The Saint is listed under thriller. Titanic, "
    "listed under drama and romance, comes from your long-standing tastes.",
    "We picked L.A. Confidential for your interest in mystery and thriller. Star Wars comes "
    "from your recent choices.",
    "G.I. Jane, listed under war, comes from nowhere in particular. Mr. Holland's Opus "
    "suits your taste for drama.",
    "We picked Titanic for your love of drama. Pvt. Benjamin is listed under war, like "
    "G.I. Jane.",  # a full stop inside a title ends no sentence
])
def test_a_faithful_text_passes(grounder, facts, text):
    verdict = grounder.check(text, facts)
    assert verdict.ok, verdict.reasons
    assert verdict.claims and all(c.supported for c in verdict.claims)


@pytest.mark.parametrize("text, expected", [
    # what a user saw: true-looking texts that said false things
    ("We picked Lone Star, a classic comedy, for your love of drama.",
     "claims 'classic' (quality or fame), which no fact holds"),
    ("We picked Lone Star, a classic comedy, for your love of drama.",
     "says 'Lone Star (1996)' is comedy, which the catalogue does not list for it"),
    ("The English Patient is a sci-fi thriller. We picked Titanic for your love of drama.",
     "says 'English Patient, The (1996)' is sci-fi, which the catalogue does not list"),
    ("We picked The Saint. We don't recommend it to anyone with a serious mental health "
     "problem.", "claims 'anyone' (audience), which no fact holds"),
    ("We picked The Saint. We don't recommend it to anyone with a serious mental health "
     "problem.", "claims 'health' (health), which no fact holds"),
    # interests, relations, recency, sides, days, words no fact holds
    ("We picked Titanic for your love of drama and westerns.",
     "says the user likes westerns, which is not among their interests"),
    ("We picked Titanic for your love of romance.",
     "says the user likes romance, which is not among their interests"),
    ("We picked The Saint for your love of drama.",
     "says 'Saint, The (1997)' is drama, which the catalogue does not list for it"),
    ("Star Wars follows on from Return of the Jedi. We picked Titanic for your love of drama.",
     "relates 'Star Wars (1977)' to 'Return of the Jedi (1983)' without naming a category"),
    ("Titanic is listed under drama, like The Godfather, which you chose recently.",
     "says 'Godfather, The (1972)' was chosen recently, which it was not"),
    ("Titanic, listed under drama, comes from your recent choices.",
     "says 'Titanic (1997)' comes from the user's short-term side, which did not bring it"),
    ("Star Wars, listed under sci-fi, comes from your long-standing tastes.",
     "says 'Star Wars (1977)' comes from the user's long-term side, which did not bring it"),
    ("Star Wars is listed under action, like Heat, which you chose on 10 March 1998.",
     "gives the day 1998-03-10, which is not when 'Heat (1995)' was chosen"),
    ("Star Wars is an American sci-fi film, as cheap as it gets.",
     "claims 'American' (nationality), which no fact holds"),
    ("Star Wars is a sci-fi film, as cheap as it gets.",
     "claims 'cheap' (price), which no fact holds"),
    ("Star Wars is a sci-fi sequel to Return of the Jedi, by the same director.",
     "claims 'sequel' (relation words), which no fact holds"),
    ("Star Wars is a sci-fi film by the same director as Return of the Jedi.",
     "claims 'same director' (relation words), which no fact holds"),
    ("We picked Titanic for your love of drama, a film of the 1960s.",
     "mentions the year 1960s, which no title has"),
])
def test_an_unsupported_claim_fails(grounder, facts, text, expected):
    assert expected in reasons(grounder, facts, text)


@pytest.mark.parametrize("text, expected", [
    ("We picked \"The Great Adventure\" and Titanic for your love of drama.",
     "names 'The Great Adventure', which is in neither the list, the history nor the "
     "catalogue"),
    ("We picked Titanic and Brazen Heart for your love of drama.",
     "names 'Brazen Heart', which is in neither the list, the history nor the catalogue"),
    ("We picked Titanic and Toy Story for your love of drama.",
     "names 'Toy Story (1995)', which is neither in the list nor in the history"),
    ("We picked Titanic Part II and Star Wars for you, all of them fine.",
     "names 'Titanic Part II', which is in neither the list, the history nor the catalogue"),
    ("We picked Spice Routes and Titanic for your love of drama.",
     "names 'Spice Routes', which is neither in the list nor in the history"),
    ("We picked Titanic (1995) for your love of drama and thrillers and mysteries.",
     "gives 'Titanic' the wrong year 1995"),
    ("We picked Return of the Jedi and The Godfather for your love of drama.",
     "names none of the recommended titles"),
])
def test_a_wrong_or_invented_title_fails(grounder, facts, text, expected):
    assert expected in " | ".join(grounder.check(text, facts, foreign=["Spice Routes"]).reasons)


@pytest.mark.parametrize("text, expected", [
    ("", "the text is empty"),
    ("Titanic, for you.", "too short (3 words)"),
    ("We picked Titanic for your love of drama. We picked Titanic for your love of drama.",
     "repeats a sentence"),
    ("We picked Titanic for your love of drama, and we think that you will",
     "the last sentence is unfinished"),
    ("We picked Titanic and The Saint, a favourite of mine, for you.",
     "speaks as a person (I, me, my)"),
])
def test_form_failures(grounder, facts, text, expected):
    assert expected in reasons(grounder, facts, text)


def test_categories_come_from_the_catalogue(grounder):
    assert grounder.categories("Titanic (1997)") == ("Drama", "Romance")
    assert grounder.categories("Anything (1990)") == ()  # "unknown" is no fact
    assert grounder.categories("Not in the catalogue") == ()
    assert "western" in grounder.genres and "unknown" not in grounder.genres


def test_the_text_must_be_in_the_catalogues_script(facts):
    latin = Grounder(list(CATEGORIES), categories=CATEGORIES)
    chinese_text = "我们为你挑选了 Titanic 和 The Saint，因为你喜欢剧情片和惊悚片，也喜欢悬疑片。"
    assert "not written in the catalogue's script (latin)" in reasons(latin, facts, chinese_text)

    zh = {"泰坦尼克号 (1997)": ["剧情", "爱情"], "星球大战 (1977)": ["科幻"], "教父 (1972)": ["剧情"]}
    chinese = Grounder(list(zh), categories=zh)
    zh_facts = Facts(user="u", keywords=("剧情",), recent=("教父 (1972)",),
                     top=(Pick("泰坦尼克号 (1997)", "ease", "long"),), gate=None,
                     list_titles=("泰坦尼克号 (1997)",), history_titles=("教父 (1972)",))
    assert chinese.script == "CJK"
    assert chinese.check("我们为你挑选了泰坦尼克号，因为你喜欢剧情。", zh_facts).ok
    assert "says the user likes 爱情" in reasons(chinese, zh_facts,
                                                "我们为你挑选了泰坦尼克号，因为你喜欢爱情。")
    assert "says '泰坦尼克号 (1997)' is 科幻" in reasons(chinese, zh_facts,
                                                   "泰坦尼克号属于科幻，来自你长期的喜好。")
    english = "We picked 《泰坦尼克号》 for your long-standing love of drama and romance films."
    assert "not written in the catalogue's script (cjk)" in reasons(chinese, zh_facts, english)
    invented = "我们为你挑选了《长江七号》，因为你一直喜欢剧情。"
    assert "names '长江七号'" in reasons(chinese, zh_facts, invented)


def test_ordinary_words_are_not_titles(grounder):
    heat = Facts(user="u2", keywords=("Action",), recent=(),
                 top=(Pick("Heat (1995)", "ease", "long"),),
                 gate=None, list_titles=("Heat (1995)",), history_titles=())
    text = "We picked this for your love of action: it brings the heat of a summer night."
    assert "names none of the recommended titles" in reasons(grounder, heat, text)
    assert grounder.check("We picked Heat for your love of action, and it is quick.", heat).ok
