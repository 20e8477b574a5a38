"""Art. 29(1): the recycled-content share "published on a freely accessible website"; Art. 28(3)-(4):
the data record behind the product's data carrier. Both, as `footprint magnets declare` writes
them, published through the registry with their own permanent pages; signatures optional.

On SQLite and PostgreSQL (tests/_registry_helpers.py). Refusals store nothing.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.declaration import content_hash
from footprint.signing import load_private_key, sign_document

from ._magnet_helpers import MOTOR, ROBOT, WIND, load_raw, variant
from ._registry_helpers import corpus, db_url, postgres, registry  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
runner = CliRunner()
HTML_PAYLOAD = "<script>alert(1)</script>"
OPERATORS = {WIND: "Nordvind Generators A/S (fictitious)", ROBOT: "Robotica Lineare S.p.A. (fictitious)", MOTOR: "Alnico Motorenbau GmbH (fictitious)"}


def keys(folder: Path) -> tuple[Path, Path]:
    result = runner.invoke(app, ["keys", "new", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder / "private-key.pem", folder / "public-key.pem"


def declare(product: Path, out: Path, key: Path | None = None) -> Path:
    args = ["magnets", "declare", str(product), "--out", str(out)] + (["--sign", str(key)] if key else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def magnets(tmp_path_factory) -> dict:
    """The three examples declared: the wind generator and the motor signed by their makers, the robot not."""
    base = tmp_path_factory.mktemp("magnet-records")
    made = {}
    for product in (WIND, ROBOT, MOTOR):
        private, public = keys(base / "keys" / product.stem)
        folder = declare(product, base / product.stem, private if product != ROBOT else None)
        made[product] = {"folder": folder, "private": private, "public": public}
    # The wind generator's record published at the registry itself: the QR code leads there.
    product = variant(base, WIND, lambda d: d["product"].update(record_url="https://registry.example/magnets/records"), name="wind-at-registry.toml")
    private, public = made[WIND]["private"], made[WIND]["public"]
    made["at-registry"] = {"folder": declare(product, base / "at-registry", private), "private": private, "public": public}
    return made


@pytest.fixture
def makers(registry, magnets) -> dict[str, str]:
    from footprint.registry.accounts import add_account
    from footprint.registry.db import write_session

    tokens = {}
    with write_session(registry.engine) as session:
        for product, operator in OPERATORS.items():
            tokens[operator] = add_account(session, role="producer", operator=operator, public_key=magnets[product]["public"].read_text())[1]
    registry.tokens.update(tokens)
    return tokens


def body(folder: Path) -> dict:
    out = {"data_record": json.loads((folder / "data-record.json").read_text())}
    if (folder / "recycled-content.json").exists():
        out["recycled_content"] = json.loads((folder / "recycled-content.json").read_text())
    for name, key in (("data-record.sig", "data_record_signature"), ("recycled-content.sig", "recycled_content_signature")):
        if (folder / name).exists():
            out[key] = json.loads((folder / name).read_text())
    return out


def post(registry, payload: dict, operator: str):
    return registry.client.post("/api/v1/magnets", json=payload, headers=registry.auth(operator))


def magnet_rows(registry) -> int:
    from sqlalchemy import text

    with registry.engine.connect() as connection:
        return connection.execute(text("SELECT COUNT(*) FROM magnet_records")).scalar_one()


def test_magnets_declare_sign_writes_signatures_in_the_same_set(magnets):
    folder = magnets[WIND]["folder"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "data-record.html", "data-record.json", "data-record.sig", "recycled-content.html", "recycled-content.json", "recycled-content.sig"]
    for name in ("data-record.json", "recycled-content.json"):
        result = runner.invoke(app, ["verify-signature", str(folder / name), "--key", str(magnets[WIND]["public"])])
        assert result.exit_code == 0 and "VALID" in result.output, result.output
        kind = json.loads((folder / name.replace(".json", ".sig")).read_text())["signed"]
        assert kind == json.loads((folder / name).read_text())["record_type"]
    result = runner.invoke(app, ["magnets", "verify", str(folder / "data-record.json"), "--product", str(WIND)])
    assert result.exit_code == 0, result.output
    other = runner.invoke(app, ["verify-signature", str(folder / "data-record.json"), "--key", str(magnets[MOTOR]["public"])])
    assert other.exit_code == 1 and "NOT VALID" in other.output


def test_publish_each_product_and_read_its_permanent_pages(registry, magnets, makers):
    for product, operator in OPERATORS.items():
        folder = magnets[product]["folder"]
        response = post(registry, body(folder), operator)
        assert response.status_code == 201, response.text
        answer = response.json()
        record = json.loads((folder / "data-record.json").read_text())
        assert answer["record_id"] == record["record_id"] and answer["data_record"] == record
        assert answer["signed"] is (product != ROBOT)
        assert answer["url"] == f"/magnets/records/{record['record_id']}"
        page = registry.client.get(answer["url"], headers={"accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-security-policy"].startswith("default-src 'none'")
        html = page.text
        assert "<script" not in html and "<svg" in html  # the QR code, inline; no script
        assert f'data-signed="{"true" if answer["signed"] else "false"}"' in html
        assert json.loads(registry.client.get(f"{answer['url']}/data-record.json").text) == record
        assert f'href="{answer["url"]}/data-record.json"' in html
        for mass in (m["mass_kg_total"] for m in record["magnets"]):
            assert f'data-kg="{float(mass)!r}"' in html
        if product == ROBOT:
            assert registry.client.get(f"{answer['url']}/data-record.sig").status_code == 404
        else:
            assert json.loads(registry.client.get(f"{answer['url']}/data-record.sig").text) == json.loads((folder / "data-record.sig").read_text())
        declaration = json.loads((folder / "recycled-content.json").read_text())
        assert answer["declaration_id"] == declaration["declaration_id"]
        assert f'href="{answer["declaration_url"]}"' in html  # the record links the declaration's page here
        page = registry.client.get(answer["declaration_url"], headers={"accept": "text/html"}).text
        for share in declaration["shares"]:
            if share["share"] is not None:
                assert f'data-share="{share["share"]!r}"' in page
        assert f'href="{answer["url"]}"' in page
        assert json.loads(registry.client.get(f"{answer['declaration_url']}/recycled-content.json").text) == declaration
    listed = registry.client.get("/api/v1/magnets", params={"group": json.loads((magnets[WIND]["folder"] / "data-record.json").read_text())["product"]["group"]}).json()
    assert [r["producer"] for r in listed["results"]] == [OPERATORS[WIND]]
    page = registry.client.get("/magnets", headers={"accept": "text/html"}).text
    assert len(re.findall(r'data-role="magnet-record-link"', page)) == 3


def test_the_data_carrier_leads_to_the_record(registry, magnets, makers):
    folder = magnets["at-registry"]["folder"]
    record = json.loads((folder / "data-record.json").read_text())
    assert post(registry, body(folder), OPERATORS[WIND]).status_code == 201
    payload = record["data_carrier"]["payload"]
    assert payload.startswith("https://registry.example/magnets/records?")
    query = payload.split("?", 1)[1]
    response = registry.client.get(f"/magnets/records?{query}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/magnets/records/{record['record_id']}"
    wrong = registry.client.get("/magnets/records", params={"upi": "SOMETHING-ELSE", "record": record["record_id"]}, follow_redirects=False)
    assert wrong.status_code == 404
    latest = registry.client.get("/magnets/records", params={"upi": record["unique_product_identifier"]}, follow_redirects=False)
    assert latest.status_code == 303 and latest.headers["location"].endswith(record["record_id"])


def resealed(raw: dict, change) -> dict:
    raw = copy.deepcopy(raw)
    change(raw)
    raw["content_sha256"] = content_hash(raw)
    return raw


def test_refusals_store_nothing(registry, magnets, makers):
    wind, robot = magnets[WIND]["folder"], magnets[ROBOT]["folder"]
    good = body(wind)

    def refused(payload, operator, status, field_start="", words=""):
        response = post(registry, payload, operator)
        assert response.status_code == status, response.text
        problem = response.json()
        assert (problem["field"] or "").startswith(field_start) and words in problem["error"], problem
        assert magnet_rows(registry) == 0

    edited = copy.deepcopy(good)
    edited["recycled_content"]["shares"][0]["share"] = 0.99
    refused(edited, OPERATORS[WIND], 422, "recycled_content.content_sha256", "content hash")
    # Resealed after the edit: the hash fits, the producer's signature does not.
    edited["recycled_content"] = resealed(good["recycled_content"], lambda d: d["shares"][0].update(share=0.99))
    refused(edited, OPERATORS[WIND], 422, "recycled_content_signature", "signature")
    refused(good, OPERATORS[ROBOT], 403, "data_record.responsible_person.name", "publishes only for")
    missing = {k: v for k, v in good.items() if not k.startswith("recycled_content")}
    refused(missing, OPERATORS[WIND], 422, "recycled_content", "attach it")
    mixed = {**good, "recycled_content": body(robot)["recycled_content"]}
    mixed.pop("recycled_content_signature")
    refused(mixed, OPERATORS[WIND], 403)  # the robot maker's declaration, under the wind maker's account
    other_id = resealed(good["data_record"], lambda d: d.update(record_id="MDR-20260101-0000000000000000"))
    refused({"data_record": other_id, "recycled_content": good["recycled_content"]}, OPERATORS[WIND], 422, "data_record.record_id")
    marked = {"data_record": resealed(body(robot)["data_record"], lambda d: d["product"].update(name=HTML_PAYLOAD)), "recycled_content": body(robot)["recycled_content"]}
    refused(marked, OPERATORS[ROBOT], 422, "data_record.product.name")
    forged = copy.deepcopy(good)
    private = load_private_key(magnets[ROBOT]["private"])
    forged["data_record_signature"] = sign_document(good["data_record"], private, signed="art28-data-record", subject_id=good["data_record"]["record_id"]).model_dump(mode="json")
    refused(forged, OPERATORS[WIND], 422, "data_record_signature", "not with the key")
    refused({"data_record": {"record_type": "art28-data-record"}}, OPERATORS[WIND], 422, "data_record")
    assert registry.client.post("/api/v1/magnets", json=good).status_code == 401
    # Published once; the replay and another maker's copy of the same product file are refused.
    assert post(registry, good, OPERATORS[WIND]).status_code == 201
    again = post(registry, good, OPERATORS[WIND])
    assert again.status_code == 409 and "published already" in again.json()["error"]
    assert magnet_rows(registry) == 1


def test_cli_publish_magnets(registry, magnets, makers, monkeypatch):
    """`footprint registry publish-magnets` through the same client code, against the app in this process."""
    def request(method, url, **kwargs):
        path = url.split("://", 1)[1].split("/", 1)[1]
        return registry.client.request(method, "/" + path, **kwargs)

    monkeypatch.setattr("httpx.request", request)
    result = runner.invoke(app, ["registry", "publish-magnets", str(magnets[ROBOT]["folder"]), "--url", "http://testserver", "--token", makers[OPERATORS[ROBOT]]])
    assert result.exit_code == 0, result.output
    record = load_raw(ROBOT)
    assert "(unsigned)" in result.output and "recycled-content declaration RCD-" in result.output
    found = registry.client.get("/api/v1/magnets", params={"upi": record["product"]["unique_product_identifier"]}).json()
    assert found["total"] == 1
    result = runner.invoke(app, ["registry", "publish-magnets", str(magnets[ROBOT]["folder"]), "--url", "http://testserver", "--token", makers[OPERATORS[ROBOT]]])
    assert result.exit_code == 2 and "refused (409)" in result.output
