"""The verifier's workbench: what a result depends on and how good its data are.

`amounts` lists every amount a study writes and how it reaches the foreground; `sensitivity`
gives each one's elasticity per category from one adjoint solve (`footprint.engine.sensitivity`),
with the Circular Footprint Formula where the rules apply it; `margin` the distance to the class
thresholds and the change of one amount that would cross them; `quality` the PEF data quality
rating; `annotate` adds them to every assessment. Materiality and the verification report are
in `footprint.verification`.
"""

from .amounts import StudyAmount, study_amounts
from .annotate import annotate
from .margin import class_margin
from .quality import data_quality
from .sensitivity import StudySensitivity, study_sensitivity

__all__ = ["StudyAmount", "StudySensitivity", "annotate", "class_margin", "data_quality", "study_amounts", "study_sensitivity"]
