"""Annex V Part IX: what a verifier must judge — which activity data drive the declared result.

`footprint sensitivity` gives, for every amount a study writes (inputs, elementary flows,
reference outputs, co-product amounts and prices, the Circular Footprint Formula's
parameters), the elasticity of every category: d ln(result) / d ln(amount), from one adjoint
solve of the foreground. Each is checked here against central finite differences through a
full re-declaration of the edited study (`assess` on a rewritten TOML file), to 1e-6 relative:
a relative step of 1e-4 leaves a truncation error of about 1e-8 (the result is a ratio of
polynomials in any one amount) and a rounding error of about 1e-12.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from footprint.assessment import assess
from footprint.engine import make_engine
from footprint.hookspecs import hookimpl
from footprint.plugins import MaterialRegistry, make_plugin_manager
from footprint.rules import Price

from ._workbench_helpers import agree, finite_difference
from .conftest import EXAMPLES, TINY_STUDY, edit_study

LOOP_AND_MASS = [
    # ponds take back some of the refinery's product (a loop), the refinery sells potash (mass allocation)
    ('  process = "pumping"\n  amount = 10.0\n  unit = "t"\n', '  process = "pumping"\n  amount = 10.0\n  unit = "t"\n\n  [[processes.inputs]]\n  process = "refining"\n  amount = 0.05\n  unit = "t"\n'),
    ('reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }',
     'reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }\nallocation = "mass"\n'
     'coproducts = [{ product = "potash", amount = 0.4, unit = "t" }]'),
]
SYSTEM_EXPANSION = [
    ('reference_output = { product = "concentrated brine", amount = 1.0, unit = "t" }',
     'reference_output = { product = "concentrated brine", amount = 1.0, unit = "t" }\nallocation = "system-expansion"\n'
     'coproducts = [{ product = "salt", amount = 0.02, unit = "t", substitutes = "sodium-carbonate" }]'),
]
ECONOMIC_WITH_STUDY_PRICES = [
    ('reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }',
     'reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t", price = 12.0 }\nallocation = "economic"\n'
     'coproducts = [{ product = "potash", amount = 0.4, unit = "t", price = 0.45 }]'),
]
ECONOMIC_WITH_RULES_PRICES = [
    ('reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }',
     'reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }\nallocation = "economic"\n'
     'coproducts = [{ product = "potash", amount = 0.4, unit = "t" }]'),
]


class PricedLithium:
    """Lithium carbonate rules with product prices for economic allocation (to vary one of them)."""

    def __init__(self, potash: float = 0.45) -> None:
        self.potash = potash

    @hookimpl(tryfirst=True)
    def footprint_material_rules(self, material_id):
        if material_id != "lithium-carbonate":
            return None
        rules = MaterialRegistry(make_plugin_manager()).rules(material_id)
        prices = [
            Price(product="lithium carbonate", eur_per_kg=12.0, source="test price (assumption)"),
            Price(product="potash", eur_per_kg=self.potash, source="test price (assumption)"),
        ]
        return rules.model_copy(update={"prices": prices})


def priced_registry(potash: float = 0.45) -> MaterialRegistry:
    manager = make_plugin_manager()
    manager.register(PricedLithium(potash), name="priced-lithium")
    return MaterialRegistry(manager)


class CircularNickel:
    @hookimpl(tryfirst=True)
    def footprint_material_rules(self, material_id):
        if material_id != "nickel-sulfate":
            return None
        rules = MaterialRegistry(make_plugin_manager()).rules(material_id)
        return rules.model_copy(update={"secondary_model": "circular-footprint-formula"})


def circular_registry() -> MaterialRegistry:
    manager = make_plugin_manager()
    manager.register(CircularNickel(), name="circular-nickel")
    return MaterialRegistry(manager)


@pytest.fixture(scope="module")
def engine():
    return make_engine()


def check_every_amount(path: Path, tmp_path: Path, engine, background, registry=None) -> int:
    kwargs = {"background": background, "engine": engine, **({"registry": registry} if registry else {})}
    results = assess(path, **kwargs)
    base = results.values()
    assert results.elasticities, "no amount found"
    wrong = []
    for elasticity in results.elasticities:
        estimate = finite_difference(path, tmp_path, elasticity, base, **kwargs)
        for category, exact in elasticity.by_category.items():
            if not agree(exact, estimate[category]):
                wrong.append(f"{elasticity.process} {elasticity.field} {category}: {exact!r} vs {estimate[category]!r}")
    assert wrong == []
    return len(results.elasticities)


def test_every_amount_of_a_linear_chain(tmp_path, tiny_background, engine):
    assert check_every_amount(TINY_STUDY, tmp_path, engine, tiny_background) == 10


def test_a_loop_and_mass_allocation_are_differentiated_exactly(tmp_path, tiny_background, engine):
    study = edit_study(tmp_path, TINY_STUDY, LOOP_AND_MASS, name="loop.toml")
    results = assess(study, background=tiny_background, engine=engine)
    by_field = {(e.process, e.field): e for e in results.elasticities}
    assert not by_field[("ponds", "inputs[2].amount")].linear  # closes the loop ponds -> refining -> ponds
    assert by_field[("pumping", "inputs[1].amount")].linear
    assert not by_field[("refining", "coproducts[1].amount")].linear  # the allocation key is a ratio
    check_every_amount(study, tmp_path, engine, tiny_background)


def test_a_substituted_coproduct_is_a_linear_credit(tmp_path, tiny_background, engine):
    study = edit_study(tmp_path, TINY_STUDY, SYSTEM_EXPANSION, name="expansion.toml")
    results = assess(study, background=tiny_background, engine=engine)
    credit = next(e for e in results.elasticities if e.field == "coproducts[1].amount")
    assert credit.linear and credit.by_category["climate change"] < 0
    check_every_amount(study, tmp_path, engine, tiny_background)


def test_economic_allocation_depends_on_prices_and_coproduct_amounts(tmp_path, tiny_background, engine):
    study = edit_study(tmp_path, TINY_STUDY, ECONOMIC_WITH_STUDY_PRICES, name="economic.toml")
    results = assess(study, background=tiny_background, engine=engine)
    fields = {e.field: e for e in results.elasticities if e.process == "refining"}
    # A dearer main product takes more of the burden, a dearer co-product less.
    assert fields["reference_output.price"].by_category["climate change"] > 0
    assert fields["coproducts[1].price"].by_category["climate change"] < 0
    assert fields["coproducts[1].amount"].by_category["climate change"] < 0
    check_every_amount(study, tmp_path, engine, tiny_background)


def test_a_price_the_rules_set_is_an_amount_too(tmp_path, tiny_background, engine):
    study = edit_study(tmp_path, TINY_STUDY, ECONOMIC_WITH_RULES_PRICES, name="rules-priced.toml")
    results = assess(study, background=tiny_background, engine=engine, registry=priced_registry())
    price = next(e for e in results.elasticities if e.field == "rules.prices[potash]")
    assert price.study == "rules" and price.process is None and not price.linear
    up = assess(study, background=tiny_background, engine=engine, registry=priced_registry(0.45 * (1 + 1e-4))).values()
    down = assess(study, background=tiny_background, engine=engine, registry=priced_registry(0.45 * (1 - 1e-4))).values()
    base = results.values()
    for category, exact in price.by_category.items():
        estimate = None if base[category] == 0 else (up[category] - down[category]) / 2e-4 / base[category]
        assert agree(exact, estimate), category


@pytest.mark.parametrize("example", ["cobalt-sulfate-drc-cn", "copper-cathode-pyro-cl", "graphite-natural-spherical-mz-cn"])
def test_every_amount_of_an_example_with_economic_allocation(example, tmp_path, starter_background, engine):
    check_every_amount(EXAMPLES / f"{example}.toml", tmp_path, engine, starter_background)


def test_the_circular_footprint_formula_and_its_primary_study(tmp_path, starter_background, engine):
    """Recycling amounts weigh R1 A, the primary study's amounts the weight of E_v; R1 and Qsin/Qp are amounts."""
    study = edit_study(
        tmp_path, EXAMPLES / "nickel-sulfate-recycled-de.toml",
        [("recycled_content = 1.0", "recycled_content = 0.9"), ("quality_ratio = 1.0", "quality_ratio = 0.8"),
         ('virgin_study = "nickel-sulfate-hpal-id.toml"', f'virgin_study = "{EXAMPLES / "nickel-sulfate-hpal-id.toml"}"')],
        name="cff.toml",
    )
    registry = circular_registry()
    results = assess(study, background=starter_background, engine=engine, registry=registry)
    studies = {e.study for e in results.elasticities}
    assert studies == {"study", "virgin study"}
    assert {e.field for e in results.elasticities if e.kind == "circular footprint parameter"} == {
        "circular_footprint.recycled_content", "circular_footprint.quality_ratio"}
    check_every_amount(study, tmp_path, engine, starter_background, registry=registry)


