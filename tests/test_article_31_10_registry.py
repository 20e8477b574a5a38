"""Art. 31(10): declarations on a freely accessible website; Annex V Part VIII: market data for classes.

Every test runs on SQLite and on PostgreSQL (see tests/_registry_helpers.py), against the
registry app in this process. Publish, supersede, withdraw (nothing is ever deleted), attest,
search, the market export and the public pages; refusals are in
tests/test_article_31_10_registry_refusals.py, the live server and the CLI in
tests/test_article_31_10_registry_server.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest

from footprint.declaration import format_value

from ._registry_helpers import REGULATOR, VERIFIER, corpus, db_url, postgres, registry, variant_quantity  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def publish_examples(registry, quantity_t: float = 2500.0) -> dict[str, dict]:
    answers = {}
    for stem, signed in registry.corpus.examples.items():
        response = registry.publish(signed, quantity_t=quantity_t)
        assert response.status_code == 201, response.text
        answers[stem] = response.json()
    return answers


def examples_of(registry, material: str) -> list:
    return [s for s in registry.corpus.examples.values() if s.raw["material"]["id"] == material]


def publish_variants(registry, producers: int | None = None) -> list[dict]:
    answers = []
    for k, signed in enumerate(registry.corpus.variants):
        if producers is not None and int(signed.operator.split()[4]) > producers:
            continue
        response = registry.publish(signed, quantity_t=variant_quantity(k))
        assert response.status_code == 201, response.text
        answers.append(response.json())
    return answers


class Elements(HTMLParser):
    """Attributes and text of the elements that carry a data-role or data-value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []
        self._open: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-role" in attrs or "data-value" in attrs:
            self._open.append((tag, {**attrs, "tag": tag, "text": ""}))

    def handle_data(self, data):
        for _, attrs in self._open:
            attrs["text"] += data

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            _, attrs = self._open.pop()
            attrs["text"] = " ".join(attrs["text"].split())
            self.found.append(attrs)


def elements(html: str) -> list[dict]:
    parser = Elements()
    parser.feed(html)
    return parser.found


def test_publish_every_example_and_read_it_back(registry):
    answers = publish_examples(registry)
    assert len(answers) == len(registry.corpus.examples) >= 6
    for stem, signed in registry.corpus.examples.items():
        raw = signed.raw
        answer = answers[stem]
        assert answer["declaration_id"] == raw["declaration_id"]
        assert answer["status"] == "current"
        assert answer["declaration"] == raw
        assert answer["url"] == f"/declarations/{raw['declaration_id']}"
        assert "quantity_t" not in json.dumps(answer)  # confidential
        # The files as published: the declaration and its signature, byte for byte in content.
        page = registry.client.get(f"{answer['url']}/declaration.json")
        assert json.loads(page.text) == raw
        assert json.loads(registry.client.get(f"{answer['url']}/declaration.sig").text) == json.loads((signed.folder / "declaration.sig").read_text())
        assert registry.client.get(f"{answer['url']}/study.html").text == (signed.folder / "study.html").read_text()
        assert answer["history"][0]["kind"] == "published"


def test_declaration_page_shows_the_json_figures_escaped_under_a_csp(registry):
    answers = publish_examples(registry)
    for stem, answer in answers.items():
        raw = answer["declaration"]
        response = registry.client.get(answer["url"], headers={"accept": "text/html"})
        assert response.status_code == 200
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        html = response.text
        assert re.findall(r"<script\b[^>]*>", html) == ['<script type="application/json" id="declaration-data">']  # data, not code
        found = elements(html)
        figures = {(e.get("data-category"), e.get("data-role")): e for e in found if "data-value" in e and e.get("tag") == "data"}
        for category in raw["footprint"]["categories"]:
            shown = figures[(category["category"], None)]
            assert float(shown["data-value"]) == category["value"]
            assert shown["text"] == format_value(category["value"])
        headline = figures[(raw["footprint"]["categories"][0]["category"], "headline")]
        assert float(headline["data-value"]) == raw["footprint"]["categories"][0]["value"]
        roles = {e["data-role"]: e for e in found if "data-role" in e}
        assert roles["declaration-id"]["text"] == raw["declaration_id"]
        assert roles["status"]["data-status"] == "current"
        assert roles["public-study"]["href"] == f"{answer['url']}/study.html"
        # Text from the producer appears escaped: the address and names as the JSON has them.
        assert raw["responsible_person"]["name"].replace("&", "&amp;") in html
        study = registry.client.get(f"{answer['url']}/study.html")
        assert study.headers["content-security-policy"].startswith("sandbox")


