"""Schema of ``configs/call.yaml``: profile window, demo CDR sizes, featuriser, LightGBM and store.

The SMS schema's LightGBM, threshold and split sections are reused as-is so both models are
tuned, thresholded and split the same way.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from configs import StrictModel
from configs.sms import LightGBMConfig, SplitConfig, ThresholdConfig


class WindowConfig(StrictModel):
    """Which CDRs feed a profile: an absolute [start, end) range, or the last N days of the data.

    The contest table was computed over one calendar month (March 2020), so a window is what
    makes builder output comparable with ``number_features_train.csv``.
    """

    start: datetime | None = None
    end: datetime | None = None
    last_days: int | None = Field(None, ge=1, le=3660)

    @model_validator(mode="after")
    def _one_kind(self) -> "WindowConfig":
        if self.last_days is not None and (self.start is not None or self.end is not None):
            raise ValueError("give either last_days or start/end, not both")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class ProfileConfig(StrictModel):
    window: WindowConfig = WindowConfig()
    short_call_seconds: int = Field(10, ge=1, le=600)
    night_start_hour: int = Field(0, ge=0, le=23)
    night_end_hour: int = Field(6, ge=1, le=24)

    @model_validator(mode="after")
    def _night_ordered(self) -> "ProfileConfig":
        if self.night_end_hour <= self.night_start_hour:
            raise ValueError("night_end_hour must be after night_start_hour")
        return self


class DemoCallsConfig(StrictModel):
    """Sizes of the generated demo CDRs (``yunmao data demo`` writes them under ``DIR/cdr/``)."""

    normal: int = Field(300, ge=1)
    delivery: int = Field(30, ge=0)
    sales: int = Field(30, ge=0)
    fraud: int = Field(40, ge=1)
    simbox_farms: int = Field(3, ge=0)
    sims_per_farm: int = Field(10, ge=2, le=500)
    days: int = Field(30, ge=2, le=366)
    start: datetime = datetime(2020, 3, 1)


class ColumnExclusion(StrictModel):
    """One column the call model never uses, and why (the reason is for the next reader)."""

    column: str = Field(min_length=1)
    reason: str = Field(min_length=3)


class CallFeatureConfig(StrictModel):
    """Columns the featuriser never uses; every other numeric column present at fit is used."""

    exclude: list[ColumnExclusion] = Field(default_factory=list)

    @property
    def excluded_columns(self) -> tuple[str, ...]:
        return tuple(item.column for item in self.exclude)


class GraphConfig(StrictModel):
    """Graph features from the links between numbers (``features/graph``).

    ``pagerank_damping``: share of a random walk that keeps following links rather than jumping
    back to a known-fraud number. ``leiden_resolution``: higher → smaller dens.
    """

    pagerank_damping: float = Field(0.85, gt=0, lt=1)
    leiden_resolution: float = Field(1.0, gt=0)
    leiden_iterations: int = Field(-1, ge=-1)  # -1: until the partition stops improving
    seed: int = 42
    min_labelled_for_share: int = Field(1, ge=1)  # fewer labelled neighbours → share is unknown (NaN)


class ProfileStoreConfig(StrictModel):
    """``url``: empty → SQLite at ``data_dir()/profiles.db``; ``sqlite:///PATH``; ``redis://…``."""

    url: str = ""
    key_prefix: str = Field("yunmao:profile:", min_length=1)

    @model_validator(mode="after")
    def _known_scheme(self) -> "ProfileStoreConfig":
        if self.url and not self.url.startswith(("sqlite:///", "redis://", "rediss://", "unix://")):
            raise ValueError("url must be empty, sqlite:///PATH, redis://, rediss:// or unix://")
        return self


class CallConfig(StrictModel):
    name: str = "yunmao-call"
    experiment: str = "yunmao-call"
    split: SplitConfig = SplitConfig()
    profiles: ProfileConfig = ProfileConfig()
    demo: DemoCallsConfig = DemoCallsConfig()
    features: CallFeatureConfig = CallFeatureConfig()
    graph: GraphConfig = GraphConfig()
    lightgbm: LightGBMConfig = LightGBMConfig()
    thresholds: ThresholdConfig = ThresholdConfig()
    profile_store: ProfileStoreConfig = ProfileStoreConfig()
    max_reasons: int = Field(5, ge=0, le=20)
