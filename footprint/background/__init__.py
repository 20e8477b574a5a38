"""Backgrounds: the secondary LCI data a study's foreground links to.

`starter` is footprint's open, sourced starter background (TOML files, `footprint schema
background`); `brightway` opens it (or a user's Brightway database) through bw2data;
`arrays` is a background given as plain arrays; `packages` builds characterisation
datapackages for any of them.
"""

from .arrays import ArrayBackground
from .brightway import Background, LinkedDataset, ProgressCallback, brightway_dir, bw2data_in, open_background
from .packages import characterisation_package
from .starter import BIOSPHERE, STARTER, BackgroundDataset, BackgroundFile, StarterData, load_starter, starter_folder

__all__ = [
    "ArrayBackground", "BIOSPHERE", "Background", "BackgroundDataset", "BackgroundFile", "LinkedDataset",
    "ProgressCallback", "STARTER", "bw2data_in", "StarterData", "brightway_dir", "characterisation_package", "load_starter",
    "open_background", "starter_folder",
]
