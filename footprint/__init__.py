"""footprint: life-cycle environmental footprints of EU critical raw materials.

Implements Regulation (EU) 2024/1252 Article 31 and Annex V: a producer's study is checked
against the Annex V system boundary, computed with Brightway and the EF 3.1 method,
declared, verified and classed.
"""

__version__ = "0.2.0"