def test_search_by_material_country_class_and_producer(registry):
    publish_examples(registry)
    variants = publish_variants(registry)
    client = registry.client
    everything = client.get("/api/v1/declarations", params={"per_page": 100}).json()
    assert everything["total"] == len(registry.corpus.examples) + len(variants)

    lithium = client.get("/api/v1/declarations", params={"material": "lithium-carbonate", "per_page": 100}).json()
    assert lithium["total"] == len(examples_of(registry, "lithium-carbonate")) + len(variants)
    assert {r["material_id"] for r in lithium["results"]} == {"lithium-carbonate"}

    chile = client.get("/api/v1/declarations", params={"country": "cl", "per_page": 100}).json()
    expected = {s.declaration_id for s in [*registry.corpus.examples.values(), *registry.corpus.variants] if any(o["country"] == "CL" for o in s.raw["origin"])}
    assert {r["declaration_id"] for r in chile["results"]} == expected and expected
    indonesia = client.get("/api/v1/declarations", params={"country": "ID"}).json()
    assert [r["material_id"] for r in indonesia["results"]] == ["nickel-sulfate"]

    by_class = {}
    for letter in "ABCDEFG":
        found = client.get("/api/v1/declarations", params={"class": letter, "per_page": 100}).json()["results"]
        by_class[letter] = {r["declaration_id"] for r in found}
        for r in found:
            assert r["performance_class"] == letter
    # The variants are classed by the test table; the examples by the shipped table in force on
    # their issue date (none before 2027-01-01).
    published = [*registry.corpus.examples.values(), *registry.corpus.variants]
    expected_classes = {s.declaration_id: s.raw["performance_class"]["label"] for s in published if s.raw["performance_class"].get("label")}
    assert sum(len(v) for v in by_class.values()) == len(expected_classes)
    assert all(expected_classes[d] == letter for letter, ids in by_class.items() for d in ids)
    assert all(by_class[letter] for letter in "ABCD"), "the test market spans four classes"

    producer = client.get("/api/v1/declarations", params={"producer": "test lithium producer 3", "per_page": 100}).json()
    assert {r["producer"] for r in producer["results"]} == {"Registry Test Lithium Producer 3 (fictitious)"}
    assert producer["total"] == 4
    assert client.get("/api/v1/declarations", params={"producer": "%", "per_page": 100}).json()["total"] == 0  # LIKE wildcards are literal

    # The same search as a page, without JavaScript: a GET form and a results table.
    page = client.get("/declarations", params={"material": "lithium-carbonate", "class": "B"}, headers={"accept": "text/html"})
    assert page.status_code == 200
    shown = [e["text"] for e in elements(page.text) if e.get("data-role") == "declaration-link"]
    lithium_ids = {s.declaration_id for s in published if s.raw["material"]["id"] == "lithium-carbonate"}
    assert set(shown) == by_class["B"] & lithium_ids
    assert '<form class="search" method="get" action="/declarations"' in page.text


