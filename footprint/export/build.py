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

import datetime as dt
import hashlib
import json
import math
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from ..errors import FootprintError, FootprintInputError
from ..methods import CLIMATE_CHANGE
from .inventory import ExportInputs, load_inputs

CO2_PER_C = 44.009 / 12.011  # kg CO2 per kg C (IUPAC/CIAAW 2021 abridged standard atomic weights: C 12.011, O 15.999)
PACKAGING_CATEGORIES = ("1(l)", "2(i)")  # Annex V Part IV: "casting or packaging of metal"
CN_ISSUER = "ec.europa.eu"  # the Combined Nomenclature, Council Regulation (EEC) No 2658/87, Annex I
CROSS_SECTORAL_V3 = ["ISO14040-44", "PEF"]
CROSS_SECTORAL_V2_USED = ["ISO Standard 14044"]


def decimal_text(value: float) -> str:
    """The exact shortest decimal of a float, without exponent (PACT's Decimal pattern allows none)."""
    if not math.isfinite(value):
        raise FootprintError(f"{value!r} is not a finite number")
    if value == 0:
        return "0"
    text = format(Decimal(repr(float(value))), "f")
    return text[:-2] if text.endswith(".0") else text


def pf_id(declaration_id: str) -> str:
    """A UUID v4 (the PfId type) derived from the declaration id: one declaration, one PACT id.

    Its 122 free bits are the first bits of sha256("footprint-pact-pf-id\\0" + id) instead of a
    random draw, so exporting the same declaration twice gives the same footprint.
    """
    digest = bytearray(hashlib.sha256(b"footprint-pact-pf-id\0" + declaration_id.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x40
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def utc(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def operator_domain(inputs: ExportInputs) -> str:
    """The data owner's internet domain (website, else e-mail): the issuer part of its URNs."""
    person = inputs.declaration.responsible_person
    if person.website:
        host = urlsplit(person.website if "//" in person.website else f"//{person.website}").hostname
        if host:
            return host.lower()
    if person.email and "@" in person.email:
        return person.email.rsplit("@", 1)[1].lower()
    raise FootprintInputError("the responsible person has neither a website nor an e-mail domain to issue identifiers from", field="responsible_person")


def _nss(text: str) -> str:
    return quote(text.strip(), safe="-._~!$&'()*+,;=@")


def company_ids(inputs: ExportInputs, given: list[str] | None) -> list[str]:
    """The data owner's URNs: those given, else the registered trade name as the vendor's own code
    (PACT 2.3 "Custom Company Ids": urn:pact:company:customcode:vendor-assigned:<code>)."""
    if given:
        return list(dict.fromkeys(given))
    return [f"urn:pact:company:customcode:vendor-assigned:{_nss(inputs.declaration.responsible_person.trade_name)}"]


def cn_urn(inputs: ExportInputs) -> str | None:
    code = inputs.declaration.material.cn_code
    return f"urn:pact:{CN_ISSUER}:cn-code:{code.replace(' ', '')}" if code else None


def product_ids(inputs: ExportInputs) -> list[str]:
    """The declaration id (issued by the data owner) and the CN code, as PACT product-id URNs
    (urn:pact:$domain-of-issuer$:$identifier-type$:$id$, PACT 2.3 product identification)."""
    ids = [f"urn:pact:{operator_domain(inputs)}:crma-declaration-id:{_nss(inputs.declaration.declaration_id)}"]
    if cn := cn_urn(inputs):
        ids.append(cn)
    return ids


def reference_period(inputs: ExportInputs) -> tuple[str, str]:
    """Start (inclusive) and end (exclusive, so the day after the study's last day), UTC."""
    period = inputs.study.reporting_period
    return utc(period.start), utc(period.end + dt.timedelta(days=1))


def primary_data_share(inputs: ExportInputs) -> float:
    """Percent of the climate result from company-specific processes (see the module docstring)."""
    climate = inputs.results.category(CLIMATE_CHANGE)
    company = {p.id for p in inputs.results.processes if p.data_type == "company-specific"}
    if climate.value == 0:
        return 0.0
    share = 100 * math.fsum(v for pid, v in climate.by_process.items() if pid in company) / climate.value
    if not -1e-9 <= share <= 100 + 1e-9:
        raise FootprintError(
            f"the company-specific share of the climate result is {share:.6g} %: credits make it leave 0-100 %, "
            "so primaryDataShare cannot be stated"
        )
    return min(max(share, 0.0), 100.0)


def exempted(inputs: ExportInputs) -> tuple[float, str]:
    """Share (%) and description of the processes excluded as negligible (Annex V Part IV 3)."""
    items = inputs.results.excluded
    text = "; ".join(f"{e['name']} ({e['stage']}, estimated {100 * float(e['estimated_share']):g} %): {e['reason']}" for e in items)
    return 100 * inputs.results.excluded_share, text


def packaging_included(inputs: ExportInputs) -> bool:
    return any(p.category in PACKAGING_CATEGORIES for p in inputs.results.processes)


def boundary_text(inputs: ExportInputs) -> str:
    from ..boundary import category_title

    parts = []
    for stage in inputs.results.stages:
        names = [f"{p.name} [Annex V Part IV {p.category}: {category_title(p.category)}; {p.data_type}]" for p in inputs.results.processes if p.stage == stage]
        parts.append(f"{stage}: " + "; ".join(names))
    return (
        "Cradle to gate (Regulation (EU) 2024/1252 Annex V Part IV; use and end of life excluded). " + " | ".join(parts)
    )


def allocation_text(inputs: ExportInputs) -> str | None:
    entries = inputs.results.allocation
    rule = f"the {inputs.rules.id} rules set {inputs.rules.allocation} allocation for co-products"
    if not entries:
        return f"No multi-output process; {rule}."
    return rule + ": " + "; ".join(f"{a['process']}: {a['method']}, factor {float(a['factor']):.6g} ({a['detail']})" for a in entries)


def secondary_sources(inputs: ExportInputs) -> list[dict[str, str]]:
    fp = inputs.declaration.fingerprint
    name = fp.background if not fp.background_project else f"{fp.background} (Brightway project {fp.background_project})"
    return [{"name": name, "version": f"sha256:{fp.background_sha256[:16]}"}]


def rules_entry(inputs: ExportInputs) -> dict[str, Any]:
    """The material's CRMA Art. 31 calculation rules, as PACT product-specific rules."""
    rules, plugin = inputs.rules, getattr(inputs.material_info, "plugin", "") or "material"
    return {
        "operator": "Other",
        "ruleNames": [f"CRMA Art. 31 calculation rules for {inputs.declaration.material.name} ({rules.id}), version {rules.rules_version}"],
        "otherOperatorName": f"footprint material plugin '{plugin}' (draft rules pending the delegated act under Regulation (EU) 2024/1252 Art. 31(2))",
    }


def carbon_content(inputs: ExportInputs) -> tuple[float, float]:
    """Fossil and biogenic kg C per declared unit, from the material plugin."""
    content = getattr(inputs.material_info, "carbon_content", None)
    if content is None:
        raise FootprintInputError(
            f"the plugin of {inputs.declaration.material.id} gives no carbon content; PACT requires fossilCarbonContent",
            field="carbon_content",
        )
    kg = inputs.declaration.footprint.declared_unit_kg
    return content.fossil_kg_per_kg * kg, content.biogenic_kg_per_kg * kg


def geography_country(inputs: ExportInputs) -> str | None:
    """The country of the process that makes the declared material, when it is an ISO 3166-1 code."""
    import pycountry

    product = next((p for p in inputs.results.processes if p.id == inputs.study.product_process), None)
    code = product.location if product else None
    return code if code and len(code) == 2 and pycountry.countries.get(alpha_2=code) else None


def product_description(inputs: ExportInputs) -> str:
    d = inputs.declaration
    origin = "; ".join(f"{o.activity} in {o.country_name} ({o.region})" for o in d.origin)
    grade = f", {d.material.grade}" if d.material.grade else ""
    return f"{d.material.name}{grade}; {d.material.route} route; {d.title}. Origin: {origin}."


def comment_text(inputs: ExportInputs) -> str:
    d = inputs.declaration
    where = f" Public address: {d.public_address}." if d.public_address else ""
    return (
        f"Environmental footprint declaration {d.declaration_id} issued {d.issue_date} under Regulation (EU) 2024/1252 "
        f"Art. 31(7); conformity assessment module {d.conformity_assessment.module} ({d.conformity_assessment.name}).{where} "
        f"Characterised with {d.footprint.method_set} (climate change: IPCC AR6 GWP100); the "
        "fossil, biogenic and land-use-change parts are the EF 3.1 climate change sub-categories, which add up to the total. "
        "EF 3.1 characterises biogenic CO2 with zero and biogenic methane with its AR6 factor. primaryDataShare is the share "
        "of the climate result contributed by company-specific processes (Annex V Part VI). dqi is not given: the study "
        "records no PACT data quality ratings."
    )


def _split_values(inputs: ExportInputs) -> dict[str, float]:
    c = inputs.climate
    if c.fossil < 0 or c.land_use_change < 0 or c.biogenic < 0:
        raise FootprintError(
            f"a climate part is negative (fossil {c.fossil!r}, biogenic {c.biogenic!r}, land use change {c.land_use_change!r}): "
            "PACT states these parts as non-negative emissions"
        )
    return {"total": c.total, "fossil": c.fossil, "biogenic": c.biogenic, "luc": c.land_use_change}


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
        first = exc.errors()[0]
        raise FootprintError(f"the PACT 2.3 footprint is not valid at {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


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
        first = exc.errors()[0]
        raise FootprintError(f"the PACT 3.0 footprint is not valid at {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def pact_json(model: Any) -> str:
    """The footprint as a JSON document: undefined properties left out, as the specification asks."""
    return json.dumps(model.model_dump(mode="json", exclude_none=True), indent=2, ensure_ascii=False) + "\n"


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
