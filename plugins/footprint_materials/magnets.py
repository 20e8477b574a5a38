"""Draft rules for the Art. 29 post-consumer share of permanent magnets (Regulation (EU) 2024/1252).

Art. 29(2) leaves the calculation and verification rules to a delegated act due by 24 May
2026; none was public when these were written. They are footprint's own draft, registered in
the `footprint.materials` entry-point group exactly as a third-party rule set would be, and
every declaration made with them says it used draft rules. Each choice below carries its
reason; a delegated act replaces them by a new rule set, not by editing this one (verify finds
a declaration's rules by id and version).
"""

from __future__ import annotations

import datetime as dt

from footprint.hookspecs import hookimpl
from footprint.magnets.rules import MagnetRules

DRAFT = MagnetRules(
    id="crma-art29-draft",
    rules_version="2026.12-draft",
    title="footprint draft rules for the post-consumer share of Nd, Dy, Pr, Tb, B, Sm, Ni and Co in permanent magnets",
    draft=True,
    status=(
        "Calculated under footprint's draft rules (crma-art29-draft 2026.12-draft): the delegated act of Art. 29(2) of "
        "Regulation (EU) 2024/1252 is not adopted, so the method may change when it is."
    ),
    product_groups=["*"],
    share_basis="product",
    accepted_custody_models=["mass-balance", "segregated"],
    custody_required_for=["post-consumer"],
    max_mass_balance_days=366,
    composition_tolerance_wt_percent=0.5,
    mass_tolerance_relative=0.001,
    coatings_in_share=False,
    conformity_module_series="D1",
    conformity_module_single="G",
    reported_decimals=1,
    reasons={
        "share_basis": (
            "Art. 29(1) asks for the share of each element 'in the permanent magnets in the product', one figure per element "
            "per product; the share is therefore the element's post-consumer mass over its mass in all in-scope magnets "
            "together (mass-weighted), and the page shows the split by magnet for information."
        ),
        "accepted_custody_models": (
            "A claim must be traceable to physical material: segregated batches (the batch's origin is known) and mass "
            "balance per site and period (post-consumer input booked against output, the common chain-of-custody model for "
            "mixed metal streams) are accepted; book-and-claim certificates are refused because they are traded apart "
            "from the material and nothing ties them to the magnet."
        ),
        "custody_required_for": (
            "Only post-consumer claims raise the published share, so only they must carry chain-of-custody evidence; "
            "material without evidence may be declared as primary or pre-consumer, which never raises the share."
        ),
        "max_mass_balance_days": (
            "A mass balance is closed over at most one year (366 days for leap years), so that post-consumer input of one "
            "year cannot be booked against output of another."
        ),
        "composition_tolerance_wt_percent": (
            "Published compositions are rounded to 0.1-1 wt %; a composition with no balance element may differ from "
            "100 % by 0.5 percentage point, more is an error (give the main element as the balance instead)."
        ),
        "mass_tolerance_relative": (
            "The supply lines of an element must match its mass in the magnet to 0.1 % (rounding of reported masses); "
            "within it, the origins are scaled to the composition so no share exceeds what the magnet holds."
        ),
        "coatings_in_share": (
            "The share is of the magnet body: Art. 2(56) defines the coating as a layer on the magnet, and Art. 28(4)(b) "
            "lists coatings apart from the magnet's composition; nickel plating is reported in the data record, not in "
            "the nickel share."
        ),
        "conformity_module_series": (
            "By analogy with the recycled-content requirement of the Batteries Regulation ((EU) 2023/1542, Art. 17(2)), "
            "which uses module D1 (quality assurance of the production process) for products made in series; a "
            "third party (notified body) is involved because the share cannot be checked on the finished product."
        ),
        "conformity_module_single": (
            "By the same analogy (Regulation (EU) 2023/1542, Art. 17(2)), module G (unit verification by a notified body) "
            "for a product not made in series."
        ),
        "reported_decimals": (
            "Shares are shown to 0.1 percentage point, enough to tell products apart without implying more precision than "
            "mass-balance bookkeeping has; the JSON keeps the exact fraction."
        ),
    },
    sources=[
        "Regulation (EU) 2024/1252, Art. 2(56), 28, 29, 33 (OJ L 2024/1252, Danish consolidated text in shared/seeds)",
        "Regulation (EU) 2023/1542 (Batteries), Art. 17(2): modules D1 or G for Art. 7 and 8 (stored copy of gesetze.legal/eu/vo_eu_2023_1542/17)",
        "Decision No 768/2008/EC, Annex II (conformity-assessment modules)",
    ],
)


class MagnetRulesPlugin:
    """Answers the magnet hooks from the draft rule set, for every product group and date."""

    def __init__(self, rule_sets: list[MagnetRules]) -> None:
        self.rule_sets = rule_sets

    @hookimpl
    def footprint_magnet_rule_sets(self) -> list[MagnetRules]:
        return list(self.rule_sets)

    @hookimpl
    def footprint_magnet_rules(self, product_group: str, on_date: dt.date) -> MagnetRules | None:
        return next((rules for rules in reversed(self.rule_sets) if rules.covers(product_group)), None)


plugin = MagnetRulesPlugin([DRAFT])