def test_supersede_keeps_the_old_declaration_and_shows_the_history(registry):
    old, new = registry.corpus.variants[0], registry.corpus.variants[8]  # the same producer, a new calculation
    assert old.operator == new.operator
    assert registry.publish(old).status_code == 201
    before = registry.counts()
    response = registry.publish(new, supersedes=old.declaration_id)
    assert response.status_code == 201, response.text
    assert response.json()["supersedes"] == old.declaration_id
    old_record = registry.client.get(f"/api/v1/declarations/{old.declaration_id}").json()
    assert old_record["status"] == "superseded" and old_record["superseded_by"] == new.declaration_id
    assert [e["kind"] for e in old_record["history"]] == ["published", "superseded"]
    assert old_record["declaration"] == old.raw  # unchanged, still there
    after = registry.counts()
    assert after["declarations"] == before["declarations"] + 1 and after["events"] == before["events"] + 2
    # Search shows the current one; the superseded one with status=all or superseded.
    current = registry.client.get("/api/v1/declarations", params={"producer": old.operator}).json()
    assert [r["declaration_id"] for r in current["results"]] == [new.declaration_id]
    assert {r["declaration_id"] for r in registry.client.get("/api/v1/declarations", params={"producer": old.operator, "status": "all"}).json()["results"]} == {old.declaration_id, new.declaration_id}
    page = registry.client.get(f"/declarations/{old.declaration_id}", headers={"accept": "text/html"}).text
    roles = {e["data-role"]: e for e in elements(page) if "data-role" in e}
    assert roles["status"]["data-status"] == "superseded" and roles["superseded-by"]["text"] == new.declaration_id
    assert [li for li in re.findall(r'<li data-kind="(\w+)"', page)] == ["published", "superseded"]
    # Superseding it again is refused: it is no longer current.
    third = registry.corpus.variants[16]
    again = registry.publish(third, supersedes=old.declaration_id)
    assert again.status_code == 409 and "not current" in again.json()["error"]
    # Nor may another producer supersede someone else's declaration.
    other = registry.corpus.variants[1]
    response = registry.publish(other, supersedes=new.declaration_id)
    assert response.status_code == 403


def test_withdraw_with_a_reason_nothing_deleted(registry):
    signed = registry.corpus.examples["copper-cathode-pyro-cl"]
    assert registry.publish(signed).status_code == 201
    before = registry.counts()
    url = f"/api/v1/declarations/{signed.declaration_id}/withdraw"
    reason = "The smelter's energy mix changed in March; a new calculation follows (Annex V Part VI)."
    assert registry.client.post(url, json={"reason": ""}, headers=registry.auth(signed.operator)).status_code == 422
    assert registry.client.post(url, json={"reason": reason}, headers=registry.auth(VERIFIER)).status_code == 403
    other = registry.corpus.examples["nickel-sulfate-hpal-id"].operator
    assert registry.client.post(url, json={"reason": reason}, headers=registry.auth(other)).status_code == 403
    response = registry.client.post(url, json={"reason": reason}, headers=registry.auth(signed.operator))
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["status"] == "withdrawn" and record["withdrawn_reason"] == reason
    assert record["declaration"] == signed.raw
    assert [e["kind"] for e in record["history"]] == ["published", "withdrawn"] and record["history"][1]["detail"] == reason
    after = registry.counts()
    assert after["declarations"] == before["declarations"] and after["events"] == before["events"] + 1
    assert registry.client.post(url, json={"reason": reason}, headers=registry.auth(signed.operator)).status_code == 409
    page = registry.client.get(f"/declarations/{signed.declaration_id}", headers={"accept": "text/html"}).text
    roles = {e["data-role"]: e for e in elements(page) if "data-role" in e}
    assert roles["status"]["data-status"] == "withdrawn" and reason in roles["status"]["text"]
    assert registry.client.get(f"/declarations/{signed.declaration_id}/declaration.json").status_code == 200
    assert registry.client.get("/api/v1/declarations", params={"material": "copper-cathode"}).json()["total"] == 0
    assert registry.client.get("/api/v1/declarations", params={"material": "copper-cathode", "status": "withdrawn"}).json()["total"] == 1


