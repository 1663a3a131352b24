"""A fitted model as data: arrays in one safetensors blob, everything else as JSON.

A project file (or a team's shared database) holds each run's fitted model. Storing it
as a pickle would let whoever wrote the file run code on the machine that opens it, so a
model is written as a description and arrays instead, the way ``skops`` stores
scikit-learn estimators and Hugging Face stores weights:

- the arrays (numpy arrays, sparse matrices' parts, torch weights) are the tensors of a
  safetensors file, a format that holds numbers and nothing else;
- the description, kept in that file's metadata, is JSON: plain values, lists and dicts,
  references to the tensors, and objects named by a key of :data:`TYPES`.

Reading rebuilds objects only from :data:`TYPES` (the model registry and the few value
classes models keep), with the class's own ``__setstate__`` where it has one; any other
name, a malformed description or a blob that is not safetensors is a
:class:`UnreadableModel`, and nothing from the blob is ever called. Writing uses the same
``__getstate__`` hooks that ``copy`` and ``pickle`` use, so a model says once what its
state is; an object that none of the rules covers (a lambda given as a parameter) is a
``TypeError`` at write time rather than a model that cannot be read back.

Objects met twice (a fusion's component that is also its cold-start model, an array kept
under two names) are written once and come back shared, as they were.
"""
from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np
import scipy.sparse as sp

from engine.data.encoder import ItemTextVectors
from engine.models import MODELS
from engine.models.base import HistoryStamp, Recommender

FORMAT = "safetensors+json-1"
_KEY = "interest-fusion-studio"  # the metadata entry that holds the description

#: Every class a stored model may contain, by the name the description gives it.
TYPES: dict[str, type] = {
    **{f"model:{name}": cls for name, cls in MODELS.items()},
    "HistoryStamp": HistoryStamp,
    "ItemTextVectors": ItemTextVectors,
}
_NAMES = {cls: name for name, cls in TYPES.items()}
_KINDS = {"array", "csr", "torch", "object"}  # the nodes that stand for objects


class UnreadableModel(ValueError):
    """The blob is not a model this version can rebuild (the message says why)."""


def model_to_bytes(model: Recommender) -> bytes:
    """``model`` (fitted or not) as one safetensors blob with its description inside."""
    from safetensors.numpy import save

    writer = _Writer()
    description = {"format": FORMAT, "root": writer.value(model)}
    return save(writer.tensors, metadata={_KEY: json.dumps(description, allow_nan=True)})


def model_from_bytes(data: bytes) -> Recommender:
    """The model :func:`model_to_bytes` wrote; :class:`UnreadableModel` for anything else."""
    description = _description(data)
    from safetensors.numpy import load

    try:
        tensors = load(data)
    except Exception as error:  # the Rust parser's own error types
        raise UnreadableModel(f"its arrays cannot be read ({error})") from None
    try:
        model = _Reader(tensors).value(description.get("root"))
    except RecursionError:
        raise UnreadableModel("its description is nested too deeply") from None
    if not isinstance(model, Recommender):
        raise UnreadableModel("it does not hold a model")
    return model


def _description(data: bytes) -> dict[str, Any]:
    """The JSON description in the blob's safetensors header (8-byte length, then JSON)."""
    if len(data) < 8:
        raise UnreadableModel("it is too short to be a stored model")
    (length,) = struct.unpack("<Q", data[:8])
    if length > len(data) - 8:
        raise UnreadableModel("it is not a safetensors blob")
    try:
        header = json.loads(data[8:8 + length])
        description = json.loads(header["__metadata__"][_KEY])
    except (ValueError, TypeError, KeyError, RecursionError):
        raise UnreadableModel("it has no model description") from None
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        found = description.get("format") if isinstance(description, dict) else None
        raise UnreadableModel(f"it is stored as {found!r}; this version reads {FORMAT!r}")
    return description


class _Writer:
    def __init__(self) -> None:
        self.tensors: dict[str, np.ndarray] = {}
        self._seen: dict[int, int] = {}  # id(object) -> its number in the description
        self._keep: list[object] = []  # keeps written objects alive, so ids stay unique

    def value(self, x: object) -> Any:
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, (int, float)) and type(x) in (int, float):
            return x
        if isinstance(x, np.generic):
            return {"scalar": x.dtype.str, "value": x.item()}
        if isinstance(x, tuple):
            return {"tuple": [self.value(v) for v in x]}
        if type(x) is list:
            return {"list": [self.value(v) for v in x]}
        if type(x) is dict:
            return {"dict": [[self.value(k), self.value(v)] for k, v in x.items()]}
        if id(x) in self._seen:
            return {"ref": self._seen[id(x)]}
        number = self._seen[id(x)] = len(self._seen)
        self._keep.append(x)
        return {"id": number, **self._shared(x)}

    def _shared(self, x: object) -> dict[str, Any]:
        """Objects with an identity: arrays, matrices, tensors and registered classes."""
        if isinstance(x, np.ndarray):
            return {"array": self._tensor(x)}
        if sp.issparse(x):
            csr = sp.csr_matrix(x)
            return {"csr": [self._tensor(csr.data), self._tensor(csr.indices),
                            self._tensor(csr.indptr)], "shape": list(csr.shape)}
        if type(x).__module__ == "torch" and type(x).__name__ == "Tensor":
            return self._torch(x)
        name = _NAMES.get(type(x))
        if name is None:
            raise TypeError(f"a stored model cannot hold a {type(x).__module__}."
                            f"{type(x).__qualname__} ({x!r:.80})")
        if isinstance(x, dict):  # ItemTextVectors: a dict of settings
            return {"object": name, "state": self.value(dict(x))}
        state = x.__getstate__() if hasattr(x, "__getstate__") else vars(x)
        if not isinstance(state, dict):  # object.__getstate__ of a __dict__-less object
            state = vars(x)
        return {"object": name, "state": self.value(dict(state))}

    def _torch(self, tensor: Any) -> dict[str, Any]:
        import torch

        tensor = tensor.detach().cpu()
        dtype = str(tensor.dtype).removeprefix("torch.")
        if tensor.dtype in (torch.bfloat16, torch.float16):  # numpy has no bfloat16
            tensor = tensor.float()
        return {"torch": self._tensor(tensor.contiguous().numpy()), "dtype": dtype}

    def _tensor(self, array: np.ndarray) -> str:
        if array.dtype.kind not in "biuf":
            raise TypeError(f"a stored model cannot hold an array of {array.dtype}")
        key = str(len(self.tensors))
        self.tensors[key] = np.ascontiguousarray(array)
        return key


