"""What every downstream format says the same way, derived once from the declaration's inputs:
identifiers, the reference period, the primary data share, the boundary and allocation texts,
exempted emissions, carbon content, geography. PACT (`build`) and ILCD (`ilcd`) both use it.
"""


from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

from .. import indicators
from ..errors import FootprintError, FootprintInputError
from ..files import sha256_hex
from .inventory import ExportInputs

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
    digest = bytearray(bytes.fromhex(sha256_hex(b"footprint-pact-pf-id\0" + declaration_id.encode()))[:16])
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
    """PACT's primaryDataShare: the one definition, `footprint.indicators.primary_data_share`."""
    return indicators.primary_data_share(inputs.results)


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
