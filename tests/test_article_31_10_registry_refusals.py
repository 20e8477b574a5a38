"""What the registry refuses: a clear 4xx with a reason, nothing stored, nothing rendered unescaped.

Oversized and malformed uploads, declarations that fail their schema or content hash, missing,
wrong or stale signatures, another operator's identity, unknown tokens and wrong roles,
replays, unsafe public studies and addresses, and HTML or SQL injection in every text field of
a declaration, a statement, a withdrawal, an account and a search. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Callable

import pytest

from footprint.declaration import content_hash, declaration_id
from footprint.signing import load_private_key, sign_document

from ._registry_helpers import ADMIN, REGULATOR, VERIFIER, corpus, db_url, postgres, registry  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
HTML_PAYLOAD = "<script>alert(1)</script>"
SQL_PAYLOAD = "x'); DROP TABLE declarations; --"


def signed_body(registry, signed, mutate: Callable[[dict], None] | None = None, *, reseal: bool = True, key=None) -> dict[str, Any]:
    """The upload of `signed` after `mutate`, resealed and signed again by its operator (unless told otherwise)."""
    body = registry.body(signed)
    raw = copy.deepcopy(body["declaration"])
    if mutate:
        mutate(raw)
    if reseal:
        raw["content_sha256"] = content_hash(raw)
    private = load_private_key(key or signed.private_key)
    body["declaration"] = raw
    body["signature"] = sign_document(raw, private, signed="declaration", subject_id=str(raw.get("declaration_id"))).model_dump(mode="json")
    return body


def refused(registry, response, status: int | tuple[int, ...], before: dict[str, int], words: str = "") -> dict:
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.text)
    problem = response.json()
    assert problem["error"], problem
    assert words.lower() in problem["error"].lower(), problem
    assert registry.counts() == before, "a refused request stored something"
    return problem


def post(registry, body: Any, operator: str, **kwargs) -> Any:
    return registry.client.post("/api/v1/declarations", json=body, headers=registry.auth(operator), **kwargs)


@pytest.fixture
def lithium(corpus):
    return corpus.examples["lithium-carbonate-brine-cl"]


def test_oversized_and_malformed_uploads(registry, lithium):
    before = registry.counts()
    headers = {**registry.auth(lithium.operator), "content-type": "application/json"}
    big = b'{"declaration": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    response = registry.client.post("/api/v1/declarations", content=big, headers=headers)  # refused on its Content-Length
    assert response.status_code == 413 and response.text == "Content Too Large" and registry.counts() == before
    chunks = (b"x" * 65536 for _ in range(80))  # 5 MiB without a Content-Length
    refused(registry, registry.client.post("/api/v1/declarations", content=chunks, headers=headers), 413, before, "larger than the limit")
    refused(registry, registry.client.post("/api/v1/declarations", content=b'{"declaration": {', headers=headers), 400, before, "not valid JSON")
    refused(registry, registry.client.post("/api/v1/declarations", content=b"[1, 2", headers=headers), 400, before, "not valid JSON")
    deep = b"[" * 5000 + b"]" * 5000
    assert registry.client.post("/api/v1/declarations", content=deep, headers=headers).status_code in (400, 422)
    assert registry.counts() == before
    body = registry.body(lithium)
    del body["quantity_t"]
    problem = refused(registry, post(registry, body, lithium.operator), 422, before)
    assert problem["field"] == "quantity_t"
    for bad in (-5, 0, "lots"):
        body = registry.body(lithium, quantity_t=1.0)
        body["quantity_t"] = bad
        refused(registry, post(registry, body, lithium.operator), 422, before)


def test_schema_and_content_hash_failures(registry, lithium):
    before = registry.counts()
    problem = refused(registry, post(registry, signed_body(registry, lithium, lambda d: d.pop("footprint")), lithium.operator), 422, before, "schema")
    assert problem["field"] == "declaration.footprint"
    problem = refused(registry, post(registry, signed_body(registry, lithium, lambda d: d["footprint"]["categories"][0].update(value="four")), lithium.operator), 422, before, "schema")
    assert problem["field"].startswith("declaration.footprint.categories.0.value")
    refused(registry, post(registry, signed_body(registry, lithium, lambda d: d.update(extra="field")), lithium.operator), 422, before, "schema")
    edited = signed_body(registry, lithium, lambda d: d["footprint"]["categories"][0].update(value=1.0), reseal=False)
    refused(registry, post(registry, edited, lithium.operator), 422, before, "content hash")
    # A resealed edit with a made-up id, or an id that does not follow from the fingerprint.
    refused(registry, post(registry, signed_body(registry, lithium, lambda d: d.update(declaration_id="FPD-20260101-0000000000000000")), lithium.operator), 422, before, "declaration id")

    def future(d):
        import datetime as dt

        from footprint.declaration import Declaration

        when = dt.date.today() + dt.timedelta(days=30)
        d["issue_date"] = when.isoformat()
        model = Declaration.model_validate(d)
        d["declaration_id"] = declaration_id(model.fingerprint, model.study_digest, when)

    refused(registry, post(registry, signed_body(registry, lithium, future), lithium.operator), 422, before, "future")


def test_missing_wrong_and_stale_signatures(registry, lithium, corpus):
    before = registry.counts()
    body = registry.body(lithium)
    body["signature"] = None
    refused(registry, post(registry, body, lithium.operator), 422, before, "not signed")
    # Signed with a key that is not the one registered to this producer.
    refused(registry, post(registry, signed_body(registry, lithium, key=corpus.batch_key), lithium.operator), 422, before, "signature")
    # A resealed edit of the content with the original signature: the signature no longer fits.
    body = signed_body(registry, lithium, lambda d: d["footprint"]["categories"][0].update(value=0.5))
    body["signature"] = registry.body(lithium)["signature"]
    refused(registry, post(registry, body, lithium.operator), 422, before, "signature")
    body = registry.body(lithium)
    body["signature"]["signature"] = "A" * 88
    refused(registry, post(registry, body, lithium.operator), 422, before, "signature")
    body = registry.body(lithium)
    body["signature"]["signature"] = "not base64!"
    refused(registry, post(registry, body, lithium.operator), 422, before, "base64")


def test_identity_tokens_and_roles(registry, lithium, corpus):
    before = registry.counts()
    nickel = corpus.examples["nickel-sulfate-hpal-id"]
    # Another operator's declaration with this producer's token (and signature) is refused.
    refused(registry, post(registry, registry.body(lithium), nickel.operator), 403, before, "publishes only for")
    refused(registry, post(registry, signed_body(registry, lithium, key=nickel.private_key), nickel.operator), 403, before, "publishes only for")
    # Someone else's published declaration, renamed to one's own name and signed: the study is another producer's.
    assert registry.publish(lithium).status_code == 201
    before = registry.counts()
    copied = signed_body(registry, lithium, lambda d: d["responsible_person"].update(name=nickel.operator), key=nickel.private_key)
    refused(registry, post(registry, copied, nickel.operator), 409, before, "declared already by")
    refused(registry, registry.client.post("/api/v1/declarations", json=registry.body(lithium)), 401, before, "token")
    for header in ("Bearer fpr_0123456789abcdef_" + "A" * 43, "Bearer nonsense", "Basic dXNlcjpwYXNz"):
        refused(registry, registry.client.post("/api/v1/declarations", json=registry.body(lithium), headers={"authorization": header}), 401, before)
    for role in (VERIFIER, REGULATOR, ADMIN):
        refused(registry, post(registry, registry.body(lithium), role), 403, before, "producer")
    assert registry.client.post("/api/v1/accounts", json={"role": "admin", "operator": "me"}, headers=registry.auth(lithium.operator)).status_code == 403
    assert registry.counts() == before


def test_replayed_upload_changes_nothing(registry, lithium):
    assert registry.publish(lithium).status_code == 201
    before = registry.counts()
    refused(registry, registry.publish(lithium), 409, before, "published already")
    refused(registry, registry.publish(lithium, quantity_t=99999.0), 409, before, "published already")


def test_unsafe_public_studies_and_addresses(registry, lithium, corpus):
    before = registry.counts()
    study = (lithium.folder / "study.html").read_text()
    attacks = {
        "missing": "",
        "a script": study.replace("</body>", "<script>alert(document.cookie)</script></body>"),
        "an event handler": study.replace("<body>", '<body onload="alert(1)">'),
        "a javascript: link": study.replace("</body>", '<a href="javascript:alert(1)">x</a></body>'),
        "a frame": study.replace("</body>", '<iframe src="https://example.org"></iframe></body>'),
        "a style loading a URL": study.replace("</body>", '<p style="background:url(https://example.org/t.png)">x</p></body>'),
        "another declaration's study": (corpus.examples["nickel-sulfate-hpal-id"].folder / "study.html").read_text(),
    }
    for what, html in attacks.items():
        body = registry.body(lithium)
        body["study_html"] = html
        problem = refused(registry, post(registry, body, lithium.operator), 422, before)
        assert problem["field"] == "study_html", what
    for path, url in (("public_study", "javascript:alert(1)"), ("responsible_person", "data:text/html,<b>x</b>")):
        field = "url" if path == "public_study" else "website"
        body = signed_body(registry, lithium, lambda d: d[path].update({field: url}))
        problem = refused(registry, post(registry, body, lithium.operator), 422, before)
        assert problem["field"].startswith(f"declaration.{path}")


def string_paths(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in string_paths(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in string_paths(item, (*path, i))]
    return []


def set_path(document: Any, path: tuple, value: str) -> None:
    for part in path[:-1]:
        document = document[part]
    document[path[-1]] = value


@pytest.mark.parametrize("payload", [HTML_PAYLOAD, SQL_PAYLOAD, "Robert'); DELETE FROM accounts WHERE ('1'='1", "' OR '1'='1"])
def test_injection_in_every_text_field_of_a_declaration(registry, lithium, payload):
    before = registry.counts()
    paths = string_paths(lithium.raw)
    assert len(paths) > 40
    for path in paths:
        if path == ("content_sha256",):
            continue
        body = signed_body(registry, lithium, lambda d: set_path(d, path, f"{payload}"))
        response = post(registry, body, lithium.operator)
        assert 400 <= response.status_code < 500, (path, response.text)
        assert response.json()["error"], path
    assert registry.counts() == before
    # Keys of free-form objects (a stage name in by_stage) are text too.
    body = signed_body(registry, lithium, lambda d: d["footprint"]["categories"][0]["by_stage"].update({payload: 0.0}))
    refused(registry, post(registry, body, lithium.operator), 422, before)
    # The database is intact and serves what it had.
    assert registry.client.get("/api/v1/declarations").status_code == 200


def test_injection_in_withdrawals_statements_accounts_and_searches(registry, lithium, corpus):
    assert registry.publish(lithium).status_code == 201
    before = registry.counts()
    url = f"/api/v1/declarations/{lithium.declaration_id}"
    for payload in (HTML_PAYLOAD, SQL_PAYLOAD):
        refused(registry, registry.client.post(f"{url}/withdraw", json={"reason": payload}, headers=registry.auth(lithium.operator)), 422, before)
        refused(registry, registry.client.post("/api/v1/accounts", json={"role": "regulator", "operator": payload}, headers=registry.auth(ADMIN)), 422, before)
    # A statement with markup in its verifier name, signed by the verifier: refused.
    document = json.loads(corpus.statement.read_text())
    private = load_private_key(corpus.verifier_private)
    for payload in (HTML_PAYLOAD, SQL_PAYLOAD):
        statement = copy.deepcopy(document["statement"])
        statement["verifier"]["name"] = payload
        signature = sign_document(statement, private, signed="verification statement", subject_id=statement["declaration_id"]).model_dump(mode="json")
        response = registry.client.post(f"{url}/attestations", json={"statement": statement, "signature": signature}, headers=registry.auth(VERIFIER))
        refused(registry, response, (403, 422), before)
    # Search terms: each is checked; a bad one is a 400 naming it, shown escaped on the page.
    for name, value in (("producer", HTML_PAYLOAD), ("producer", SQL_PAYLOAD), ("material", "' OR 1=1 --"), ("country", "X'"), ("class", "A' OR '1'='1"), ("status", HTML_PAYLOAD)):
        response = registry.client.get("/api/v1/declarations", params={name: value})
        assert response.status_code in (400, 422), (name, value, response.text)
        page = registry.client.get("/declarations", params={name: value}, headers={"accept": "text/html"})
        assert page.status_code == 400 and "<script>alert" not in page.text
    page = registry.client.get("/declarations/%3Cscript%3Ealert(1)", headers={"accept": "text/html"})
    assert page.status_code == 404 and "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert registry.counts() == before


def test_refused_statements(registry, lithium, corpus):
    assert registry.publish(lithium).status_code == 201
    before = registry.counts()
    document = json.loads(corpus.statement.read_text())
    url = f"/api/v1/declarations/{lithium.declaration_id}/attestations"
    flipped = copy.deepcopy(document)
    flipped["statement"]["verdict"] = "not reproduced"
    refused(registry, registry.client.post(url, json=flipped, headers=registry.auth(VERIFIER)), 422, before, "signed")
    private = load_private_key(corpus.verifier_private)
    other = copy.deepcopy(document["statement"])
    other["declaration_content_sha256"] = "0" * 64
    signature = sign_document(other, private, signed="verification statement", subject_id=other["declaration_id"]).model_dump(mode="json")
    refused(registry, registry.client.post(url, json={"statement": other, "signature": signature}, headers=registry.auth(VERIFIER)), 422, before, "other content")
    elsewhere = registry.client.post(f"/api/v1/declarations/{corpus.examples['nickel-sulfate-hpal-id'].declaration_id}/attestations", json=document, headers=registry.auth(VERIFIER))
    refused(registry, elsewhere, 422, before, "is about")
    batch = load_private_key(corpus.batch_key)
    forged = sign_document(document["statement"], batch, signed="verification statement", subject_id=document["statement"]["declaration_id"]).model_dump(mode="json")
    refused(registry, registry.client.post(url, json={"statement": document["statement"], "signature": forged}, headers=registry.auth(VERIFIER)), 422, before)
    refused(registry, registry.client.post(url, json={"statement": {"verdict": "reproduced"}, "signature": document["signature"]}, headers=registry.auth(VERIFIER)), 422, before)


@pytest.fixture(scope="module")
def addressed(corpus, tmp_path_factory):
    """The lithium example declared with a registry URL: this registry's (the test client's) and another one."""
    from footprint.batch import assess_many
    from footprint.declaration import write_declaration_set

    from ._registry_helpers import LITHIUM, Signed

    lithium = corpus.examples["lithium-carbonate-brine-cl"]
    (item,) = assess_many([LITHIUM])
    out = {}
    for name, url in (("here", "http://testserver"), ("elsewhere", "https://registry.example.org/crma")):
        folder = tmp_path_factory.mktemp(f"addressed-{name}") / "lithium"
        write_declaration_set(item.results, item.loaded, folder, registry_url=url, signing_key=load_private_key(lithium.private_key))
        out[name] = Signed(folder, lithium.operator, lithium.private_key, lithium.public_key)
    return out


def test_a_public_address_must_be_this_registrys_address_for_the_declaration(registry, addressed):
    before = registry.counts()
    elsewhere = addressed["elsewhere"]
    assert elsewhere.raw["public_address"] == f"https://registry.example.org/crma/declarations/{elsewhere.declaration_id}"
    problem = refused(registry, post(registry, registry.body(elsewhere), elsewhere.operator), 422, before, "not this registry's address")
    assert problem["field"] == "declaration.public_address"
    here = addressed["here"]
    response = post(registry, registry.body(here), here.operator)
    assert response.status_code == 201, response.text
    page = registry.client.get(response.json()["url"], headers={"accept": "text/html"}).text
    assert f'data-address="http://testserver/declarations/{here.declaration_id}"' in page and "<svg" in page  # the QR code leads here


def test_a_registry_with_a_public_url_checks_against_it(corpus, addressed, tmp_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from footprint.registry.app import create_app

    from ._registry_helpers import make_accounts

    app = create_app(f"sqlite:///{tmp_path / 'r.sqlite3'}", public_url="https://registry.example.org/crma/")
    with TestClient(app) as client:
        tokens = make_accounts(app.state.registry.engine, corpus)
        signed = addressed["here"]
        headers = {"authorization": f"Bearer {tokens[signed.operator]}"}
        body = {"declaration": signed.raw, "signature": json.loads((signed.folder / "declaration.sig").read_text()),
                "study_html": (signed.folder / "study.html").read_text(), "quantity_t": 1.0}
        assert client.post("/api/v1/declarations", json=body, headers=headers).status_code == 422
        signed = addressed["elsewhere"]
        body.update(declaration=signed.raw, signature=json.loads((signed.folder / "declaration.sig").read_text()), study_html=(signed.folder / "study.html").read_text())
        assert client.post("/api/v1/declarations", json=body, headers=headers).status_code == 201
    app.state.registry.engine.dispose()
    from footprint.errors import FootprintInputError

    with pytest.raises(FootprintInputError):
        create_app(f"sqlite:///{tmp_path / 'r2.sqlite3'}", public_url="javascript:alert(1)")
