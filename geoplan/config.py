"""Defaults for every stage, in one frozen dataclass, and the settings file that changes them.

Each default says where it comes from. Change one with ``dataclasses.replace``::

    >>> from dataclasses import replace
    >>> cfg = replace(PlanConfig(), cell_size_m=50.0)
    >>> cfg.cell_size_m
    50.0

or with a settings file, ``geoplan.toml`` (:func:`load_settings`, docs/settings.md):
defaults < settings file < command-line options.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal, NamedTuple

from geoplan.errors import ConfigError
from geoplan.schema import COVERAGE_LAYERS, MODEL_NAMES, OPTIONAL_LAYERS
from geoplan.units import parse_money, parse_share

#: CRS of everything geoplan stores or writes: longitude, latitude in degrees (WGS 84).
STORAGE_CRS = "EPSG:4326"
#: CRS of every distance and area for Bắc Ninh: UTM zone 48N, metres.
WORK_CRS = "EPSG:32648"

# The QCVN layer's SINR/throughput defaults (issue 16), defined once: the PlanConfig
# fields below and the radio core (:mod:`geoplan.radio.sinr`) both take them from here.
#: Share of the REs every interfering sector occupies (PRB utilisation), 0..1: 50%, a
#: loaded network in operator planning practice; the 3GPP/ITU-R system-level evaluations
#: (TR 38.802, ITU-R M.2412) use full buffer, i.e. 1.0, the worst case.
DEFAULT_LOAD = 0.5
#: UE noise figure, dB: 7 dB, the UE of the ITU-R M.2412-0 evaluation configurations at
#: 4 GHz (recalled, not re-checked offline); 9 dB is the conservative end of 3GPP
#: practice (the range the issue states: 7–9 dB).
UE_NOISE_FIGURE_DB = 7.0
#: MIMO layers the rank adaptation may use (a 4-Rx n41/n78 handset does up to 4; 2 is
#: the cautious default, without receive-combining gain).
MAX_LAYERS = 2
#: Downlink share of a TDD frame: DDDSU with a 10:2:2 special slot (52 of 70 symbols),
#: a common n41/n77/n78 pattern (an assumption: the operators' patterns are not public).
TDD_DL_SHARE = 52 / 70
#: TS 38.306 §4.1.2 overhead of FR1 downlink (control channels and reference signals).
DL_OVERHEAD = 0.14
#: Most downlink MIMO layers NR defines (TS 38.211: up to 8 layers for one UE).
NR_MAX_DL_LAYERS = 8

#: Command-line option of each setting, named in error messages.
OPTIONS: dict[str, str] = {
    "cell_size_m": "--cell-size-m",
    "sites_per_phase": "--sites-per-phase",
    "solver_time_limit_s": "--time-limit",
    "seed": "--seed",
    "coverage_model": "--model",
    "plan_target_share": "--target",
    "plan_min_commune_share": "--min-commune-share",
    "dem_paths": "--dem",
    "coverage_layer": "--coverage",
    "optional_layers": "--layers",
}


@dataclass(frozen=True)
class PlanConfig:
    """Settings shared by the pipeline stages.

    Attributes
    ----------
    coverage_model
        The coverage model used when none is named: ``"38901"``, the TR 38.901 link
        budget on each operator's carrier (the default), or ``"radius"``, assumed radii
        per environment (a simple, labelled option).
    storage_crs, work_crs
        Data is stored in EPSG:4326; distances and areas are computed in
        EPSG:32648 (UTM zone 48N, which contains the whole province).
    cell_size_m
        Side of the population work grid, metres.
    downscale_method
        ``"smooth"`` (bilinear density, renormalised so every 1 km source cell keeps
        its total) or ``"uniform"`` (each source cell spread evenly).
    density_window_m
        Population density is averaged over this square window before it classes a
        place as urban, suburban or rural (1 km, the grid of the GHSL method).
    urban_density_per_km2, suburban_density_per_km2
        Thresholds of the EU/GHSL Degree of Urbanisation (Eurostat 2021, *Applying the
        Degree of Urbanisation*): urban centre cells >= 1,500 people/km², urban
        cluster cells >= 300 people/km²; below that, rural.
    radius_urban_m, radius_suburban_m, radius_rural_m
        Outdoor reach of one n78 (3.5 GHz) macro site per environment for the
        ``radius`` model. Order of magnitude from a TR 38.901 link budget for a
        64T64R macro cell (UMa NLOS reaches about 1 km at RSRP -110 dBm with 8 dB
        shadow-fading margin; suburban and rural sites sit higher over lower
        clutter). They are the model's assumption, printed with every result; the
        radio model (issue 4) replaces them with the link budget itself.
    cell_edge_reliability, rsrp_threshold_dbm
        The radio model's coverage criterion: a place is covered when its planning
        RSRP reaches ``rsrp_threshold_dbm`` (−110 dBm SS-RSRP, a common operator design
        target for the edge of outdoor 5G) in ``cell_edge_reliability`` (0.90) of
        shadow-fading draws; see :class:`geoplan.radio.link_budget.LinkBudget`.
    seed
        Seed of every random step (synthetic sites, candidate clusters, probe draws).
    dem_paths
        DEM files (SRTM ``.hgt`` or GeoTIFF, any CRS) for the radio model's terrain
        diffraction (``--dem``); empty means the embedded DEMs (SRTM 3″ where it has
        data, ETOPO 2022 60″ elsewhere), ``("flat",)`` means flat earth.
    capex_new_tower_vnd, capex_upgrade_vnd
        Investment per new 5G macro site on a new tower, and per 5G upgrade of an
        existing (4G) site, in VND. Assumptions, not quotes: a new site is tower,
        civil works and power (about 0.8 billion VND) plus a three-sector 64T64R n78
        radio set (about 1.2 billion VND); an upgrade is the radio set only. Replace
        them with the operator's own figures.
    state_support_share
        Share (0..1) of the investment the state may cover: "up to 15%" of equipment cost
        for operators that deploy 20,000 5G stations (National Assembly Resolution
        193/2025/QH15, Decree 88/2025/ND-CP). Applied to the whole CAPEX, so it is
        an upper bound.
    plan_target_share
        Default coverage target of ``geoplan plan``, a share of people in (0, 1] (the
        province's 80% goal).
    plan_min_commune_share
        Default floor of ``geoplan plan``: every commune at least this covered share
        after the plan, 0..1 (``--min-commune-share``); 0 means no floor.
    candidate_spacing_factor
        Grid candidates are spaced by this factor times the model's typical range
        (the population-weighted median reach over uncovered cells).
    candidate_clusters
        Number of population-weighted KMeans centres of uncovered people added to
        the grid candidates.
    candidate_min_population
        A grid square becomes a candidate only if it holds this many uncovered people.
    upgrade_candidates
        Offer the operators' 4G sites without 5G (the synthetic 4G layer,
        ``geoplan/data/stations/bacninh_4g_sites_synthetic.csv``) as upgrade candidates at
        ``capex_upgrade_vnd`` beside the new towers; a plan for one operator gets only its
        own. False plans with new towers (and ``--candidates``) only.
    sites_per_phase
        Default phase size of the build order, sites (>= 1).
    solver_time_limit_s, solver_mip_rel_gap
        HiGHS limits of the exact solver: wall-clock seconds, and the relative gap at
        which it stops (the gap it reaches is reported either way).
    greedy_lp_bound_s
        A greedy plan also solves the LP relaxation (HiGHS interior point, about 4 s on
        the province) for a proven bound, so that its gap is honest; this caps that
        step in seconds (0 turns it off and keeps greedy's own, weaker bound).
    equity_floor_share
        Every plan reports the communes left below this covered share (0..1) and what
        lifting them to it would cost (50%: "no commune below half").
    coverage_layer
        What "covered" means for the headline share and the optimiser (``--coverage``):
        ``"signal"`` (downlink outdoors, the default), ``"usable"`` (the uplink closes
        too), ``"indoor"`` (downlink behind the building's wall) or ``"qcvn"`` (the
        signal and QCVN 126's downlink throughput under load; computed then, and not a
        plan's target); 38901 model only.
    optional_layers
        Layers computed only when asked (``--layers qcvn``): ``("qcvn",)`` adds the
        SINR/throughput layer to the report (3-6x the coverage's time); 38901 only.
    ue_power_dbm
        Handset power of the uplink budget: 23 dBm (power class 3; 26 dBm is power
        class 2, allowed on n41/n77/n78/n79).
    uplink_edge_rate_urban_kbps, uplink_edge_rate_suburban_kbps, uplink_edge_rate_rural_kbps
        Cell-edge uplink rate a usable place must reach, kbit/s, by environment: TR
        38.830's eMBB coverage targets, 1,000 urban (suburban takes it) and 100 rural.
    tdd_uplink_share
        Share of a TDD carrier's frame that carries uplink data, 0..1: 0.2, the U slot
        of DDDSU.
    gnb_noise_figure_db
        gNB receiver noise figure, dB: 5 (ITU-R M.2412-0).
    uplink_interference_margin_db
        Uplink noise rise from other cells' users, dB: 2 (an assumption).
    indoor_share_urban, indoor_share_suburban, indoor_share_rural
        Share of people indoors, 0..1, by environment: 80%, 80%, 50% (TR 38.901 Table
        7.2-1); weighs the indoor and outdoor layers into ``indoor_weighted``.
    high_loss_share_urban, high_loss_share_suburban, high_loss_share_rural
        Share of indoor people in high-loss (IRR-glass) buildings, 0..1: 20%, 20%, 0%
        (ITU-R M.2412-0's urban mix; TR 38.901 applies only the low-loss model to RMa).
    sinr_load_share
        The QCVN layer's load: share of the REs every interfering sector occupies, 0..1:
        0.5, a loaded network in operator planning practice (3GPP/ITU-R system-level
        evaluations, TR 38.802 and ITU-R M.2412, use full buffer: 1.0). A user in a
        loaded cell gets the share 1 − load of its cell (:data:`DEFAULT_LOAD`).
    sinr_user_share
        Share of its cell's REs the loaded user gets, (0, 1], or None (the settings
        file's ``"auto"``): 1 − load, the processor-sharing mean of a cell as loaded as
        its neighbours. Set it with a load of 1 (full buffer), which leaves 1 − load = 0.
    ue_noise_figure_db
        UE noise figure of the downlink SINR, dB: 7 (the ITU-R M.2412-0 UE at 4 GHz,
        recalled, not re-checked offline; 9 dB is the conservative end of 3GPP practice).
    mimo_layers
        Downlink MIMO layers the rank adaptation may use, 1..8: 2, cautious for a 4-Rx
        n41/n78 handset, without receive-combining gain.
    tdd_downlink_share
        Downlink share of a TDD carrier's frame, (0, 1]: 52/70, DDDSU with a 10:2:2
        special slot, a common n41/n77/n78 frame (an assumption: the operators' patterns
        are not public); FDD carriers (n28) use 1.
    downlink_overhead_share
        Downlink overhead (control channels, reference signals), [0, 1): 0.14, TS 38.306
        §4.1.2 for FR1.
    """

    coverage_model: str = "38901"
    storage_crs: str = STORAGE_CRS
    work_crs: str = WORK_CRS
    cell_size_m: float = 100.0
    downscale_method: str = "smooth"
    density_window_m: float = 1000.0
    urban_density_per_km2: float = 1500.0
    suburban_density_per_km2: float = 300.0
    radius_urban_m: float = 1000.0
    radius_suburban_m: float = 1500.0
    radius_rural_m: float = 2500.0
    cell_edge_reliability: float = 0.90
    rsrp_threshold_dbm: float = -110.0
    seed: int = 20250701
    dem_paths: tuple[str, ...] = ()
    capex_new_tower_vnd: float = 2.0e9
    capex_upgrade_vnd: float = 1.2e9
    state_support_share: float = 0.15
    plan_target_share: float = 0.80
    plan_min_commune_share: float = 0.0
    candidate_spacing_factor: float = 1.0
    candidate_clusters: int = 300
    candidate_min_population: float = 50.0
    upgrade_candidates: bool = True
    sites_per_phase: int = 25
    solver_time_limit_s: float = 600.0
    solver_mip_rel_gap: float = 0.005
    greedy_lp_bound_s: float = 30.0
    equity_floor_share: float = 0.5
    coverage_layer: str = "signal"
    optional_layers: tuple[str, ...] = ()
    ue_power_dbm: float = 23.0
    uplink_edge_rate_urban_kbps: float = 1000.0
    uplink_edge_rate_suburban_kbps: float = 1000.0
    uplink_edge_rate_rural_kbps: float = 100.0
    tdd_uplink_share: float = 0.2
    gnb_noise_figure_db: float = 5.0
    uplink_interference_margin_db: float = 2.0
    indoor_share_urban: float = 0.8
    indoor_share_suburban: float = 0.8
    indoor_share_rural: float = 0.5
    high_loss_share_urban: float = 0.2
    high_loss_share_suburban: float = 0.2
    high_loss_share_rural: float = 0.0
    sinr_load_share: float = DEFAULT_LOAD
    sinr_user_share: float | None = None
    ue_noise_figure_db: float = UE_NOISE_FIGURE_DB
    mimo_layers: int = MAX_LAYERS
    tdd_downlink_share: float = TDD_DL_SHARE
    downlink_overhead_share: float = DL_OVERHEAD

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, float | int) and not isinstance(value, bool):
                if not math.isfinite(value):
                    _bad(item.name, value, "a finite number")
        positive = (
            *("cell_size_m", "density_window_m", "radius_urban_m", "radius_suburban_m"),
            *("radius_rural_m", "candidate_spacing_factor", "solver_time_limit_s"),
        )
        for name in positive:
            if getattr(self, name) <= 0:
                _bad(name, getattr(self, name), "> 0")
        not_negative = ("capex_new_tower_vnd", "capex_upgrade_vnd", "candidate_clusters",
                        "candidate_min_population", "solver_mip_rel_gap", "greedy_lp_bound_s",
                        "suburban_density_per_km2")  # fmt: skip
        for name in not_negative:
            if getattr(self, name) < 0:
                _bad(name, getattr(self, name), ">= 0")
        if self.coverage_model not in MODEL_NAMES:
            _bad("coverage_model", self.coverage_model, f"one of {', '.join(MODEL_NAMES)}")
        if self.downscale_method not in ("smooth", "uniform"):
            _bad("downscale_method", self.downscale_method, "'smooth' or 'uniform'")
        if self.urban_density_per_km2 < self.suburban_density_per_km2:
            _bad("urban_density_per_km2", self.urban_density_per_km2,
                 f">= suburban_density_per_km2 ({self.suburban_density_per_km2:g})")  # fmt: skip
        if not 0 <= self.state_support_share <= 1:
            _bad("state_support_share", self.state_support_share, "a share in 0..1 (0.15 for 15%)")
        if not 0 < self.plan_target_share <= 1:
            _bad("plan_target_share", self.plan_target_share, "a share in (0, 1] (0.8 for 80%)")
        if not 0 <= self.equity_floor_share <= 1:
            _bad("equity_floor_share", self.equity_floor_share, "a share in 0..1 (0.5 for 50%)")
        if not 0 <= self.plan_min_commune_share <= 1:
            _bad("plan_min_commune_share", self.plan_min_commune_share,
                 "a share in 0..1 (0.5 for 50%; 0 for no floor)")  # fmt: skip
        if not 0.5 <= self.cell_edge_reliability < 1:
            _bad(
                "cell_edge_reliability",
                self.cell_edge_reliability,
                "a share in [0.5, 1) (0.9 for 90%)",
            )
        if not -156 <= self.rsrp_threshold_dbm <= -31:
            _bad("rsrp_threshold_dbm", self.rsrp_threshold_dbm,
                 "in -156..-31 dBm, the range a UE reports (TS 38.133)")  # fmt: skip
        if self.sites_per_phase < 1:
            _bad("sites_per_phase", self.sites_per_phase, "a whole number >= 1")
        self._check_layers()
        self._check_downlink()

    @property
    def qcvn_layer(self) -> bool:
        """True when the QCVN (SINR/throughput) layer is asked: ``--layers`` or ``--coverage``."""
        return "qcvn" in self.optional_layers or self.coverage_layer == "qcvn"

    def _check_layers(self) -> None:
        """The coverage layer and the uplink and indoor settings (issue 16)."""
        if self.coverage_layer not in COVERAGE_LAYERS:
            _bad("coverage_layer", self.coverage_layer, f"one of {', '.join(COVERAGE_LAYERS)}")
        given = self.optional_layers
        given = (given,) if isinstance(given, str) else tuple(given)  # JSON gives lists
        object.__setattr__(self, "optional_layers", given)
        for name in self.optional_layers:
            if name not in OPTIONAL_LAYERS:
                _bad("optional_layers", name, f"one of {', '.join(OPTIONAL_LAYERS)}")
        if not 0 <= self.ue_power_dbm <= 33:
            _bad("ue_power_dbm", self.ue_power_dbm,
                 "in 0..33 dBm (23 for power class 3, 26 for power class 2)")  # fmt: skip
        for name in ("uplink_edge_rate_urban_kbps", "uplink_edge_rate_suburban_kbps",
                     "uplink_edge_rate_rural_kbps"):  # fmt: skip
            if getattr(self, name) <= 0:
                _bad(name, getattr(self, name), "> 0 kbit/s (1000 for 1 Mbit/s)")
        if not 0 < self.tdd_uplink_share <= 1:
            _bad("tdd_uplink_share", self.tdd_uplink_share, "a share in (0, 1] (0.2 for DDDSU)")
        for name in ("gnb_noise_figure_db", "uplink_interference_margin_db"):
            if getattr(self, name) < 0:
                _bad(name, getattr(self, name), ">= 0 dB")
        for name in ("indoor_share_urban", "indoor_share_suburban", "indoor_share_rural",
                     "high_loss_share_urban", "high_loss_share_suburban",
                     "high_loss_share_rural"):  # fmt: skip
            if not 0 <= getattr(self, name) <= 1:
                _bad(name, getattr(self, name), "a share in 0..1 (0.8 for 80%)")

    def _check_downlink(self) -> None:
        """The QCVN layer's SINR and throughput settings (issue 16)."""
        if not 0 <= self.sinr_load_share <= 1:
            _bad("sinr_load_share", self.sinr_load_share,
                 "a share of REs in 0..1 (0.5 for 50%, 1 for full buffer)")  # fmt: skip
        user = self.sinr_user_share
        if user is not None and not (isinstance(user, float | int) and 0 < user <= 1):
            _bad("sinr_user_share", user, 'a share in (0, 1] (0.5 for 50%), or "auto" (1 − load)')
        if user is None and self.sinr_load_share == 1:
            _bad("sinr_load_share", self.sinr_load_share,
                 "below 1 while the user share is auto (1 − load leaves the loaded user "
                 "nothing): set sinr.user_share too, e.g. 0.5")  # fmt: skip
        if not 0 <= self.ue_noise_figure_db <= 30:
            _bad("ue_noise_figure_db", self.ue_noise_figure_db, "in 0..30 dB (7 for a handset)")
        layers = self.mimo_layers
        whole = isinstance(layers, int) and not isinstance(layers, bool)
        if not whole or not 1 <= layers <= NR_MAX_DL_LAYERS:
            _bad("mimo_layers", layers,
                 f"a whole number in 1..{NR_MAX_DL_LAYERS} (2; 4 for a 4-Rx handset)")  # fmt: skip
        if not 0 < self.tdd_downlink_share <= 1:
            _bad("tdd_downlink_share", self.tdd_downlink_share,
                 "a share in (0, 1] (0.743 for DDDSU)")  # fmt: skip
        if not 0 <= self.downlink_overhead_share < 1:
            _bad("downlink_overhead_share", self.downlink_overhead_share,
                 "a share in [0, 1) (0.14 for FR1, TS 38.306)")  # fmt: skip

    @property
    def uplink_edge_rates_kbps(self) -> tuple[float, float, float]:
        """Cell-edge uplink rate per environment, kbit/s, in the order of ``ENVIRONMENTS``."""
        return (self.uplink_edge_rate_urban_kbps, self.uplink_edge_rate_suburban_kbps,
                self.uplink_edge_rate_rural_kbps)  # fmt: skip

    @property
    def indoor_shares(self) -> tuple[float, float, float]:
        """Share of people indoors per environment, 0..1, in the order of ``ENVIRONMENTS``."""
        return (self.indoor_share_urban, self.indoor_share_suburban, self.indoor_share_rural)

    @property
    def high_loss_shares(self) -> tuple[float, float, float]:
        """Share of indoor people in high-loss buildings per environment, 0..1."""
        return (self.high_loss_share_urban, self.high_loss_share_suburban,
                self.high_loss_share_rural)  # fmt: skip

    @property
    def radii_m(self) -> tuple[float, float, float]:
        """Radius-model reach per environment, metres, in the order of ``ENVIRONMENTS``."""
        return (self.radius_urban_m, self.radius_suburban_m, self.radius_rural_m)


class SettingError(ConfigError):
    """A :class:`PlanConfig` field out of range, with the parts of its message.

    Attributes
    ----------
    name : the field
    value : the value refused
    expected : what it must be (``"> 0"``, ``"a share in 0..1 (0.15 for 15%)"``)
    """

    def __init__(self, name: str, value: object, expected: str) -> None:
        option = f" ({OPTIONS[name]})" if name in OPTIONS else ""
        super().__init__(f"setting {name}{option} must be {expected}, got {value!r}")
        self.name, self.value, self.expected = name, value, expected


def _bad(name: str, value: object, expected: str) -> None:
    """Raise the one-line :class:`SettingError` for setting ``name``."""
    raise SettingError(name, value, expected)


# --------------------------------------------------------------------- the settings file

#: The settings file read from the current folder when present.
SETTINGS_FILE_NAME = "geoplan.toml"
#: Environment variable naming another settings file; set but empty, no file is read.
SETTINGS_ENV = "GEOPLAN_CONFIG"
#: Kind of value of a settings-file key: how it is read and what it accepts.
ValueKind = Literal[
    "number", "whole", "share", "auto_share", "money", "text", "paths", "flag", "names"
]

#: The settings file's keys (``table.key``), each with its :class:`PlanConfig` field and
#: its kind of value, in the order of ``geoplan config show`` and docs/settings.md.
SETTINGS_KEYS: dict[str, tuple[str, ValueKind]] = {
    "seed": ("seed", "whole"),
    "coverage.model": ("coverage_model", "text"),
    "coverage.cell_size_m": ("cell_size_m", "number"),
    "coverage.layer": ("coverage_layer", "text"),
    "coverage.layers": ("optional_layers", "names"),
    "radio.cell_edge_reliability": ("cell_edge_reliability", "share"),
    "radio.rsrp_threshold_dbm": ("rsrp_threshold_dbm", "number"),
    "radio.dem": ("dem_paths", "paths"),
    "uplink.ue_power_dbm": ("ue_power_dbm", "number"),
    "uplink.edge_rate_urban_kbps": ("uplink_edge_rate_urban_kbps", "number"),
    "uplink.edge_rate_suburban_kbps": ("uplink_edge_rate_suburban_kbps", "number"),
    "uplink.edge_rate_rural_kbps": ("uplink_edge_rate_rural_kbps", "number"),
    "uplink.tdd_share": ("tdd_uplink_share", "share"),
    "uplink.noise_figure_db": ("gnb_noise_figure_db", "number"),
    "uplink.interference_margin_db": ("uplink_interference_margin_db", "number"),
    "indoor.share_urban": ("indoor_share_urban", "share"),
    "indoor.share_suburban": ("indoor_share_suburban", "share"),
    "indoor.share_rural": ("indoor_share_rural", "share"),
    "indoor.high_loss_share_urban": ("high_loss_share_urban", "share"),
    "indoor.high_loss_share_suburban": ("high_loss_share_suburban", "share"),
    "indoor.high_loss_share_rural": ("high_loss_share_rural", "share"),
    "sinr.load": ("sinr_load_share", "share"),
    "sinr.user_share": ("sinr_user_share", "auto_share"),
    "sinr.noise_figure_db": ("ue_noise_figure_db", "number"),
    "sinr.mimo_layers": ("mimo_layers", "whole"),
    "sinr.tdd_share": ("tdd_downlink_share", "share"),
    "sinr.overhead": ("downlink_overhead_share", "share"),
    "radius.urban_m": ("radius_urban_m", "number"),
    "radius.suburban_m": ("radius_suburban_m", "number"),
    "radius.rural_m": ("radius_rural_m", "number"),
    "population.downscale_method": ("downscale_method", "text"),
    "population.density_window_m": ("density_window_m", "number"),
    "population.urban_density_per_km2": ("urban_density_per_km2", "number"),
    "population.suburban_density_per_km2": ("suburban_density_per_km2", "number"),
    "costs.new_tower": ("capex_new_tower_vnd", "money"),
    "costs.upgrade": ("capex_upgrade_vnd", "money"),
    "costs.state_support": ("state_support_share", "share"),
    "plan.target": ("plan_target_share", "share"),
    "plan.min_commune_share": ("plan_min_commune_share", "share"),
    "plan.sites_per_phase": ("sites_per_phase", "whole"),
    "plan.equity_floor": ("equity_floor_share", "share"),
    "candidates.spacing_factor": ("candidate_spacing_factor", "number"),
    "candidates.clusters": ("candidate_clusters", "whole"),
    "candidates.min_population": ("candidate_min_population", "number"),
    "candidates.upgrades": ("upgrade_candidates", "flag"),
    "solver.time_limit_s": ("solver_time_limit_s", "number"),
    "solver.mip_rel_gap": ("solver_mip_rel_gap", "number"),
    "solver.greedy_lp_bound_s": ("greedy_lp_bound_s", "number"),
}
#: The settings-file key of each :class:`PlanConfig` field that a file may set.
FIELD_KEYS: dict[str, str] = {field: key for key, (field, _) in SETTINGS_KEYS.items()}
_KIND_WORDS: dict[str, str] = {
    "number": "a number",
    "whole": "a whole number",
    "share": 'a share in 0..1 or a percentage string (e.g. 0.8 or "80%")',
    "money": 'an amount in VND: a number or a string (e.g. 2e9 or "2 tỷ")',
    "text": "a string in quotes",
    "paths": 'a list of paths in quotes (e.g. ["srtm/N21E106.hgt"])',
    "flag": "true or false",
    "names": 'a list of names in quotes (e.g. ["qcvn"])',
    "auto_share": '"auto" or a share in 0..1 or a percentage string (e.g. "auto", 0.5, "50%")',
}
DEFAULT_SOURCE = "default"
CLI_SOURCE = "command line"


@dataclass(frozen=True)
class SettingsFile:
    """A settings file read and checked: its path and the fields it sets.

    Attributes
    ----------
    path : the file, as found (``geoplan.toml`` in the current folder, or as given)
    values : :class:`PlanConfig` field -> value, in the field's units (VND, 0..1, m, s)
    found_by : how it was found: ``"--config"``, ``"GEOPLAN_CONFIG"`` or ``"current folder"``
    """

    path: Path
    values: Mapping[str, Any]
    found_by: str = "--config"


class Setting(NamedTuple):
    """One effective setting: the :class:`PlanConfig` field, its value and its source.

    ``source`` is ``"default"``, the settings file's path, ``"command line"``, or
    ``"set by the program"`` (a value that none of these gave).
    """

    name: str
    value: Any
    source: str

    @property
    def key(self) -> str:
        """The name of the setting in the settings file (``costs.new_tower``)."""
        return FIELD_KEYS.get(self.name, self.name)

    def to_dict(self) -> dict[str, Any]:
        """``{"key", "name", "value", "source"}`` for JSON (tuples become lists)."""
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"key": self.key, "name": self.name, "value": value, "source": self.source}


def find_settings_file(
    explicit: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> tuple[Path, str] | None:
    """The settings file to read, and how it was found; None when there is none.

    ``explicit`` (``--config FILE``) comes first, then ``$GEOPLAN_CONFIG`` (set but
    empty: no file at all), then ``geoplan.toml`` in ``cwd`` (the current folder).

    Parameters
    ----------
    explicit : path or None
        The file named on the command line; it must exist.
    environ : mapping or None
        The environment (default ``os.environ``).
    cwd : path or None
        The folder searched for ``geoplan.toml`` (default: the current folder).

    Raises
    ------
    ConfigError
        When the file named by ``explicit`` or ``$GEOPLAN_CONFIG`` does not exist.
    """
    environ = os.environ if environ is None else environ
    if explicit is not None:
        return _existing(Path(explicit), "--config"), "--config"
    if SETTINGS_ENV in environ:
        named = environ[SETTINGS_ENV]
        return (_existing(Path(named), SETTINGS_ENV), SETTINGS_ENV) if named else None
    local = Path(SETTINGS_FILE_NAME) if cwd is None else Path(cwd) / SETTINGS_FILE_NAME
    return (local, "current folder") if local.is_file() else None


def load_settings(
    explicit: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> SettingsFile | None:
    """Find (:func:`find_settings_file`) and read (:func:`read_settings`) the settings file.

    Returns None when there is no settings file to read.
    """
    found = find_settings_file(explicit, environ, cwd)
    return None if found is None else read_settings(*found)


def read_settings(path: str | os.PathLike[str], found_by: str = "--config") -> SettingsFile:
    """Read and check a settings file (TOML): every key known, every value in range.

    Parameters
    ----------
    path : path
        The TOML file (UTF-8). Paths in it (``radio.dem``) are relative to its folder.
    found_by : str
        How it was found (kept in :class:`SettingsFile`).

    Returns
    -------
    SettingsFile
        The :class:`PlanConfig` fields it sets, in their units (VND, 0..1, m, s).

    Raises
    ------
    ConfigError
        One line naming the file and the key (or the line and column of a TOML
        syntax error) and the fix: an unknown key with the closest valid one, a value
        of the wrong type or out of range.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "geoplan.toml").write_text('[costs]\\nnew_tower = "2,5 tỷ"\\n', "utf-8")
    >>> read_settings(folder / "geoplan.toml").values
    {'capex_new_tower_vnd': 2500000000.0}
    >>> _ = (folder / "geoplan.toml").write_text('[costs]\\nnew_towr = 1\\n', "utf-8")
    >>> read_settings(folder / "geoplan.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geoplan.errors.ConfigError: ...: unknown setting costs.new_towr; did you mean costs.new_tower? ...
    """  # noqa: E501
    path = Path(path)
    values: dict[str, Any] = {}
    written: dict[str, Any] = {}
    for key, raw in _flat_items(_read_toml(path), path):
        field, kind = SETTINGS_KEYS[key]
        values[field], written[field] = _value(path, key, kind, raw), raw
    try:
        PlanConfig(**values)
    except SettingError as exc:
        key = FIELD_KEYS.get(exc.name, exc.name)
        if exc.name in written:
            raise ConfigError(f"{path}: {key} = {written[exc.name]!r}: must be {exc.expected}"
                              ) from None  # fmt: skip
        raise ConfigError(f"{path}: {key} (default {exc.value!r}) must be {exc.expected}; "
                          f"set {key} as well") from None  # fmt: skip
    return SettingsFile(path, values, found_by)


def effective_settings(
    config: PlanConfig,
    file: SettingsFile | None = None,
    cli_values: Mapping[str, Any] | None = None,
) -> list[Setting]:
    """Every setting a settings file may set, with its value in ``config`` and its source.

    Precedence is defaults < settings file < command line; a value that differs from
    the default and came from neither is ``"set by the program"``.

    Parameters
    ----------
    config : PlanConfig
        The settings in effect.
    file : SettingsFile or None
        The settings file read, if any.
    cli_values : mapping or None
        :class:`PlanConfig` fields given on the command line.

    Returns
    -------
    list of Setting
        ``(name, value, source)`` per field, in the order of :data:`SETTINGS_KEYS`.

    Examples
    --------
    >>> cfg = PlanConfig(cell_size_m=50.0, seed=7)
    >>> rows = effective_settings(cfg, SettingsFile(Path("my.toml"), {"seed": 7}),
    ...                           {"cell_size_m": 50.0})
    >>> [(s.key, s.value, s.source) for s in rows[:3]]
    [('seed', 7, 'my.toml'), ('coverage.model', '38901', 'default'), ('coverage.cell_size_m', 50.0, 'command line')]
    """  # noqa: E501
    cli_values = cli_values or {}
    file_values = file.values if file is not None else {}
    defaults = PlanConfig()
    rows = []
    for field in FIELD_KEYS:
        value = getattr(config, field)
        if field in cli_values:
            source = CLI_SOURCE
        elif field in file_values and file is not None:
            source = str(file.path)
        else:
            source = DEFAULT_SOURCE if value == getattr(defaults, field) else "set by the program"
        rows.append(Setting(field, value, source))
    return rows


def _existing(path: Path, named_by: str) -> Path:
    if path.is_dir():
        raise ConfigError(f"{named_by} {path}: is a folder; name the settings file (.toml)")
    if not path.is_file():
        raise ConfigError(f"{named_by} {path}: no such settings file; check the path")
    return path


def _read_toml(path: Path) -> dict[str, Any]:
    """The TOML document of ``path``; a BOM (Windows Notepad) is allowed."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: byte {exc.start} is not UTF-8; save the file as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        reason = re.sub(r"\s*\(at .*\)$", "", str(exc))
        place = f"line {where[1]}, column {where[2]}" if where else "at the end"
        raise ConfigError(f"{path}: {place}: {reason} (TOML syntax; key = value, strings in "
                          "quotes, see docs/settings.md)") from None  # fmt: skip


def _flat_items(document: Mapping[str, Any], path: Path) -> list[tuple[str, Any]]:
    """``(table.key, value)`` of the document, every key known."""
    items = []
    for name, value in document.items():
        if isinstance(value, dict) and name not in SETTINGS_KEYS:
            items += [(f"{name}.{sub}", raw) for sub, raw in value.items()]
        else:
            items.append((name, value))
    for key, raw in items:
        if key not in SETTINGS_KEYS:
            raise ConfigError(f"{path}: unknown setting {key}; {_suggestion(key)}")
        if isinstance(raw, dict):
            raise ConfigError(f"{path}: {key} is one value, not a table; write {key} = ...")
    return items


def _suggestion(key: str) -> str:
    """``did you mean ...?`` with the closest valid key, or the valid keys of the table."""
    leaf = key.rpartition(".")[2]
    if leaf in FIELD_KEYS:  # a PlanConfig field name
        return f"did you mean {FIELD_KEYS[leaf]} (the file's name for {leaf})?"
    close = difflib.get_close_matches(key, SETTINGS_KEYS, n=1, cutoff=0.6)
    if not close:
        leaves = {k.rpartition(".")[2]: k for k in SETTINGS_KEYS}
        close = [leaves[m] for m in difflib.get_close_matches(leaf, leaves, n=1, cutoff=0.7)]
    if close:
        return f"did you mean {close[0]}? (see docs/settings.md)"
    tables = sorted({k.partition(".")[0] for k in SETTINGS_KEYS if "." in k})
    return f"the tables are [{'], ['.join(tables)}] (see docs/settings.md)"


def _value(path: Path, key: str, kind: ValueKind, raw: Any) -> Any:
    """``raw`` from the TOML file as a value of ``kind``, or a one-line ConfigError."""
    where, asked = f"{path}: {key}", kind
    if kind == "auto_share":  # "auto": the program's rule (None), else a share
        if isinstance(raw, str) and raw.strip().casefold() == "auto":
            return None
        kind = "share"
    is_number = isinstance(raw, int | float) and not isinstance(raw, bool)
    try:
        if kind == "share" and isinstance(raw, str):
            return parse_share(raw)
        if kind == "money" and isinstance(raw, str):
            return parse_money(raw)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if kind in ("share", "money") and is_number and raw < 0:
        raise ConfigError(f"{where} = {raw!r} is negative: write a value >= 0")
    if kind == "share" and is_number and raw > 1:
        raise ConfigError(f'{where} = {raw!r} is not a share in 0..1: write {raw / 100:g} or '
                          f'"{raw:g}%"')  # fmt: skip
    if kind in ("number", "share", "money") and is_number:
        return float(raw)
    if kind == "whole" and is_number and float(raw).is_integer():
        return int(raw)
    if kind == "flag" and isinstance(raw, bool):
        return raw
    if kind == "text" and (isinstance(raw, str) or (is_number and isinstance(raw, int))):
        return str(raw)  # model = 38901 is meant as the name "38901"
    if (
        kind == "paths"
        and isinstance(raw, str | list)
        and all(isinstance(p, str) for p in ([raw] if isinstance(raw, str) else raw))
    ):
        paths = [raw] if isinstance(raw, str) else raw
        return tuple(str(path.parent / Path(p).expanduser()) for p in paths)  # from its folder
    if kind == "names" and isinstance(raw, list) and all(isinstance(n, str) for n in raw):
        return tuple(raw)
    raise ConfigError(f"{where} must be {_KIND_WORDS[asked]}, got {raw!r}")
