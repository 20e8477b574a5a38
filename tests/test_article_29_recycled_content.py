"""Art. 29: the share of Nd, Dy, Pr, Tb, B, Sm, Ni and Co recovered from post-consumer waste.

Art. 29(1) scope (more than 0.2 kg of NdFeB, SmCo and AlNiCo), the exemptions of Art. 29(5)
and 29(7), and the draft calculation rules of Art. 29(2): a mass balance that must close,
no share claimed twice, pre-consumer scrap never counted as post-consumer.
"""

from __future__ import annotations

import datetime as dt

import pytest

from footprint.errors import FootprintInputError
from footprint.magnets.declare import assess_product, build
from footprint.magnets.product import ELEMENTS
from footprint.magnets.rules import MagnetRules
from footprint.magnets.scope import THRESHOLD_KG

from ._magnet_helpers import MOTOR, ROBOT, WIND, assess, ferrite_magnet, refused, share, variant

# --- the share, by hand --------------------------------------------------------------------


def test_wind_generator_shares_equal_the_hand_calculation():
    a = assess(WIND)
    masses = {e.element: e.mass_kg for e in a.content.elements}
    assert masses["Nd"] == pytest.approx(650 * 0.195) and masses["Pr"] == pytest.approx(650 * 0.065)
    assert masses["Dy"] == pytest.approx(650 * 0.04) and masses["B"] == pytest.approx(650 * 0.01)
    assert share(a, "Nd") == pytest.approx(12.675 / 126.75) == pytest.approx(0.10)
    assert share(a, "Pr") == pytest.approx(0.10) and share(a, "Dy") == pytest.approx(0.05)
    assert share(a, "B") == 0.0  # present, all primary
    for absent in ("Tb", "Sm", "Ni", "Co"):
        assert share(a, absent) is None
    assert [e.element for e in a.content.elements] == list(ELEMENTS) == ["Nd", "Dy", "Pr", "Tb", "B", "Sm", "Ni", "Co"]


def test_pre_consumer_scrap_is_declared_but_not_counted():
    a = assess(WIND)
    nd = next(e for e in a.content.elements if e.element == "Nd")
    assert nd.pre_consumer_kg == pytest.approx(6.3375)
    assert nd.share == pytest.approx(nd.post_consumer_kg / nd.mass_kg)  # 10 %, not 15 %


def test_smco_and_alnico_shares():
    robot, motor = assess(ROBOT), assess(MOTOR)
    assert share(robot, "Co") == pytest.approx(0.20) and share(robot, "Sm") == 0.0
    co = next(e for e in robot.content.elements if e.element == "Co")
    assert co.mass_kg == pytest.approx((2 * 0.18 + 2 * 0.048) * 0.505)  # Co is the balance, 50.5 %
    assert share(motor, "Ni") == pytest.approx(0.30) and share(motor, "Co") == 0.0
    assert share(motor, "Nd") is None


def test_share_is_over_all_magnets_of_the_product(tmp_path):
    """Rules' share_basis = product: one figure per element, mass-weighted over the magnets."""
    def small_rotors_all_primary(raw):
        for magnet in raw["magnets"][2:]:
            magnet["supply"] = [line for line in magnet["supply"] if line["origin"] != "post-consumer"]
            next(line for line in magnet["supply"] if line["element"] == "Co" and line["origin"] == "primary")["mass_kg"] = 0.02424 - 0.002424
    a = assess(variant(tmp_path, ROBOT, small_rotors_all_primary))
    by_magnet = {m.magnet: {e.element: e.share for e in m.elements} for m in a.content.magnets}
    assert by_magnet["j1-rotor"]["Co"] == pytest.approx(0.2) and by_magnet["j3-rotor"]["Co"] == 0.0
    assert share(a, "Co") == pytest.approx(2 * 0.01818 / (2 * 0.0909 + 2 * 0.02424))


# --- Art. 29(1): the 0.2 kg scope test -------------------------------------------------------------


