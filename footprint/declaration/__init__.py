"""The environmental footprint declaration of Regulation (EU) 2024/1252, Art. 31(7).

`model` is its file contract (`footprint schema declaration`); `build` makes it from results
and seals it; `render` writes declaration.html for people; `public_study` the public version
of the study (Art. 31(7)(f)); `outputs` writes the whole set `footprint declare` produces.
"""

from .build import (
    DEFAULT_SCALE,
    NOT_ASSIGNED,
    RELATIVE_STUDY_LINK,
    build_declaration,
    content_hash,
    country_name,
    declaration_id,
    declaration_json,
    declared_category_names,
    load_declaration,
    performance_class,
    read_declaration_json,
    seal,
)
from .model import (
    REGULATION,
    SCHEMA_VERSION,
    ClassTableRef,
    ConformityAssessment,
    Declaration,
    DeclaredCategory,
    DeclaredFootprint,
    MaterialType,
    Origin,
    PerformanceClass,
    PublicStudyLink,
    ResponsiblePerson,
    Versions,
)
from .outputs import IN_FORCE, check_declaration, declare, write_declaration_outputs, write_declaration_set
from .public_study import find_chromium, render_public_study_html, write_public_study, write_study_pdf
from .render import declaration_json_for_html, declaration_page_context, format_share, format_value, render_declaration_html, stage_chart, templates, write_declaration

__all__ = [name for name in dir() if not name.startswith("_")]
