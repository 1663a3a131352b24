"""``evaluate`` with the language-model components from the command line: every model
named, a local encoder folder, device, threads and seed; and the clear errors for a
device the machine lacks and an encoder folder that does not exist."""
from __future__ import annotations

import json

import pytest
import torch

from cli.main import main
from engine.data.synthetic import ShopConfig, generate, write_csv
from engine.data.text import item_text
from tests.engine.models.test_lm_components import shop_bert

MODELS = ["semantic", "word2vec", "item2vec", "sequential", "fusion"]
#: A tiny transformer through --set: two short epochs, no time budget.
TINY = ["--set", "sequential.hidden=32", "--set", "sequential.layers=1",
        "--set", "sequential.max_len=10", "--set", "sequential.max_epochs=2",
        "--set", "sequential.time_budget=0", "--set", "sequential.text_init=true"]


@pytest.fixture(scope="module")
def shop_files(tmp_path_factory):
    """A small shop written as CSV files (80 users, 300 items) and a tiny BERT that knows
    its words."""
    folder = tmp_path_factory.mktemp("cli-models")
    shop = generate(ShopConfig(n_users=80, n_items=300, seed=2))
    interactions, items = write_csv(shop, folder)
    texts = [item_text(t, d, ()) for t, d in zip(shop.items["title"], shop.items["description"])]
    return interactions, items, shop_bert(folder / "tiny-bert", texts)


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    """A cache of its own per test: an encoder must load, not find its vectors cached."""
    monkeypatch.setenv("IFS_CACHE_DIR", str(tmp_path / "cache"))


def evaluate(shop_files, *extra: str) -> int:
    interactions, items, _ = shop_files
    return main(["evaluate", "--interactions", str(interactions), "--items", str(items),
                 "--models", ",".join(MODELS), "--k", "10", "--quiet", *extra])


def test_every_language_model_component_from_the_command_line(shop_files, tmp_path, capsys):
    _, _, bert = shop_files
    out = tmp_path / "results.json"
    code = evaluate(shop_files, "--encoder", str(bert), "--device", "cpu", "--threads", "1",
                    "--seed", "0", *TINY, "--json", str(out))
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert all(name in printed for name in MODELS)
    result = json.loads(out.read_text())
    assert list(result["models"]) == MODELS
    for name in MODELS:
        model = result["models"][name]
        assert 0 < model["NDCG@10"] <= model["HR@10"] <= 1, name
        assert model["valid"]["NDCG@10"] > 0, name
    params = {name: result["models"][name]["params"] for name in MODELS}
    assert params["semantic"]["encoder"] == str(bert)
    assert params["semantic"]["device"] == params["sequential"]["device"] == "cpu"
    assert params["word2vec"]["seed"] == params["item2vec"]["seed"] == 0
    assert params["sequential"]["max_epochs"] == 2 and params["sequential"]["text_init"]
    # the fusion's transformer reads its item vectors from the --encoder folder
    inner = params["fusion"]["component_params"]["sequential"]
    assert inner["item_vectors"]["folder"] == str(bert)
    assert inner["item_vectors"]["device"] == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error without a GPU")
def test_cuda_on_a_machine_without_it_exits_2(shop_files, capsys):
    _, _, bert = shop_files
    code = evaluate(shop_files, "--encoder", str(bert), "--device", "cuda", *TINY)
    err = capsys.readouterr().err
    assert code == 2
    assert "--device cuda was asked for" in err and "no CUDA GPU" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("models", [",".join(MODELS), "sequential"])
def test_a_missing_encoder_folder_exits_2(shop_files, tmp_path, capsys, models):
    # "sequential" alone: the folder is read only for the transformer's text vectors
    missing = tmp_path / "no-such-encoder"
    code = evaluate(shop_files, "--encoder", str(missing), "--device", "cpu", *TINY,
                    "--models", models)
    err = capsys.readouterr().err
    assert code == 2
    assert "no-such-encoder" in err and "text encoder folder not found" in err
    assert "Traceback" not in err
