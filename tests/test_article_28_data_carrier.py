"""Art. 28(3)-(7): the data carrier and the record it gives access to.

(4)(a) the responsible person; (4)(b) weight, location and composition of each magnet with its
coatings, glues and additives; (4)(c) the sequence of removal steps and tools; (5) by motor;
(6) product passport; (7) model, batch or unit, available for lifetime plus ten years; (9)
defence and space exempt. The data carrier is a QR code encoding the record's address.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from footprint.errors import FootprintInputError
from footprint.magnets.declare import assess_product, build, declare_product
from footprint.magnets.records import carrier_payload
from footprint.magnets.render import qr_svg, render_record_html

from ._magnet_helpers import MOTOR, ROBOT, WIND, assess, ferrite_magnet, refused, variant

DAY = dt.date(2026, 11, 30)


def record_of(path):
    return build(assess(path), DAY)[1]


def test_record_gives_the_responsible_person_and_each_magnet():
    record = record_of(WIND)
    assert record.responsible_person.postal_address.startswith("Havnevej 12")
    magnet = record.magnets[0]
    assert (magnet.count, magnet.mass_kg_each, magnet.mass_kg_total) == (1300, 0.5, 650)
    assert "rotor rim" in magnet.location
    composition = {c.element: c.wt_percent for c in magnet.composition}
    assert composition == pytest.approx({"Nd": 19.5, "Pr": 6.5, "Dy": 4.0, "B": 1.0, "Fe": 69.0})  # Fe is the balance
    assert all(c.source for c in magnet.composition)
    assert [c.type for c in magnet.coatings] == ["epoxy coating"] and magnet.glues and magnet.additives == []
    assert record.label == ["neodymium-iron-boron"]


def test_removal_sequence_is_kept_in_order_with_tools():
    record = record_of(WIND)
    assert [s.step for s in record.removal] == [1, 2, 3, 4]
    assert record.removal[-1].removes == ["rotor-segments"] and "non-magnetic push tools" in record.removal[-1].tools
    assert not record.removal_by_motor


def test_available_for_lifetime_plus_ten_years_to_those_who_need_it():
    record = record_of(WIND)  # placed on the market 2026-10-01, 25 years
    assert record.available_until == dt.date(2061, 10, 1)
    assert record.audiences == ["repairers", "recyclers", "market surveillance authorities", "customs authorities"]
    assert record.identifier_scope == "batch" and record.unique_product_identifier == "NV-DD42-2026-B07"


def test_qr_code_encodes_the_record_address_identifier_and_id():
    zxingcpp = pytest.importorskip("zxingcpp")
    import segno
    from PIL import Image

    record = record_of(WIND)
    assert record.data_carrier.payload == (
        f"https://nordvind.example/magnets/NV-DD42-2026-B07?upi=NV-DD42-2026-B07&record={record.record_id}"
    )
    buffer = io.BytesIO()
    segno.make(record.data_carrier.payload, error="m").save(buffer, kind="png", scale=6, border=4)
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(buffer.getvalue())))]
    assert decoded == [record.data_carrier.payload]
    assert qr_svg(record.data_carrier.payload) in render_record_html(record)


def test_payload_keeps_an_existing_query_and_escapes_the_identifier():
    payload = carrier_payload("https://example.com/r?lang=en", "A&B=1", "MDR-1")
    assert payload == "https://example.com/r?lang=en&upi=A%26B%3D1&record=MDR-1"


def test_magnets_only_in_motors_are_described_by_motor():
    """Art. 28(5): the robot's record names the motors and how to take them out."""
    record = record_of(ROBOT)
    assert record.removal_by_motor and {m.id for m in record.motors} == {"j1-motor", "j2-motor", "j3-motor", "j4-motor"}
    assert {i for s in record.removal for i in s.removes} == {"j1-motor", "j2-motor", "j3-motor", "j4-motor"}
    assert {m.motor for m in record.magnets} == {"j1-motor", "j2-motor", "j3-motor", "j4-motor"}


def test_by_motor_needs_every_magnet_in_a_motor(tmp_path):
    refused(variant(tmp_path, ROBOT, lambda raw: raw["magnets"][2].pop("motor")), "magnets[3].motor", "Art. 28(5)")


def test_by_motor_needs_electric_motors_of_at_least_0_12_kw(tmp_path):
    refused(variant(tmp_path, ROBOT, lambda raw: raw["motors"][3].update(rated_power_kw=0.05)), "motors[4].rated_power_kw", "0.12 kW")


