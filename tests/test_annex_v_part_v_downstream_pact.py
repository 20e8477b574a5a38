"""Annex V Part V(b) and Art. 31(9): downstream companies take the footprint into their own
calculation. Every example's declaration exports to PACT 2.3 and PACT 3.0, and each required
field carries the declaration's value (climate parts adding up to the total, units, dates)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.errors import FootprintInputError
from footprint.export.build import build_pact_v2, build_pact_v3, decimal_text, pact_json
from footprint.export.inventory import load_inputs

from ._export_helpers import CPC_INPUT, declare_examples
from .conftest import EXAMPLES, edit_study

V2_REQUIRED = ["id", "specVersion", "version", "created", "status", "comment", "companyName", "companyIds",
               "productDescription", "productIds", "productCategoryCpc", "productNameCompany", "pcf"]
V2_PCF_REQUIRED = ["declaredUnit", "unitaryProductAmount", "referencePeriodStart", "referencePeriodEnd", "pCfExcludingBiogenic",
                   "fossilGhgEmissions", "fossilCarbonContent", "biogenicCarbonContent", "characterizationFactors",
                   "ipccCharacterizationFactorsSources", "crossSectoralStandardsUsed", "crossSectoralStandards",
                   "boundaryProcessesDescription", "exemptedEmissionsPercent", "exemptedEmissionsDescription",
                   "packagingEmissionsIncluded"]
V3_REQUIRED = ["id", "specVersion", "created", "status", "companyName", "companyIds", "productDescription", "productIds",
               "productNameCompany", "pcf"]
V3_PCF_REQUIRED = ["declaredUnitOfMeasurement", "declaredUnitAmount", "productMassPerDeclaredUnit", "referencePeriodStart",
                   "referencePeriodEnd", "pcfExcludingBiogenicUptake", "pcfIncludingBiogenicUptake", "fossilGhgEmissions",
                   "fossilCarbonContent", "ipccCharacterizationFactors", "crossSectoralStandards", "exemptedEmissionsPercent"]
DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
STEMS = sorted(p.stem for p in EXAMPLES.glob("*.toml"))


@pytest.fixture(scope="module")
def declared(tmp_path_factory):
    return declare_examples(tmp_path_factory.mktemp("declared"))


@pytest.fixture(scope="module")
def inputs(declared):
    return {stem: load_inputs(folder, EXAMPLES / f"{stem}.toml") for stem, folder in declared.items()}


def close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def expected_primary_share(x) -> float:
    climate = x.results.category("climate change")
    company = [p.id for p in x.results.processes if p.data_type == "company-specific"]
    return 100 * sum(climate.by_process[p] for p in company) / climate.value


def check_common(doc: dict, x, version: str) -> None:
    d, study = x.declaration, x.study
    assert UUID4.match(doc["id"])
    assert doc["status"] == "Active"
    assert doc["created"] == f"{d.issue_date.isoformat()}T00:00:00Z"
    assert doc["companyName"] == d.responsible_person.name
    assert all(urn.startswith("urn:") for urn in doc["companyIds"])
    assert doc["productNameCompany"] == d.material.name
    assert any(d.declaration_id in urn and urn.startswith("urn:pact:") for urn in doc["productIds"])
    assert f"urn:pact:ec.europa.eu:cn-code:{d.material.cn_code.replace(' ', '')}" in doc["productIds"]
    pcf = doc["pcf"]
    # The reference period: the study's, as UTC instants, the end exclusive (the day after).
    assert pcf["referencePeriodStart"] == f"{study.reporting_period.start}T00:00:00Z"
    assert pcf["referencePeriodEnd"] == f"{study.reporting_period.end + dt.timedelta(days=1)}T00:00:00Z"
    rule = pcf["productOrSectorSpecificRules"][0]
    assert rule["operator"] == "Other" and rule["otherOperatorName"]
    assert x.rules.id in rule["ruleNames"][0] and x.rules.rules_version in rule["ruleNames"][0] and "CRMA Art. 31" in rule["ruleNames"][0]
    assert pcf["secondaryEmissionFactorSources"][0]["name"] == d.fingerprint.background
    assert "dqi" not in pcf  # the study records no PACT data quality ratings (docs/export.md)
    assert pcf["packagingEmissionsIncluded"] is any(p.category in ("1(l)", "2(i)") for p in x.results.processes)
    assert doc["specVersion"] == version


@pytest.mark.parametrize("stem", STEMS)
def test_pact_v2_every_required_field_from_the_declaration(inputs, stem):
    x = inputs[stem]
    doc = json.loads(pact_json(build_pact_v2(x, cpc_code=CPC_INPUT)))
    for name in V2_REQUIRED:
        assert name in doc, name
    for name in V2_PCF_REQUIRED:
        assert name in doc["pcf"], name
    check_common(doc, x, "2.3.0")
    pcf, d = doc["pcf"], x.declaration
    assert doc["version"] == 1 and doc["productCategoryCpc"] == CPC_INPUT
    assert pcf["declaredUnit"] == "kilogram" and pcf["unitaryProductAmount"] == "1"
    # Decimals are strings (section Data Type: Decimal); percents are numbers (Data Type: Percent).
    for name in ("pCfExcludingBiogenic", "pCfIncludingBiogenic", "fossilGhgEmissions", "fossilCarbonContent",
                 "biogenicCarbonContent", "dLucGhgEmissions", "otherBiogenicGhgEmissions", "biogenicCarbonWithdrawal"):
        assert isinstance(pcf[name], str) and DECIMAL.match(pcf[name]), name
    assert isinstance(pcf["exemptedEmissionsPercent"], float) and isinstance(pcf["primaryDataShare"], float)
    climate = d.category("climate change").value
    assert float(pcf["pCfExcludingBiogenic"]) == climate  # exact: the shortest decimal of the float
    parts = float(pcf["fossilGhgEmissions"]) + float(pcf["otherBiogenicGhgEmissions"]) + float(pcf["dLucGhgEmissions"])
    assert close(parts, climate)
    assert pcf["characterizationFactors"] == "AR6" and pcf["ipccCharacterizationFactorsSources"] == ["AR6"]
    assert pcf["crossSectoralStandardsUsed"] == ["ISO Standard 14044"] and pcf["crossSectoralStandards"] == ["ISO14040-44", "PEF"]
    assert close(pcf["primaryDataShare"], expected_primary_share(x))
    assert close(pcf["exemptedEmissionsPercent"], 100 * x.results.excluded_share)
    assert float(pcf["fossilCarbonContent"]) == x.material_info.carbon_content.fossil_kg_per_kg
    for excluded in x.results.excluded:
        assert excluded["name"] in pcf["exemptedEmissionsDescription"]


@pytest.mark.parametrize("stem", STEMS)
def test_pact_v3_every_required_field_from_the_declaration(inputs, stem):
    x = inputs[stem]
    doc = json.loads(pact_json(build_pact_v3(x)))
    for name in V3_REQUIRED:
        assert name in doc, name
    for name in V3_PCF_REQUIRED:
        assert name in doc["pcf"], name
    check_common(doc, x, "3.0.0")
    pcf, d = doc["pcf"], x.declaration
    assert "version" not in doc and "productCategoryCpc" not in doc
    assert doc["productClassifications"] == [f"urn:pact:ec.europa.eu:cn-code:{d.material.cn_code.replace(' ', '')}"]
    assert pcf["declaredUnitOfMeasurement"] == "kilogram" and pcf["declaredUnitAmount"] == "1"
    assert pcf["productMassPerDeclaredUnit"] == "1"
    # v3: every non-integer number is a decimal string (section Basic Types), percentages too.
    for name in ("pcfExcludingBiogenicUptake", "pcfIncludingBiogenicUptake", "fossilGhgEmissions", "fossilCarbonContent",
                 "landUseChangeGhgEmissions", "biogenicNonCO2Emissions", "biogenicCO2Uptake", "exemptedEmissionsPercent",
                 "primaryDataShare"):
        assert isinstance(pcf[name], str) and DECIMAL.match(pcf[name]), name
    climate = d.category("climate change").value
    assert float(pcf["pcfExcludingBiogenicUptake"]) == climate
    parts = float(pcf["fossilGhgEmissions"]) + float(pcf["biogenicNonCO2Emissions"]) + float(pcf["landUseChangeGhgEmissions"])
    assert close(parts, climate)
    # No biogenic carbon in any example material: no uptake, so including = excluding.
    assert float(pcf["biogenicCO2Uptake"]) == 0 and pcf["pcfIncludingBiogenicUptake"] == pcf["pcfExcludingBiogenicUptake"]
    assert pcf["ipccCharacterizationFactors"] == ["AR6"] and pcf["crossSectoralStandards"] == ["ISO14040-44", "PEF"]
    assert close(float(pcf["primaryDataShare"]), expected_primary_share(x))
    assert close(float(pcf["exemptedEmissionsPercent"]), 100 * x.results.excluded_share)


def test_climate_split_is_the_ef31_sub_categories_and_adds_up(inputs):
    """EF 3.1's fossil, biogenic and land-use-change climate change add up to the declared total."""
    for stem, x in inputs.items():
        c = x.climate
        assert close(c.fossil + c.biogenic + c.land_use_change, x.declaration.category("climate change").value), stem
        assert c.fossil > 0, stem


