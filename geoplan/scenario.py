"""The facade for notebooks and the command line: a scenario loaded once and reused.

    >>> import geoplan
    >>> scenario = geoplan.load_scenario()          # the embedded default data
    >>> result = scenario.coverage()                 # radius model (the default)
    >>> 0.45 < result.covered_share < 0.55
    True

A :class:`Scenario` is the checked, gridded :class:`~geoplan.inputs.Inputs` of a run
with the questions people ask of it: coverage today, a plan, the coverage after it,
the map and the report.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geoplan import outputs  # lazy (PEP 562): folium and matplotlib load on first use
from geoplan.config import PlanConfig
from geoplan.coverage import combine_coverage, compute_coverage, coverage_by_operator
from geoplan.errors import ConfigError, InputError
from geoplan.grid import PopulationGrid
from geoplan.inputs import Inputs
from geoplan.io.atomic import atomic_path, check_writable
from geoplan.io.boundaries import read_communes
from geoplan.io.carriers import canonical_operator, read_carriers, read_market_shares
from geoplan.io.columns import STATION_COLUMNS, STATION_DEFAULTS
from geoplan.io.embedded import (
    DEFAULT_COMMUNES,
    DEFAULT_POPULATION,
    DEFAULT_SITES_4G,
    DEFAULT_STATIONS,
)
from geoplan.io.national import (
    BAC_NINH_CODE,
    find_province,
    province_data,
    read_provinces,
    units_path,
)
from geoplan.io.plan_folder import check_plan_communes
from geoplan.io.rasters import read_population_raster
from geoplan.io.recorded import is_synthetic, recorded_path
from geoplan.io.stations import read_stations
from geoplan.models import DEFAULT_MODEL, MODEL_NAMES, MODELS, CoverageModel, RadioModel, get_model
from geoplan.outputs import rasters
from geoplan.planning import check_plan_layer, plan_sites
from geoplan.population import build_population_grid
from geoplan.radio.terrain import FLAT_EARTH
from geoplan.results import CoverageResult, OperatorCoverage, Plan
from geoplan.schema import DEFAULT_LANG, PLANNED, CsvDialect, Lang
from geoplan.synthetic import (
    N_SITES_4G,
    Layer4GReport,
    SynthesisReport,
    stations_like_bac_ninh,
    synthesize_4g_sites,
    synthesize_stations,
)

if TYPE_CHECKING:
    import folium

PathLike = str | os.PathLike[str]
#: The settings a plan records that rebuild its scenario (every PlanConfig field).
PLAN_SETTINGS = frozenset(f.name for f in fields(PlanConfig))
#: A plan whose own share after differs more than this from the recomputed one is logged.
SHARE_AFTER_TOLERANCE = 5e-4

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scenario(Inputs):
    """Everything a coverage or planning run reads, already checked and gridded."""

    def model(self, model: str | CoverageModel | None = None) -> CoverageModel:
        """The coverage model ``model`` (a name of :data:`geoplan.models.MODELS`) for this grid.

        Parameters
        ----------
        model : str or CoverageModel
            A model name (``"radius"``, ``"38901"``), built for this scenario's settings
            and grid, or a model object, returned as it is.

        Returns
        -------
        CoverageModel
        """
        if model is None or isinstance(model, str):
            return get_model(model, self.config, self.grid)
        return model

    def coverage(self, model: str | CoverageModel | None = None) -> CoverageResult:
        """Covered people today, for the province and each commune.

        Parameters
        ----------
        model : str or CoverageModel
            A model name (``"radius"``, ``"38901"``) or a model object.

        Returns
        -------
        CoverageResult
            Covered people (people) and covered share (0..1), province-wide and per
            commune.
        """
        return compute_coverage(self.grid, self.sites(), self.model(model))

    def coverage_by_operator(
        self,
        model: str | CoverageModel | None = None,
        market_shares: pd.Series | None = None,
    ) -> OperatorCoverage:
        """Each operator's network alone, and the share of people their own operator covers.

        Parameters
        ----------
        model : str or CoverageModel
            A model name or object.
        market_shares : Series, optional
            Subscriber share per operator (default: the shipped, sourced table).
        """
        shares = market_shares if market_shares is not None else read_market_shares()
        return coverage_by_operator(self.grid, self.stations, self.sites(), self.model(model),
                                    shares)  # fmt: skip

    def coverage_summary(
        self, model: str | CoverageModel | None = None
    ) -> tuple[CoverageResult, dict[str, Any]]:
        """Today's coverage and its JSON-ready summary, every metric named plainly.

        The summary (``geoplan coverage --json``) gives, for the province and each
        commune: the expected share of people covered by any operator (``covered_share``,
        the headline), the share covered at the design reliability (``reliable_share``,
        a lower bound), the share covered by their own operator
        (``own_operator_share``, weighted by subscriber shares) and each operator's
        share (``by_operator``); the same two shares per coverage layer (``layers``:
        signal, usable, indoor, indoor_weighted, and qcvn when the model computes it,
        else its keys null; ``coverage_layer`` names the headline's); then the model's
        terrain and the other models' shares.
        """
        chosen = self.model(model)
        operators = self.coverage_by_operator(chosen)
        result = combine_coverage(self.grid, list(operators.by_operator.values()))
        payload: dict[str, Any] = result.to_dict() | operators.to_dict()
        per_commune = operators.communes.set_index("code")
        for row in payload["communes"]:
            extra = per_commune.loc[row["code"]]
            row["own_operator_share"] = round(float(extra["own_share"]), 6)
            row["own_operator_reliable_share"] = round(float(extra["own_reliable_share"]), 6)
            row["by_operator"] = {
                op: round(float(extra[f"share_{op}"]), 6) for op in operators.by_operator
            }
        _add_qcvn_by_operator(payload, operators)
        payload["stations_synthetic"] = self.stations_synthetic
        payload["terrain_used"] = bool(getattr(chosen, "terrain_used", False))
        # the same keys for every model: the radius model uses no terrain
        payload["terrain"] = (
            chosen.terrain_summary() if isinstance(chosen, RadioModel) else {"used": False}
        )
        payload["other_models"] = self.other_models(chosen.name)
        return result, payload

    def other_models(self, model: str) -> dict[str, dict[str, float]]:
        """Covered people and share under every registered model but ``model``.

        Parameters
        ----------
        model : str
            The name of the model to leave out (the one already reported).

        Returns
        -------
        dict
            By model name: ``covered_population`` (people, to 0.1) and
            ``covered_share`` (0..1, to 6 decimals).
        """
        others = {}
        for name in sorted(MODELS):
            if name != model:
                result = self.coverage(name)
                others[name] = {
                    "covered_population": round(result.covered_population, 1),
                    "covered_share": round(result.covered_share, 6),
                }
        return others

    def plan(self, target: float | None = None, **options: Any) -> Plan:
        """New sites to reach ``target`` (a share of people, 0..1).

        ``options`` are those of :func:`geoplan.planning.plan_sites` (``solver``,
        ``max_sites``, ``budget_vnd``, ``min_commune_share``, ``model`` …).

        Parameters
        ----------
        target : float or None
            Covered share of people to reach, in (0, 1]. None with no ``max_sites`` or
            ``budget_vnd`` means ``config.plan_target_share``.
        **options
            Keyword arguments of :func:`geoplan.planning.plan_sites`; money in VND,
            shares 0..1, ``time_limit_s`` in seconds.

        Returns
        -------
        Plan
            The new sites in build order, phases, communes before/after, curve, summary.
        """
        return plan_sites(self, target, **options)

    def plan_by_operator(self, target: float | None = None, **options: Any) -> dict[str, Plan]:
        """One plan per operator: each operator's own network to ``target`` on its own carrier.

        A subscriber gets 5G only from their own operator, so for every operator's
        subscribers (spread like the population) to reach the target, every operator's
        network must. ``options`` are those of :meth:`plan`.
        """
        return {
            op: self.for_operator(op).plan(target, **options) for op in self.planning_operators()
        }

    def planning_operators(self) -> list[str]:
        """Today's operators that hold a 5G carrier (:meth:`plan_by_operator` plans each)."""
        held = set(read_carriers()["operator"])
        return [op for op in self.operators.index if canonical_operator(op) in held]

    def coverage_after(
        self, plan: Plan, model: str | CoverageModel | None = None
    ) -> CoverageResult:
        """Coverage once ``plan`` is built, under ``model`` (default: the plan's own model).

        The stations are today's plus the plan's new sites (:meth:`after`). A plan made
        with the same model on the same scenario covers the share it claims (to
        rounding; a fresh plan of this scenario carries it, computed once by planning);
        when the two differ by more than :data:`SHARE_AFTER_TOLERANCE` (a
        plan made with another model, other stations or by hand) a warning is logged,
        and the result is what the model computes.

        Parameters
        ----------
        plan : Plan
            A fresh plan (:meth:`plan`) or one read back from a plan folder; its
            commune codes must match this scenario's.
        model : str, CoverageModel or None
            A model name or object; None uses the model the plan was made with.

        Returns
        -------
        CoverageResult
            Covered people (people) and share (0..1) with today's and the new sites.
        """
        check_plan_communes(plan, self.communes["code"])
        same_model = model is None or model == plan.summary.model
        if plan.coverage_after is not None and plan.planned_on is self and same_model:
            return plan.coverage_after  # planning computed it on these inputs, this model
        chosen = self.model(model if model is not None else plan.summary.model)
        after = self.after(plan).coverage(chosen)
        claimed = plan.covered_share_after  # the optimiser counts reliable coverage
        if abs(after.reliable_share - claimed) > SHARE_AFTER_TOLERANCE:
            log.warning(
                "the plan says %.2f%% of people are covered after it; the %s model gives "
                "%.2f%% with today's sites and the plan's (was the plan made with another "
                "model or other stations?); the footprint and hotspots after the plan show "
                "the latter",
                100 * claimed,
                chosen.name,
                100 * after.reliable_share,
            )
        return after

    def map(
        self,
        plan: Plan | None = None,
        *,
        model: str | CoverageModel | None = None,
        result: CoverageResult | None = None,
        **options: Any,
    ) -> folium.Map:
        """The offline meeting map of today's coverage (and ``plan``), inline in Jupyter.

        ``options`` go to :func:`geoplan.outputs.maps.coverage_map` (``lang="en"``,
        ``title`` …); save the map with :func:`geoplan.save_map`.

        Parameters
        ----------
        plan : Plan or None
            A plan whose new sites (by phase) and coverage after are added.
        model : str or CoverageModel
            The model for today's coverage; the coverage after the plan uses the same.
        result : CoverageResult or None
            Today's coverage when already computed (it is not computed again).
        **options
            Keyword arguments of :func:`geoplan.outputs.maps.coverage_map`.

        Returns
        -------
        folium.Map
        """
        today = result if result is not None else self.coverage(model)
        after = self.coverage_after(plan, today.model) if plan is not None else None
        return outputs.coverage_map(self, today, plan, after, **options)

    def report(
        self,
        out_dir: PathLike,
        plan: Plan | None = None,
        *,
        result: CoverageResult | None = None,
        model: str | CoverageModel | None = None,
        lang: Lang = DEFAULT_LANG,
        overwrite: bool = False,
        csv_dialect: CsvDialect = "plain",
    ) -> dict[str, Path]:
        """Write the meeting figures and tables into ``out_dir``; see
        :func:`geoplan.outputs.report.write_report`.

        Parameters
        ----------
        out_dir : str or path
            The folder, created if missing.
        plan : Plan or None
            A plan, for the coverage curve, the phases and the new sites' KML.
        result : CoverageResult or None
            Today's coverage, if already computed; None computes it with ``model``.
        model : str or CoverageModel
            The model for today's coverage when ``result`` is None (ignored otherwise).
        lang : str
            ``"vi"`` (default) or ``"en"``.
        overwrite : bool
            Replace existing files; when False nothing is written if any file exists.
        csv_dialect : str
            ``"plain"`` (comma, decimal point) or ``"vi-excel"`` (``;``, decimal comma,
            UTF-8 with BOM: what Excel in a Vietnamese locale opens as columns).

        Returns
        -------
        dict
            The written file paths, by kind (``map_png``, ``csv``, ``gpkg`` …).
        """
        today = result if result is not None else self.coverage(model)
        return outputs.write_report(
            out_dir, self, today, plan, lang=lang, overwrite=overwrite, csv_dialect=csv_dialect
        )

    def brief(
        self, path: PathLike, plan: Plan, *, lang: Lang = DEFAULT_LANG, overwrite: bool = False
    ) -> Path:
        """Write the one-page A4 brief of ``plan`` (PDF, or PNG by the suffix).

        Parameters
        ----------
        path : str or path
            ``brief.pdf``.
        plan : Plan
            The plan: headline, map after it, phases, communes left behind.
        lang : str
            ``"vi"`` (default) or ``"en"``.
        overwrite : bool
            Replace an existing file.
        """
        return outputs.write_brief(
            path, plan, self.communes, self.stations, lang=lang, overwrite=overwrite
        )

    @staticmethod
    def headline(plan: Plan, lang: Lang = DEFAULT_LANG) -> list[str]:
        """The plan's headline sentences (today → after, sites, gross/support/net, equity).

        Parameters
        ----------
        plan : Plan
        lang : str
            ``"vi"`` (default) or ``"en"``.
        """
        return outputs.headline_lines(plan, lang)

    def with_stations(self, stations: gpd.GeoDataFrame) -> Scenario:
        """The same scenario with another station set (e.g. one operator's sites).

        Parameters
        ----------
        stations : GeoDataFrame
            Station points with the standard station columns; communes, grid, settings
            and sources are kept.
        """
        return replace(self, stations=stations)

    def after(self, plan: Plan) -> Scenario:
        """The same scenario with the plan's new sites built beside today's stations.

        The new sites get ``operator`` and ``source`` ``"planned"`` (so
        :attr:`stations_synthetic` is False for the result: not every site is
        synthetic), the plan's ``kind`` and ``phase``, and the station columns of
        the candidates they came from when ``plan`` is fresh (``scenario.plan``). A
        plan folder (:func:`~geoplan.io.plan_folder.read_plan`) has no antenna data
        unless its ``new_sites.csv`` carries station columns; what is missing comes
        from :data:`~geoplan.io.columns.STATION_DEFAULTS`, as for generated candidates.

        Parameters
        ----------
        plan : Plan
            The plan whose ``new_sites`` (``lon``, ``lat`` in degrees) are added.

        >>> scenario = load_scenario()                              # doctest: +SKIP
        >>> plan = scenario.plan(target=0.8, solver="greedy")       # doctest: +SKIP
        >>> scenario.after(plan).coverage().covered_share           # doctest: +SKIP
        0.80...
        """
        crs = self.config.storage_crs
        planned = _planned_stations(plan, crs)
        if planned.empty:
            return self.with_stations(self.stations.copy())
        both = pd.concat([self.stations.to_crs(crs), planned], ignore_index=True)
        return self.with_stations(gpd.GeoDataFrame(both, geometry="geometry", crs=crs))

    def for_operator(self, operator: str) -> Scenario:
        """The same scenario with only ``operator``'s sites (case and spaces ignored).

        Parameters
        ----------
        operator : str
            An operator name as in the station file's ``operator`` column (``Viettel``,
            ``VNPT``, ``MobiFone`` …). Raises :class:`~geoplan.errors.InputError`,
            listing the operators there, when no site has it.

        >>> load_scenario().for_operator("Viettel").stations["operator"].unique()  # doctest: +SKIP
        array(['Viettel'], dtype=object)
        """
        names = self.stations["operator"].astype(str).str.strip()
        keep = (names.str.casefold() == operator.strip().casefold()) | (
            names.map(canonical_operator) == canonical_operator(operator)
        )  # "VinaPhone" is VNPT's
        if not keep.any():
            known = ", ".join(sorted(names.unique())) or "none"
            raise InputError(
                f"{self.sources.get('stations', 'stations')}: no sites of operator "
                f"{operator!r}; operators there: {known}"
            )
        return self.with_stations(self.stations[keep.to_numpy()].reset_index(drop=True))

    @property
    def operators(self) -> pd.Series:
        """Number of sites per operator, most first."""
        return self.stations["operator"].astype(str).str.strip().value_counts().rename("sites")

    def __repr__(self) -> str:
        return (
            f"Scenario({len(self.communes)} communes, "
            f"{self.grid.population.sum():,.0f} people on a {self.grid.cell_size_m:g} m grid, "
            f"{self._sites_text()})"
        )

    def _sites_text(self) -> str:
        """'290 synthetic sites', or by source: '290 synthetic + 184 planned sites'."""
        if not len(self.stations):
            return "no sites"
        known = {"synthetic", "planned"}
        source = (
            self.stations["source"].astype(str).where(lambda s: s.isin(known), "user")
        )  # any other source is the user's own list
        counts = source.value_counts().reindex(["user", "synthetic", "planned"]).dropna()
        return " + ".join(f"{int(n)} {kind}" for kind, n in counts.items()) + " sites"


def _add_qcvn_by_operator(payload: dict[str, Any], operators: OperatorCoverage) -> None:
    """The QCVN layer's own-operator and per-operator shares into the summary's layers."""
    qcvn = operators.qcvn_dict()
    if qcvn is None:
        return
    province, rows = qcvn
    payload["layers"]["qcvn"].update(province)
    for row, extra in zip(payload["communes"], rows, strict=True):
        row["layers"]["qcvn"].update(extra)


def _planned_stations(plan: Plan, crs: str) -> gpd.GeoDataFrame:
    """A plan's new sites as a station frame (standard columns, points in ``crs``)."""
    sites = pd.DataFrame(plan.new_sites.drop(columns="geometry")).reset_index(drop=True)
    if sites.empty:
        return gpd.GeoDataFrame(geometry=[], crs=crs)
    table = sites[["site_id", "kind", "phase", "lon", "lat"]].copy()
    table = table.astype({"site_id": str, "phase": "Int64"})  # Int64 survives the concat
    if plan.candidates is not None:  # a fresh plan's candidates hold antenna height, band …
        candidates = pd.DataFrame(plan.candidates.frame.drop(columns="geometry"))
        radio = [c for c in candidates if c not in (*table, "candidate_id", "operator", "source")]
        candidates["candidate_id"] = candidates["candidate_id"].astype(str)
        table = table.join(candidates.set_index("candidate_id")[radio], on="site_id")
    for column in STATION_COLUMNS:
        if column not in table and column in sites:
            table[column] = sites[column]  # a plan folder may carry its own antenna data
    for column, default in STATION_DEFAULTS.items():
        if column not in table:
            table[column] = default
        else:
            table[column] = table[column].fillna(default)
    table["operator"] = PLANNED
    table["source"] = PLANNED
    geometry = gpd.points_from_xy(table["lon"], table["lat"], crs=crs)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=crs)


