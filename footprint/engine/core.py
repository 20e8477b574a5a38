"""THE engine: one object, made once per command and passed to every step that solves.

Variants are classes (as bw2calc does it), chosen by a small pydantic config:

- `Engine` — the prepared route: the background solved once per method set (cached on
  disk and in memory), each study only its foreground. Every command runs on it.
- `OneOffEngine` — no cache: each study solved alone with one factorisation, only for what
  it needs (`compute_cold`); nothing is written.
- `ReferenceEngine` — bw2calc's own MultiLCA on foreground + background, the reference the
  tests compare the others against.

All three return the same `LcaOutcome` (tests: equal to 1e-9 relative). With
`verify_cache=True` a prepared background read from disk is checked against the
background's own matrices before it is used: a verdict never rests on unchecked derived data.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..background.packages import BackgroundLike
from ..errors import FootprintInputError
from ..methods import MethodSet
from .cache import prepare_background
from .prepared import PreparedBackground, check_prepared_matches
from .solve import LcaOutcome, aggregated_flows, compute_cold, compute_prepared


class EngineConfig(BaseModel):
    """How the engine solves; the CLI builds it from its flags."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["prepared", "one-off", "reference"] = Field(
        default="prepared", description="prepared background (default), one-off solve per study, or bw2calc's reference solve"
    )
    cache: bool = Field(default=True, description="Keep the prepared background on disk and reuse it")
    verify_cache: bool = Field(default=False, description="Check a prepared background read from disk against its source first")
    solver: Literal["pardiso", "umfpack", "superlu"] | None = Field(default=None, description="Sparse solver; None: the fastest installed")


class Engine:
    """The prepared route: each background prepared the first time it is met, then shared."""

    def __init__(
        self,
        config: EngineConfig | None = None,
        *,
        prepared: PreparedBackground | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config or EngineConfig()
        self.prepared = prepared
        self.progress = progress
        self._met: dict[tuple[str, str], PreparedBackground] = {}
        self.studies = 0

    def prepared_for(self, background: BackgroundLike, method_set: MethodSet) -> PreparedBackground:
        """The prepared background of `background` (given, remembered, cached or solved now)."""
        if self.prepared is not None:
            check_prepared_matches(self.prepared, background, method_set)
            return self.prepared
        key = (background.sha256, method_set.sha256)
        if key not in self._met:
            self._met[key] = prepare_background(
                background,
                method_set,
                cache=self.config.cache,
                solver=self.config.solver,
                progress=self.progress,
                trust_cache=not self.config.verify_cache,
            )
        return self._met[key]

    def adopt(self, prepared: PreparedBackground) -> None:
        """Use a background prepared elsewhere (a Dask worker gets it once from the client)."""
        self._met[(prepared.background_sha256, prepared.method_sha256)] = prepared

    @property
    def backgrounds(self) -> list[PreparedBackground]:
        return [self.prepared] if self.prepared is not None else list(self._met.values())

    def compute(self, inventory: Any, background: BackgroundLike, method_set: MethodSet) -> LcaOutcome:
        """Scores per category of the study's declared unit, with each foreground process's share."""
        self.studies += 1
        return compute_prepared(inventory, self.prepared_for(background, method_set))

    def elementary_flows(self, inventory: Any, background: BackgroundLike, method_set: MethodSet) -> dict[int, float]:
        """The study's aggregated inventory per declared unit (what an ILCD LCI dataset carries)."""
        return aggregated_flows(inventory, background, method_set, self.config.solver)


class OneOffEngine(Engine):
    """One study, one factorisation, nothing cached (`footprint declare --no-cache` on one study)."""

    def compute(self, inventory: Any, background: BackgroundLike, method_set: MethodSet) -> LcaOutcome:
        self.studies += 1
        if self.prepared is not None:
            return compute_prepared(inventory, self.prepared_for(background, method_set))
        return compute_cold(inventory, background, method_set, self.config.solver)


class ReferenceEngine(Engine):
    """bw2calc's MultiLCA on the whole system: what a Brightway user would compute."""

    def compute(self, inventory: Any, background: BackgroundLike, method_set: MethodSet) -> LcaOutcome:
        from .reference import reference_solve

        self.studies += 1
        return reference_solve(inventory, background, method_set)


_KINDS: dict[str, type[Engine]] = {"prepared": Engine, "one-off": OneOffEngine, "reference": ReferenceEngine}


def make_engine(
    config: EngineConfig | None = None,
    *,
    prepared: PreparedBackground | None = None,
    progress: Callable[[str], None] | None = None,
    **settings: Any,
) -> Engine:
    """The engine a config (or keyword settings: kind, cache, verify_cache, solver) asks for."""
    if config is not None and settings:
        raise FootprintInputError("give an EngineConfig or settings, not both", field="engine")
    config = config or EngineConfig(**settings)
    return _KINDS[config.kind](config, prepared=prepared, progress=progress)
