"""Permanent magnets: the Art. 29 recycled-content declaration and the Art. 28 data-carrier record.

Regulation (EU) 2024/1252 asks two things of anyone placing on the market a product of the
groups Art. 28(1) lists (wind generators, motor vehicles, heat pumps, electric motors, ...):

- Art. 28(3)-(7): a data carrier on the product, linked to a unique product identifier, that
  gives the responsible person, the weight, location and chemical composition of each
  permanent magnet with its coatings, glues and additives, and how to remove the magnets;
- Art. 29(1): when the NdFeB, SmCo and AlNiCo magnets together weigh more than 0.2 kg, the
  share of Nd, Dy, Pr, Tb, B, Sm, Ni and Co in them that was recovered from post-consumer
  waste, published on a freely accessible website, calculated and verified under rules a
  delegated act (Art. 29(2)) sets. That act is not public yet, so footprint ships draft rules
  as a plugin (`footprint_materials.magnets`), marked as draft, every choice explained.

The flow is the footprint declaration's: product file -> `MagnetProduct` (pydantic) ->
scope (Art. 28, 29, exemptions) -> calculation (mass balance, shares) -> records (JSON sealed
with a content hash, HTML pages, QR code) -> `verify` rebuilds them from the product file.
"""
