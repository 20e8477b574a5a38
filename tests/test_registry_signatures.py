"""Signed declarations and verification statements (Ed25519): who issued a declaration, who verified it.

The content hash tells an edited file from an intact one; the signature tells who issued it,
so a re-sealed edit no longer passes. `footprint keys new`, `footprint declare --sign`,
`footprint verify --sign` and `footprint verify-signature`, end to end on the CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import stat

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.declaration import content_hash

from ._registry_helpers import LITHIUM, corpus  # noqa: F401

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_keys_new_writes_a_private_key_only_its_owner_reads(tmp_path):
    result = invoke("keys", "new", "--out", tmp_path / "keys")
    assert result.exit_code == 0, result.output
    private, public = tmp_path / "keys" / "private-key.pem", tmp_path / "keys" / "public-key.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    from footprint.signing import key_id, load_public_key

    assert key_id(load_public_key(public)) in result.output
    again = invoke("keys", "new", "--out", tmp_path / "keys")
    assert again.exit_code == 2 and "never replaced" in again.output
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")


def test_passphrase_protected_key(tmp_path, monkeypatch, corpus):
    monkeypatch.setenv("FOOTPRINT_KEY_PASSPHRASE", "correct horse battery staple")
    assert invoke("keys", "new", "--out", tmp_path / "k").exit_code == 0
    assert "ENCRYPTED" in (tmp_path / "k" / "private-key.pem").read_text()
    folder = tmp_path / "decl"
    shutil.copytree(corpus.examples["cobalt-sulfate-drc-cn"].folder, folder)
    from footprint.signing import load_private_key, sign_declaration_file

    sign_declaration_file(folder / "declaration.json", load_private_key(tmp_path / "k" / "private-key.pem"))
    assert invoke("verify-signature", folder, "--key", tmp_path / "k" / "public-key.pem").exit_code == 0
    monkeypatch.setenv("FOOTPRINT_KEY_PASSPHRASE", "wrong")
    result = invoke("verify", folder, "--study", LITHIUM, "--sign", tmp_path / "k" / "private-key.pem", "--verifier", "V")
    assert result.exit_code == 2 and "private key" in result.output
    monkeypatch.delenv("FOOTPRINT_KEY_PASSPHRASE")
    result = invoke("verify", folder, "--study", LITHIUM, "--sign", tmp_path / "k" / "private-key.pem", "--verifier", "V")
    assert result.exit_code == 2 and "FOOTPRINT_KEY_PASSPHRASE" in result.output


def test_declare_sign_writes_the_signature_in_the_same_output_set(corpus):
    public = corpus.batch_key.parent / "public-key.pem"
    for folder in sorted(corpus.batch.iterdir()):
        names = sorted(p.name for p in folder.iterdir())
        assert names == ["declaration.html", "declaration.json", "declaration.sig", "results.json", "study.html"]
        signature = json.loads((folder / "declaration.sig").read_text())
        raw = json.loads((folder / "declaration.json").read_text())
        assert signature["signed"] == "declaration" and signature["subject_id"] == raw["declaration_id"]
        result = invoke("verify-signature", folder / "declaration.json", "--key", public)
        assert result.exit_code == 0 and "VALID" in result.output, result.output


def test_a_changed_byte_fails(corpus, tmp_path):
    signed = corpus.examples["nickel-sulfate-hpal-id"]
    folder = tmp_path / "decl"
    shutil.copytree(signed.folder, folder)
    text = (folder / "declaration.json").read_text()
    raw = json.loads(text)
    assert invoke("verify-signature", folder, "--key", signed.public_key).exit_code == 0
    # Formatting is not content: the same JSON written compactly still verifies.
    (folder / "declaration.json").write_text(json.dumps(raw, separators=(",", ":"), sort_keys=True))
    assert invoke("verify-signature", folder, "--key", signed.public_key).exit_code == 0
    value = raw["footprint"]["categories"][0]["value"]
    edits = {
        "a declared value": lambda d: d["footprint"]["categories"][0].update(value=value * (1 + 1e-12)),
        "one character of the address": lambda d: d["responsible_person"].update(postal_address=d["responsible_person"]["postal_address"] + " "),
        "the class": lambda d: d["performance_class"].update(statement="class A"),
        "a key added": lambda d: d.update(note="x"),
    }
    for what, edit in edits.items():
        for reseal in (False, True):
            changed = json.loads(text)
            edit(changed)
            if reseal:
                changed["content_sha256"] = content_hash(changed)
            (folder / "declaration.json").write_text(json.dumps(changed, indent=2))
            result = invoke("verify-signature", folder, "--key", signed.public_key)
            assert result.exit_code == 1 and "NOT VALID" in result.output, (what, reseal, result.output)
    (folder / "declaration.json").write_text(text)
    signature = json.loads((folder / "declaration.sig").read_text())
    raw_signature = signature["signature"]
    flipped = ("B" if raw_signature[0] != "B" else "C") + raw_signature[1:]
    (folder / "declaration.sig").write_text(json.dumps({**signature, "signature": flipped}))
    assert invoke("verify-signature", folder, "--key", signed.public_key).exit_code == 1
    (folder / "declaration.sig").write_text(json.dumps(signature))
    # Another key, a missing signature, a repeated key in the JSON.
    other = corpus.examples["cobalt-sulfate-drc-cn"].public_key
    result = invoke("verify-signature", folder, "--key", other)
    assert result.exit_code == 1 and "not with the key" in result.output
    os.remove(folder / "declaration.sig")
    result = invoke("verify-signature", folder, "--key", signed.public_key)
    assert result.exit_code == 2 and "declaration.sig" in result.output
    (folder / "declaration.json").write_text(text.replace('"schema_version": "1",', '"schema_version": "1", "schema_version": "1",', 1))
    result = invoke("verify-signature", folder, "--key", signed.public_key, "--signature", signed.folder / "declaration.sig")
    assert result.exit_code == 2 and "appears twice" in result.output


def test_verify_sign_writes_a_statement_anyone_can_check(corpus, tmp_path):
    document = json.loads(corpus.statement.read_text())
    statement = document["statement"]
    lithium = corpus.examples["lithium-carbonate-brine-cl"]
    assert statement["declaration_id"] == lithium.declaration_id
    assert statement["declaration_content_sha256"] == lithium.raw["content_sha256"]
    assert statement["verdict"] == "reproduced" and statement["reproduced"] is True
    assert all(check["passed"] for check in statement["checks"])
    assert statement["checked_categories"] == [c["category"] for c in lithium.raw["footprint"]["categories"]]
    assert statement["tolerance"]["relative"] == 1e-9
    assert statement["verifier"]["name"] == "Example Verification GmbH (fictitious)"
    assert str(corpus.batch.parent) not in json.dumps(statement) and str(LITHIUM.parent) not in json.dumps(statement)  # no local paths
    result = invoke("verify-signature", corpus.statement, "--key", corpus.verifier_public)
    assert result.exit_code == 0 and "verdict reproduced" in result.output
    assert invoke("verify-signature", corpus.statement, "--key", lithium.public_key).exit_code == 1
    for field, value in (("verdict", "not reproduced"), ("declaration_id", "FPD-X"), ("checked_categories", [])):
        changed = json.loads(corpus.statement.read_text())
        changed["statement"][field] = value
        path = tmp_path / f"{field}.json"
        path.write_text(json.dumps(changed))
        assert invoke("verify-signature", path, "--key", corpus.verifier_public).exit_code == 1, field


def test_verify_sign_needs_a_verifier_and_keeps_inputs(corpus, tmp_path):
    lithium = corpus.examples["lithium-carbonate-brine-cl"]
    result = invoke("verify", lithium.folder, "--study", LITHIUM, "--sign", corpus.verifier_private)
    assert result.exit_code == 2 and "--verifier" in result.output
    result = invoke("verify", lithium.folder, "--study", LITHIUM, "--sign", tmp_path / "missing.pem", "--verifier", "V")
    assert result.exit_code == 2 and "not found" in result.output


def test_schemas_of_the_new_files_are_published():
    from footprint.cli import schema_of

    for name in ("signature", "verification-statement"):
        result = invoke("schema", name)
        assert result.exit_code == 0
        assert "properties" in schema_of(name)


def test_verify_with_the_producers_key_rules_out_re_dating(corpus, tmp_path):
    """`footprint verify --producer-key`: the issuer's signature is checked first, so the report no
    longer says that the issue date could have been moved; a signature that fails is a failed verification."""
    from footprint.verification import UNSIGNED

    lithium = corpus.examples["lithium-carbonate-brine-cl"]
    report = tmp_path / "report.json"
    result = invoke("verify", lithium.folder, "--study", LITHIUM, "--report", report, "--no-progress")
    assert result.exit_code == 0, result.output
    assert json.loads(report.read_text())["cannot_rule_out"] == [UNSIGNED]
    statement = tmp_path / "statement.json"
    result = invoke("verify", lithium.folder, "--study", LITHIUM, "--producer-key", lithium.public_key, "--report", report,
                    "--sign", corpus.verifier_private, "--verifier", "Example Verification GmbH (fictitious)", "--statement", statement, "--no-progress")
    assert result.exit_code == 0, result.output
    assert json.loads(report.read_text())["cannot_rule_out"] == []
    signed = json.loads(statement.read_text())["statement"]
    assert signed["cannot_rule_out"] == [] and {"check": "the producer's signature over the declaration", "passed": True} in signed["checks"]
    assert invoke("verify-signature", statement, "--key", corpus.verifier_public).exit_code == 0
    # Another producer's key: the declaration is not reproduced, and the report says why.
    other = corpus.examples["nickel-sulfate-hpal-id"].public_key
    result = invoke("verify", lithium.folder, "--study", LITHIUM, "--producer-key", other, "--report", report, "--no-progress")
    assert result.exit_code == 1, result.output
    failed = json.loads(report.read_text())
    assert failed["verdict"] == "not reproduced" and any("producer's signature" in e for e in failed["errors"])
    result = invoke("verify", lithium.folder, "--study", LITHIUM, "--producer-key", tmp_path / "missing.pem")
    assert result.exit_code == 2 and "not found" in result.output


def test_the_verification_report_shows_the_signed_statement(corpus, tmp_path):
    """verify --sign with --report-html: the report's signature slot names who signed, with which key."""
    lithium = corpus.examples["lithium-carbonate-brine-cl"]
    page = tmp_path / "report.html"
    result = invoke("verify", lithium.folder, "--study", LITHIUM, "--producer-key", lithium.public_key, "--sign", corpus.verifier_private,
                    "--verifier", "Example Verification GmbH (fictitious)", "--statement", tmp_path / "statement.json", "--report-html", page, "--no-progress")
    assert result.exit_code == 0, result.output
    html = page.read_text()
    slot = html.split('data-role="signature"', 1)[1].split("</div>", 1)[0]
    key = json.loads((tmp_path / "statement.json").read_text())["signature"]["key_id"]
    assert 'data-signed="true"' in slot and "Example Verification GmbH (fictitious)" in slot and key[:16] in slot and "statement.json" in slot