def test_decimals_are_exact_and_never_exponents():
    for value in (1.1145586049737351e-07, 4.121098488846056, 123456789012.5, 1e-30, -0.0, 0.1 + 0.2):
        text = decimal_text(value)
        assert DECIMAL.match(text) and "e" not in text.lower()
        assert float(text) == value


def test_pact_v2_refuses_without_a_cpc_code(inputs):
    with pytest.raises(FootprintInputError, match="productCategoryCpc"):
        build_pact_v2(inputs[STEMS[0]])


def test_pact_v2_needs_the_2025_fields_for_reference_periods_from_2025(inputs):
    """O* properties (dqi, landManagementGhgEmissions ...) are mandatory from 2025: footprint refuses, never invents."""
    from footprint.export import pact_v2

    doc = json.loads(pact_json(build_pact_v2(inputs[STEMS[0]], cpc_code=CPC_INPUT)))
    doc["pcf"]["referencePeriodStart"], doc["pcf"]["referencePeriodEnd"] = "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"
    with pytest.raises(ValueError, match="dqi"):
        pact_v2.ProductFootprint.model_validate(doc)


def test_export_cli_end_to_end_all_formats(declared, tmp_path):
    stem = "lithium-carbonate-brine-cl"
    runner = CliRunner()
    for fmt, name in (("pact-v2", "p2.json"), ("pact-v3", "p3.json"), ("ilcd", "d.zip")):
        args = ["export", str(declared[stem]), "--format", fmt, "--out", str(tmp_path / name), "--study", str(EXAMPLES / f"{stem}.toml")]
        if fmt == "pact-v2":
            args += ["--cpc", CPC_INPUT, "--company-id", "urn:lei:5493001KJTIIGC8Y1R12"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 1000
    doc = json.loads((tmp_path / "p2.json").read_text())
    assert doc["companyIds"] == ["urn:lei:5493001KJTIIGC8Y1R12"]
    again = runner.invoke(app, ["export", str(declared[stem]), "-f", "pact-v3", "-o", str(tmp_path / "again.json"), "-s", str(EXAMPLES / f"{stem}.toml")])
    assert again.exit_code == 0 and (tmp_path / "again.json").read_bytes() == (tmp_path / "p3.json").read_bytes()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "csv"], "unknown format"),
        (["--format", "pact-v2"], "productCategoryCpc"),
        (["--format", "pact-v2", "--cpc", "34.1"], "not a UN CPC code"),
        (["--format", "pact-v3", "--company-id", "LEI 1234"], "not a URN"),
    ],
)
def test_export_cli_bad_options_exit_2_and_write_nothing(declared, tmp_path, args, message):
    stem = "lithium-carbonate-brine-cl"
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["export", str(declared[stem]), *args, "--out", str(out), "--study", str(EXAMPLES / f"{stem}.toml")])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_export_refuses_another_study_or_an_edited_declaration(declared, tmp_path):
    runner = CliRunner()
    stem = "lithium-carbonate-brine-cl"
    out = tmp_path / "out.json"
    wrong = runner.invoke(app, ["export", str(declared[stem]), "-f", "pact-v3", "-o", str(out), "-s", str(EXAMPLES / "cobalt-sulfate-drc-cn.toml")])
    assert wrong.exit_code == 2 and "not the study the declaration was computed from" in wrong.output
    changed = edit_study(tmp_path, EXAMPLES / f"{stem}.toml", [('title = "', 'title = "Edited: ')])
    edited_study = runner.invoke(app, ["export", str(declared[stem]), "-f", "pact-v3", "-o", str(out), "-s", str(changed)])
    assert edited_study.exit_code == 2
    folder = tmp_path / "edited"
    folder.mkdir()
    data = json.loads((declared[stem] / "declaration.json").read_text())
    data["footprint"]["categories"][0]["value"] *= 0.9  # a hand edit, hash not resealed
    (folder / "declaration.json").write_text(json.dumps(data))
    (folder / "results.json").write_text((declared[stem] / "results.json").read_text())
    edited = runner.invoke(app, ["export", str(folder), "-f", "pact-v3", "-o", str(out), "-s", str(EXAMPLES / f"{stem}.toml")])
    assert edited.exit_code == 2 and "content hash" in edited.output
    assert not out.exists()


def test_export_refuses_results_of_another_declaration(declared, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "declaration.json").write_text((declared["lithium-carbonate-brine-cl"] / "declaration.json").read_text())
    (folder / "results.json").write_text((declared["cobalt-sulfate-drc-cn"] / "results.json").read_text())
    with pytest.raises(FootprintInputError, match="results.json is not the one"):
        load_inputs(folder, EXAMPLES / "lithium-carbonate-brine-cl.toml")


def test_pact_schemas_are_published():
    from footprint.cli import schema_of

    for name in ("pact-v2", "pact-v3"):
        schema = schema_of(name)
        assert "pcf" in schema["required"]
        result = CliRunner().invoke(app, ["schema", name])
        assert result.exit_code == 0 and "ProductFootprint" in result.output


def test_exports_validate_against_the_published_json_schemas(inputs):
    import jsonschema

    from footprint.cli import schema_of

    x = inputs[STEMS[0]]
    jsonschema.validate(json.loads(pact_json(build_pact_v2(x, cpc_code=CPC_INPUT))), schema_of("pact-v2"))
    jsonschema.validate(json.loads(pact_json(build_pact_v3(x))), schema_of("pact-v3"))
