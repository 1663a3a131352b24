"""Text encoder speed: all 1,682 ml-100k items with the default model on the CPU.

Each measurement runs in a fresh process, as the application would:

1. cold: an empty embedding cache, so the model is loaded and every text encoded
   (target: 10 s or less), once with ``precision="auto"`` (bfloat16 where the CPU has it)
   and once with float32 for reference;
2. warm: the same cache again; nothing may be encoded and the model must not even be
   loaded (target: about 0 s).

The texts are the items' titles and genres ("Toy Story (1995). Animation, Children's,
Comedy"). Writes ``bench/results/encode_speed.json`` and ``.md``.

``--threads`` sets torch's CPU threads (``OMP_NUM_THREADS`` of the measured process). On a
machine shared with other jobs use 1: when the cores are already busy, torch's OpenMP
threads wait on each other and two threads run 3-10x slower than one.

    python bench/encode_speed.py [--data ../shared/data/ml-100k] [--threads N]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, SHARED_DATA, machine, write_results  # noqa: E402

TARGET_COLD_S = 10.0


def worker(data: Path, cache: Path, precision: str) -> dict[str, object]:
    """One measurement inside this process: import, read, encode; seconds of each."""
    started = time.perf_counter()
    from engine.data.encoder import TextEncoder
    from engine.data.importer import read_movielens
    from engine.data.text import item_text
    imported = time.perf_counter()
    _, catalogue = read_movielens(data)
    frame = catalogue.frame
    texts = [item_text(t, "", tuple(g.split("|")) if g else ())
             for t, g in zip(frame["title"], frame["genres"])]
    encoder = TextEncoder(device="cpu", cache_dir=cache, precision=precision)
    start = time.perf_counter()
    vectors = encoder.encode(texts)
    encode_s = time.perf_counter() - start
    torch = sys.modules.get("torch")  # imported only when the model had to be loaded
    return {"texts": len(texts), "dimension": int(vectors.shape[1]),
            "encoded": encoder.encoded_last, "model_loaded": encoder.loaded,
            "import_s": round(imported - started, 3), "encode_s": round(encode_s, 3),
            "process_s": round(time.perf_counter() - started, 3),
            "torch_imported": torch is not None,
            "torch_threads": torch.get_num_threads() if torch is not None else None,
            "precision": precision,
            "sample": texts[0]}


def run_worker(data: Path, cache: Path, precision: str, threads: int | None
               ) -> dict[str, object]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    command = [sys.executable, __file__, "--worker", "--data", str(data), "--cache", str(cache),
               "--precision", precision]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit("encode worker failed")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(wall, 3)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "ml-100k")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--precision", default="auto", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.data, args.cache, args.precision)))
        return

    runs = {}
    with tempfile.TemporaryDirectory() as auto_cache, tempfile.TemporaryDirectory() as fp32_cache:
        runs["cold"] = run_worker(args.data, Path(auto_cache), "auto", args.threads)
        runs["warm"] = run_worker(args.data, Path(auto_cache), "auto", args.threads)
        runs["cold_fp32"] = run_worker(args.data, Path(fp32_cache), "fp32", args.threads)
    cold, warm, fp32 = runs["cold"], runs["warm"], runs["cold_fp32"]
    checks = {
        "cold_within_target": cold["encode_s"] <= TARGET_COLD_S,
        "warm_encodes_nothing": warm["encoded"] == 0,
        "warm_does_not_load_the_model": warm["model_loaded"] is False,
        "warm_does_not_import_torch": warm["torch_imported"] is False,
    }
    m = machine()
    payload = {"machine": m, "threads": args.threads, "target_cold_s": TARGET_COLD_S,
               "runs": runs, "checks": checks}
    rows = [("cold cache, precision auto", cold), ("warm cache (same cache, new process)", warm),
            ("cold cache, float32", fp32)]
    md = [f"Text encoder (packaged all-MiniLM-L6-v2, CPU) on the {cold['texts']} ml-100k items "
          f"(title and genres, e.g. \"{cold['sample']}\"; {cold['encoded']} distinct texts, a "
          f"repeated text is encoded once). Measured {m['date']} on {m['cpu']}, "
          f"{m['cores']} cores, {m['memory_gib']} GiB, no GPU; torch threads "
          f"{cold['torch_threads']}. Every run is a fresh process.", "",
          "| run | texts encoded | model loaded | encode s (incl. model load) | process s "
          "(incl. imports) | load average |", "|---|---|---|---|---|---|"]
    md += [f"| {label} | {r['encoded']} | {'yes' if r['model_loaded'] else 'no'} | "
           f"{r['encode_s']:.2f} | {r['process_s']:.2f} | {r['load_average'][0]} |"
           for label, r in rows]
    md += ["", f"- cold encode within {TARGET_COLD_S:.0f} s: "
           f"{'yes' if checks['cold_within_target'] else 'NO'} ({cold['encode_s']:.2f} s, "
           f"{cold['texts'] / cold['encode_s']:.0f} texts/s)",
           f"- warm cache: {warm['encoded']} texts encoded, model "
           f"{'loaded' if warm['model_loaded'] else 'not loaded'}, {warm['encode_s']:.3f} s",
           "- 'auto' computes in bfloat16 on CPUs with AVX512-BF16/AMX (float32 elsewhere); "
           "the float32 row is the same work in full precision.",
           "- load average = other work on the machine during the run (1-minute average)."]
    write_results("encode_speed", payload, "\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