def test_elasticities_are_ranked_by_the_declared_categories(tiny_background, engine):
    results = assess(TINY_STUDY, background=tiny_background, engine=engine)
    declared = ["climate change", *MaterialRegistry().declared_categories("lithium-carbonate")]
    sizes = [max(abs(e.by_category[c] or 0) for c in declared) for e in results.elasticities]
    assert sizes == sorted(sizes, reverse=True)
    assert [e.rank for e in results.elasticities] == list(range(1, len(sizes) + 1))
    # The declared unit's own reference output scales everything: -1 in every non-zero category.
    product = next(e for e in results.elasticities if e.process == "refining" and e.field == "reference_output.amount")
    assert all(v == pytest.approx(-1.0, rel=1e-12) for v in product.by_category.values() if v is not None)


def test_every_engine_gives_the_same_elasticities(tiny_background):
    """The one-off engine solves the linked datasets itself instead of reading the prepared background."""
    prepared = assess(TINY_STUDY, background=tiny_background, engine=make_engine())
    one_off = assess(TINY_STUDY, background=tiny_background, engine=make_engine(kind="one-off", cache=False))
    for a, b in zip(prepared.elasticities, one_off.elasticities):
        assert (a.process, a.field) == (b.process, b.field)
        for category, value in a.by_category.items():
            assert agree(value, b.by_category[category])
