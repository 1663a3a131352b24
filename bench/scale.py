"""Scale check: a 1,000,000-interaction synthetic shop imported, split and evaluated with
ItemKNN through the command line, timed and with its peak memory.

    python bench/scale.py [--seed 0]

Writes ``bench/results/scale.json`` and ``.md``. The CSV files go to a temporary folder.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, run_cli, write_results  # noqa: E402
from engine.data.synthetic import ShopConfig, generate, write_csv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        shop = generate(ShopConfig.large(seed=args.seed))
        interactions, items = write_csv(shop, Path(tmp))
        generate_seconds = time.perf_counter() - start
        out = Path(tmp) / "scale.json"
        wall, peak_kib = run_cli(["evaluate", "--interactions", str(interactions), "--items", str(items),
                                  "--models", "itemknn", "--k", "10,20", "--json", str(out), "--quiet"])
        result = json.loads(out.read_text())
    m = machine()
    facts = {
        "interactions": result["dataset"]["interactions"],
        "users": result["dataset"]["users"],
        "items": result["dataset"]["items"],
        "generate_and_write_seconds": round(generate_seconds, 1),
        "import_split_fit_evaluate_wall_seconds": round(wall, 1),
        "peak_rss_mib": round(peak_kib / 1024),
        "stage_seconds": result["protocol"].get("stage_seconds"),
        "itemknn": {k: result["models"]["itemknn"][k] for k in ("HR@10", "NDCG@10", "fit_seconds",
                                                                "eval_seconds")},
        "targets": {"wall_seconds": 60, "peak_mib": 4096},
    }
    facts["meets_targets"] = wall < 60 and peak_kib / 1024 < 4096
    md = (f"Scale check, measured {m['date']} on {m['cpu']}, {m['cores']} cores, no GPU: "
          f"{facts['interactions']:,} interactions ({facts['users']:,} users, {facts['items']:,} items) "
          f"imported from CSV, split (leave-one-out) and evaluated with ItemKNN (valid + test, "
          f"full ranking) in {wall:.1f} s wall at {peak_kib / 1024:.0f} MiB peak "
          f"(targets: < 60 s, < 4 GiB). Stages: "
          + ", ".join(f"{k} {v:.1f} s" for k, v in (facts["stage_seconds"] or {}).items()))
    write_results("scale", {"machine": m, "facts": facts}, md)
    print(md)


if __name__ == "__main__":
    main()
