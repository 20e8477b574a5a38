"""Art. 46: no company-specific activity amount appears in any public output.

Public outputs are declaration.json, declaration.html and study.html (results.json and the
verification report are for the producer and the verifier). For each example study, and for a
study with deliberately distinctive amounts quoted in its free texts, the test searches every
public output for every amount of every company-specific process, in every usual spelling.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from footprint.declaration.public_study import CONFIDENTIAL, Redactor, company_specific_amounts as redactor_amounts
from footprint.study import load_study

from ._declaration_helpers import (
    company_specific_amounts,
    count_occurrences,
    declare,
    example_params,
    occurrences,
    perturbed_copy,
    spellings,
)
from .conftest import TINY_STUDY, edit_study

PUBLIC = ("declaration.json", "declaration.html", "study.html")

# Amounts no characterised result or date will ever print by chance.
DISTINCT = [
    ('amount = 5.0\n  unit = "kWh"', 'amount = 5.4321\n  unit = "kWh"\n  source = "metered 2024: 5.4321 kWh per t of brine (pump log)"\n  assumption = true'),
    ('amount = 10.0\n  unit = "t"', 'amount = 10.8765\n  unit = "t"'),
    ('process = "ponds"\n  amount = 2.0', 'process = "ponds"\n  amount = 2.7183'),
    ('amount = 9.0\n  unit = "m3"', 'amount = 9.1357\n  unit = "m3"\n  source = "evaporation of 9.1357 m3 per t (pond water balance)"'),
    ('dataset = "sodium-carbonate"\n  amount = 2.0', 'dataset = "sodium-carbonate"\n  amount = 2.0468'),
    ('amount = 1.0\n  unit = "MWh"', 'amount = 1.0123\n  unit = "MWh"'),
    ('amount = 10.0\n  unit = "GJ"', 'amount = 10.2468\n  unit = "GJ"'),
    ('product_process = "refining"', 'product_process = "refining"\ndescription = "Pumps draw 5.4321 kWh per t; the plant burns 10.2468 GJ and 2,046.8 kg of soda ash (2.0468 t) per t."'),
    ('reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }',
     'reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t", price = 12.3457 }\n'
     'coproducts = [{ product = "potash", amount = 0.3141, unit = "t", price = 0.4242 }]\nallocation = "economic"'),
]


def _public_text(out: Path) -> dict[str, str]:
    return {name: (out / name).read_text(encoding="utf-8") for name in PUBLIC}


def _leaks(study_path: Path, out: Path) -> list[str]:
    study = load_study(study_path).study
    leaks = []
    for name, text in _public_text(out).items():
        for amount in company_specific_amounts(study):
            for hit in occurrences(text, amount):
                leaks.append(f"{name}: {amount!r} in …{hit}…")
    return leaks


@pytest.fixture(scope="module")
def distinct(tmp_path_factory):
    folder = tmp_path_factory.mktemp("confidential")
    study = edit_study(folder, TINY_STUDY, DISTINCT)
    out = folder / "out"
    declare(study, out)
    return study, out


def test_no_company_specific_amount_in_any_public_output(distinct):
    study, out = distinct
    amounts = company_specific_amounts(load_study(study).study)
    assert {5.4321, 10.8765, 2.7183, 9.1357, 2.0468, 1.0123, 10.2468, 0.3141, 0.4242, 12.3457} <= set(amounts)
    assert _leaks(study, out) == []


def test_quoted_amounts_are_redacted_but_the_rest_of_the_text_stays(distinct):
    _, out = distinct
    html = (out / "study.html").read_text()
    assert "Pumps draw [confidential] kWh per t; the plant burns [confidential] GJ and [confidential] kg of soda ash ([confidential] t) per t." in html
    # Company-specific sources are not printed at all, redacted or not.
    assert "pump log" not in html and "pond water balance" not in html


def test_the_search_would_find_a_leak(distinct, tmp_path):
    """Guard against a test that can never fail: plant an amount and it is found."""
    study, out = distinct
    for name in PUBLIC:
        (tmp_path / name).write_text((out / name).read_text())
    with (tmp_path / "study.html").open("a") as handle:
        handle.write("<p>uses 9.1357 m3</p><p>10,876.5</p>")
    leaks = _leaks(study, tmp_path)
    assert len(leaks) == 1 and "9.1357" in leaks[0]


def test_contributions_are_still_shown(distinct):
    study, out = distinct
    html = (out / "study.html").read_text()
    declaration = json.loads((out / "declaration.json").read_text())
    assert 'data-hotspot="climate change"' in html
    for category in declaration["footprint"]["categories"]:
        assert f'data-value="{category["value"]!r}"' in html
    assert "Share to main product" in html  # allocation is named, as a share, not as amounts


def test_redactor_matches_numbers_not_digits_inside_words():
    redact = Redactor([2.5, 1234.5, 0.3])
    assert redact("2.5 t, 2.55 t, CO2 5, 1,234.5 kg, 0.30 kg, v2.5") == f"{CONFIDENTIAL} t, 2.55 t, CO2 5, {CONFIDENTIAL} kg, {CONFIDENTIAL} kg, v2.5"
    assert redact(None) == ""


def test_redactor_knows_every_company_specific_amount(distinct):
    study, _ = distinct
    loaded = load_study(study).study
    assert sorted(redactor_amounts(loaded)) == sorted(company_specific_amounts(loaded))
    assert Redactor(redactor_amounts(loaded))("2,046.8 kg or 2.0468 t or 5432.1 Wh") == "[confidential] kg or [confidential] t or [confidential] Wh"


def test_spellings_cover_the_usual_forms():
    assert {"61.7"} <= spellings(61.7)
    assert {"2000", "2000.0", "2,000"} <= spellings(2000.0)
    assert "1" not in spellings(1.0)


@pytest.mark.parametrize("example", example_params())
def test_example_public_outputs_hold_no_company_specific_amount(tmp_path, example: Path):
    """Every company-specific amount of an example, searched in every public output.

    Real studies have ordinary amounts (20 t, 3 kWh) that also occur in dates, fixed texts or
    SVG coordinates. So the outputs are made twice: from the study and from a copy whose
    company-specific amounts are all moved by 1.37 %. An amount that occurs more often in the
    first outputs than in the second, and whose moved value occurs more often in the second than
    in the first, comes from the study's activity data: a leak. (A characterised result that
    happens to print like an amount, e.g. a land-use value of 165 or an exponent e-25, moves too,
    but not to the moved amount, so it is not counted.)
    """
    declare(example, tmp_path / "original")
    perturbed = perturbed_copy(example, tmp_path / "perturbed.toml")
    declare(perturbed, tmp_path / "perturbed")
    original, moved = _public_text(tmp_path / "original"), _public_text(tmp_path / "perturbed")
    leaks = []
    for amount in company_specific_amounts(load_study(example).study):
        for name in PUBLIC:
            moved_amount = amount * 1.0137
            if count_occurrences(original[name], amount) > count_occurrences(moved[name], amount) and count_occurrences(
                moved[name], moved_amount
            ) > count_occurrences(original[name], moved_amount):
                leaks.append(f"{name}: {amount!r} in " + " | ".join(occurrences(original[name], amount)))
    assert leaks == []
