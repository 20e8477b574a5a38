"""A backdated declaration: moving the issue date back (within the allowed range), then
recomputing the id and the content hash, reproduces — a recalculation cannot tell. Until a
declaration is signed, `verify` says plainly what it could not rule out."""

from __future__ import annotations

import datetime as dt
import shutil

from footprint.declaration import declaration_id
from footprint.declaration.model import Declaration
from footprint.verification import UNSIGNED, verify_declaration

from ._declaration_helpers import declare, reseal
from .conftest import TINY_STUDY


def test_a_backdated_resealed_declaration_is_reproduced_but_the_verdict_says_what_it_cannot_rule_out(tmp_path):
    study = tmp_path / "study.toml"
    shutil.copy(TINY_STUDY, study)
    declare(study, tmp_path / "genuine", issue_date=dt.date(2025, 6, 1))

    def backdate(data: dict) -> None:
        data["issue_date"] = "2025-01-02"  # still after the reporting period (2024)
        model = Declaration.model_validate({**data, "content_sha256": ""})
        data["declaration_id"] = declaration_id(model.fingerprint, model.study_digest, dt.date(2025, 1, 2))

    forged = reseal(tmp_path / "genuine" / "declaration.json", tmp_path / "forged" / "declaration.json", backdate)
    report = verify_declaration(forged, study)
    assert report.reproduced  # no recalculation can see it
    assert report.cannot_rule_out == [UNSIGNED] and "issue date" in UNSIGNED
    signed = verify_declaration(forged, study, signature_checked=True)
    assert signed.cannot_rule_out == []
