"""A third-party material plugin, as another package would ship it (used by the tests).

It declares a test material whose rules re-use a lithium-like chain; numbers in its study
are the tiny test fixture's.
"""

from footprint.hookspecs import hookimpl
from footprint.rules import MaterialInfo, MaterialRules

MATERIAL = MaterialInfo(id="gallium-test", name="Gallium (test plugin)", cn_code="8112 92", grade="4N test", routes=["primary"])


@hookimpl
def footprint_materials():
    return [MATERIAL]


@hookimpl
def footprint_material_rules(material_id):
    if material_id != MATERIAL.id:
        return None
    return MaterialRules(id=MATERIAL.id, rules_version="0.1-test", company_specific_categories={"primary": ["1(j)"]})


@hookimpl
def footprint_declared_categories(material_id):
    return ["climate change", "water use", "acidification"] if material_id == MATERIAL.id else None
