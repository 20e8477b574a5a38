"""Cut the USLCI openLCA JSON-LD export down to what footprint's tests need.

    python tools/make_uslci_subset.py PATH/TO/uslci_olca1_5_0_json_ld.zip

Keeps five datasets a CRM study buys (natural soda ash, the 2010 US grid mix, diesel burnt in
industrial equipment, combination-truck and diesel-train freight) and every process their
supply chains link to (by the rule footprint's importer applies: the one process whose
quantitative reference is the input's flow), with every flow those processes name and all
unit groups, flow properties, locations and categories. Files are copied byte for byte.
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

SEEDS = (
    "Natural soda ash (Sodium carbonate), at plant",
    "Electricity, at Grid, US, 2010",
    "Diesel, combusted in industrial equipment",
    "Transport, combination truck, diesel powered",
    "Transport, train, diesel powered",
)
OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "uslci" / "uslci_subset_olca1_5_0_json_ld.zip"


def main(source: str) -> None:
    with zipfile.ZipFile(source) as archive:
        names = archive.namelist()
        processes = {}
        for name in names:
            if "/processes/" in name and name.endswith(".json"):
                processes[name] = json.loads(archive.read(name))
        producers = defaultdict(list)
        for name, process in processes.items():
            for exchange in process["exchanges"]:
                if exchange.get("quantitativeReference"):
                    producers[exchange["flow"]["@id"]].append(name)
        keep = {name for name, process in processes.items() if process["name"] in SEEDS}
        todo = list(keep)
        while todo:
            for exchange in processes[todo.pop()]["exchanges"]:
                if exchange["input"] and exchange["flow"]["flowType"] == "PRODUCT_FLOW":
                    found = producers.get(exchange["flow"]["@id"], [])
                    if len(found) == 1 and found[0] not in keep:
                        keep.add(found[0])
                        todo.append(found[0])
        flows = {exchange["flow"]["@id"] for name in keep for exchange in processes[name]["exchanges"]}
        members = [
            name for name in names
            if not name.endswith("/")
            and (
                name in keep
                or ("/flows/" in name and Path(name).stem in flows)
                or any(f"/{folder}/" in name for folder in ("unit_groups", "flow_properties", "locations", "categories"))
                or name.endswith("context.json")
            )
        ]
        OUT.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(OUT, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
            for name in sorted(members):
                out.writestr(name, archive.read(name))
    print(f"wrote {OUT}: {len(keep)} processes, {len(flows)} flows, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
