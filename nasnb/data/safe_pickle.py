"""The restricted unpickler for data-set files (CIFAR-10 batches): see :mod:`nasnb._safe_pickle`.

nasnb has one restricted unpickler, shared by the data readers and the tabular-benchmark
readers; this module is its public name in :mod:`nasnb.data`. It never calls
``pickle.load``: globals resolve only to checked numpy-array, numpy-scalar and container
shims, opcodes are scanned first and a pickle that would take more memory than its size
justifies is refused.

Examples
--------
>>> import io, pickle, numpy as np
>>> blob = pickle.dumps({b"data": np.arange(3, dtype=np.uint8)}, protocol=2)
>>> safe_load(io.BytesIO(blob), name="example")[b"data"].tolist()
[0, 1, 2]
"""

from __future__ import annotations

from nasnb._safe_pickle import SafeUnpickler, safe_load

__all__ = ["safe_load", "SafeUnpickler"]