def load_scenario(
    boundaries: PathLike | None = None,
    population: PathLike | None = None,
    stations: PathLike | None = None,
    config: PlanConfig | None = None,
    drop_outside: bool | None = None,
    province: str | int | None = None,
) -> Scenario:
    """Read and grid the inputs; any left out come from the embedded default data.

    Parameters
    ----------
    boundaries : commune polygons with official ``population`` (GeoJSON, GPKG …)
    population : population-count raster (people per cell, any CRS)
    stations : station file (CSV, XLSX, KML/KMZ, GeoJSON, GPKG, OpenCellID)
    config : settings (default :class:`PlanConfig`)
    drop_outside : None reads the stations as they are; False stops on stations
        outside the province (more than 5 km beyond it), True leaves them out
    province : a province code or name (``19``, ``"Thái Nguyên"``, ``"thai nguyen"``):
        its units of the national file, the national population grid, its own UTM
        zone, each commune scaled to its official population, and synthetic sites by
        Bắc Ninh's rules (not re-tuned) unless ``stations`` is given; None and Bắc
        Ninh (24) are the embedded default data
    """
    config = config or PlanConfig()
    if province is not None:
        if boundaries is not None:
            raise ConfigError("--province and --boundaries both choose the area; give one")
        return load_province(province, population, stations, config, drop_outside)
    sources = {
        "boundaries": Path(boundaries or DEFAULT_COMMUNES),
        "population": Path(population or DEFAULT_POPULATION),
        "stations": Path(stations or DEFAULT_STATIONS),
    }
    communes = read_communes(sources["boundaries"])
    grid = _grid(communes, sources["population"], config)
    station_frame = read_stations(
        sources["stations"],
        communes=None if drop_outside is None else communes,
        drop_outside=bool(drop_outside),
        config=config,
    )
    # Bắc Ninh's synthetic 4G layer goes with its (default) inputs: the upgrade candidates
    return Scenario(communes, grid, station_frame, config, sources, drop_outside,
                    sites_4g=DEFAULT_SITES_4G)  # fmt: skip