def _scale_motor(raw, mass_kg: float, applies: bool):
    raw["magnets"][0]["mass_kg"] = mass_kg / 2
    ni, co = 2 * mass_kg / 2 * 0.14, 2 * mass_kg / 2 * 0.24
    raw["magnets"][0]["supply"] = [
        {"element": "Ni", "origin": "primary", "mass_kg": ni, "source": "test line"},
        {"element": "Co", "origin": "primary", "mass_kg": co, "source": "test line"},
    ]
    raw["article_29_applies"] = applies


def test_exactly_0_2_kg_is_not_more_than_0_2_kg(tmp_path):
    a = assess(variant(tmp_path, MOTOR, lambda raw: _scale_motor(raw, THRESHOLD_KG, False)))
    assert not a.scope.article_29_applies and a.scope.article_28_applies and a.content is None
    assert "not more than 0.2 kg" in a.scope.article_29_statement


def test_just_above_0_2_kg_is_in_scope(tmp_path):
    a = assess(variant(tmp_path, MOTOR, lambda raw: _scale_motor(raw, 0.2002, True)))
    assert a.scope.article_29_applies and share(a, "Ni") == 0.0


def test_magnet_below_scope_declared_in_scope_is_refused(tmp_path):
    path = variant(tmp_path, MOTOR, lambda raw: _scale_motor(raw, 0.15, True))
    refused(path, "article_29_applies", "article_29_applies = true", "not more than 0.2 kg")


def test_magnet_above_scope_declared_out_of_scope_is_refused(tmp_path):
    path = variant(tmp_path, WIND, lambda raw: raw.update(article_29_applies=False))
    refused(path, "article_29_applies", "article_29_applies = false", "more than 0.2 kg")


def test_ferrite_does_not_count_towards_the_threshold(tmp_path):
    def ferrite_washer(raw):
        raw["product"]["group"] = "washing-machine"
        _scale_motor(raw, 0.1, False)
        raw["magnets"].append(ferrite_magnet(5.0))
        raw["removal"][-1]["removes"].append("ferrite-ring")
    a = assess(variant(tmp_path, MOTOR, ferrite_washer))
    assert a.scope.recycled_content_magnet_mass_kg == pytest.approx(0.1)
    assert not a.scope.article_29_applies and a.scope.article_28_applies


# --- Art. 29(5) and 29(7): exemptions ----------------------------------------------------------------


def test_defence_or_space_products_are_exempt(tmp_path):
    a = assess(variant(tmp_path, WIND, lambda raw: (raw["product"].update(primarily_defence_or_space=True), raw.update(article_29_applies=False))))
    assert not a.scope.article_29_applies and not a.scope.article_28_applies
    assert "Art. 28(9) and Art. 29(5)" in a.scope.article_29_statement


def _vehicle(raw, **vehicle):
    raw["product"]["group"] = "motor-vehicle"
    raw["product"]["vehicle"] = {"category": "N2", **vehicle}


@pytest.mark.parametrize("flag, provision", [("special_purpose", "29(7)(a)"), ("small_series", "29(7)(c)")])
def test_special_purpose_and_small_series_vehicles_are_exempt(tmp_path, flag, provision):
    a = assess(variant(tmp_path, MOTOR, lambda raw: (_vehicle(raw, **{flag: True}), raw.update(article_29_applies=False))))
    assert not a.scope.article_29_applies and provision in a.scope.article_29_statement


def test_parts_outside_the_base_vehicle_are_left_out(tmp_path):
    """Art. 29(7)(b): a body builder's part in a multi-stage N2 approval; the rest stays in scope."""
    def body_part(raw):
        _vehicle(raw, multi_stage=True)
        raw["magnets"][0]["part_of_base_vehicle"] = False
        raw["article_29_applies"] = False
    a = assess(variant(tmp_path, MOTOR, body_part))
    assert a.scope.excluded_magnets == ["field-magnets"] and a.scope.recycled_content_magnet_mass_kg == 0
    assert not a.scope.article_29_applies and not a.scope.article_28_applies


