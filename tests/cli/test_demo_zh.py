"""``demo --lang zh``: the Chinese demo shop imported into a project database, the default
pipeline run there, and the stored run read back in Chinese by runs, show and export."""
from __future__ import annotations

import pandas as pd

from application.importing import DEMO_NAMES
from cli.main import main
from engine.data.multilingual import text_script
from engine.data.shop_text import vocabulary


def test_demo_in_chinese_is_stored_and_read_back(tmp_path, capsys):
    db = str(tmp_path / "project.db")
    quick = ["--db", db, "--quiet", "--set", "sequential.max_epochs=2"]
    assert main(["demo", "--lang", "zh", *quick]) == 0
    out = capsys.readouterr().out
    assert "run 1 finished: fusion on dataset '演示商店'" in out
    listed = [line.split()[2] for line in out.splitlines() if line[:1].isdigit()]
    assert len(listed) == 10 and all(text_script(title) == "cjk" for title in listed)

    assert main(["runs", "--db", db]) == 0
    assert "演示商店" in capsys.readouterr().out
    assert main(["show", "--run", "1", "--user", "u00000", "--db", db]) == 0
    shown = capsys.readouterr().out
    interests = next(line for line in shown.splitlines() if "interests:" in line)
    assert any(category in interests for category in vocabulary("zh").categories)
    out_file = tmp_path / "lists.csv"
    assert main(["export", "--run", "1", "--out", str(out_file), "--db", db, "--quiet"]) == 0
    capsys.readouterr()
    lists = pd.read_csv(out_file, encoding="utf-8")
    assert (lists["title"].map(text_script) == "cjk").all()

    # a second demo reuses the stored shop instead of importing it again
    assert main(["demo", "--lang", "zh", *quick]) == 0
    assert "run 2 finished: fusion on dataset '演示商店'" in capsys.readouterr().out
    assert main(["datasets", "--db", db]) == 0
    assert capsys.readouterr().out.count(DEMO_NAMES["zh"]) == 1


def test_an_unknown_encoder_is_one_message_and_status_2(tmp_path, capsys):
    code = main(["demo", "--lang", "zh", "--db", str(tmp_path / "p.db"), "--quiet",
                 "--encoder", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "nowhere: text encoder folder not found" in err
    assert "or one of auto, minilm, multilingual" in err
