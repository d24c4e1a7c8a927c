"""Defaults for every stage, in one frozen dataclass.

Each default says where it comes from. Change one with ``dataclasses.replace``::

    >>> from dataclasses import replace
    >>> cfg = replace(PlanConfig(), cell_size_m=50.0)
    >>> cfg.cell_size_m
    50.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from geoplan.errors import ConfigError
from geoplan.schema import MODEL_NAMES

#: CRS of everything geoplan stores or writes: longitude, latitude in degrees (WGS 84).
STORAGE_CRS = "EPSG:4326"
#: CRS of every distance and area for Bắc Ninh: UTM zone 48N, metres.
WORK_CRS = "EPSG:32648"

#: Command-line option of each setting, named in error messages.
OPTIONS: dict[str, str] = {
    "cell_size_m": "--cell-size-m",
    "sites_per_phase": "--sites-per-phase",
    "solver_time_limit_s": "--time-limit",
    "seed": "--seed",
    "coverage_model": "--model",
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
    seed
        Seed of every random step (synthetic sites, candidate clusters, probe draws).
    dem_paths
        DEM files (SRTM ``.hgt`` or GeoTIFF, any CRS) for the radio model's terrain
        diffraction; empty means flat earth (``--dem``).
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
    candidate_spacing_factor
        Grid candidates are spaced by this factor times the model's typical range
        (the population-weighted median reach over uncovered cells).
    candidate_clusters
        Number of population-weighted KMeans centres of uncovered people added to
        the grid candidates.
    candidate_min_population
        A grid square becomes a candidate only if it holds this many uncovered people.
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
    seed: int = 20250701
    dem_paths: tuple[str, ...] = ()
    capex_new_tower_vnd: float = 2.0e9
    capex_upgrade_vnd: float = 1.2e9
    state_support_share: float = 0.15
    plan_target_share: float = 0.80
    candidate_spacing_factor: float = 1.0
    candidate_clusters: int = 300
    candidate_min_population: float = 50.0
    sites_per_phase: int = 25
    solver_time_limit_s: float = 600.0
    solver_mip_rel_gap: float = 0.005
    greedy_lp_bound_s: float = 30.0
    equity_floor_share: float = 0.5

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
        if self.sites_per_phase < 1:
            _bad("sites_per_phase", self.sites_per_phase, "a whole number >= 1")

    @property
    def radii_m(self) -> tuple[float, float, float]:
        """Radius-model reach per environment, metres, in the order of ``ENVIRONMENTS``."""
        return (self.radius_urban_m, self.radius_suburban_m, self.radius_rural_m)


def _bad(name: str, value: object, expected: str) -> None:
    """Raise the one-line :class:`ConfigError` for setting ``name``."""
    option = f" ({OPTIONS[name]})" if name in OPTIONS else ""
    raise ConfigError(f"setting {name}{option} must be {expected}, got {value!r}")