def load_plan_scenario(
    plan: Plan,
    boundaries: PathLike | None = None,
    population: PathLike | None = None,
    stations: PathLike | None = None,
    model: str | None = None,
    drop_outside: bool | None = None,
    province: str | int | None = None,
) -> Scenario:
    """The scenario ``plan`` was made with: the files and settings its ``plan.json`` records.

    A file given here must be the one the plan recorded (same SHA-256); one left out is
    read from where the plan found it. So a plan made with an operator's station file is
    mapped with that file, never silently with the synthetic sites. A plan of one
    province of the national data (``geoplan plan --province``, ``geoplan national
    plan``) is loaded as that province, its generated sites made again from the sites
    per operator it records.

    Parameters
    ----------
    plan : a plan (fresh, or read with :func:`geoplan.files.read_plan`)
    boundaries, population, stations : files to use; each must match the plan's
    model : coverage model to draw with (default: the plan's)
    drop_outside : as in :func:`load_scenario`
    province : the province asked for (``--province``); it must be the plan's

    Raises
    ------
    InputError
        One line when a given file or province differs from the plan's, or the plan's
        file is gone or changed.
    """
    recorded = plan.summary.inputs
    given = {"boundaries": boundaries, "population": population, "stations": stations}
    where = str(plan.path or "the plan")
    _check_plan_province(recorded.get("province"), province, where)
    if not recorded:  # a plan folder written before plans recorded their inputs
        log.warning("the plan records no input files; using the files given or the embedded data")
        return load_scenario(boundaries, population, stations, run_config(model), drop_outside,
                             province=province)  # fmt: skip
    generated = _generated_sites(recorded.get("stations"), stations, where)
    paths = {
        kind: recorded_path(kind, recorded[kind], path, where)
        if kind in recorded and not (kind == "stations" and generated is not None)
        else path
        for kind, path in given.items()
    }
    settings = {k: v for k, v in plan.summary.settings.items() if k in PLAN_SETTINGS}
    dems = [str(recorded_path("dem", record, None, where)) for record in recorded.get("dem", [])]
    settings["dem_paths"] = tuple(dems or settings.get("dem_paths") or ())  # "flat" stays flat
    if (model or plan.summary.model) != "38901":
        settings["dem_paths"] = ()  # a province's flat earth, which the radius model ignores
    config = run_config(model or plan.summary.model, **settings)
    if drop_outside is None:
        drop_outside = recorded.get("stations", {}).get("drop_outside")
    if "province" in recorded:
        units = (
            recorded_path("units", recorded["units"], None, where) if "units" in recorded else None
        )
        return load_province(
            recorded["province"], paths["population"], paths["stations"], config, drop_outside,
            units=units, synthetic_sites=generated,
        )  # fmt: skip
    if generated is not None:
        raise InputError(f"{where}: the plan's sites were generated for a province it does not "
                         "record; make the plan again with --province")  # fmt: skip
    return load_scenario(
        paths["boundaries"], paths["population"], paths["stations"], config, drop_outside
    )


