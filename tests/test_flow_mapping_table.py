"""The shipped elementary-flow mapping is sourced data: every row names its source and points
at a flow biosphere3 really has, in a compartment it really has, in a convertible unit."""

from __future__ import annotations

from footprint.importers.flowmap import load_mapping, shipped_biosphere3
from footprint.units import conversion_factor


def test_every_mapping_row_is_sourced_and_lands_on_a_biosphere3_flow():
    mapping = load_mapping()
    flows = {(f.name, "/".join(f.categories)): f for f in shipped_biosphere3()}
    names = {f.name for f in flows.values()}
    categories = {"/".join(f.categories) for f in flows.values()}
    assert len(mapping.all_flows()) > 4000
    for row in mapping.all_flows():
        assert len(row.source) >= 5
        assert row.biosphere3_name in names, row
        if row.biosphere3_categories != "*":
            target = flows.get((row.biosphere3_name, row.biosphere3_categories))
            assert target is not None, row
            conversion_factor(row.unit, target.unit)
        if row.assumption:
            assert row.match == "~" or "assum" in row.source.lower() or len(row.source) > 40
    for context in mapping.contexts:
        assert context.categories in categories, context
        assert len(context.source) >= 5


def test_hand_rows_are_proxies_only_where_they_say_so():
    uslci = [row for row in load_mapping().flows if row.flow_list == "USLCI"]
    assert uslci and all(row.assumption for row in uslci if row.match == "~")
