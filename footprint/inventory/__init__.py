"""The foreground inventory: a study's processes linked to each other and to a background.

`build` links every exchange (units converted, co-products allocated) and solves the small
foreground system; `electricity` is the Annex V Part VI electricity rule.
"""

from .build import FOREGROUND_ID_OFFSET, AllocationApplied, ForegroundInventory, build_inventory, solve_foreground
from .electricity import GRID_PREFIX, ElectricityChoice, is_electricity, is_grid_mix

__all__ = [
    "AllocationApplied", "ElectricityChoice", "FOREGROUND_ID_OFFSET", "ForegroundInventory", "GRID_PREFIX",
    "build_inventory", "is_electricity", "is_grid_mix", "solve_foreground",
]
