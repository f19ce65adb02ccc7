"""Reads a PyTorch checkpoint in the legacy (pre-1.6, non-zip) serialization
with pickle and NumPy alone: no torch needed.

The file is a sequence of pickles: a magic number, the protocol version, system
info, the object itself (whose tensors refer to storages by persistent id), the
list of storage keys, and then each storage's raw bytes: an 8-byte little-endian
element count followed by the elements.
"""

import collections
import pickle

import numpy as np

MAGIC = 0x1950A86A20F9469CFC6C

# torch storage class → NumPy element type.
STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class StorageType:
    def __init__(self, dtype):
        self.dtype = dtype


class StorageRef:
    """A storage named in the pickle, filled in after the storages are read."""

    def __init__(self, key, dtype):
        self.key, self.dtype, self.array = key, dtype, None


class TensorRef:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def to_numpy(self):
        flat = self.storage.array
        item = flat.itemsize
        view = np.lib.stride_tricks.as_strided(
            flat[self.offset:], shape=self.size, strides=[s * item for s in self.stride]
        )
        return np.ascontiguousarray(view)


def _rebuild_tensor_v2(storage, offset, size, stride, *_ignored):
    return TensorRef(storage, offset, size, stride)


def _rebuild_parameter(tensor, *_ignored):
    return tensor


class _Unpickler(pickle.Unpickler):
    """Maps the few torch globals a state dict uses onto the stand-ins above;
    anything else is refused, so no code from the file runs."""

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name in STORAGE_DTYPES:
            return StorageType(STORAGE_DTYPES[name])
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")

    def persistent_load(self, pid):
        kind, storage_type, key, _location, _size = pid[:5]
        if kind != "storage":
            raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")
        ref = StorageRef(key, storage_type.dtype)
        self.storages.setdefault(key, []).append(ref)
        return ref


def load_state_dict(path):
    """The checkpoint's state dict as {name: numpy array}."""
    with open(path, "rb") as f:
        if pickle.load(f) != MAGIC:
            raise ValueError(f"{path}: not a legacy PyTorch checkpoint (bad magic number)")
        pickle.load(f)  # protocol version
        pickle.load(f)  # system info
        unpickler = _Unpickler(f)
        unpickler.storages = {}
        obj = unpickler.load()
        keys = pickle.load(f)
        for key in keys:
            count = int.from_bytes(f.read(8), "little")
            refs = unpickler.storages.get(key, [])
            dtype = refs[0].dtype if refs else np.uint8
            data = np.frombuffer(f.read(count * np.dtype(dtype).itemsize), dtype=dtype)
            for ref in refs:
                ref.array = data
    return collections.OrderedDict(
        (name, value.to_numpy()) for name, value in obj.items() if isinstance(value, TensorRef)
    )