def _check_plan_province(recorded: str | None, asked: str | int | None, where: str) -> None:
    """Refuse, in one line, ``--province`` naming another province than the plan's."""
    if asked is None:
        return
    wanted = find_province(asked, read_provinces(units_path()))
    if wanted.code == (recorded or (BAC_NINH_CODE if wanted.is_default else None)):
        return
    made_for = f"province {recorded}" if recorded else "the boundaries it records, not a province"
    raise InputError(
        f"--province {asked}: the plan in {where} was made for {made_for}; leave --province "
        "out to map the plan's own area"
    )


def _generated_sites(
    record: dict[str, Any] | None, stations: PathLike | None, where: str
) -> dict[str, int] | None:
    """The sites per operator of a plan whose stations were generated (None: a file)."""
    if record is None or not is_synthetic(record):
        return None
    if stations is not None:
        raise InputError(
            f"--stations {stations}: the plan in {where} was made with {record['synthetic']} "
            "(generated, no file); leave --stations out, or make the plan again with this file"
        )
    return {str(k): int(v) for k, v in record["operator_sites"].items()}


def load_province(
    province: str | int,
    population: PathLike | None = None,
    stations: PathLike | None = None,
    config: PlanConfig | None = None,
    drop_outside: bool | None = None,
    *,
    units: PathLike | None = None,
    synthetic_sites: int | dict[str, int] | None = None,
) -> Scenario:
    """The scenario of one province of the national data (``load_scenario(province=...)``).

    Parameters
    ----------
    province : a province code or name (see :func:`geoplan.io.national.find_province`)
    population : population raster (default: the national WorldPop 1 km grid)
    stations : station file (default: synthetic sites by Bắc Ninh's rules)
    config : settings; ``work_crs`` becomes the province's UTM zone, and with no
        ``dem_paths`` the radio model runs on flat earth (the embedded DEMs cover Bắc
        Ninh only)
    drop_outside : as for :func:`load_scenario`
    units : the national units file (default: the shipped one)
    synthetic_sites : without ``stations``, the synthetic sites to place: a number, or
        sites per operator (the national network's share); default Bắc Ninh's sites per
        person (Bắc Ninh itself: its shipped 290 sites)
    """
    data = province_data(province, units, population)
    if data.province.is_default and (stations is not None or synthetic_sites is None):
        return load_scenario(None, population, stations, config, drop_outside)  # the default
    sources = {"units": Path(units) if units is not None else units_path()}
    config = config or PlanConfig()
    if not data.province.is_default:  # the embedded DEMs cover Bắc Ninh only: elsewhere
        dem_paths = config.dem_paths or (FLAT_EARTH,)  # flat earth unless --dem is given
        config = replace(config, work_crs=data.province.work_crs, dem_paths=dem_paths)
    grid = _grid(data.communes, data.population, config)
    if stations is None:
        label = f"synthetic sites of {data.province.name}"
        sites = data.n_synthetic_sites if synthetic_sites is None else synthetic_sites
        station_frame = _synthetic_sites(grid, sites, config, label)
    else:
        label = str(stations)
        station_frame = read_stations(
            stations, communes=None if drop_outside is None else data.communes,
            drop_outside=bool(drop_outside), config=config,
        )  # fmt: skip
    sources |= {"boundaries": data.boundaries, "population": data.population,
                "stations": Path(label)}  # fmt: skip
    read_as = drop_outside if stations is not None else None
    sites_4g = DEFAULT_SITES_4G if data.province.is_default else None  # Bắc Ninh's layer only
    return Scenario(
        data.communes, grid, station_frame, config, sources, read_as, data.province.code, sites_4g
    )