def test_by_motor_needs_a_removal_step_for_every_motor(tmp_path):
    refused(variant(tmp_path, ROBOT, lambda raw: raw["removal"][3].update(removes=["j3-motor"])), "removal", "j4-motor")


def test_every_magnet_needs_a_removal_step(tmp_path):
    refused(variant(tmp_path, WIND, lambda raw: raw["removal"][3].update(removes=[])), "removal", "rotor-segments", "Art. 28(4)(c)")


def test_a_removal_step_of_an_unknown_item_is_refused(tmp_path):
    refused(variant(tmp_path, WIND, lambda raw: raw["removal"][0].update(removes=["stator"])), "removal[1].removes", "'stator'")


def test_a_magnet_in_an_unknown_motor_is_refused(tmp_path):
    refused(variant(tmp_path, ROBOT, lambda raw: raw["magnets"][0].update(motor="j9-motor")), "magnets[1].motor", "j9-motor")


def test_ids_are_unique(tmp_path):
    refused(variant(tmp_path, ROBOT, lambda raw: raw["magnets"][1].update(id="j1-rotor")), "magnets[2].id", "used twice")


def test_coatings_glues_and_additives_must_be_stated(tmp_path):
    """Art. 28(4)(b) asks for their presence: an empty list says 'none', a missing one is an error."""
    refused(variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0].pop("glues")), "magnets[1].glues", "required")


def test_ferrite_only_products_get_a_data_record_but_no_art_29_declaration(tmp_path):
    """Art. 28(3) covers all four types of 28(1)(b); Art. 29(1) only (i)-(iii)."""
    def ferrite_only(raw):
        raw["product"]["group"] = "washing-machine"
        raw["magnets"] = [ferrite_magnet(0.8)]
        raw["custody"] = []
        raw["removal"][-1]["removes"] = ["ferrite-ring"]
        raw["article_29_applies"] = False
    out = tmp_path / "out"
    path = variant(tmp_path, MOTOR, ferrite_only)
    (out).mkdir()
    (out / "recycled-content.json").write_text("{}")  # from an earlier run
    (out / "recycled-content.html").write_text("old")
    _, paths = declare_product(path, out, issue_date=DAY, force=True)
    assert sorted(p.name for p in paths) == ["data-record.html", "data-record.json"]
    assert sorted(p.name for p in out.iterdir()) == ["data-record.html", "data-record.json"]
    record = json.loads((out / "data-record.json").read_text())
    assert record["recycled_content"] is None and record["label"] == ["ferrite"]


def test_defence_products_get_nothing_and_nothing_is_written(tmp_path):
    path = variant(tmp_path, WIND, lambda raw: (raw["product"].update(primarily_defence_or_space=True), raw.update(article_29_applies=False)))
    with pytest.raises(FootprintInputError, match="nothing to declare: exempt under Art. 28"):
        declare_product(path, tmp_path / "out", issue_date=DAY)
    assert not (tmp_path / "out").exists()


def test_product_passport_is_named_where_another_act_requires_one(tmp_path):
    record = record_of(variant(tmp_path, MOTOR, lambda raw: raw["product"].update(product_passport="Regulation (EU) 2024/1781 (ecodesign)")))
    assert record.product_passport == "Regulation (EU) 2024/1781 (ecodesign)"


def test_record_is_sealed_and_names_the_declaration():
    from footprint.declaration import content_hash

    declaration, record = build(assess(ROBOT), DAY)
    data = record.model_dump(mode="json")
    assert data["content_sha256"] == content_hash(data)
    assert record.recycled_content.url == "https://robotica-lineare.example/magnets/SR-600/recycled-content"
    assert record.record_id.startswith("MDR-20261130-") and declaration.declaration_id.startswith("RCD-20261130-")
    assert record.record_id[4:] == declaration.declaration_id[4:]


def test_record_url_must_be_https(tmp_path):
    refused(variant(tmp_path, MOTOR, lambda raw: raw["product"].update(record_url="javascript:alert(1)")), "product.record_url", "pattern")


def test_light_means_of_transport_that_are_l_vehicles_start_later(tmp_path):
    a = assess_product(variant(tmp_path, MOTOR, lambda raw: raw["product"].update(group="light-means-of-transport", vehicle={"category": "L1e"})))
    assert any("24 May 2029" in line for line in a.scope.application)
