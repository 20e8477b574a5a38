"""Annex V Part V(b) and Art. 31(9)-(10): buyers take a published footprint into their own tools
through the PACT API of the registry — the OAuth 2.0 client-credentials token endpoint, then
`GET /2/footprints` (PACT 2.3) and `GET /3/footprints` (PACT 3.0), filtered and paginated.

The footprints are computed on the producer's side when it publishes (`footprint.export`, from
the study, which never leaves it) and checked by the registry against the signed declaration.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json

import pytest

from ._export_helpers import CPC_INPUT
from ._registry_helpers import LITHIUM, corpus, db_url, postgres, registry  # noqa: F401
from .conftest import EXAMPLES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
BUYER = "Example Battery Cells GmbH (fictitious buyer)"
STEMS = ["lithium-carbonate-brine-cl", "copper-cathode-pyro-cl", "nickel-sulfate-hpal-id", "graphite-natural-spherical-mz-cn"]


@pytest.fixture(scope="module")
def pact(corpus, tmp_path_factory) -> dict:
    """PACT 2.3 and 3.0 footprints of four examples, and of a re-declaration of the lithium example
    issued a day earlier (signed by the same producer), which the example then supersedes."""
    from footprint.batch import assess_many
    from footprint.declaration import write_declaration_set
    from footprint.export.build import pact_documents
    from footprint.signing import load_private_key

    documents = {stem: pact_documents(corpus.examples[stem].folder, study=EXAMPLES / f"{stem}.toml", cpc_code=CPC_INPUT) for stem in STEMS}
    lithium = corpus.examples["lithium-carbonate-brine-cl"]
    (item,) = assess_many([LITHIUM])
    earlier = tmp_path_factory.mktemp("earlier") / "lithium"
    yesterday = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1)
    write_declaration_set(item.results, item.loaded, earlier, issue_date=yesterday, signing_key=load_private_key(lithium.private_key))
    return {"documents": documents, "earlier": earlier, "earlier_documents": pact_documents(earlier, study=LITHIUM, cpc_code=CPC_INPUT)}


def body(registry, stem_or_signed, documents: dict | None, **kwargs) -> dict:
    signed = registry.corpus.examples[stem_or_signed] if isinstance(stem_or_signed, str) else stem_or_signed
    return {**registry.body(signed, **kwargs), **(documents or {})}


def publish(registry, stem: str, documents: dict, **kwargs):
    signed = registry.corpus.examples[stem]
    return registry.client.post("/api/v1/declarations", json=body(registry, stem, documents, **kwargs), headers=registry.auth(signed.operator))


def buyer_credentials(registry) -> tuple[str, str]:
    from footprint.registry.accounts import add_account
    from footprint.registry.db import write_session

    with write_session(registry.engine) as session:
        account, token = add_account(session, role="buyer", operator=BUYER)
    return account.token_id, token


def access_token(registry) -> str:
    client_id, secret = buyer_credentials(registry)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = registry.client.post("/auth/token", content="grant_type=client_credentials",
                                    headers={"authorization": f"Basic {basic}", "content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def get(registry, path: str, token: str, **params):
    return registry.client.get(path, params=params, headers={"authorization": f"Bearer {token}"})


def test_the_authentication_flow(registry):
    client_id, secret = buyer_credentials(registry)
    form = {"content-type": "application/x-www-form-urlencoded"}
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = registry.client.post("/auth/token", content="grant_type=client_credentials", headers={**form, "authorization": f"Basic {basic}"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    answer = response.json()
    assert answer["token_type"] == "bearer" and answer["expires_in"] == 3600 and answer["access_token"].startswith("fpat_")
    assert get(registry, "/2/footprints", answer["access_token"]).json() == {"data": []}
    # The credentials in the form body (RFC 6749 section 2.3.1) work too.
    both = registry.client.post("/auth/token", content=f"grant_type=client_credentials&client_id={client_id}&client_secret={secret}", headers=form)
    assert both.status_code == 200
    wrong = base64.b64encode(f"{client_id}:{secret[:-1]}x".encode()).decode()
    refused = registry.client.post("/auth/token", content="grant_type=client_credentials", headers={**form, "authorization": f"Basic {wrong}"})
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client" and refused.headers["www-authenticate"].startswith("Basic")
    other_id = base64.b64encode(f"{'0' * 16}:{secret}".encode()).decode()
    assert registry.client.post("/auth/token", content="grant_type=client_credentials", headers={**form, "authorization": f"Basic {other_id}"}).status_code == 401
    grant = registry.client.post("/auth/token", content="grant_type=password", headers={**form, "authorization": f"Basic {basic}"})
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    assert registry.client.post("/auth/token", content="grant_type=client_credentials", headers=form).status_code == 401
    missing = registry.client.post("/auth/token", content="", headers={**form, "authorization": f"Basic {basic}"})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    # Without a token, with a made-up one, with an expired one: PACT's error responses.
    for headers, code, status in (({}, "AccessDenied", 403), ({"authorization": "Bearer fpat_made-up"}, "AccessDenied", 403)):
        response = registry.client.get("/3/footprints", headers=headers)
        assert response.status_code == status and response.json()["code"] == code, response.text
    from sqlalchemy import update

    from footprint.registry.models import PactToken

    with registry.engine.begin() as connection:
        connection.execute(update(PactToken).values(expires_at=dt.datetime(2000, 1, 1)))
    expired = get(registry, "/2/footprints", answer["access_token"])
    assert expired.status_code == 401 and expired.json()["code"] == "TokenExpired"
    token = access_token(registry)
    events = registry.client.post("/2/events", json={"type": "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1"}, headers={"authorization": f"Bearer {token}"})
    assert events.status_code == 400 and events.json()["code"] == "NotImplemented"
    document = registry.client.get("/api/openapi.json").json()
    assert {"/auth/token", "/2/footprints", "/2/footprints/{footprint_id}", "/3/footprints", "/3/footprints/{footprint_id}"} <= set(document["paths"])


def test_list_paginated_and_get_each_footprint(registry, pact):
    from footprint.export.fields import pf_id

    for stem in STEMS:
        response = publish(registry, stem, pact["documents"][stem])
        assert response.status_code == 201, response.text
        assert response.json()["links"]["pact_v3"] == f"/3/footprints/{pf_id(registry.corpus.examples[stem].declaration_id)}"
    token = access_token(registry)
    for spec in ("2", "3"):
        seen, url = [], f"/{spec}/footprints?limit=3"
        while url:
            response = registry.client.get(url, headers={"authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.text
            seen += response.json()["data"]
            link = response.headers.get("link")
            if link:  # absolute, on the host the request named
                assert link.startswith("<http://testserver/") and link.endswith('>; rel="next"')
                url = link[1:link.index(">")].removeprefix("http://testserver")
            else:
                url = None
        assert len(seen) == len(STEMS)
        for stem, served in zip(STEMS, seen):
            uploaded = pact["documents"][stem][f"pact_v{spec}"]
            assert served == ({**uploaded, "version": uploaded["version"]} if spec == "2" else uploaded)
            one = get(registry, f"/{spec}/footprints/{served['id']}", token)
            assert one.status_code == 200 and one.json() == {"data": served}
    missing = get(registry, "/3/footprints/00000000-0000-4000-8000-000000000000", token)
    assert missing.status_code == 404 and missing.json()["code"] == "NoSuchFootprint"
    bad = get(registry, "/2/footprints", token, limit="ten")
    assert bad.status_code == 400 and bad.json()["code"] == "BadRequest"
    page = registry.client.get(f"/declarations/{registry.corpus.examples[STEMS[0]].declaration_id}", headers={"accept": "text/html"}).text
    assert 'data-role="pact"' in page and f"/3/footprints/{seen[0]['id']}" in page


def test_filters_of_both_versions(registry, pact):
    for stem in STEMS:
        assert publish(registry, stem, pact["documents"][stem]).status_code == 201
    token = access_token(registry)

    def ids(spec: str, **params) -> set[str]:
        response = get(registry, f"/{spec}/footprints", token, **params)
        assert response.status_code == 200, response.text
        return {d["id"] for d in response.json()["data"]}

    docs = {stem: pact["documents"][stem] for stem in STEMS}
    chile = {d["pact_v2"]["id"] for d in docs.values() if d["pact_v2"]["pcf"].get("geographyCountry") == "CL"}
    assert chile and ids("2", **{"$filter": "pcf/geographyCountry eq 'CL'"}) == chile
    assert ids("3", geography="CL") == chile and ids("3", geography=["cl", "ID"]) >= chile
    product = docs[STEMS[1]]["pact_v3"]["productIds"][0]
    assert ids("2", **{"$filter": f"productIds/any(p:(p eq '{product}'))"}) == {docs[STEMS[1]]["pact_v2"]["id"]}
    assert ids("3", productId=product) == {docs[STEMS[1]]["pact_v3"]["id"]}
    everything = {d["pact_v2"]["id"] for d in docs.values()}
    assert ids("2", **{"$filter": "(created ge '2000-01-01T00:00:00.000Z') and (productCategoryCpc eq '" + CPC_INPUT + "')"}) == everything
    assert ids("2", **{"$filter": "pcf/referencePeriodEnd lt '2000-01-01T00:00:00Z'"}) == set()
    # Valid for three years from the end of the reference period (PACT 3.0, validityPeriodStart), as none states its own.
    today = dt.date.today()

    def valid_on(day: dt.date) -> set[str]:
        ends = {d["pact_v3"]["id"]: dt.date.fromisoformat(d["pact_v3"]["pcf"]["referencePeriodEnd"][:10]) for d in docs.values()}
        return {i for i, end in ends.items() if end <= day < end.replace(year=end.year + 3)}

    for day in (today, dt.date(2025, 6, 1), dt.date(2027, 6, 1)):
        assert ids("3", validOn=f"{day.isoformat()}T00:00:00Z", status="Active") == valid_on(day), day
    assert any(valid_on(day) for day in (today, dt.date(2025, 6, 1), dt.date(2027, 6, 1)))
    assert ids("3", validBefore="2000-01-01T00:00:00Z") == set() and ids("3", status="Deprecated") == set()
    company = docs[STEMS[2]]["pact_v3"]["companyIds"][0]
    assert ids("3", companyId=company) == {docs[STEMS[2]]["pact_v3"]["id"]}
    for spec, params in (("2", {"$filter": "name eq 'x'"}), ("2", {"$filter": "pcf/geographyCountry eq"}), ("2", {"$filter": "created eq 'yesterday'"}),
                         ("2", {"$filter": "created ne '2020-01-01'"}), ("3", {"validOn": "soon"}), ("3", {"status": "Gone"})):
        response = get(registry, f"/{spec}/footprints", token, **params)
        assert response.status_code == 400 and response.json()["code"] == "BadRequest" and response.json()["message"], (params, response.text)


def test_a_superseded_or_withdrawn_declaration_deprecates_its_footprints(registry, pact):
    from footprint.registry.service import utcnow

    lithium = registry.corpus.examples["lithium-carbonate-brine-cl"]
    earlier = json.loads((pact["earlier"] / "declaration.json").read_text())
    from ._registry_helpers import Signed

    old = Signed(pact["earlier"], lithium.operator, lithium.private_key, lithium.public_key)
    response = registry.client.post("/api/v1/declarations", json=body(registry, old, pact["earlier_documents"]), headers=registry.auth(lithium.operator))
    assert response.status_code == 201, response.text
    response = publish(registry, "lithium-carbonate-brine-cl", pact["documents"]["lithium-carbonate-brine-cl"], supersedes=earlier["declaration_id"])
    assert response.status_code == 201, response.text
    token = access_token(registry)
    old_ids = {spec: pact["earlier_documents"][f"pact_v{spec}"]["id"] for spec in "23"}
    new_ids = {spec: pact["documents"]["lithium-carbonate-brine-cl"][f"pact_v{spec}"]["id"] for spec in "23"}
    for spec in "23":
        superseded = get(registry, f"/{spec}/footprints/{old_ids[spec]}", token).json()["data"]
        assert superseded["status"] == "Deprecated"
        current = get(registry, f"/{spec}/footprints/{new_ids[spec]}", token).json()["data"]
        assert current["status"] == "Active" and current["precedingPfIds"] == [old_ids[spec]]
    v2 = get(registry, f"/2/footprints/{old_ids['2']}", token).json()["data"]
    assert v2["version"] == pact["earlier_documents"]["pact_v2"]["version"] + 1 and "superseded by" in v2["statusComment"]
    assert v2["updated"] <= utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    reason = "The brine pond's energy supply changed; a new calculation follows."
    url = f"/api/v1/declarations/{lithium.declaration_id}/withdraw"
    assert registry.client.post(url, json={"reason": reason}, headers=registry.auth(lithium.operator)).status_code == 200
    withdrawn = get(registry, f"/2/footprints/{new_ids['2']}", token).json()["data"]
    assert withdrawn["status"] == "Deprecated" and reason in withdrawn["statusComment"]
    deprecated = get(registry, "/3/footprints", token, status="Deprecated").json()["data"]
    assert {d["id"] for d in deprecated} == {old_ids["3"], new_ids["3"]}


def test_footprints_that_are_not_the_declarations_are_refused(registry, pact):
    stem = STEMS[0]
    documents = pact["documents"][stem]
    other = pact["documents"][STEMS[1]]
    before = registry.counts()

    def refused(change, spec: str, field: str, words: str = ""):
        changed = copy.deepcopy(documents)
        change(changed[f"pact_v{spec}"])
        response = publish(registry, stem, changed)
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["field"].startswith(field) and words in problem["error"], problem
        assert registry.counts() == before

    refused(lambda d: d.update(id=other["pact_v3"]["id"]), "3", "pact_v3.id", "not the one of declaration")
    refused(lambda d: d["pcf"].update(pcfExcludingBiogenicUptake="0.5"), "3", "pact_v3.pcf.pcfExcludingBiogenicUptake", "climate change result")
    refused(lambda d: d["pcf"].update(pCfExcludingBiogenic="0.5"), "2", "pact_v2.pcf.pCfExcludingBiogenic")
    refused(lambda d: d.update(companyName="Someone Else Ltd"), "2", "pact_v2.companyName")
    refused(lambda d: d.update(status="Deprecated"), "3", "pact_v3.status")
    refused(lambda d: d.update(precedingPfIds=[other["pact_v3"]["id"]]), "3", "pact_v3.precedingPfIds")
    refused(lambda d: d.pop("pcf"), "3", "pact_v3.pcf", "schema")
    refused(lambda d: d.update(comment="<script>alert(1)</script>"), "2", "pact_v2.comment", "markup")
    refused(lambda d: d["pcf"].update(referencePeriodStart="2001-01-01T00:00:00Z"), "3", "pact_v3.pcf.referencePeriodStart")
    assert publish(registry, stem, documents).status_code == 201
