"""Monte Carlo iterations are bounded by the memory a run needs, checked before anything is
allocated: a huge -n is refused with the number that fits, never a MemoryError or a dead machine."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.errors import FootprintInputError
from footprint.uncertainty import available_memory, planned_bytes, run_uncertainty

from .conftest import TINY_STUDY

runner = CliRunner()


def test_a_run_too_large_for_memory_is_refused_before_allocation():
    with pytest.raises(FootprintInputError, match="GiB of memory.*run at most") as err:
        run_uncertainty(TINY_STUDY, iterations=10**13)
    assert err.value.field == "iterations"


def test_the_command_names_the_limit_and_exits_2():
    result = runner.invoke(app, ["uncertainty", str(TINY_STUDY), "-n", str(10**13)])
    assert result.exit_code == 2 and "run at most" in result.output and "Traceback" not in result.output


def test_the_estimate_grows_with_the_run_and_a_normal_run_fits():
    from footprint.assessment import background_for, check_study, link_study
    from footprint.engine import make_engine
    from footprint.methods import load_method_set
    from footprint.uncertainty import exchange_specs, monte_carlo_system

    checked = check_study(TINY_STUDY)
    method_set = load_method_set()
    background = background_for(checked, method_set)
    inventory = link_study(checked, background)
    system = monte_carlo_system(inventory, make_engine().prepared_for(background, method_set), exchange_specs(checked.loaded.study, inventory, background))
    assert planned_bytes(system, 2000) == 2 * planned_bytes(system, 1000) > 0
    assert planned_bytes(system, 1000, sample_background=True) > planned_bytes(system, 1000)
    assert planned_bytes(system, 100_000) < available_memory() / 2
    report, _ = run_uncertainty(TINY_STUDY, iterations=200)
    assert report.iterations == 200