def _synthetic_sites(
    grid: PopulationGrid, sites: int | dict[str, int], config: PlanConfig, label: str
) -> gpd.GeoDataFrame:
    """Bắc Ninh's rules for ``sites`` (a number or per operator); none when there are none."""
    total = sites if isinstance(sites, int) else sum(sites.values())
    if total:
        return stations_like_bac_ninh(grid, sites, config, label)
    # place one site to get the station columns, then keep none
    return stations_like_bac_ninh(grid, 1, config, label).iloc[:0]


def _grid(communes: gpd.GeoDataFrame, population: Path, config: PlanConfig) -> PopulationGrid:
    raster = read_population_raster(population, bounds=tuple(communes.total_bounds))
    return build_population_grid(communes, raster, config)


def synthesize(
    out: PathLike,
    n_sites: int = 290,
    target_share: float = 0.50,
    *,
    boundaries: PathLike | None = None,
    population: PathLike | None = None,
    model: str | None = None,
    config: PlanConfig | None = None,
    overwrite: bool = False,
) -> tuple[gpd.GeoDataFrame, SynthesisReport]:
    """Generate the synthetic site set (seeded by ``config.seed``) and write it as CSV.

    Parameters
    ----------
    out : the CSV file to write
    n_sites : number of sites
    target_share : covered share of people the set is calibrated to, 0..1
    boundaries, population : inputs (default: the embedded data)
    model : the coverage model whose share is calibrated
    config : settings; ``config.seed`` seeds the generator
    overwrite : replace an existing file
    """
    config = config or PlanConfig()
    check_writable(out, overwrite)
    communes = read_communes(boundaries or DEFAULT_COMMUNES)
    grid = _grid(communes, Path(population or DEFAULT_POPULATION), config)
    frame, report = synthesize_stations(
        grid, n_sites, target_share, config.seed, model=get_model(model, config, grid),
        config=config,
    )  # fmt: skip
    with atomic_path(out, overwrite) as tmp:
        frame.drop(columns="geometry").to_csv(tmp, index=False)
    return frame, report


