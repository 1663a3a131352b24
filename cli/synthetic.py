"""``python -m cli.synthetic``: write a synthetic shop as interactions.csv and items.csv."""
from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from engine.data.shop_text import LANGUAGES
from engine.data.synthetic import ShopConfig, generate, write_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cli.synthetic",
        description="Write a synthetic shop as interactions.csv and items.csv.")
    parser.add_argument("--out", required=True, type=Path, help="folder to write into")
    parser.add_argument("--large", action="store_true",
                        help="about 1,000,000 interactions (20,000 users, 5,000 items)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--users", type=int, help="override the number of users")
    parser.add_argument("--items", type=int, help="override the number of items")
    parser.add_argument("--lang", choices=LANGUAGES, default="en",
                        help="language of titles, descriptions and categories (default en)")
    args = parser.parse_args(argv)
    config = ShopConfig.large(seed=args.seed) if args.large else ShopConfig(seed=args.seed)
    overrides = {k: v for k, v in (("n_users", args.users), ("n_items", args.items))
                 if v is not None}
    overrides["language"] = args.lang
    try:
        config = dataclasses.replace(config, **overrides)
    except ValueError as error:
        parser.error(str(error))
    started = time.perf_counter()
    shop = generate(config)
    paths = write_csv(shop, args.out)
    print(f"{len(shop.interactions)} interactions, {shop.n_users} users, {shop.n_items} items "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
