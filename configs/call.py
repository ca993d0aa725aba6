"""Schema of ``configs/call.yaml``: profile window, demo CDR sizes, featuriser, LightGBM and store.

The SMS schema's LightGBM, threshold and split sections are reused as-is so both models are
tuned, thresholded and split the same way.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from configs import StrictModel
from configs.sms import LightGBMConfig, ServeConfig, SplitConfig, ThresholdConfig


class WindowConfig(StrictModel):
    """Which CDRs feed a profile: an absolute [start, end) range, or the last N days of the data.

    The contest table was computed over one calendar month (March 2020), so a window is what
    makes builder output comparable with ``number_features_train.csv``.
    """

    start: datetime | None = None
    end: datetime | None = None
    last_days: int | None = Field(None, ge=1, le=3660)

    @model_validator(mode="after")
    def _one_kind(self) -> WindowConfig:
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
    def _night_ordered(self) -> ProfileConfig:
        if self.night_end_hour <= self.night_start_hour:
            raise ValueError("night_end_hour must be after night_start_hour")
        return self


class GangConfig(StrictModel):
    """Planted gangs (0 by default): groups of fraud numbers that share devices and victims.

    Member ``i`` of a gang calls from devices ``i`` and ``i+1`` (mod ``devices``) of its gang,
    so the gang is one connected group of shared devices; ``victim_share`` of its outgoing calls
    go to the gang's victim list. ``hard_negative_victim_share`` of delivery and sales outgoing
    calls also reach those victims, so shared callees alone do not single out a gang.
    """

    count: int = Field(0, ge=0, le=1000)
    size: int = Field(6, ge=2, le=200)
    devices: int = Field(3, ge=1, le=200)
    victims: int = Field(60, ge=1, le=100_000)
    victim_share: float = Field(0.8, ge=0.0, le=1.0)
    calls_between_members: int = Field(3, ge=0, le=1000)
    hard_negative_victim_share: float = Field(0.05, ge=0.0, le=1.0)


class HubConfig(StrictModel):
    """Hub callees (banks, couriers' service lines) that ``hub_call_share`` of normal and delivery
    outgoing calls reach: the numbers the links hub guard must not let link everyone."""

    count: int = Field(0, ge=0, le=100)
    call_share: float = Field(0.1, ge=0.0, le=1.0)


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
    gangs: GangConfig = GangConfig()
    hubs: HubConfig = HubConfig()


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


PARTITION_SETTINGS = ("leiden_resolution", "leiden_iterations", "large_graph_links", "leiden_iterations_large_graph", "seed")


class GraphConfig(StrictModel):
    """Graph features from the links between numbers (``features/graph``).

    ``pagerank_damping``: share of a random walk that keeps following links rather than jumping
    back to a known-fraud number. ``leiden_resolution``: higher → smaller dens.

    Leiden runs ``leiden_iterations`` passes (-1: until the partition stops improving). A graph of
    more than ``large_graph_links`` links gets ``leiden_iterations_large_graph`` passes instead: at
    carrier scale each pass costs minutes, and after the second the modularity gains are ~1e-5
    (200k numbers / 3.1 M links: 0.74638 after 2 passes, 0.74640 after all 8).
    """

    pagerank_damping: float = Field(0.85, gt=0, lt=1)
    pagerank_tolerance: float = Field(1e-12, gt=0, lt=1)  # power iteration stops when no seed set's ranks move more (L1)
    leiden_resolution: float = Field(1.0, gt=0)
    leiden_iterations: int = Field(-1, ge=-1)  # -1: until the partition stops improving
    large_graph_links: int = Field(1_000_000, ge=0)
    leiden_iterations_large_graph: int = Field(2, ge=-1)
    seed: int = 42
    min_labelled_for_share: int = Field(1, ge=1)  # fewer labelled neighbours → share is unknown (NaN)
    # A flagged caller's den leads its reasons when at least this share of the den's labelled
    # numbers is confirmed fraud (``graph_den_fraud_share``): a den where one number in ten is
    # known fraud is context, not the reason to act.
    den_reason_min_share: float = Field(0.5, ge=0.0, le=1.0)

    def partition_settings(self) -> dict[str, float | int]:
        """The settings that decide the Leiden communities (a model's dens, ``yunmao dens``'s):
        dens found with other ones are other communities, and a den id from one partition names
        none of the other's (``training/profiles.check_den_partition``)."""
        return {name: getattr(self, name) for name in PARTITION_SETTINGS}


class SharedDeviceConfig(StrictModel):
    """Numbers seen on one IMEI are linked pairwise. A device seen with more numbers than
    ``max_numbers_per_device`` is a placeholder or test IMEI, not a phone: it is skipped
    (pairs grow with the square of its numbers)."""

    max_numbers_per_device: int = Field(500, ge=2, le=100_000)


class SharedCalleesConfig(StrictModel):
    """Callers whose sets of called numbers overlap (MinHash + LSH, weight = estimated Jaccard).

    Hub guard: a callee called by more than ``max_callers_per_callee`` distinct numbers (bank,
    courier, customer-service lines) is dropped before MinHash; otherwise everyone who called
    the bank shares a callee and callers with few callees would link through it. Callers with
    fewer than ``min_callees`` distinct callees left are skipped: two numbers that each called
    the same two people are not evidence of a gang.
    """

    threshold: float = Field(0.3, gt=0.0, le=1.0)
    num_perm: int = Field(128, ge=16, le=1024)
    min_callees: int = Field(5, ge=1)
    max_callers_per_callee: int = Field(50, ge=2)
    seed: int = 1


class DirectCallConfig(StrictModel):
    """Calls between two numbers that are both subscribers in the data; weight = calls."""

    min_calls: int = Field(1, ge=1)


class LinksConfig(StrictModel):
    """``yunmao links build``: which links between numbers are derived from raw CDRs."""

    shared_device: SharedDeviceConfig = SharedDeviceConfig()
    shared_callees: SharedCalleesConfig = SharedCalleesConfig()
    direct_call: DirectCallConfig = DirectCallConfig()


class ProfileStoreConfig(StrictModel):
    """``url``: empty → SQLite at ``data_dir()/profiles.db``; ``sqlite:///PATH``; ``redis://…``."""

    url: str = ""
    key_prefix: str = Field("yunmao:profile:", min_length=1)

    @model_validator(mode="after")
    def _known_scheme(self) -> ProfileStoreConfig:
        if self.url and not self.url.startswith(("sqlite:///", "redis://", "rediss://", "unix://")):
            raise ValueError("url must be empty, sqlite:///PATH, redis://, rediss:// or unix://")
        return self


class CallConfig(StrictModel):
    name: str = "yunmao-call"
    experiment: str = "yunmao-call"
    split: SplitConfig = SplitConfig()
    serve: ServeConfig = ServeConfig()
    profiles: ProfileConfig = ProfileConfig()
    demo: DemoCallsConfig = DemoCallsConfig()
    features: CallFeatureConfig = CallFeatureConfig()
    links: LinksConfig = LinksConfig()
    graph: GraphConfig = GraphConfig()
    lightgbm: LightGBMConfig = LightGBMConfig()
    thresholds: ThresholdConfig = ThresholdConfig()
    profile_store: ProfileStoreConfig = ProfileStoreConfig()
    max_reasons: int = Field(5, ge=0, le=20)