def synthesize_4g(
    out: PathLike,
    n_sites: int | None = None,
    *,
    stations: PathLike | None = None,
    boundaries: PathLike | None = None,
    population: PathLike | None = None,
    config: PlanConfig | None = None,
    overwrite: bool = False,
) -> tuple[gpd.GeoDataFrame, Layer4GReport]:
    """Generate the synthetic 4G layer (seeded by ``config.seed``) and write it as CSV.

    Parameters
    ----------
    out : the CSV file to write
    n_sites : number of 4G sites over all operators (default 3,957, the province's BTS)
    stations : today's 5G sites, each kept as one of its operator's 4G sites (default:
        the embedded synthetic set)
    boundaries, population : inputs (default: the embedded data)
    config : settings; ``config.seed`` seeds the generator
    overwrite : replace an existing file
    """
    config = config or PlanConfig()
    check_writable(out, overwrite)
    communes = read_communes(boundaries or DEFAULT_COMMUNES)
    grid = _grid(communes, Path(population or DEFAULT_POPULATION), config)
    five_g = read_stations(stations or DEFAULT_STATIONS, config=config)
    frame, report = synthesize_4g_sites(
        grid, five_g, N_SITES_4G if n_sites is None else n_sites, config.seed, config
    )
    with atomic_path(out, overwrite) as tmp:
        frame.drop(columns="geometry").to_csv(tmp, index=False)
    return frame, report


