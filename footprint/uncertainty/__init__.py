"""Monte Carlo uncertainty of a declaration: foreground sampled, background fixed (or sampled).

`exchanges` says which amounts are uncertain and how (study distributions, else pedigree
defaults); `simulate` draws and solves every iteration; `run` is the whole analysis of one
study with class probabilities; `report` its answer.
"""

from .exchanges import (
    BASIC_INPUT_DEFAULT,
    BASIC_TRANSPORT,
    DEFAULT_PEDIGREE,
    DEFAULTS_SOURCE,
    PEDIGREE_FACTORS,
    ExchangeSpec,
    basic_for_flow,
    default_gsd,
    exchange_specs,
    params_array,
    pedigree_sigma2,
)
from .report import CategoryStatistics, ClassProbabilities, ExchangeUncertainty, UncertaintyReport
from .run import run_uncertainty
from .simulate import MonteCarloSystem, available_memory, check_memory, monte_carlo_system, planned_bytes, sample_amounts, simulate
from ..classes.lookup import class_probabilities

__all__ = [name for name in dir() if not name.startswith("_")]
