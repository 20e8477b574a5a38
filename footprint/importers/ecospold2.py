"""ecoSpold2 (.spold) data sets -> source datasets, read by bw2io's Ecospold2DataExtractor.

Elementary exchanges carry ecoinvent's elementary-flow ids, which are biosphere3's codes, so
they link by code; intermediate exchanges link by `activityLinkId` when the linked activity
is in the set, else by name, location and unit.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import warnings
from pathlib import Path

from ..errors import FootprintInputError
from .archive import SourcePackage
from .bw2io_bridge import apply_strategies, to_source
from .records import SourceDatabase


def read_ecospold2(package: SourcePackage) -> SourceDatabase:
    import bw2io
    from bw2io.importers.ecospold2 import SingleOutputEcospold2Importer

    names = [name for name in package.names() if name.lower().endswith(".spold")]
    if not names:
        raise FootprintInputError("no ecoSpold2 data sets (*.spold) in the source", file=package.path)
    with tempfile.TemporaryDirectory(prefix="footprint-ecospold2-") as folder:
        for position, name in enumerate(names):
            root = package.xml(name)  # hardened parse first: a broken or hostile file stops here
            if not root.tag.endswith("ecoSpold"):
                raise FootprintInputError(f"not an ecoSpold2 document (root element {root.tag!r})", file=package.label(name))
            (Path(folder) / f"{position:05d}.spold").write_bytes(package.read(name))
        try:
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importer = SingleOutputEcospold2Importer(folder, "ecospold2-import", use_mp=False, add_product_information=False)
        except Exception as exc:  # bw2io raises plain exceptions on data it cannot read
            raise FootprintInputError(f"cannot read the ecoSpold2 data: {type(exc).__name__}: {exc}", file=package.path) from None
    applied = apply_strategies(importer)
    for dataset in importer.data:
        for exchange in dataset.get("exchanges", []):
            if exchange.get("type") == "technosphere" and exchange.get("activity"):
                exchange["input"] = ("ecospold2-import", exchange["activity"])
    source = to_source(importer.data, path=str(package.path), format="ecospold2", reader=f"bw2io {bw2io.__version__} SingleOutputEcospold2Importer ({len(applied)} strategies)")
    _use_activity_ids(source, importer.data)
    return source


def _use_activity_ids(source: SourceDatabase, data: list) -> None:
    """Datasets keyed by their ecoSpold2 activity id, so activityLinkId links resolve."""
    for dataset, raw in zip(source.datasets, [d for d in data if d.get("type") in (None, "process")]):
        if raw.get("activity"):
            dataset.id = str(raw["activity"])
