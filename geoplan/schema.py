"""Names shared by every layer, defined once: environments, site kinds, solvers, languages,
and the plan folder's files and columns.

The plan folder (``geoplan plan --out DIR``) is a contract: the writer and the reader in
:mod:`geoplan.io.plan_folder`, and the tests, all take its file names and columns from
here.

>>> PLAN_TABLES["curve.csv"].columns
('n_sites', 'covered_share')
>>> "upgrade" in SITE_KINDS
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

#: Environment classes, in the order of their codes 0, 1, 2.
Environment = Literal["urban", "suburban", "rural"]
ENVIRONMENTS: Final[tuple[Environment, ...]] = get_args(Environment)

#: A new site is a new tower (tower, civil works, power, radio) or a 5G upgrade of an
#: existing (4G) site (radio only).
SiteKind = Literal["new_tower", "upgrade"]
SITE_KINDS: Final[tuple[SiteKind, ...]] = get_args(SiteKind)

#: Where a candidate comes from: the spacing grid, a KMeans centre of uncovered people,
#: an operator's 4G site (the synthetic 4G layer by default), or the user's own file
#: (``--candidates``).
CandidateSource = Literal["grid", "cluster", "upgrade_4g", "user"]
#: ``source`` of a candidate that upgrades one of the operators' 4G sites.
UPGRADE_4G: Final = "upgrade_4g"

#: Coverage models by name (``--model``): the TR 38.901 link budget, or assumed radii.
ModelName = Literal["38901", "radius"]
MODEL_NAMES: Final[tuple[ModelName, ...]] = get_args(ModelName)

#: Coverage layers (issue 16): what "covered" means, for the headline share and the
#: optimiser (``--coverage``). ``signal``: the downlink SS-RSRP reaches the threshold
#: outdoors (the classic definition); ``usable``: the uplink (PUSCH at the cell-edge
#: rate) closes too; ``indoor``: the downlink reaches the threshold behind the TR 38.901
#: O2I loss; ``qcvn``: the signal layer's test holds and QCVN 126's downlink throughput
#: under load too (SINR against the operator's other sectors on the carrier,
#: geoplan/models/interference.py).
CoverageLayer = Literal["signal", "usable", "indoor", "qcvn"]
COVERAGE_LAYERS: Final[tuple[CoverageLayer, ...]] = get_args(CoverageLayer)
#: The layers the radio model computes on every run, pair by pair.
COMPUTED_LAYERS: Final[tuple[CoverageLayer, ...]] = ("signal", "usable", "indoor")
#: The layers computed only when asked (``--layers qcvn``, or ``--coverage qcvn``): the
#: SINR layer costs 3-6x the downlink coverage (docs/radio.md).
OPTIONAL_LAYERS: Final[tuple[CoverageLayer, ...]] = ("qcvn",)
#: The layers an optimiser can plan to: coverage separable site by site. Interference
#: makes the QCVN layer depend on every site at once.
PLANNABLE_LAYERS: Final[tuple[CoverageLayer, ...]] = COMPUTED_LAYERS
#: TR 38.901 §7.4.3 building types: low-loss (standard glass) and high-loss (IRR glass).
BuildingLoss = Literal["low", "high"]

#: Terrain diffraction over each link's profile (issue 16): ITU-R P.526 §4.5.1
#: Bullington (the default), or the single knife edge of the worst obstacle.
DiffractionMethod = Literal["bullington", "single"]
DIFFRACTION_METHODS: Final[tuple[DiffractionMethod, ...]] = get_args(DiffractionMethod)

#: Optimisers: ``auto`` (default: greedy, then an LP bound, reduced-cost fixing and a
#: restricted MILP that proves the gap, for a few rounds), ``exact`` (the same until the
#: gap closes or time runs out), or lazy greedy with an LP bound.
SolverName = Literal["auto", "exact", "greedy"]
SOLVERS: Final[tuple[SolverName, ...]] = get_args(SolverName)

#: What a plan optimises: fewest sites to a target, or most people within limits.
PlanMode = Literal["min_sites", "max_coverage"]

#: What a plan's ``bound`` counts: sites or CAPEX (min_sites), or a covered share
#: (max_coverage).
BoundKind = Literal["n_sites", "cost_vnd", "covered_share"]

#: What a plan with a target minimises: the number of new sites, or their CAPEX.
PlanObjective = Literal["sites", "cost"]
PLAN_OBJECTIVES: Final[tuple[PlanObjective, ...]] = get_args(PlanObjective)

#: Languages of every output; Vietnamese first.
Lang = Literal["vi", "en"]
LANGS: Final[tuple[Lang, ...]] = get_args(Lang)
DEFAULT_LANG: Final[Lang] = "vi"

#: CSV flavours: ``plain`` (``,`` and a decimal point, for programs) or ``vi-excel``
#: (``;`` and a decimal comma, which Excel set to Vietnamese opens as columns of numbers).
CsvDialect = Literal["plain", "vi-excel"]
CSV_DIALECTS: Final[tuple[CsvDialect, ...]] = get_args(CsvDialect)

#: ``operator`` and ``source`` of a plan's new sites once they stand beside today's.
PLANNED: Final = "planned"
#: ``source`` of every site of the generated default set.
SYNTHETIC: Final = "synthetic"


@dataclass(frozen=True)
class TableSpec:
    """A CSV file of the plan folder: its columns, and which of them hold numbers."""

    columns: tuple[str, ...]
    numeric: tuple[str, ...]

    @property
    def text(self) -> tuple[str, ...]:
        """Columns read as text (codes keep their leading zeros)."""
        return tuple(c for c in self.columns if c not in self.numeric)


NEW_SITES = TableSpec(
    columns=(
        "site_id",
        "kind",
        "phase",
        "order",
        "lon",
        "lat",
        "cost_vnd",
        "added_population",
        "commune_code",
        "commune_name",
    ),
    numeric=("phase", "order", "lon", "lat", "cost_vnd", "added_population"),
)
PHASES = TableSpec(
    columns=("phase", "n_sites", "cost_vnd", "covered_share_after", "added_population"),
    numeric=("phase", "n_sites", "cost_vnd", "covered_share_after", "added_population"),
)
COMMUNES_BEFORE_AFTER = TableSpec(
    columns=("code", "name", "population", "covered_population_before",
             "covered_population_after", "covered_share_before", "covered_share_after"),
    numeric=("population", "covered_population_before", "covered_population_after",
             "covered_share_before", "covered_share_after"),
)  # fmt: skip
CURVE = TableSpec(columns=("n_sites", "covered_share"), numeric=("n_sites", "covered_share"))
#: The per-phase commune table has these first, then ``after_phase_1``, ``after_phase_2`` …
COMMUNES_BY_PHASE = TableSpec(
    columns=("code", "name", "population", "covered_share_today"),
    numeric=("population", "covered_share_today"),
)
AFTER_PHASE_PREFIX: Final = "after_phase_"

#: The plan folder's files by key.
PLAN_FILES: Final[dict[str, str]] = {
    "new_sites_gpkg": "new_sites.gpkg",
    "new_sites_csv": "new_sites.csv",
    "phases": "phases.csv",
    "communes": "communes_before_after.csv",
    "curve": "curve.csv",
    "commune_phases": "communes_by_phase.csv",
    "plan": "plan.json",
}
#: Every CSV file of the plan folder and its columns.
PLAN_TABLES: Final[dict[str, TableSpec]] = {
    PLAN_FILES["new_sites_csv"]: NEW_SITES,
    PLAN_FILES["phases"]: PHASES,
    PLAN_FILES["communes"]: COMMUNES_BEFORE_AFTER,
    PLAN_FILES["curve"]: CURVE,
    PLAN_FILES["commune_phases"]: COMMUNES_BY_PHASE,
}
#: Shares (0..1) checked in each table when a plan folder is read.
SHARE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    PLAN_FILES["phases"]: ("covered_share_after",),
    PLAN_FILES["curve"]: ("covered_share",),
    PLAN_FILES["communes"]: ("covered_share_before", "covered_share_after"),
    PLAN_FILES["commune_phases"]: ("covered_share_today",),
}


@dataclass(frozen=True)
class NationalPlanColumns:
    """The columns of the national plan's tables that its outputs read (issue 17).

    ``geoplan national plan`` writes them (``national_plan_provinces.csv``, and the unit
    table of its outputs); the national map, ranking and brief read them by these names.
    People are of the official 2025 population; ``reliable`` is at the design
    reliability, the share the allocation maximises; ``covered_*_after`` is the expected
    share after (a coverage pass with the new sites, when the outputs are written).
    """

    sites_new: str = "sites_new"
    people_before: str = "reliable_population_before"
    share_before: str = "reliable_share_before"
    people_after: str = "reliable_population_after"
    share_after: str = "reliable_share_after"
    expected_after: str = "covered_population_after"
    expected_share_after: str = "covered_share_after"
    cost: str = "cost_vnd"
    support: str = "state_support_vnd"
    net_cost: str = "net_cost_vnd"

    @property
    def shown(self) -> tuple[str, ...]:
        """The plan's columns in the order the ranking shows them (those present)."""
        return (self.sites_new, self.share_before, self.people_after, self.share_after,
                self.expected_after, self.expected_share_after, self.cost, self.support,
                self.net_cost)  # fmt: skip


#: The national plan's column names, defined once (``NATIONAL_PLAN.share_after`` …).
NATIONAL_PLAN: Final = NationalPlanColumns()
#: Where ``geoplan national plan --out DIR`` writes one plan folder per province with
#: new sites: ``DIR/provinces/<code>_<slug>/`` (the folder :data:`PLAN_FILES` names).
NATIONAL_PROVINCES_DIR: Final = "provinces"
