"""An independent cradle-to-gate climate calculation straight from openLCA JSON-LD files.

Written for the USLCI comparison test without any footprint code: numpy reads the process,
flow, flow-property and unit-group files, builds the technology matrix (a process supplies an
input when it is the one process whose quantitative reference is that flow) and the GWP100
vector from the EF 3.1 factors below, and solves A^T x = b for the score of one unit of each
reference flow (in the flow's reference unit).
"""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict

import numpy as np

# EF 3.1 climate change (GWP100) factors, kg CO2-eq per kg, as ecoinvent implements EF 3.1 in
# bw2io 0.9.17 (data/lcia/lcia_39_ecoinvent.zip, method ("EF v3.1", "climate change",
# "global warming potential (GWP100)")), keyed by the USLCI's own flow names. Undifferentiated
# methane and carbon dioxide count as fossil, as footprint's mapping table assumes.
GWP100 = {
    "Carbon dioxide, fossil": 1.0,
    "Carbon dioxide": 1.0,
    "Methane, fossil": 29.8,
    "Methane": 29.8,
    "Methane, biogenic": 27.0,
    "Dinitrogen monoxide": 273.0,
    "Nitrous oxide": 273.0,
    "Sulfur hexafluoride": 25200.0,
    "Methane, tetrafluoro-, CFC-14": 7380.0,
    "Methane, tetrafluoro-, FC-14": 7380.0,
    "Methane, tetrafluoro-, R-14": 7380.0,
    "Ethane, hexafluoro-, HFC-116": 12400.0,
    "Methane, tetrachloro-, CFC-10": 2200.0,
    "Methane, chlorodifluoro-, HCFC-22": 1960.0,
    "Methane, difluromonochloro-, HCFC-22": 1960.0,
    "Methane, dichlorodifluoro-, CFC-12": 12500.0,
    "Methane, trichlorofluoro-, CFC-11": 6230.0,
    "Methane, bromotrifluoro-, Halon 1301": 7200.0,
    "Methane, bromochlorodifluoro-, Halon 1211": 1930.0,
    "Ethane, 1,1,1,2-tetrafluoro-, HFC-134a": 1530.0,
    "Ethane, 1,2-dichloro-1,1,2,2-tetrafluoro-, CFC-114": 9430.0,
    "Ethane, 1,1,2-trichloro-1,2,2-trifluoro-, CFC-113": 6520.0,
    "Ethane, chloropentafluoro-, CFC-115": 9600.0,
    "Ethane, 2-chloro-1,1,1,2-tetra-fluoro-, HCFC-124": 597.0,
    "Ethane, 1,1,1-trifluoro-2,2-dichloro-, HCFC-123": 90.4,
    "Methane, monochloro-, R-40": 5.54,
    "Methane, dichloro-, HCC-30": 11.2,
    "Methane, bromo-, Halon 1001": 2.43,
    "Chloroform": 20.6,
}


def _is_air(path: list[str]) -> bool:
    return "air" in path or path == ["Elementary Flows"]


def climate_scores(zip_path: str, process_names: list[str]) -> dict[str, tuple[float, str]]:
    """Score per unit of reference flow and that unit, for each named process."""
    with zipfile.ZipFile(zip_path) as archive:
        docs = defaultdict(dict)
        for name in archive.namelist():
            if name.endswith(".json") and "/" in name:
                folder = name.split("/")[-2]
                obj = json.loads(archive.read(name))
                if isinstance(obj, dict) and "@id" in obj:
                    docs[folder][obj["@id"]] = obj
    categories = docs["categories"]

    def path(ref):
        parts = []
        while ref:
            full = categories[ref["@id"]]
            parts.append(full["name"])
            ref = full.get("category")
        return parts[::-1]

    unit_factor = {u["@id"]: u["conversionFactor"] for g in docs["unit_groups"].values() for u in g["units"]}
    reference_unit = {
        g["@id"]: next(u["name"] for u in g["units"] if u.get("referenceUnit")) for g in docs["unit_groups"].values()
    }
    property_group = {p["@id"]: p["unitGroup"]["@id"] for p in docs["flow_properties"].values()}
    flows = {}
    for flow in docs["flows"].values():
        factors = {f["flowProperty"]["@id"]: f.get("conversionFactor", 1.0) for f in flow["flowProperties"]}
        ref_prop = next(f["flowProperty"]["@id"] for f in flow["flowProperties"] if f.get("referenceFlowProperty"))
        flows[flow["@id"]] = (flow, factors, reference_unit[property_group[ref_prop]], path(flow.get("category")))

    processes = list(docs["processes"].values())
    index = {p["@id"]: i for i, p in enumerate(processes)}
    providers = defaultdict(list)
    for p in processes:
        for e in p["exchanges"]:
            if e.get("quantitativeReference"):
                providers[e["flow"]["@id"]].append(p["@id"])
    n = len(processes)
    A = np.zeros((n, n))
    b = np.zeros(n)
    units = {}
    for j, p in enumerate(processes):
        for e in p["exchanges"]:
            flow, factors, ref_unit, category = flows[e["flow"]["@id"]]
            amount = e["amount"] * unit_factor[e["unit"]["@id"]] / factors[e["flowProperty"]["@id"]]
            if e.get("quantitativeReference"):
                A[j, j] += amount
                units[p["@id"]] = ref_unit
            elif flow["flowType"] == "ELEMENTARY_FLOW":
                factor = GWP100.get(flow["name"].strip())
                if factor and _is_air(category):
                    b[j] += factor * (-amount if e["input"] else amount)
            elif e["input"] and flow["flowType"] == "PRODUCT_FLOW":
                found = providers.get(e["flow"]["@id"], [])
                if len(found) == 1:
                    A[index[found[0]], j] -= amount
    scores = np.linalg.solve(A.T, b)
    by_name = {p["name"]: p["@id"] for p in processes}
    return {name: (float(scores[index[by_name[name]]]), units[by_name[name]]) for name in process_names}