def test_outside_the_base_vehicle_needs_a_multi_stage_approval(tmp_path):
    path = variant(tmp_path, MOTOR, lambda raw: (_vehicle(raw), raw["magnets"][0].update(part_of_base_vehicle=False)))
    refused(path, "magnets[1].part_of_base_vehicle", "multi-stage")


def test_a_motor_vehicle_needs_its_type_approval_facts(tmp_path):
    refused(variant(tmp_path, MOTOR, lambda raw: raw["product"].update(group="motor-vehicle")), "product.vehicle", "M1-N3")


def test_vehicle_facts_on_a_heat_pump_are_refused(tmp_path):
    path = variant(tmp_path, MOTOR, lambda raw: raw["product"].update(group="heat-pump", vehicle={"category": "M1"}))
    refused(path, "product.vehicle", "heat-pump")


def test_later_start_for_motor_vehicles_is_stated(tmp_path):
    a = assess(variant(tmp_path, MOTOR, lambda raw: _vehicle(raw)))
    assert any("Art. 29(6)" in line for line in a.scope.application)
    assert any("24 May 2029" in line for line in a.scope.application)


# --- the mass balance -------------------------------------------------------------------------------------


def test_supply_that_does_not_cover_the_magnet_is_refused(tmp_path):
    path = variant(tmp_path, WIND, lambda raw: raw["magnets"][0]["supply"].pop(2))  # primary Nd line
    refused(path, "magnets[1].supply", "do not cover", "Nd")


def test_supply_that_claims_more_than_the_magnet_holds_is_refused(tmp_path):
    path = variant(tmp_path, WIND, lambda raw: raw["magnets"][0]["supply"][2].update(mass_kg=150.0))
    refused(path, "magnets[1].supply", "claim more than")


def test_a_changed_magnet_mass_breaks_the_balance(tmp_path):
    refused(variant(tmp_path, WIND, lambda raw: raw["magnets"][0].update(mass_kg=0.6)), "magnets[1].supply", "do not cover")


def test_an_element_present_without_supply_lines_is_refused(tmp_path):
    path = variant(tmp_path, WIND, lambda raw: raw["magnets"][0].update(supply=[s for s in raw["magnets"][0]["supply"] if s["element"] != "B"]))
    refused(path, "magnets[1].supply", "0 kg of B")


def test_an_element_claimed_twice_is_refused(tmp_path):
    path = variant(tmp_path, WIND, lambda raw: raw["magnets"][0]["supply"].insert(1, dict(raw["magnets"][0]["supply"][0])))
    refused(path, "magnets[1].supply[2]", "claimed twice")


def test_a_batch_claimed_by_more_units_than_it_holds_is_refused(tmp_path):
    """2000 motors take 58.8 kg of a 60 kg batch; 2100 would take 61.7 kg."""
    refused(variant(tmp_path, MOTOR, lambda raw: raw["product"].update(units_covered=2100)), "custody[1].batch_mass_kg", "claimed more than once")


def test_pre_consumer_scrap_claimed_as_post_consumer_is_refused(tmp_path):
    path = variant(tmp_path, MOTOR, lambda raw: raw["custody"][0].update(origin="pre-consumer"))
    refused(path, "magnets[1].supply[1].origin", "pre-consumer scrap is not post-consumer waste")


def test_mass_balance_claims_beyond_the_post_consumer_input_left_are_refused(tmp_path):
    """507 kg of Nd for 40 generators fits in 900 - 300 kg; with 450 claimed elsewhere it does not,
    however much pre-consumer and primary input the site has."""
    path = variant(tmp_path, WIND, lambda raw: raw["custody"][0].update(post_consumer_claimed_elsewhere_kg=450.0))
    refused(path, "custody[1].inputs.post_consumer_kg", "claimed twice")


def test_a_site_that_ships_more_than_it_takes_in_is_refused(tmp_path):
    path = variant(tmp_path, WIND, lambda raw: raw["custody"][0].update(output_kg=12000.0))
    refused(path, "custody[1].output_kg", "inputs do not cover the outputs")


