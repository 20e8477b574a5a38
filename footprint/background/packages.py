"""Characterisation factors as bw_processing datapackages, for every kind of background."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Protocol

import numpy as np

from ..files import sha256_parts

if TYPE_CHECKING:
    from ..methods import MethodSet


def characterisation_package(name: str, method: tuple[str, ...], flow_ids: Iterable[int], factors: Iterable[float]) -> Any:
    """One category's factors as a bw_processing datapackage that bw2calc's MultiLCA can pick
    out by its `identifier` (the Brightway method tuple)."""
    import bw_processing as bwp

    rows = np.asarray(list(flow_ids), dtype=np.int64)
    package = bwp.create_datapackage(sum_inter_duplicates=False)
    indices = np.zeros(len(rows), dtype=bwp.INDICES_DTYPE)
    indices["row"] = rows
    indices["col"] = 0
    package.add_persistent_vector(
        matrix="characterization_matrix",
        name=f"cf-{name}",
        indices_array=indices,
        data_array=np.asarray(list(factors), dtype=float),
        global_index=0,
        identifier=list(method),
    )
    return package


class BackgroundLike(Protocol):
    """What the engine needs of a background: a Brightway one or one made of arrays."""

    database: str
    sha256: str

    def datapackages(self) -> list[Any]: ...

    def characterisation_datapackages(self, method_set: "MethodSet") -> list[Any]: ...


def layout_digest(data_objs: Iterable[Any]) -> str:
    """Hash of the row and column ids of every matrix resource: ids are what the cache indexes."""

    def parts() -> Iterable[bytes]:
        for package in data_objs:
            for resource in sorted(package.resources, key=lambda r: r["name"]):
                if resource.get("kind") == "indices":
                    yield resource["name"].encode()
                    yield np.ascontiguousarray(package.get_resource(resource["name"])[0]).tobytes()

    return sha256_parts(parts())