def test_attest_a_signed_verification_statement(registry):
    lithium = registry.corpus.examples["lithium-carbonate-brine-cl"]
    assert registry.publish(lithium).status_code == 201
    document = json.loads(registry.corpus.statement.read_text())
    url = f"/api/v1/declarations/{lithium.declaration_id}/attestations"
    assert registry.client.post(url, json=document, headers=registry.auth(lithium.operator)).status_code == 403  # a producer
    response = registry.client.post(url, json=document, headers=registry.auth(VERIFIER))
    assert response.status_code == 201, response.text
    attestation = response.json()
    assert attestation["verdict"] == "reproduced" and attestation["verifier"] == VERIFIER and attestation["number"] == 1
    record = registry.client.get(f"/api/v1/declarations/{lithium.declaration_id}").json()
    assert [a["verdict"] for a in record["attestations"]] == ["reproduced"]
    assert record["history"][-1]["kind"] == "attested"
    assert json.loads(registry.client.get(attestation["statement_json_url"]).text) == document
    page = registry.client.get(attestation["statement_url"], headers={"accept": "text/html"}).text
    roles = {e["data-role"]: e for e in elements(page) if "data-role" in e}
    assert roles["verdict"]["data-verdict"] == "reproduced"
    assert roles["verifier"]["text"] == VERIFIER
    assert roles["content-sha256"]["text"] == lithium.raw["content_sha256"]
    assert roles["checked-categories"]["text"] == ", ".join(c["category"] for c in lithium.raw["footprint"]["categories"])
    declaration_page = registry.client.get(f"/declarations/{lithium.declaration_id}", headers={"accept": "text/html"}).text
    assert [e["text"] for e in elements(declaration_page) if e.get("data-role") == "verdict"] == ["reproduced"]
    # Replayed: refused, nothing added.
    before = registry.counts()
    again = registry.client.post(url, json=document, headers=registry.auth(VERIFIER))
    assert again.status_code == 409 and registry.counts() == before


def test_market_export_is_the_calibrate_format_for_regulators_only(registry, tmp_path):
    from footprint.classes import calibrate_classes
    from footprint.classes import pseudonymise, read_market_csv

    publish_examples(registry, quantity_t=1000.0)  # like the test producers', so that no producer dominates a boundary
    publish_variants(registry)
    for operator in (None, registry.corpus.variants[0].operator, VERIFIER):
        headers = registry.auth(operator) if operator else {}
        assert registry.client.get("/api/v1/market.csv", headers=headers).status_code in (401, 403)
    response = registry.client.get("/api/v1/market.csv", params={"material": "lithium-carbonate"}, headers=registry.auth(REGULATOR))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    path = tmp_path / "market.csv"
    path.write_text(response.text)
    data = read_market_csv(path)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    variants = {s.declaration_id: (k, s) for k, s in enumerate(registry.corpus.variants)}
    climate = [r for r in rows if r["category"] == "climate change"]
    lithium_examples = examples_of(registry, "lithium-carbonate")
    assert len(climate) == len(lithium_examples) + len(variants)
    for row in climate:
        if row["declaration_id"] in variants:
            k, signed = variants[row["declaration_id"]]
            assert float(row["quantity_t"]) == variant_quantity(k)
            assert float(row["value"]) == signed.raw["footprint"]["categories"][0]["value"]
            assert row["producer"] == pseudonymise(signed.operator)
            assert row["unit"] == "kg CO2-Eq per kg"
    assert len(data) == len(rows)
    from footprint.classes import CalibrationSettings

    table = calibrate_classes(data, material="lithium-carbonate", period=f"{int(registry.corpus.class_period[:4]) + 1}-{int(registry.corpus.class_period[:4]) + 3}",
                              settings=CalibrationSettings(method="equal-width", n_classes=4, lower_percentile=20, upper_percentile=80))
    producers = {s.operator for s in [*lithium_examples, *registry.corpus.variants]}
    assert table.input.declarations_used == len(lithium_examples) + len(variants) and table.input.producers_used == len(producers)
    # A withdrawn declaration leaves the market data; a superseded one stays.
    first = registry.corpus.variants[0]
    registry.client.post(f"/api/v1/declarations/{first.declaration_id}/withdraw", json={"reason": "withdrawn for the test"}, headers=registry.auth(first.operator))
    again = registry.client.get("/api/v1/market.csv", params={"material": "lithium-carbonate"}, headers=registry.auth(REGULATOR)).text
    categories = len(first.raw["footprint"]["categories"])
    assert first.declaration_id not in again and len(again.splitlines()) == 1 + len(rows) - categories
    assert sum(1 for line in again.splitlines()[1:] if ",climate change," in line) == len(climate) - 1


