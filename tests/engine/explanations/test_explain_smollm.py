"""The packaged SmolLM2-135M-Instruct on a demo user: converted once, then a checked text.

Slow (about half a minute: the GGUF is de-quantised into the test cache folder that
tests/conftest.py sets, then the model writes one text on the CPU).
"""
from __future__ import annotations


import pytest

from engine.explanations import GENERATED, TEMPLATE, ExplanationWriter, facts_from_run
from engine.explanations.grounding import Grounder
from engine.explanations.model import default_model_folder
from engine.explanations.prompt import EXAMPLE_TITLES, template_explanation
from engine.pipeline.config import RunConfig
from engine.pipeline.execute import execute_run
from tests.support.storage import EASE_COOC, shop_dataset


@pytest.mark.slow
def test_the_packaged_model_writes_a_grounded_text_or_falls_back(small_shop_files):
    result = execute_run(shop_dataset(small_shop_files),
                         RunConfig(model="fusion", k=10, params=EASE_COOC))
    data = result.dataset
    facts = facts_from_run(result, [4])[0]
    grounder = Grounder(data.titles, {g for genres in data.genres for g in genres})

    writer = ExplanationWriter(device="cpu", max_new_tokens=60)
    writer.load()  # converts the GGUF into the cache on this first use
    folder = default_model_folder()
    assert (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()
    written = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    assert default_model_folder() == folder  # converted once: now only looked up
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == written

    pieces: list[str] = []
    attempts: list[int] = []

    def restarted(attempt: int) -> None:  # as the window clears a refused attempt
        attempts.append(attempt)
        pieces.clear()

    explanation = writer.explain(facts, grounder, on_token=pieces.append,
                                 on_attempt=restarted)
    assert len(pieces) > 3 and attempts == list(range(2, len(attempts) + 2))
    if explanation.attempt == len(attempts) + 1:  # the last attempt was kept
        assert "".join(pieces) == explanation.generated
    stats = writer.last_stats
    assert stats is not None and 0 < stats.new_tokens <= 60
    if explanation.source == GENERATED:
        assert grounder.check(explanation.text, facts, EXAMPLE_TITLES).ok
        assert explanation.text.startswith("We picked")
    else:
        assert explanation.source == TEMPLATE and explanation.reasons
        assert explanation.text == template_explanation(facts)
    again = ExplanationWriter(device="cpu").explain(facts, grounder)
    assert again.generated == explanation.generated  # greedy, then seeded: the same text
