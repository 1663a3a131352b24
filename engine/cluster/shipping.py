"""A fit's inputs as plain data: numpy arrays, strings, numbers, lists and dicts.

Whatever Ray ships between processes it pickles, and unpickling runs whatever code the
pickle names. So nothing of the project's own classes travels: a dataset, a history and
the validation targets go as their arrays (which Ray's object store shares with every
worker on a node without a copy) and are rebuilt on arrival, and fitted models go as
the bytes of :mod:`engine.models.serialize`. A sparse matrix goes as its three arrays.
"""
from __future__ import annotations

from typing import Any

import scipy.sparse as sp

from engine.data.dataset import Dataset, History, Validation

Plain = dict[str, Any]


def plain_matrix(matrix: sp.csr_matrix) -> Plain:
    return {"data": matrix.data, "indices": matrix.indices, "indptr": matrix.indptr,
            "shape": tuple(int(n) for n in matrix.shape)}


def matrix_from(plain: Plain) -> sp.csr_matrix:
    return sp.csr_matrix((plain["data"], plain["indices"], plain["indptr"]),
                         shape=plain["shape"])


def plain_history(history: History) -> Plain:
    return {"matrix": plain_matrix(history.matrix), "indptr": history.indptr,
            "items": history.items, "weights": history.weights,
            "timestamps": history.timestamps, "request_time": history.request_time}


def history_from(plain: Plain) -> History:
    return History(matrix_from(plain["matrix"]), plain["indptr"], plain["items"],
                   plain["weights"], plain["timestamps"], plain["request_time"])


def plain_dataset(dataset: Dataset) -> Plain:
    """Everything a fit reads of a dataset (its import report stays behind)."""
    return {"user_ids": dataset.user_ids, "item_ids": dataset.item_ids, "user": dataset.user,
            "item": dataset.item, "weight": dataset.weight, "timestamp": dataset.timestamp,
            "titles": dataset.titles, "texts": dataset.texts,
            "genres": [list(g) for g in dataset.genres],
            "has_timestamps": dataset.has_timestamps, "name": dataset.name}


def dataset_from(plain: Plain) -> Dataset:
    return Dataset(plain["user_ids"], plain["item_ids"], plain["user"], plain["item"],
                   plain["weight"], plain["timestamp"], plain["titles"], plain["texts"],
                   [tuple(g) for g in plain["genres"]], plain["has_timestamps"], plain["name"])


def plain_fit_inputs(train: History, dataset: Dataset, valid: Validation | None) -> Plain:
    """What every fit of a run reads, as one value to put in the object store once."""
    return {"train": plain_history(train), "dataset": plain_dataset(dataset),
            "valid": None if valid is None else {
                "users": valid.users, "context": plain_history(valid.context),
                "targets": plain_matrix(valid.targets)}}


def fit_inputs_from(plain: Plain) -> tuple[History, Dataset, Validation | None]:
    valid = plain["valid"]
    return (history_from(plain["train"]), dataset_from(plain["dataset"]),
            None if valid is None else Validation(valid["users"], history_from(valid["context"]),
                                                  matrix_from(valid["targets"])))
