"""Environmental footprint performance classes (Regulation (EU) 2024/1252, Annex V Part VIII).

`table` is the class-table file and its checks; `lookup` the one table-in-force lookup and the
one boundary rule (a value on a threshold goes to the better class); `calibrate` sets the
thresholds from market data; `review` compares an old and a new table; `market` and
`market_io` hold and read declared values on the market; `plot` and `colours` draw them.
"""

from .calibrate import WeightedDistribution, calibrate_classes, data_window, improvement_factor, parse_period, weighted_quantiles
from .lookup import (
    TableChoice,
    assign_class,
    class_indices,
    class_probabilities,
    class_shares,
    class_table_for,
    default_folder,
    find_class_table,
    list_tables,
    table_in_force,
)
from .market import (
    CSV_OPTIONAL,
    CSV_REQUIRED,
    DEFAULT_CATEGORY,
    NEGATIVE_VALUE,
    MarketData,
    MarketDataError,
    MarketEntry,
    default_unit,
    normalise_category,
    pseudonymise,
)
from .market_io import market_csv_text, read_declarations_folder, read_market_csv, read_sources_column, write_market_csv
from .review import RecalibrationReport, ThresholdShift, recalibration_report
from .table import (
    BOUNDARY_RULE,
    ENERGY_LABEL_RESCALE_SHARE,
    LETTERS,
    CalibrationError,
    CalibrationSettings,
    ClassBand,
    ClassTable,
    DisclosureError,
    InputData,
    Method,
    NoTableInForce,
    SeveralTablesInForce,
    ThinDataError,
    check_category_unit,
    check_thresholds,
    class_table_sha256,
    class_table_to_toml,
    load_class_table,
    write_class_table,
)

__all__ = [name for name in dir() if not name.startswith("_")]