def test_material_plot_only_under_the_privacy_rule(registry, monkeypatch):
    from footprint.classes import CalibrationSettings

    settings = CalibrationSettings(method="equal-width", n_classes=4, lower_percentile=20, upper_percentile=80)
    materials = registry.client.app.state.registry.material_registry  # the plugins' settings, as classes calibrate takes them
    monkeypatch.setattr(materials, "calibration_settings", lambda material: settings)
    from footprint.registry import plots

    monkeypatch.setattr(plots, "find_class_table", lambda registry_, material, on: None)  # no table in force, whatever today is
    publish_variants(registry, producers=2)  # eight declarations from two producers
    page = registry.client.get("/materials/lithium-carbonate", headers={"accept": "text/html"}).text
    roles = {e["data-role"]: e for e in elements(page) if "data-role" in e}
    assert "distribution" not in roles and "too few producers" in roles["distribution-hidden"]["text"]
    assert "<svg" not in page.split('id="h-distribution"')[1].split('id="h-classes"')[0]
    for k, signed in enumerate(registry.corpus.variants):
        if int(signed.operator.split()[4]) > 2:
            assert registry.publish(signed, quantity_t=variant_quantity(k)).status_code == 201
    page = registry.client.get("/materials/lithium-carbonate", headers={"accept": "text/html"}).text
    counts = [int(c) for c in re.findall(r'data-count="(\d+)"', page)]
    assert sum(counts) == len(registry.corpus.variants)
    assert 'data-role="distribution"' in page and "data-declarations=\"32\"" in page
    for k in range(len(registry.corpus.variants)):  # no quantity reaches the page
        assert not re.search(rf"(?<![\d.]){variant_quantity(k):g}(\.0)?(?![\d.])", page), variant_quantity(k)
    # With a class table in force, its classes shade the plot and are listed (the check then uses that table's settings).
    from ._declaration_helpers import class_table
    from ._registry_helpers import VARIANT_THRESHOLDS

    table = class_table("lithium-carbonate", VARIANT_THRESHOLDS, period=registry.corpus.class_period).model_copy(update={"settings": settings})
    monkeypatch.setattr(materials, "calibration_settings", lambda material: None)
    monkeypatch.setattr(plots, "find_class_table", lambda registry_, material, on: table)
    registry.publish(registry.corpus.examples["cobalt-sulfate-drc-cn"])  # a change, so the page is drawn again
    page = registry.client.get("/materials/lithium-carbonate", headers={"accept": "text/html"}).text
    assert re.findall(r'data-class-band="([A-Z])"', page) == ["A", "B", "C", "D"]
    assert 'data-role="class-table"' in page and sum(int(c) for c in re.findall(r'data-count="(\d+)"', page)) == 32


def test_openapi_document_and_migrations_match_the_models(registry):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from footprint.registry.models import Base

    document = registry.client.get("/api/openapi.json").json()
    for path in ("/api/v1/declarations", "/api/v1/declarations/{declaration_id}", "/api/v1/declarations/{declaration_id}/withdraw",
                 "/api/v1/declarations/{declaration_id}/attestations", "/api/v1/market.csv", "/api/v1/accounts"):
        assert path in document["paths"], path
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    with registry.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