def write_report(
    out_dir: PathLike,
    scenario: Scenario,
    result: CoverageResult | None = None,
    plan: Plan | None = None,
    *,
    lang: Lang = DEFAULT_LANG,
    model: str | CoverageModel | None = None,
    overwrite: bool = False,
    csv_dialect: CsvDialect = "plain",
) -> dict[str, Path]:
    """The meeting figures and tables of ``scenario`` (and ``plan``).

    Parameters
    ----------
    out_dir : str or path
        The folder, created if missing.
    scenario : Scenario
        The scenario to report.
    result, plan, lang, model, overwrite, csv_dialect
        As for :meth:`Scenario.report`.

    Returns
    -------
    dict
        The written file paths, by kind.
    """
    return scenario.report(out_dir, plan, result=result, model=model, lang=lang,
                           overwrite=overwrite, csv_dialect=csv_dialect)  # fmt: skip


def with_config(scenario: Scenario, **settings: Any) -> Scenario:
    """``scenario`` with some settings changed (the grid is kept: change ``cell_size_m``
    through :func:`load_scenario`).

    Parameters
    ----------
    scenario : Scenario
        The scenario to copy.
    **settings
        Fields of :class:`PlanConfig` to change, in their units (``_m`` metres,
        ``_vnd`` VND, ``_share`` 0..1, ``_s`` seconds).
    """
    return replace(scenario, config=replace(scenario.config, **settings))


