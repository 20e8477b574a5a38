"""From a declaration (+ results.json + one solve of its study) to each downstream format.

Every value comes from the declaration, its results, its material's plugin or the aggregated
inventory (`footprint.export.inventory`); docs/export.md lists the mapping field by field and
says why the fields left out are left out (a field footprint cannot fill honestly is never
invented). Two values a producer holds and footprint does not can be passed in: the product's
UN CPC code (PACT 2.3 requires one; the plugin may supply it) and company identifiers (an LEI
or DUNS as URNs).

Definitions used by both PACT versions:

* primaryDataShare: the share (%) of the declared climate result contributed by the study's
  company-specific processes (Annex V Part VI data_type), each process counted with its whole
  contribution: its direct emissions and the cradle-to-gate burden of the inputs whose
  amounts it measured (results.json, by_process). Secondary processes and the Circular
  Footprint Formula's primary-material share count as secondary.
* the climate parts: fossil, biogenic and land use and land use change are the EF 3.1
  sub-categories of climate change (AR6 GWP100); they add up to the declared total (checked).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import FootprintError, FootprintInputError, from_validation_error
from .inventory import ExportInputs, load_inputs

CO2_PER_C = 44.009 / 12.011  # kg CO2 per kg C (IUPAC/CIAAW 2021 abridged standard atomic weights: C 12.011, O 15.999)
from .fields import CROSS_SECTORAL_V2_USED, CROSS_SECTORAL_V3, _split_values, allocation_text, boundary_text, carbon_content, cn_urn, comment_text, company_ids, decimal_text, exempted, geography_country, packaging_included, pf_id, primary_data_share, product_description, product_ids, reference_period, rules_entry, secondary_sources, utc


def build_pact_v2(inputs: ExportInputs, *, cpc_code: str | None = None, company_id: list[str] | None = None) -> Any:
    """The PACT 2.3 ProductFootprint of the declaration (validated by the pydantic model)."""
    from pydantic import ValidationError

    from .pact_v2 import ProductFootprint

    cpc = cpc_code or getattr(inputs.material_info, "cpc_code", None)
    if not cpc:
        raise FootprintInputError(
            f"PACT 2.3 requires productCategoryCpc (a UN CPC Ver. 2.1 code); the {inputs.declaration.material.id} plugin "
            "gives none and footprint holds no CN-to-CPC correspondence: pass --cpc CODE (or export pact-v3, which does not need it)",
            field="--cpc",
        )
    v = _split_values(inputs)
    fossil_c, biogenic_c = carbon_content(inputs)
    withdrawal = -biogenic_c * CO2_PER_C
    start, end = reference_period(inputs)
    share, exempted_text = exempted(inputs)
    country = geography_country(inputs)
    pcf: dict[str, Any] = {
        "declaredUnit": "kilogram",
        "unitaryProductAmount": decimal_text(inputs.declaration.footprint.declared_unit_kg),
        "productMassPerDeclaredUnit": decimal_text(inputs.declaration.footprint.declared_unit_kg),
        "pCfExcludingBiogenic": decimal_text(v["total"]),
        "pCfIncludingBiogenic": decimal_text(v["total"] + withdrawal),
        "fossilGhgEmissions": decimal_text(v["fossil"]),
        "fossilCarbonContent": decimal_text(fossil_c),
        "biogenicCarbonContent": decimal_text(biogenic_c),
        "dLucGhgEmissions": decimal_text(v["luc"]),
        "otherBiogenicGhgEmissions": decimal_text(v["biogenic"]),
        "biogenicCarbonWithdrawal": decimal_text(withdrawal),
        "characterizationFactors": "AR6",
        "ipccCharacterizationFactorsSources": ["AR6"],
        "crossSectoralStandardsUsed": CROSS_SECTORAL_V2_USED,
        "crossSectoralStandards": CROSS_SECTORAL_V3,
        "productOrSectorSpecificRules": [rules_entry(inputs)],
        "biogenicAccountingMethodology": "PEF",
        "boundaryProcessesDescription": boundary_text(inputs),
        "referencePeriodStart": start,
        "referencePeriodEnd": end,
        "secondaryEmissionFactorSources": secondary_sources(inputs),
        "exemptedEmissionsPercent": share,
        "exemptedEmissionsDescription": exempted_text,
        "packagingEmissionsIncluded": packaging_included(inputs),
        "allocationRulesDescription": allocation_text(inputs),
        "primaryDataShare": primary_data_share(inputs),
    }
    if country:
        pcf["geographyCountry"] = country
    d = inputs.declaration
    data = {
        "id": pf_id(d.declaration_id),
        "specVersion": "2.3.0",
        "version": 1,
        "created": utc(d.issue_date),
        "status": "Active",
        "companyName": d.responsible_person.name,
        "companyIds": company_ids(inputs, company_id),
        "productDescription": product_description(inputs),
        "productIds": product_ids(inputs),
        "productCategoryCpc": cpc,
        "productNameCompany": d.material.name,
        "comment": comment_text(inputs),
        "pcf": pcf,
    }
    try:
        return ProductFootprint.model_validate(data)
    except ValidationError as exc:
        raise FootprintError(f"the PACT 2.3 footprint is not valid: {from_validation_error(exc)}") from None


def build_pact_v3(inputs: ExportInputs, *, company_id: list[str] | None = None, **_: Any) -> Any:
    """The PACT 3.0 ProductFootprint of the declaration (validated by the pydantic model)."""
    from pydantic import ValidationError

    from .pact_v3 import ProductFootprint

    v = _split_values(inputs)
    fossil_c, biogenic_c = carbon_content(inputs)
    uptake = -biogenic_c * CO2_PER_C
    start, end = reference_period(inputs)
    share, exempted_text = exempted(inputs)
    country = geography_country(inputs)
    kg = decimal_text(inputs.declaration.footprint.declared_unit_kg)
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": "kilogram",
        "declaredUnitAmount": kg,
        "productMassPerDeclaredUnit": kg,
        "referencePeriodStart": start,
        "referencePeriodEnd": end,
        "boundaryProcessesDescription": boundary_text(inputs),
        "pcfExcludingBiogenicUptake": decimal_text(v["total"]),
        "pcfIncludingBiogenicUptake": decimal_text(v["total"] + uptake),
        "fossilCarbonContent": decimal_text(fossil_c),
        "biogenicCarbonContent": decimal_text(biogenic_c),
        "fossilGhgEmissions": decimal_text(v["fossil"]),
        "landUseChangeGhgEmissions": decimal_text(v["luc"]),
        "biogenicCO2Uptake": decimal_text(uptake),
        "biogenicNonCO2Emissions": decimal_text(v["biogenic"]),
        "packagingEmissionsIncluded": packaging_included(inputs),
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": CROSS_SECTORAL_V3,
        "productOrSectorSpecificRules": [rules_entry(inputs)],
        "exemptedEmissionsPercent": decimal_text(share),
        "exemptedEmissionsDescription": exempted_text,
        "allocationRulesDescription": allocation_text(inputs),
        "secondaryEmissionFactorSources": secondary_sources(inputs),
        "primaryDataShare": decimal_text(primary_data_share(inputs)),
    }
    if country:
        pcf["geographyCountry"] = country
    d = inputs.declaration
    data = {
        "id": pf_id(d.declaration_id),
        "specVersion": "3.0.0",
        "created": utc(d.issue_date),
        "status": "Active",
        "companyName": d.responsible_person.name,
        "companyIds": company_ids(inputs, company_id),
        "productDescription": product_description(inputs),
        "productIds": product_ids(inputs),
        "productNameCompany": d.material.name,
        "comment": comment_text(inputs),
        "pcf": pcf,
    }
    if cn := cn_urn(inputs):
        data["productClassifications"] = [cn]
    try:
        return ProductFootprint.model_validate(data)
    except ValidationError as exc:
        raise FootprintError(f"the PACT 3.0 footprint is not valid: {from_validation_error(exc)}") from None


def pact_json(model: Any) -> str:
    """The footprint as a JSON document: undefined properties left out, as the specification asks."""
    return json.dumps(model.model_dump(mode="json", exclude_none=True), indent=2, ensure_ascii=False) + "\n"


def pact_documents(
    declaration: Path | str, *, study: Path | str, cpc_code: str | None = None, company_id: list[str] | None = None,
    registry: Any | None = None, brightway_dir: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """The declaration's PACT footprints as JSON values, from one solve: 3.0 always, 2.3 when a
    CPC code is known (given, or from the material's plugin). Keyed "pact_v2" / "pact_v3", as the
    registry's publish request takes them (`footprint registry publish --study`)."""
    inputs = load_inputs(declaration, study, registry=registry, brightway_dir=brightway_dir)
    documents = {"pact_v3": json.loads(pact_json(build_pact_v3(inputs, company_id=company_id)))}
    if cpc_code or getattr(inputs.material_info, "cpc_code", None):
        documents["pact_v2"] = json.loads(pact_json(build_pact_v2(inputs, cpc_code=cpc_code, company_id=company_id)))
    return documents


def export(
    declaration: Path | str,
    fmt: str,
    out: Path | str,
    *,
    study: Path | str,
    cpc_code: str | None = None,
    company_id: list[str] | None = None,
    registry: Any | None = None,
    brightway_dir: Path | None = None,
) -> Path:
    """Export a declaration (declaration.json, or its folder) as pact-v2, pact-v3 (JSON) or ilcd (zip)."""
    from ..files import check_output_path, write_atomically, write_bytes_atomically
    from . import FORMATS

    if fmt not in FORMATS:
        raise FootprintInputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", field="--format")
    target = check_output_path(out)
    if target.is_dir():
        raise FootprintInputError("the output is a folder; name the file to write", file=target, field="--out")
    source = Path(declaration)
    if target.resolve() in {source.resolve(), (source / "declaration.json").resolve(), Path(study).resolve()}:
        raise FootprintInputError("the export would overwrite its own input", file=target, field="--out")
    if cpc_code is not None and not cpc_code.strip().isdigit():
        raise FootprintInputError(f"{cpc_code!r} is not a UN CPC code (digits only)", field="--cpc")
    for urn in company_id or []:
        if not urn.lower().startswith("urn:") or len(urn.split(":")) < 3:
            raise FootprintInputError(f"{urn!r} is not a URN (urn:<namespace>:<id>)", field="--company-id")
    inputs = load_inputs(declaration, study, registry=registry, brightway_dir=brightway_dir)
    if fmt == "ilcd":
        from .ilcd import ilcd_zip

        write_bytes_atomically(target, ilcd_zip(inputs))
    else:
        build = build_pact_v2 if fmt == "pact-v2" else build_pact_v3
        write_atomically(target, pact_json(build(inputs, cpc_code=cpc_code.strip() if cpc_code else None, company_id=company_id)))
    return target