class _Reader:
    def __init__(self, tensors: dict[str, np.ndarray]) -> None:
        self._tensors = tensors
        self._objects: dict[int, object] = {}

    def value(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, str, int, float)):
            return node
        if not isinstance(node, dict) or len(node) == 0:
            raise UnreadableModel(f"its description has an unknown node {node!r:.80}")
        if "list" in node:
            return [self.value(v) for v in self._list(node["list"])]
        if "tuple" in node:
            return tuple(self.value(v) for v in self._list(node["tuple"]))
        if "dict" in node:
            pairs = [self._list(pair) for pair in self._list(node["dict"])]
            if any(len(pair) != 2 for pair in pairs):
                raise UnreadableModel("its description has a malformed dict")
            return {self.value(k): self.value(v) for k, v in pairs}
        if "scalar" in node:
            try:
                dtype = np.dtype(node["scalar"])
                if dtype.kind in "biuf":
                    return dtype.type(node["value"])
            except (TypeError, ValueError, KeyError, OverflowError):
                pass
            raise UnreadableModel(f"its description has a bad scalar {node!r:.80}")
        if "ref" in node:
            if node["ref"] not in self._objects:
                raise UnreadableModel(f"its description refers to object {node['ref']!r} "
                                      "before it is defined")
            return self._objects[node["ref"]]
        if not _KINDS & node.keys():
            raise UnreadableModel(f"its description has an unknown node {node!r:.80}")
        number = node.get("id")
        if not isinstance(number, int) or number in self._objects:
            raise UnreadableModel("its description numbers its objects wrongly")
        value = self._object(node, number)
        self._objects[number] = value
        return value

    def _object(self, node: dict[str, Any], number: int) -> object:
        if "array" in node:
            return self._tensor(node["array"])
        if "csr" in node:
            data, indices, indptr = (self._tensor(k) for k in self._list(node["csr"]))
            try:
                matrix = sp.csr_matrix((data, indices, indptr), shape=tuple(node["shape"]))
                matrix.check_format(full_check=True)  # indices in range: scipy's C++ trusts them
                return matrix
            except (TypeError, ValueError, KeyError) as error:
                raise UnreadableModel(f"its sparse matrix is malformed ({error})") from None
        if "torch" in node:
            return self._torch(node)
        cls = TYPES.get(node.get("object"))  # type: ignore[arg-type]
        if cls is None:
            raise UnreadableModel(f"it names the type {node.get('object')!r:.80}, which is "
                                  "not one a model is made of")
        if cls is ItemTextVectors:
            try:
                return ItemTextVectors(self.value(node.get("state")))
            except (TypeError, ValueError) as error:
                raise UnreadableModel(f"its text vector settings are wrong ({error})") from None
        obj = cls.__new__(cls)
        self._objects[number] = obj  # parts of the state may refer back to it
        state = self.value(node.get("state"))
        if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
            raise UnreadableModel(f"its {node['object']} has no attribute table")
        setstate = getattr(obj, "__setstate__", None)  # object has none: a class's own
        if setstate is None:
            vars(obj).update(state)
            return obj
        try:  # the class's own code, given the decoded values (the transformer's weights)
            setstate(state)
        except Exception as error:
            raise UnreadableModel(f"its {node['object']} cannot be rebuilt "
                                  f"({type(error).__name__}: {error})") from None
        return obj

    def _torch(self, node: dict[str, Any]) -> Any:
        import torch

        dtype = getattr(torch, str(node.get("dtype")), None)
        if not isinstance(dtype, torch.dtype):
            raise UnreadableModel(f"its tensor has an unknown dtype {node.get('dtype')!r:.40}")
        return torch.from_numpy(self._tensor(node["torch"])).to(dtype)

    def _tensor(self, key: Any) -> np.ndarray:
        try:
            return self._tensors[key]
        except (KeyError, TypeError):
            raise UnreadableModel(f"its description names a missing array {key!r:.40}") from None

    @staticmethod
    def _list(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise UnreadableModel(f"its description has {value!r:.80} where a list belongs")
        return value