def test_mass_balance_period_longer_than_a_year_is_refused(tmp_path):
    path = variant(tmp_path, WIND, lambda raw: raw["custody"][0].update(period={"start": dt.date(2024, 1, 1), "end": dt.date(2026, 6, 30)}))
    refused(path, "custody[1].period", "366")


def test_mass_balance_period_not_closed_at_issue_is_refused(tmp_path):
    tomorrow = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=30)
    path = variant(tmp_path, WIND, lambda raw: raw["custody"][0].update(period={"start": dt.date(2026, 6, 1), "end": tomorrow}))
    refused(path, "custody[1].period.end", "cannot be closed")


def test_book_and_claim_is_not_accepted_by_the_draft_rules(tmp_path):
    path = variant(tmp_path, MOTOR, lambda raw: raw["custody"][0].update(model="book-and-claim"))
    refused(path, "custody[1].model", "book-and-claim", "traded apart from the material")


def test_post_consumer_claim_needs_chain_of_custody(tmp_path):
    path = variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0]["supply"][0].pop("custody"))
    refused(path, "magnets[1].supply[1].custody", "chain-of-custody record")


def test_custody_of_another_element_is_refused(tmp_path):
    path = variant(tmp_path, WIND, lambda raw: raw["magnets"][0]["supply"][3].update(custody="mb-nd-2026h1"))
    refused(path, "magnets[1].supply[4].custody", "evidence for Nd, not Pr")


def test_supply_of_an_element_outside_the_eight_is_refused(tmp_path):
    path = variant(tmp_path, WIND, lambda raw: raw["magnets"][0]["supply"].append({"element": "Fe", "origin": "primary", "mass_kg": 448.5, "source": "test line"}))
    refused(path, "magnets[1].supply[9].element", "not one of the eight")


# --- compositions and numbers ---------------------------------------------------------------------------------


def test_share_over_100_percent_is_refused(tmp_path):
    refused(variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0]["composition"][1].update(wt_percent=140.0)), "magnets[1].composition[2].wt_percent", "100")


def test_composition_that_does_not_add_up_is_refused(tmp_path):
    def no_balance(raw):
        raw["magnets"][0]["composition"][4] = {"element": "Fe", "wt_percent": 55.0, "source": "test line"}
    refused(variant(tmp_path, MOTOR, no_balance), "magnets[1].composition", "104 %", "do not add up")


def test_balance_with_no_room_left_is_refused(tmp_path):
    refused(variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0]["composition"][0].update(wt_percent=70.0)), "magnets[1].composition", "over 100 %")


def test_an_element_twice_in_a_composition_is_refused(tmp_path):
    path = variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0]["composition"].insert(0, {"element": "Ni", "wt_percent": 1.0, "source": "test line"}))
    refused(path, "magnets[1].composition[3].element", "twice")


def test_composition_that_does_not_fit_the_type_is_refused(tmp_path):
    path = variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0].update(type="NdFeB"))
    refused(path, "magnets[1].composition", "NdFeB", "B")


def test_unknown_element_is_refused(tmp_path):
    refused(variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0]["composition"][0].update(element="Xy")), "magnets[1].composition[1].element", "unknown element 'Xy'")


@pytest.mark.parametrize("value, words", [(-0.35, "greater than 0"), (float("nan"), "finite")])
def test_negative_or_nan_masses_are_refused(tmp_path, value, words):
    refused(variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0].update(mass_kg=value)), "magnets[1].mass_kg", words)


def test_negative_supply_mass_is_refused(tmp_path):
    refused(variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0]["supply"][1].update(mass_kg=-1.0)), "magnets[1].supply[2].mass_kg", "greater than 0")


def test_unknown_product_group_is_refused(tmp_path):
    refused(variant(tmp_path, MOTOR, lambda raw: raw["product"].update(group="toaster")), "product.group", "unknown product group 'toaster'", "wind-energy-generator")


def test_an_assumption_needs_its_reasoning(tmp_path):
    refused(variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0].pop("reasoning")), "magnets[1]", "reasoning")


