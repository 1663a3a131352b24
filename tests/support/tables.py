"""Small builders shared by the tests: tables and datasets made in memory."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from engine.data.importer import Catalogue, InteractionTable
from engine.data.report import ImportReport


def table(rows: list[tuple], has_timestamps: bool = True) -> InteractionTable:
    """Interactions from (user, item, rating, timestamp) tuples, lines numbered from 2."""
    frame = pd.DataFrame(rows, columns=["user", "item", "rating", "timestamp"])
    frame["user"] = frame["user"].astype(str)
    frame["item"] = frame["item"].astype(str)
    frame["rating"] = frame["rating"].astype(float)
    frame["timestamp"] = frame["timestamp"].astype("int64")
    frame["line"] = range(2, len(frame) + 2)
    report = ImportReport(rows_read=len(frame))
    return InteractionTable(Path("test.csv"), frame, report, has_timestamps)


def catalogue(rows: list[tuple[str, str, str, str]]) -> Catalogue:
    """Catalogue from (item, title, text, genres) tuples."""
    frame = pd.DataFrame(rows, columns=["item", "title", "text", "genres"])
    return Catalogue(Path("items.csv"), frame, ImportReport(rows_read=len(frame)))


WORDS = ("[UNK] [PAD] [EOS] We picked Titanic Heat for your love of drama and the a . , : ; "
         "Interests Recommended after Note follows on from").split()


def tiny_gpt2(folder: Path, chat_template: str | None = None) -> Path:
    """A 2-layer random GPT-2 with a word-level tokenizer, saved like any model folder."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)},
                                           unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]",
                                   pad_token="[PAD]", eos_token="[EOS]")
    if chat_template:
        fast.chat_template = chat_template
    fast.save_pretrained(folder)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(WORDS), n_positions=512, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=2, eos_token_id=2, pad_token_id=1)
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder
