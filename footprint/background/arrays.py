"""A background given as plain arrays instead of a Brightway database.

For tests, benchmarks and synthetic or exported databases: the same duck type as
`Background` for the engine, the prepared background and Monte Carlo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..files import sha256_parts
from .packages import characterisation_package




@dataclass
class ArrayBackground:
    """A background given as arrays instead of a Brightway database: the same duck type as
    `background.Background` for the engine, `prepare_background` and Monte Carlo.

    Technosphere: production amounts on the diagonal (`activity_ids`, `production`) and inputs
    (`inputs`: supplier id, consumer id, positive amount), stored with `flip=True` as in
    bw2data. Biosphere: (flow id, activity id, amount). Characterisation factors per category
    name: (flow ids, factors). Optional stats_arrays parameter arrays for the inputs and the
    biosphere make a background that carries distributions.
    """

    activity_ids: np.ndarray
    production: np.ndarray
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray]
    biosphere: tuple[np.ndarray, np.ndarray, np.ndarray]
    factors: dict[str, tuple[np.ndarray, np.ndarray]]
    input_distributions: np.ndarray | None = None
    biosphere_distributions: np.ndarray | None = None
    database: str = "arrays"
    project: str = ""
    kind: str = "arrays"
    sha256: str = ""

    def __post_init__(self) -> None:
        if not self.sha256:
            arrays = (self.activity_ids, self.production, *self.inputs, *self.biosphere, self.input_distributions, self.biosphere_distributions)
            self.sha256 = sha256_parts(np.ascontiguousarray(a).tobytes() for a in arrays if a is not None)
        self._packages: list[Any] | None = None

    def datapackages(self) -> list[Any]:
        if self._packages is None:
            import bw_processing as bwp

            package = bwp.create_datapackage(sum_intra_duplicates=True, sum_inter_duplicates=False)
            suppliers, consumers, amounts = self.inputs
            rows = np.concatenate([self.activity_ids, suppliers]).astype(np.int64)
            cols = np.concatenate([self.activity_ids, consumers]).astype(np.int64)
            indices = np.zeros(len(rows), dtype=bwp.INDICES_DTYPE)
            indices["row"], indices["col"] = rows, cols
            flips = np.concatenate([np.zeros(len(self.activity_ids), bool), np.ones(len(suppliers), bool)])
            data = np.concatenate([self.production, amounts]).astype(float)
            extra = {}
            if self.input_distributions is not None:
                from stats_arrays import UncertaintyBase

                fixed = UncertaintyBase.from_dicts(*[{"loc": float(v), "uncertainty_type": 0} for v in self.production]) if len(self.production) else None
                extra["distributions_array"] = np.concatenate([fixed, self.input_distributions]) if fixed is not None else self.input_distributions
            package.add_persistent_vector(
                matrix="technosphere_matrix", name="arrays-technosphere", indices_array=indices, data_array=data, flip_array=flips, **extra
            )
            flows, activities, values = self.biosphere
            bio = np.zeros(len(flows), dtype=bwp.INDICES_DTYPE)
            bio["row"], bio["col"] = flows, activities
            extra = {"distributions_array": self.biosphere_distributions} if self.biosphere_distributions is not None else {}
            package.add_persistent_vector(
                matrix="biosphere_matrix", name="arrays-biosphere", indices_array=bio, data_array=np.asarray(values, float), **extra
            )
            self._packages = [package]
        return list(self._packages)

    def characterisation_datapackages(self, method_set: Any) -> list[Any]:
        empty = (np.zeros(0, np.int64), np.zeros(0))
        return [
            characterisation_package(c.category, c.method, *self.factors.get(c.category, empty))
            for c in method_set.categories
        ]
