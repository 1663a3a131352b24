"""The default pipeline at real sizes: the README's ``evaluate`` with the default models on
synthetic shops of 0.1M to 10M interactions, each stage's seconds, peak memory, every
component's and the fusion's NDCG@10 / HR@10, and the cost curve over the sizes.

    python bench/scale_fusion.py [--sizes 0.1M,1M,3M] [--seed 0] [--device auto]

Each size runs ``main.py evaluate`` in a fresh process (its wall time and peak resident
memory are the command's own, as a user meets them; the shop is generated beforehand,
its time reported apart). Results are kept per size in ``bench/results/scale_fusion.json``
so the sizes can be measured on different days (each row says when and how loaded the
machine was); the table and the log-log cost curve are made from every stored size.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import RESULTS, machine, run_cli, write_results  # noqa: E402
from engine.data.synthetic import ShopConfig, generate, write_csv  # noqa: E402

#: The sizes of issue 14 (users, items; sessions as ShopConfig.large), and each one's
#: targets: wall minutes and peak GiB of the whole default ``evaluate`` on 2 cores.
SIZES = {
    "0.1M": (ShopConfig(n_users=2_000, n_items=1_000, sessions_per_user=(7, 18)), None),
    "1M": (ShopConfig.large(), (5, 4)),
    "3M": (ShopConfig(n_users=60_000, n_items=30_000, sessions_per_user=(7, 18)), (15, 8)),
    "10M": (ShopConfig(n_users=200_000, n_items=100_000, sessions_per_user=(7, 18)),
            (60, 16)),
}
COMPONENTS = ("pop", "ease", "als", "cooc", "sequential")
OUT = RESULTS / "scale_fusion.json"


def measure(name: str, seed: int, device: str) -> dict[str, object]:
    """One size: generate, write CSV, run ``evaluate`` with the defaults; its facts."""
    config, targets = SIZES[name]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        shop = generate(replace(config, seed=seed))
        interactions, items = write_csv(shop, Path(tmp))
        del shop
        generated = time.perf_counter() - started
        out = Path(tmp) / "evaluate.json"
        load_before = os.getloadavg()[0]
        wall, peak_kib = run_cli(["evaluate", "--interactions", str(interactions),
                                  "--items", str(items), "--k", "10,20", "--device", device,
                                  "--json", str(out), "--quiet"])
        result = json.loads(out.read_text())
    models = result["models"]
    quality = {model: {"NDCG@10": round(models[model]["NDCG@10"], 4),
                       "HR@10": round(models[model]["HR@10"], 4),
                       "fit_seconds": round(models[model]["fit_seconds"], 1),
                       "eval_seconds": round(models[model]["eval_seconds"], 1)}
               for model in models}
    fusion = quality.get("fusion", {}).get("NDCG@10", 0.0)
    peak_gib = peak_kib / 2**20
    return {
        "measured": machine(), "load_average": [round(load_before, 1),
                                                round(os.getloadavg()[0], 1)],
        "interactions": result["dataset"]["interactions"], "users": result["dataset"]["users"],
        "items": result["dataset"]["items"], "generate_seconds": round(generated, 1),
        "measured_users": result["protocol"].get("measured_users", {}).get("test"),
        "wall_seconds": round(wall, 1), "peak_gib": round(peak_gib, 2),
        "stage_seconds": {k: round(v, 1) for k, v in
                          (result["protocol"].get("stage_seconds") or {}).items()},
        "models": quality,
        "gate_check": models.get("fusion", {}).get("fit_report", ""),
        "fusion_above_every_component": all(fusion > quality[c]["NDCG@10"]
                                            for c in COMPONENTS if c in quality),
        "targets": None if targets is None else {"wall_minutes": targets[0],
                                                 "peak_gib": targets[1]},
        "meets_targets": None if targets is None else (wall <= targets[0] * 60
                                                       and peak_gib <= targets[1]),
    }


def cost_curve(sizes: dict[str, dict]) -> dict[str, float] | None:
    """Least-squares slopes of log(wall) and log(peak) on log(interactions): 1 is linear."""
    rows = sorted(sizes.values(), key=lambda r: r["interactions"])
    if len(rows) < 2:
        return None
    x = [math.log(r["interactions"]) for r in rows]

    def slope(values: list[float]) -> float:
        y = [math.log(v) for v in values]
        mx, my = sum(x) / len(x), sum(y) / len(y)
        return sum((a - mx) * (b - my) for a, b in zip(x, y)) / sum((a - mx) ** 2 for a in x)

    return {"wall": round(slope([r["wall_seconds"] for r in rows]), 2),
            "peak": round(slope([r["peak_gib"] for r in rows]), 2)}


def _stage_summary(seconds: dict[str, float]) -> str:
    """``read 5, fit 300 (sequential 240), evaluate 40``: the stages grouped."""
    fits = {k.removeprefix("fit "): v for k, v in seconds.items() if k.startswith("fit ")}
    slowest = max(fits, key=fits.get, default=None)
    read = sum(v for k, v in seconds.items() if k in ("import", "preprocess", "split"))
    evaluate = sum(v for k, v in seconds.items() if k.startswith("evaluate"))
    fit = f"fit {sum(fits.values()):.0f}" + (f" ({slowest} {fits[slowest]:.0f})"
                                               if slowest else "")
    return f"read {read:.0f}, {fit}, evaluate {evaluate:.0f}"


def table(sizes: dict[str, dict], curve: dict[str, float] | None) -> str:
    lines = ["Default `evaluate` (pop, ease, als, cooc, sequential, fusion; leave-one-out, "
             "full ranking, K=10,20) on synthetic shops, each in a fresh process "
             "(`python bench/scale_fusion.py --sizes ...`); no GPU.", "",
             "| size | interactions | users | items | users measured | measured (load) | "
             "wall s | peak GiB | "
             "target | met | stages s | NDCG@10: " + ", ".join([*COMPONENTS, "fusion"])
             + " | fusion above all |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in sorted(sizes.items(), key=lambda kv: kv[1]["interactions"]):
        m, t = r["measured"], r["targets"]
        stages = _stage_summary(r["stage_seconds"])
        ndcg = ", ".join(f"{r['models'][c]['NDCG@10']:.4f}" if c in r["models"] else "-"
                         for c in (*COMPONENTS, "fusion"))
        target = "-" if t is None else f"{t['wall_minutes']} min, {t['peak_gib']} GiB"
        met = "-" if r["meets_targets"] is None else ("yes" if r["meets_targets"] else "no")
        measured = r.get("measured_users")  # rows from before --eval-users measured all
        lines.append(f"| {name} | {r['interactions']:,} | {r['users']:,} | {r['items']:,} | "
                     f"{'all' if measured is None else format(measured, ',')} | "
                     f"{m['date']}, {m['cores']} cores ({r['load_average'][0]}-"
                     f"{r['load_average'][1]}) | {r['wall_seconds']:.0f} | {r['peak_gib']:.2f}"
                     f" | {target} | {met} | {stages} | {ndcg} | "
                     f"{'yes' if r['fusion_above_every_component'] else 'no'} |")
    checks = [f"- {name}: {r['gate_check']}" for name, r in
              sorted(sizes.items(), key=lambda kv: kv[1]["interactions"]) if r.get("gate_check")]
    if checks:
        lines += ["", "What the fusion's gate check kept (engine/models/fusion.py):", "", *checks]
    if curve:
        lines += ["", f"Cost curve over the sizes (log-log least-squares slope; 1 = linear in "
                      f"the interactions): wall {curve['wall']}, peak memory {curve['peak']}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.1M,1M,3M",
                        help=f"comma-separated, of {', '.join(SIZES)} (default 0.1M,1M,3M)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    args = parser.parse_args()
    names = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [n for n in names if n not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose from {', '.join(SIZES)}")
    stored = json.loads(OUT.read_text()).get("sizes", {}) if OUT.exists() else {}
    for name in names:
        print(f"--- {name}", flush=True)
        stored[name] = measure(name, args.seed, args.device)
        curve = cost_curve(stored)  # written after each size: a long run keeps what it did
        write_results("scale_fusion", {"sizes": stored, "cost_curve": curve},
                      table(stored, curve))
    print(table(stored, cost_curve(stored)))


if __name__ == "__main__":
    main()