# --- the rules (Art. 29(2)) --------------------------------------------------------------------------------------


def test_the_draft_rules_come_from_the_entry_point_and_say_they_are_draft():
    from footprint.magnets.registry import MagnetRulesRegistry

    registry = MagnetRulesRegistry()
    rules = registry.rules_for("wind-energy-generator", dt.date(2027, 6, 1))
    assert rules.id == "crma-art29-draft" and rules.draft and "draft" in rules.status
    assert registry.find(rules.id, rules.rules_version) == rules


def test_every_choice_of_the_rules_has_its_reason():
    from footprint_materials.magnets import DRAFT

    data = DRAFT.model_dump()
    data["reasons"] = {k: v for k, v in data["reasons"].items() if k != "max_mass_balance_days"}
    with pytest.raises(ValueError, match="max_mass_balance_days"):
        MagnetRules.model_validate(data)


def test_a_third_party_rule_set_replaces_the_draft(tmp_path):
    """A plugin registered on footprint's plugin manager answers the magnet hooks first."""
    from footprint.hookspecs import hookimpl
    from footprint.magnets.registry import MagnetRulesRegistry
    from footprint.plugins import make_plugin_manager
    from footprint_materials.magnets import DRAFT

    adopted = DRAFT.model_copy(update={"id": "eu-2027-adopted", "rules_version": "1", "draft": False, "status": "test act",
                                       "conformity_module_series": "A"})

    class Adopted:
        @hookimpl
        def footprint_magnet_rule_sets(self):
            return [adopted]

        @hookimpl(tryfirst=True)
        def footprint_magnet_rules(self, product_group, on_date):
            return adopted

    manager = make_plugin_manager()
    manager.register(Adopted(), name="adopted")
    registry = MagnetRulesRegistry(manager)
    a = assess_product(MOTOR, registry=registry)
    declaration, _ = build(a, dt.date(2026, 11, 30))
    assert declaration.rules.id == "eu-2027-adopted" and not declaration.rules.draft
    assert declaration.conformity_assessment.module == "A"
    assert {r.id for r in registry.rule_sets()} == {"crma-art29-draft", "eu-2027-adopted"}


def test_conformity_module_follows_series_or_single_production(tmp_path):
    series, _ = build(assess(WIND), dt.date(2026, 11, 30))
    single, _ = build(assess(variant(tmp_path, WIND, lambda raw: raw["product"].update(made_in_series=False))), dt.date(2026, 11, 30))
    assert series.conformity_assessment.module == "D1" and single.conformity_assessment.module == "G"


def test_declaration_is_self_contained_and_sealed():
    from footprint.declaration import content_hash

    declaration, record = build(assess(WIND), dt.date(2026, 11, 30))
    data = declaration.model_dump(mode="json")
    assert data["content_sha256"] == content_hash(data)
    assert data["data_record"]["id"] == record.record_id and record.recycled_content.id == declaration.declaration_id
    assert data["responsible_person"]["name"].startswith("Nordvind") and data["rules"]["draft"] is True
    assert "site" in data["custody"][0] and "inputs" not in data["custody"][0]  # site quantities stay with the verifier
    again, _ = build(assess(WIND), dt.date(2026, 11, 30))
    assert again == declaration  # same inputs, same day: same declaration


def test_an_invalid_product_raises_no_other_exception_type(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("title = [\n", encoding="utf-8")
    with pytest.raises(FootprintInputError, match="not valid TOML"):
        assess_product(path)


def test_no_rules_without_the_entry_point():
    """The draft is a plugin like any other: block its entry point and no rules are found."""
    from footprint.magnets.registry import MagnetRulesRegistry
    from footprint.plugins import ENTRY_POINT_GROUP, make_plugin_manager

    manager = make_plugin_manager(load_entry_points=False)
    manager.set_blocked("magnets")
    manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    registry = MagnetRulesRegistry(manager)
    assert registry.rule_sets() == []
    with pytest.raises(FootprintInputError, match="no installed plugin has rules"):
        assess_product(MOTOR, registry=registry)