def sharing_summary(shared: Plan, separate: dict[str, Plan]) -> dict[str, Any]:
    """What full sharing saves: one network serving every operator against one each.

    ``shared`` is the plan on all operators' sites together (any operator's site serves
    every subscriber: full RAN sharing, or roaming between the operators); ``separate``
    the operators' own plans (:meth:`Scenario.plan_by_operator`). Both reach the same
    target on the same metric, so the difference in sites and CAPEX is what sharing
    saves under that assumption.

    Returns
    -------
    dict
        JSON-ready: sites and CAPEX (VND) of each way, and the saving; each operator's
        plan with its proven bound, gap, solver status and seconds.
    """
    n_separate = sum(p.summary.n_new_sites for p in separate.values())
    cost_separate = sum(p.summary.total_cost_vnd for p in separate.values())
    return {
        "assumption": "full sharing: every new and existing site serves all operators' "
        "subscribers (RAN sharing or roaming)",
        "separate": {
            "n_new_sites": n_separate,
            "total_cost_vnd": cost_separate,
            "by_operator": {
                op: {
                    "n_new_sites": p.summary.n_new_sites,
                    "total_cost_vnd": p.summary.total_cost_vnd,
                    "net_cost_vnd": p.summary.net_cost_vnd,
                    "achieved_share": p.summary.achieved_share,
                    "achieved_expected_share": p.summary.achieved_expected_share,
                    "bound": p.summary.bound,
                    "gap": p.summary.gap,
                    "status": p.summary.status,
                    "solver_seconds": p.summary.solver_seconds,
                }
                for op, p in separate.items()
            },
        },
        "shared": {
            "n_new_sites": shared.summary.n_new_sites,
            "total_cost_vnd": shared.summary.total_cost_vnd,
        },
        "sites_saved": n_separate - shared.summary.n_new_sites,
        "saving_vnd": cost_separate - shared.summary.total_cost_vnd,
    }


def write_best_server_rasters(
    scenario: Scenario,
    out_dir: PathLike,
    model: CoverageModel,
    overwrite: bool = False,
    result: CoverageResult | None = None,
) -> dict[str, Path]:
    """Best-server RSRP, site index and covered-mask GeoTIFFs of a radio model run.

    See :func:`geoplan.outputs.rasters.write_best_server_rasters` for the files. With
    ``result`` holding the QCVN layer, its SINR (dB) and downlink rate (Mbit/s) too.

    Parameters
    ----------
    scenario : Scenario
        Grid and today's stations.
    out_dir : str or path
        The folder to write into.
    model : CoverageModel
        A :class:`~geoplan.models.RadioModel` (``"38901"``); any other model raises
        :class:`~geoplan.errors.InputError`.
    overwrite : bool
        Replace existing files; when False nothing is written if any file exists.
    result : CoverageResult or None
        Today's coverage under ``model``, already computed (for the QCVN layer's rasters).

    Returns
    -------
    dict
        The written paths by kind: ``rsrp`` (RSRP in dBm), ``site_index``, ``covered``,
        ``probability_<layer>``, and ``sinr`` / ``dl_throughput`` with the QCVN layer.
    """
    if not isinstance(model, RadioModel):
        raise InputError("--rasters needs the radio model: add --model 38901")
    cells = scenario.grid.cells()
    best = model.best_server(scenario.sites(), cells)
    qcvn = None if result is None else result.layers.get("qcvn")
    return rasters.write_best_server_rasters(scenario.grid, cells, best, out_dir, overwrite,
                                             qcvn)  # fmt: skip


def run_config(model: str | None = None, **settings: Any) -> PlanConfig:
    """The settings of one run with ``model``: :class:`PlanConfig` with ``settings`` changed.

    Raises :class:`~geoplan.errors.ConfigError` for a setting out of range, or DEM
    paths with a model that ignores terrain.

    Parameters
    ----------
    model : str or None
        The model of the run (it becomes ``coverage_model``); ``dem_paths`` need
        ``"38901"``; None keeps the default.
    **settings
        Fields of :class:`PlanConfig` to set, in their units (``_m`` metres, ``_vnd``
        VND, ``_share`` 0..1, ``_s`` seconds).
    """
    if model is not None:
        settings["coverage_model"] = model
    name = settings.get("coverage_model", PlanConfig.coverage_model)
    if settings.get("dem_paths") and name != "38901":
        raise ConfigError("--dem needs the radio model: add --model 38901 (radius ignores terrain)")
    layer = settings.get("coverage_layer", PlanConfig.coverage_layer)
    if layer != "signal" and name != "38901":
        raise ConfigError(f"--coverage {layer} needs the radio model: add --model 38901 "
                          "(radius has no link budget)")  # fmt: skip
    if settings.get("optional_layers") and name != "38901":
        raise ConfigError("--layers qcvn needs the radio model: add --model 38901 "
                          "(radius has no link budget)")  # fmt: skip
    return PlanConfig(**settings)


__all__ = [
    "DEFAULT_MODEL",
    "MODEL_NAMES",
    "Scenario",
    "check_plan_layer",
    "load_plan_scenario",
    "load_province",
    "load_scenario",
    "run_config",
    "sharing_summary",
    "synthesize",
    "synthesize_4g",
    "with_config",
    "write_best_server_rasters",
    "write_report",
]
