"""The engine: a study's foreground solved on a prepared background.

`core` holds the engine variants and their config (the one object every command passes
along); `prepared` solves a background once for every dataset, `cache` keeps that on disk,
`solve` turns a foreground into scores, `solvers` wraps the sparse LU, `matrices` has bw2calc
build the matrices, `reference` is bw2calc's own full solve, `sampling` its Monte Carlo.
bw2calc is imported only inside functions, so paths that do not solve never load it.
"""

from .cache import check_against_source, clear_memory_cache, load_prepared, prepare_background, prepared_dir, save_prepared
from .core import Engine, EngineConfig, OneOffEngine, ReferenceEngine, make_engine
from .matrices import BackgroundSystem, background_system
from .prepared import PreparedBackground, compute_prepared_scores, prepared_key
from .solve import LcaOutcome, compute_cold, compute_prepared, foreground_arrays
from .solvers import SOLVER_ENV, Factorisation, SlowSolverWarning, available_solvers, choose_solver, solver_note

__all__ = [
    "BackgroundSystem", "Engine", "EngineConfig", "Factorisation", "LcaOutcome", "OneOffEngine", "PreparedBackground",
    "ReferenceEngine", "SOLVER_ENV", "SlowSolverWarning", "available_solvers", "background_system",
    "check_against_source", "choose_solver", "clear_memory_cache", "compute_cold", "compute_prepared",
    "compute_prepared_scores", "foreground_arrays", "load_prepared", "make_engine", "prepare_background",
    "prepared_dir", "prepared_key", "save_prepared", "solver_note",
]
