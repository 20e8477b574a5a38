"""The study: what a producer writes to describe how one declared unit of a CRM is made.

`model` holds the pydantic contract of the study file (`footprint schema study`), `load`
reads and validates a file, `diff` splits a study into the parts a verifier reasons about
(keyed digests for declarations, and what changed between two versions, Annex V Part VI).
"""

from .diff import CALCULATION_PARTS, DIGEST_SCHEME, PART_TITLES, RECALCULATION_PARTS, ExchangeChange, exchanges_by_part, StudyDiff, StudyDigest, changed_parts, diff_studies, is_energy_input, study_digest, study_parts
from .load import PLACEHOLDER, LoadedStudy, load_study, parse_study, placeholders_in
from .quality import DataQualityScores
from .model import (
    Allocation,
    Amount,
    CircularFootprintInputs,
    Coproduct,
    DataType,
    ElectricitySupply,
    ElementaryFlow,
    ExcludedProcess,
    NotModelled,
    Operator,
    Process,
    ReferenceOutput,
    ReportingPeriod,
    Route,
    Sampling,
    Site,
    Sourced,
    Stage,
    Strict,
    Study,
    TechnosphereInput,
    Uncertainty,
)

__all__ = [
    "CALCULATION_PARTS", "PART_TITLES", "RECALCULATION_PARTS", "ExchangeChange", "exchanges_by_part",
    "Allocation", "Amount", "DataQualityScores", "CircularFootprintInputs", "Coproduct", "DIGEST_SCHEME", "DataType", "ElectricitySupply",
    "ElementaryFlow", "ExcludedProcess", "LoadedStudy", "NotModelled", "Operator", "Process", "ReferenceOutput", "ReportingPeriod",
    "Route", "Sampling", "Site", "Sourced", "Stage", "Strict", "Study", "StudyDiff", "StudyDigest", "TechnosphereInput",
    "Uncertainty", "PLACEHOLDER", "placeholders_in", "changed_parts", "diff_studies", "is_energy_input", "load_study", "parse_study", "study_digest",
    "study_parts",
]
