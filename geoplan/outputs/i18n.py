"""Labels of maps, figures and tables in Vietnamese (the default) and English.

One dictionary, :data:`LABELS`, holds every word a person reads on a map or a
figure; :func:`label` picks one, :func:`fmt_int` and :func:`fmt_pct` write numbers
the way each language does (Vietnamese: ``3.619.443`` and ``50,1%``).

Examples
--------
>>> label("population", "vi"), label("population", "en")
('Dân số', 'Population')
>>> fmt_int(3619443, "vi"), fmt_pct(0.5012, "en")
('3.619.443', '50.1%')
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Final

from geoplan.errors import InputError

LANGS: Final = ("vi", "en")
DEFAULT_LANG: Final = "vi"

#: key -> (Vietnamese, English). ``{…}`` fields are filled with ``str.format``.
LABELS: Final[dict[str, tuple[str, str]]] = {
    "title": ("Vùng phủ sóng 5G — tỉnh Bắc Ninh", "5G coverage — Bắc Ninh province"),
    "title_plan": (
        "Vùng phủ sóng 5G và trạm mới đề xuất — tỉnh Bắc Ninh",
        "5G coverage and proposed new sites — Bắc Ninh province",
    ),
    "created": ("Ngày lập", "Created"),
    "scenario": ("Kịch bản", "Scenario"),
    "scenario_today": (
        "{n_sites} trạm hiện có{synthetic}, {model}: {covered} / {total} người "
        "được phủ sóng ({share})",
        "{n_sites} existing sites{synthetic}, {model}: {covered} of {total} people "
        "covered ({share})",
    ),
    "scenario_plan": (
        "Kế hoạch: {n_new} trạm mới/nâng cấp trong {n_phases} giai đoạn, chi phí {cost} "
        "→ {share} dân số được phủ sóng",
        "Plan: {n_new} new or upgraded sites in {n_phases} phases, cost {cost} "
        "→ {share} of people covered",
    ),
    "synthetic_suffix": (
        " (dữ liệu tổng hợp, không phải trạm thật)",
        " (synthetic, not real sites)",
    ),
    "synthetic": ("tổng hợp", "synthetic"),
    "sources": ("Nguồn dữ liệu", "Data sources"),
    "source_population": (
        "Dân số: WorldPop 2020, 1 km (CC BY 4.0, worldpop.org, Đại học Southampton), "
        "hiệu chỉnh theo dân số chính thức 2025 của từng xã/phường",
        "Population: WorldPop 2020, 1 km (CC BY 4.0, worldpop.org, University of "
        "Southampton), rescaled to the official 2025 population of each commune",
    ),
    "source_boundaries": (
        "Ranh giới xã/phường 2025: vietnam-3d-map, MIT © 2025 Lam Ngoc Khuong",
        "Commune boundaries 2025: vietnam-3d-map, MIT © 2025 Lam Ngoc Khuong",
    ),
    "source_sites": ("Trạm: {name}", "Sites: {name}"),
    "source_leaflet": ("Bản đồ: Leaflet (BSD-2)", "Map: Leaflet (BSD-2)"),
    "layer_communes": ("Xã/phường theo tỷ lệ phủ sóng hiện tại", "Communes by covered share today"),
    "layer_communes_after": (
        "Xã/phường theo tỷ lệ phủ sóng sau kế hoạch",
        "Communes by covered share after the plan",
    ),
    "layer_density": ("Mật độ dân số", "Population density"),
    "layer_sites": ("Trạm hiện có", "Existing sites"),
    "layer_footprint": ("Vùng phủ sóng hiện tại", "Coverage footprint today"),
    "layer_footprint_after": ("Vùng phủ sóng sau kế hoạch", "Coverage footprint after the plan"),
    "layer_phase": ("Trạm mới đề xuất — giai đoạn {phase}", "Proposed new sites — phase {phase}"),
    "layer_hotspots": (
        "Điểm nóng dân cư chưa được phủ sóng (hiện tại)",
        "Hotspots of uncovered population (today)",
    ),
    "layer_hotspots_after": (
        "Điểm nóng dân cư vẫn chưa được phủ sóng (sau kế hoạch)",
        "Hotspots of uncovered population (after the plan)",
    ),
    "layer_osm": ("Nền OpenStreetMap (cần internet)", "OpenStreetMap background (needs internet)"),
    "legend_share": ("Tỷ lệ dân số được phủ sóng", "Share of people covered"),
    "legend_density": ("Mật độ (người/km²)", "Density (people/km²)"),
    "commune": ("Xã/phường", "Commune"),
    "code": ("Mã", "Code"),
    "name": ("Tên", "Name"),
    "population": ("Dân số", "Population"),
    "covered_population": ("Dân số được phủ sóng", "Covered population"),
    "uncovered_population": ("Dân số chưa được phủ sóng", "Uncovered population"),
    "covered_share": ("Tỷ lệ phủ sóng", "Covered share"),
    "covered_share_before": ("Tỷ lệ phủ sóng hiện tại", "Covered share today"),
    "covered_share_after": ("Tỷ lệ phủ sóng sau kế hoạch", "Covered share after the plan"),
    "covered_population_before": ("Dân số được phủ sóng hiện tại", "Covered population today"),
    "covered_population_after": (
        "Dân số được phủ sóng sau kế hoạch",
        "Covered population after the plan",
    ),
    "density": ("Mật độ", "Density"),
    "people": ("người", "people"),
    "people_per_km2": ("người/km²", "people/km²"),
    "site": ("Trạm", "Site"),
    "operator": ("Nhà mạng", "Operator"),
    "band": ("Băng tần", "Band"),
    "antenna_height_m": ("Độ cao ăng-ten (m)", "Antenna height (m)"),
    "source": ("Nguồn", "Source"),
    "kind": ("Loại", "Kind"),
    "new_tower": ("Trạm mới", "New tower"),
    "upgrade": ("Nâng cấp trạm hiện có", "Upgrade of an existing site"),
    "phase": ("Giai đoạn", "Phase"),
    "order": ("Thứ tự", "Order"),
    "cost_vnd": ("Chi phí (VND)", "Cost (VND)"),
    "added_population": ("Dân số được phủ thêm", "People newly covered"),
    "n_sites": ("Số trạm", "Number of sites"),
    "hotspot": ("Điểm nóng", "Hotspot"),
    "hotspot_text": (
        "{people} người chưa được phủ sóng trong ô 1 km × 1 km",
        "{people} people not covered in this 1 km × 1 km block",
    ),
    "hotspot_after_text": (
        "{people} người vẫn chưa được phủ sóng sau kế hoạch trong ô 1 km × 1 km",
        "{people} people still not covered after the plan in this 1 km × 1 km block",
    ),
    "footprint_text": (
        "Nơi tâm ô lưới 100 m nằm trong tầm phủ của ít nhất một trạm",
        "Where a 100 m cell centre is within reach of at least one site",
    ),
    "today": ("hiện tại", "today"),
    "after_plan": ("sau kế hoạch", "after the plan"),
    "fig_curve_title": ("Tỷ lệ phủ sóng theo số trạm mới", "Covered share by number of new sites"),
    "fig_curve_x": ("Số trạm mới/nâng cấp", "New or upgraded sites"),
    "fig_phases_title": (
        "Tỷ lệ phủ sóng theo giai đoạn: {n} xã/phường được lợi nhiều nhất",
        "Covered share by phase: the {n} communes that gain most",
    ),
    "fig_bars_title": (
        "Các xã/phường có nhiều người chưa được phủ sóng nhất: hiện tại và sau kế hoạch",
        "Communes with the most people not covered: today and after the plan",
    ),
    "fig_bars_title_today": (
        "Các xã/phường có nhiều người chưa được phủ sóng nhất",
        "Communes with the most people not covered today",
    ),
    "sheet_communes": ("Xã phường", "Communes"),
    "sheet_phases": ("Giai đoạn", "Phases"),
    "sheet_new_sites": ("Trạm mới", "New sites"),
    "sheet_about": ("Nguồn và ghi chú", "Sources and notes"),
    "model": ("Mô hình", "Model"),
    "total": ("Toàn tỉnh", "Province"),
    # --- the one-page brief and the demo's headline (geoplan demo, brief.pdf) ---
    "brief_title": ("Kế hoạch phủ sóng 5G — tỉnh Bắc Ninh", "5G coverage plan — Bắc Ninh province"),
    "brief_subtitle": ("Tóm tắt một trang · lập ngày {date}", "One-page brief · made on {date}"),
    "brief_today": ("Hôm nay", "Today"),
    "brief_after": ("Sau kế hoạch", "After the plan"),
    "brief_new_sites": ("Trạm mới", "New sites"),
    "brief_net_cost": ("Chi phí ròng", "Net cost"),
    "brief_reliable_note": (
        "ở độ tin cậy thiết kế {reliability}; kỳ vọng {expected}",
        "at the design reliability {reliability}; expected {expected}",
    ),
    "headline_today": (
        "Hôm nay: {reliable} dân số được phủ sóng 5G ở độ tin cậy thiết kế ({expected} kỳ vọng), "
        "{n_sites} trạm{synthetic}",
        "Today: {reliable} of people covered by 5G at the design reliability ({expected} "
        "expected), {n_sites} sites{synthetic}",
    ),
    "headline_plan": (
        "Kế hoạch đến {target}: {n_new} trạm mới{kinds} trong {n_phases} giai đoạn → {after} "
        "({after_expected} kỳ vọng)",
        "Plan to {target}: {n_new} new sites{kinds} in {n_phases} phases → {after} "
        "({after_expected} expected)",
    ),
    "headline_plan_max": (
        "Kế hoạch trong giới hạn: {n_new} trạm mới{kinds} trong {n_phases} giai đoạn → {after} "
        "({after_expected} kỳ vọng)",
        "Plan within the limits: {n_new} new sites{kinds} in {n_phases} phases → {after} "
        "({after_expected} expected)",
    ),
    "headline_cost": (
        "Chi phí đầu tư {gross}; nhà nước hỗ trợ tối đa {support_share} = {support}; "
        "chi phí ròng {net}",
        "Investment {gross}; state support up to {support_share} = {support}; net cost {net}",
    ),
    "headline_gap": (
        "Cách tối ưu đã chứng minh tối đa {gap} (cận: {bound}; {solver}, {seconds} giây)",
        "At most {gap} from the proven optimum (bound: {bound}; {solver}, {seconds} s)",
    ),
    "headline_equity": (
        "Còn {n_below} xã/phường dưới {floor} ({people_below} người), trong đó {n_zero} ở 0% "
        "({people_zero} người)",
        "{n_below} communes stay below {floor} ({people_below} people), {n_zero} of them at 0% "
        "({people_zero} people)",
    ),
    "headline_equity_none": (
        "Không xã/phường nào dưới {floor} sau kế hoạch",
        "No commune stays below {floor} after the plan",
    ),
    "headline_floor_price": (
        "Đưa tất cả lên {floor}: thêm khoảng {n_sites} trạm, {cost} "
        "(ước tính bằng thuật toán tham lam)",
        "Lifting them all to {floor}: about {n_sites} more sites, {cost} (a greedy estimate)",
    ),
    "headline_unreachable": (
        "{n} xã/phường không thể đạt {floor} với các vị trí ứng viên",
        "{n} communes cannot reach {floor} with the candidate sites",
    ),
    "headline_synthetic": (
        "Lưu ý: trạm hiện có là bộ dữ liệu tổng hợp, không phải trạm thật của nhà mạng",
        "Note: today's sites are the synthetic default set, not real operator sites",
    ),
    "sites_unit": ("trạm", "sites"),
    "phase_block": ("{first}–{last}", "{first}–{last}"),
    "brief_phases": ("Các giai đoạn", "Phases"),
    "brief_phase_col": ("Giai đoạn", "Phase"),
    "brief_sites_col": ("Trạm", "Sites"),
    "brief_cost_col": ("Chi phí", "Cost"),
    "brief_share_col": ("Phủ sóng sau", "Covered after"),
    "brief_map_title": (
        "Tỷ lệ phủ sóng theo xã/phường sau kế hoạch; trạm mới theo giai đoạn",
        "Covered share by commune after the plan; new sites by phase",
    ),
    "brief_equity_title": ("Xã/phường bị bỏ lại phía sau", "Communes left behind"),
    "brief_more_communes": ("… và {n} xã/phường khác", "… and {n} more communes"),
    "brief_model": ("Mô hình: {text}", "Model: {text}"),
    "existing_sites_short": ("Trạm hiện có", "Existing sites"),
    "wrote": ("đã ghi", "wrote"),
    "cov_province": (
        "Toàn tỉnh: {covered} / {total} người được phủ sóng ({share} kỳ vọng, bởi bất kỳ nhà "
        "mạng nào) bởi {n_sites} trạm{synthetic}; {reliable} ở độ tin cậy thiết kế",
        "Province: {covered} of {total} people covered ({share} expected, by any operator) by "
        "{n_sites} sites{synthetic}; {reliable} covered at the design reliability",
    ),
    "cov_least": (
        "{worst} xã/phường được phủ sóng thấp nhất (trong {n}):",
        "Least covered {worst} of {n} communes:",
    ),
    "cov_row": (
        "  {code}  {name:<22} {share:>6}  / {population:>9} người ({uncovered} chưa được phủ)",
        "  {code}  {name:<22} {share:>6}  of {population:>9} people ({uncovered} uncovered)",
    ),
    "cov_own": (
        "Theo nhà mạng của chính thuê bao (theo thị phần): {expected} kỳ vọng, {reliable} ở độ "
        "tin cậy thiết kế",
        "By their own operator (subscriber shares): {expected} expected, {reliable} at the "
        "design reliability",
    ),
    "cov_operator_row": (
        "  {name:<9} {n_sites:>4} trạm: {expected} kỳ vọng, {reliable} ở độ tin cậy thiết kế",
        "  {name:<9} {n_sites:>4} sites: {expected} expected, {reliable} at the design reliability",
    ),
    "cov_terrain_yes": ("Địa hình: có", "Terrain used: yes"),
    "cov_terrain_dems": (
        "Địa hình: {dems}; nhiễu xạ {method}",
        "Terrain used: {dems}; {method} diffraction",
    ),
    "cov_terrain_coarse": (
        " (lưới DEM thô làm mờ sườn núi: tổn hao nhiễu xạ là cận dưới)",
        " (the coarse DEM smooths ridges: the diffraction loss is a lower bound)",
    ),
    "cov_terrain_no": ("Địa hình: không (mặt đất phẳng)", "Terrain used: no (flat earth)"),
    "cov_other_model": (
        "Mô hình khác {name}: {share} được phủ sóng",
        "Other model {name}: {share} covered",
    ),
    "wrote_raster": ("đã ghi raster {kind}: {path}", "wrote {kind} raster: {path}"),
    "brief_settings": (
        "Giả định: trạm xây mới {new}, nâng cấp {upgrade} mỗi trạm; nhà nước hỗ trợ tối đa "
        "{support}; {per_phase} trạm mỗi giai đoạn; lưới {cell} m (đổi trong geoplan.toml)",
        "Assumptions: {new} per new tower, {upgrade} per upgrade; state support up to "
        "{support}; {per_phase} sites per phase; {cell} m grid (change them in geoplan.toml)",
    ),
    "kind_new_tower_short": ("xây mới", "new towers"),
    "kind_upgrade_short": ("nâng cấp", "upgrades"),
    "model_name_38901": ("mô hình vô tuyến TR 38.901", "TR 38.901 radio model"),
    "model_name_radius": ("mô hình bán kính giả định", "assumed-radius model"),
    "done_in": ("xong trong {seconds} giây", "done in {seconds} s"),
    # --- issue 15, tables for people (XLSX summary and priority sheets, CSV, bar chart) ---
    "sheet_summary": ("Tổng quan", "Summary"),
    "sheet_priority": ("Ưu tiên theo xã", "Commune priority"),
    "uncovered_population_before": (
        "Dân số chưa được phủ sóng hiện tại",
        "People not covered today",
    ),
    "reliable_share_before": (
        "Tỷ lệ phủ sóng ở độ tin cậy thiết kế, hiện tại",
        "Share covered at the design reliability, today",
    ),
    "reliable_share_after": (
        "Tỷ lệ phủ sóng ở độ tin cậy thiết kế, sau kế hoạch",
        "Share covered at the design reliability, after the plan",
    ),
    "reliable_uncovered_before": (
        "Số người chưa được phủ sóng ở độ tin cậy thiết kế, hiện tại",
        "People not covered at the design reliability, today",
    ),
    "reliable_share_after_phase": (
        "Tỷ lệ phủ sóng ở độ tin cậy thiết kế, sau giai đoạn này",
        "Share covered at the design reliability, after this phase",
    ),
    "rank": (
        "Thứ hạng ưu tiên (theo số người chưa được phủ sóng hiện tại)",
        "Priority rank (by people not covered today)",
    ),
    "former_units": (
        "Huyện cũ (tỉnh cũ) trước 01/07/2025",
        "Former district (province) before 1/7/2025",
    ),
    "sites_phase": ("Trạm mới ở giai đoạn {phase}", "New sites in phase {phase}"),
    "covered_share_today": ("Tỷ lệ phủ sóng hiện tại", "Covered share today"),
    "share_after_phase": (
        "Tỷ lệ phủ sóng sau giai đoạn {phase}",
        "Covered share after phase {phase}",
    ),
    "n_new_sites": ("Số trạm mới/nâng cấp", "New or upgraded sites"),
    "first_phase": ("Giai đoạn đầu tiên có trạm mới", "First phase with a new site"),
    "below_floor_after": ("Dưới {floor} sau kế hoạch", "Below {floor} after the plan"),
    "cumulative_sites": ("Số trạm lũy kế", "Sites, cumulative"),
    "cumulative_cost_vnd": ("Chi phí lũy kế (VND)", "Cost, cumulative (VND)"),
    "state_support_vnd": ("Hỗ trợ của Nhà nước, tối đa (VND)", "State support, up to (VND)"),
    "net_cost_vnd": ("Chi phí sau hỗ trợ (VND)", "Net cost after support (VND)"),
    "site_id": ("Mã trạm", "Site ID"),
    "lon": ("Kinh độ", "Longitude"),
    "lat": ("Vĩ độ", "Latitude"),
    "commune_code": ("Mã xã/phường", "Commune code"),
    "commune_name": ("Tên xã/phường", "Commune name"),
    "section": ("Mục", "Section"),
    "item": ("Nội dung", "Item"),
    "value": ("Giá trị", "Value"),
    "note": ("Ghi chú", "Note"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "sum_section_headline": ("Kết quả", "Headline"),
    "sum_section_cost": ("Chi phí", "Cost"),
    "sum_section_equity": ("Công bằng giữa các xã/phường", "Equity between communes"),
    "sum_section_method": ("Mô hình và bộ giải", "Model and solver"),
    "sum_section_settings": ("Thiết lập đã dùng", "Settings used"),
    "sum_expected": (
        "Tỷ lệ dân số được phủ sóng (kỳ vọng), {when}",
        "Share of people covered (expected), {when}",
    ),
    "sum_expected_note": (
        "Σ dân số × xác suất được phủ sóng: con số chính",
        "Σ people × P(covered): the headline figure",
    ),
    "sum_reliable": (
        "Tỷ lệ dân số được phủ sóng ở độ tin cậy thiết kế, {when}",
        "Share of people covered at the design reliability, {when}",
    ),
    "sum_reliable_note": (
        "Nơi xác suất được phủ sóng đạt độ tin cậy thiết kế: điều mà mục tiêu và bộ tối ưu tính",
        "Where P(covered) reaches the design reliability: what the target and the optimiser count",
    ),
    "sum_population": ("Dân số toàn tỉnh", "People in the province"),
    "sum_target": ("Mục tiêu (tỷ lệ dân số)", "Target (share of people)"),
    "sum_no_target": ("không có", "none"),
    "mode_min_sites": ("ít trạm nhất để đạt mục tiêu", "fewest sites to reach the target"),
    "mode_max_coverage": ("phủ nhiều người nhất trong giới hạn", "most people within the limits"),
    "sum_new_sites": ("Số trạm mới/nâng cấp", "New or upgraded sites"),
    "sum_new_towers": ("trong đó trạm mới", "of which new towers"),
    "sum_upgrades": ("trong đó nâng cấp trạm hiện có", "of which upgrades of existing sites"),
    "sum_phases": ("Số giai đoạn", "Phases"),
    "sum_newly_covered": ("Số người được phủ sóng thêm", "People newly covered"),
    "sum_gross": ("Tổng chi phí đầu tư (VND)", "Gross cost (VND)"),
    "sum_support_share": ("Tỷ lệ hỗ trợ của Nhà nước (tối đa)", "State support share (up to)"),
    "sum_support_note": (
        "Nghị quyết 193/2025/QH15, Nghị định 88/2025/NĐ-CP; áp cho toàn bộ chi phí, là mức tối đa",
        "Resolution 193/2025/QH15, Decree 88/2025/ND-CP; applied to the whole cost, an upper bound",
    ),
    "sum_support": ("Hỗ trợ của Nhà nước, tối đa (VND)", "State support, up to (VND)"),
    "sum_net": ("Chi phí sau hỗ trợ (VND)", "Net cost after support (VND)"),
    "sum_cost_per_person": (
        "Chi phí cho mỗi người được phủ sóng thêm (VND)",
        "Cost per person newly covered (VND)",
    ),
    "sum_nobody_new": ("không ai được phủ sóng thêm", "nobody newly covered"),
    "sum_zero_communes": (
        "Số xã/phường ở 0% {when} (không ai được phủ sóng)",
        "Communes at 0% {when} (nobody covered)",
    ),
    "sum_zero_people": (
        "Dân số của các xã/phường ở 0% {when}",
        "People in the communes at 0% {when}",
    ),
    "sum_below_communes": ("Số xã/phường dưới {floor} {when}", "Communes below {floor} {when}"),
    "sum_below_people": (
        "Dân số của các xã/phường dưới {floor} {when}",
        "People in the communes below {floor} {when}",
    ),
    "sum_equity_note_reliable": ("ở độ tin cậy thiết kế", "at the design reliability"),
    "sum_equity_note_expected": ("tỷ lệ kỳ vọng", "expected share"),
    "sum_model": ("Mô hình phủ sóng", "Coverage model"),
    "sum_model_description": (
        "Giả định của mô hình (nguyên văn tiếng Anh)",
        "The model's assumptions",
    ),
    "sum_existing_sites": ("Số trạm hiện có", "Existing sites"),
    "sum_synthetic": (
        "Trạm hiện có là dữ liệu tổng hợp (không phải trạm thật)",
        "Existing sites are synthetic (not real sites)",
    ),
    "sum_solver": ("Bộ giải", "Solver"),
    "solver_auto": (
        "tự động: tham lam, cận LP và MILP thu hẹp",
        "auto: greedy, LP bound and a restricted MILP",
    ),
    "solver_exact": ("chính xác: MILP (HiGHS)", "exact: MILP (HiGHS)"),
    "solver_greedy": ("tham lam, có cận LP", "greedy, with an LP bound"),
    "sum_status": ("trạng thái: {status}", "status: {status}"),
    "status_greedy": ("tham lam, chưa chạy MILP", "greedy, no MILP run"),
    "status_optimal": ("đã chứng minh tối ưu", "proven optimal"),
    "status_within_gap": ("đã chứng minh trong gap dừng", "proven within the stopping gap"),
    "status_interrupted": ("bị dừng giữa chừng", "interrupted"),
    "sum_bound": ("Cận chứng minh được", "Proven bound"),
    "bound_n_sites": ("số trạm tối thiểu có thể", "fewest sites possible"),
    "bound_cost_vnd": ("chi phí tối thiểu có thể, VND", "least cost possible, VND"),
    "bound_covered_share": ("tỷ lệ phủ sóng lớn nhất có thể", "largest covered share possible"),
    "sum_gap": ("Khoảng cách tới cận (gap)", "Gap to the bound"),
    "sum_gap_note": ("0% = đã chứng minh tối ưu", "0% = proven optimal"),
    "sum_solver_seconds": ("Thời gian bộ giải (giây)", "Solver time (seconds)"),
    "cfg_capex_new_tower_vnd": ("Chi phí một trạm mới (VND)", "Cost of a new tower (VND)"),
    "cfg_capex_upgrade_vnd": (
        "Chi phí nâng cấp một trạm hiện có (VND)",
        "Cost of upgrading an existing site (VND)",
    ),
    "cfg_state_support_share": ("Tỷ lệ hỗ trợ của Nhà nước", "State support share"),
    "cfg_plan_target_share": ("Mục tiêu mặc định", "Default target"),
    "cfg_sites_per_phase": ("Số trạm mỗi giai đoạn", "Sites per phase"),
    "cfg_coverage_model": ("Mô hình phủ sóng mặc định", "Default coverage model"),
    "cfg_cell_size_m": ("Cạnh ô lưới dân số (m)", "Population grid cell (m)"),
    "cfg_radius_urban_m": ("Bán kính phủ sóng, đô thị (m)", "Reach, urban (m)"),
    "cfg_radius_suburban_m": ("Bán kính phủ sóng, ven đô (m)", "Reach, suburban (m)"),
    "cfg_radius_rural_m": ("Bán kính phủ sóng, nông thôn (m)", "Reach, rural (m)"),
    "cfg_solver_time_limit_s": ("Giới hạn thời gian bộ giải (giây)", "Solver time limit (seconds)"),
    "cfg_solver_mip_rel_gap": ("Gap dừng của MILP", "MILP stopping gap"),
    "cfg_note": ("thiết lập của lần chạy này", "settings of this run"),
    "cfg_note_old_plan": (
        "thiết lập của lần chạy này: tệp kế hoạch cũ không ghi lại thiết lập của nó",
        "settings of this run: the older plan folder does not record its own",
    ),
    "cfg_note_plan": (
        "thiết lập mà kế hoạch đã dùng (plan.json)",
        "the plan's own settings (plan.json)",
    ),
    "cfg_equity_floor_share": ("Ngưỡng công bằng cho mỗi xã/phường", "Equity floor per commune"),
    "sum_floor_sites": (
        "Để đưa mọi xã/phường lên {floor}: số trạm thêm",
        "To lift every commune to {floor}: more sites",
    ),
    "sum_floor_cost": (
        "Để đưa mọi xã/phường lên {floor}: chi phí thêm (VND)",
        "To lift every commune to {floor}: more cost (VND)",
    ),
    "sum_floor_note": (
        "ước tính bằng thuật toán tham lam thêm trạm vào kế hoạch này (cận trên)",
        "a greedy estimate adding sites to this plan (an upper bound)",
    ),
    "sum_floor_unreachable": (
        "Số xã/phường không thể đạt {floor} với các vị trí ứng viên",
        "Communes that cannot reach {floor} with the candidate sites",
    ),
    "about_rank": (
        "Thứ hạng ưu tiên: xếp theo số người chưa được phủ sóng hiện tại (ở độ tin cậy thiết kế), "
        "nhiều nhất trước; bằng nhau thì theo mã xã/phường",
        "Priority rank: by people not covered today (at the design reliability), most first; "
        "ties by commune code",
    ),
    "about_metrics": (
        "Hai thước đo: tỷ lệ kỳ vọng (Σ dân số × xác suất được phủ sóng, con số chính) và "
        "tỷ lệ ở độ tin cậy thiết kế (nơi xác suất đạt độ tin cậy thiết kế; kế hoạch tính "
        "theo thước đo này)",
        "Two measures: the expected share (Σ people × P(covered), the headline) and the share at "
        "the design reliability (where P(covered) reaches it; plans count this one)",
    ),
    "about_costs": (
        "Chi phí là giả định (xem Thiết lập đã dùng), không phải báo giá; "
        "hỗ trợ của Nhà nước là mức tối đa",
        "Costs are assumptions (see Settings used), not quotes; "
        "the state support is an upper bound",
    ),
    "fig_bars_x": ("Số người chưa được phủ sóng (kỳ vọng)", "People not covered (expected)"),
    "fig_bars_x_reliable": (
        "Số người chưa được phủ sóng (ở độ tin cậy thiết kế)",
        "People not covered (at the design reliability)",
    ),
    "fig_bars_note": (
        "nhãn: tỷ lệ phủ sóng hiện tại → sau kế hoạch",
        "labels: covered share today → after the plan",
    ),
    "fig_bars_note_today": ("nhãn: tỷ lệ phủ sóng hiện tại", "labels: covered share today"),
    # --- end of issue 15, tables ---
    # --- issue 15, map fixes: the phase legend (model names: model_name_* above)
    "legend_phases": ("Trạm mới đề xuất theo giai đoạn", "Proposed new sites by phase"),
    # --- issue 16, coverage layers (uplink, indoor): the coverage summary's layer lines
    "cov_layer_headline": (
        "Tỷ lệ chính theo lớp phủ sóng: {layer}",
        "Headline share in coverage layer: {layer}",
    ),
    "cov_layer_row": (
        "  {name:<16} {expected} kỳ vọng, {reliable} ở độ tin cậy thiết kế",
        "  {name:<16} {expected} expected, {reliable} at the design reliability",
    ),
    "cov_layers": ("Theo lớp phủ sóng:", "By coverage layer:"),
    "layer_signal": ("tín hiệu (ngoài trời)", "signal (outdoors)"),
    "layer_usable": ("dùng được (DL+UL)", "usable (DL+UL)"),
    "layer_indoor": ("trong nhà", "indoor"),
    "layer_indoor_weighted": ("nơi người ở", "where people are"),
    "layer_qcvn": ("QCVN 126", "QCVN 126"),
    # --- end of issue 16, coverage layers ---
    # --- issue 13, the sharing what-if beside a province plan (geoplan plan)
    "sharing_title": (
        "Mạng riêng của từng nhà mạng đến cùng mục tiêu:",
        "Each operator's own network to the same target:",
    ),
    "sharing_row": (
        "  {operator:<9} {n_new} trạm mới, {cost} (ròng {net}); {share} thuê bao của mình",
        "  {operator:<9} {n_new} new sites, {cost} (net {net}); {share} of its subscribers",
    ),
    "sharing_total": (
        "Riêng rẽ {separate} trạm mới, dùng chung hoàn toàn {shared}: dùng chung tiết kiệm "
        "{saved} trạm và {saving} (giả định: mọi trạm phục vụ thuê bao của mọi nhà mạng)",
        "Separately {separate} new sites, fully shared {shared}: sharing saves {saved} sites "
        "and {saving} (assumed: every site serves every operator's subscribers)",
    ),
    # --- end of issue 13, sharing ---
    # --- issue 17, national outputs: the national map, the ranking tables, the brief ---
    "nat_title": (
        "Vùng phủ sóng 5G — Việt Nam, theo tỉnh, thành phố",
        "5G coverage — Vietnam, by province",
    ),
    "nat_title_plan": (
        "Vùng phủ sóng 5G và chương trình trạm mới — toàn quốc",
        "5G coverage and the new-site programme — Vietnam",
    ),
    "nat_scenario": (
        "{covered} / {total} người được phủ sóng ({share}; dân số chính thức 2025), "
        "{n_sites} trạm{synthetic}, {model}",
        "{covered} of {total} people covered ({share}; official 2025 population), "
        "{n_sites} sites{synthetic}, {model}",
    ),
    "nat_worldpop_line": (
        "Theo dân số WorldPop 2020 ({total} người): {share}",
        "Against WorldPop 2020's people ({total}): {share}",
    ),
    "nat_plan_line": (
        "Sau kế hoạch: {n_new} trạm mới → {share} dân số được phủ sóng",
        "After the plan: {n_new} new sites → {share} of people covered",
    ),
    "nat_drill_hint": (
        "Nhấp vào một tỉnh để xem các xã/phường của tỉnh đó",
        "Click a province to see its communes",
    ),
    "nat_back": ("Toàn quốc", "Whole country"),
    "nat_layer_provinces": (
        "Tỉnh/thành phố theo tỷ lệ phủ sóng hiện tại",
        "Provinces by covered share today",
    ),
    "nat_layer_provinces_after": (
        "Tỉnh/thành phố theo tỷ lệ phủ sóng sau kế hoạch",
        "Provinces by covered share after the plan",
    ),
    "nat_layer_units": (
        "Xã/phường của tỉnh đã chọn (hiện tại)",
        "Communes of the chosen province (today)",
    ),
    "nat_layer_units_after": (
        "Xã/phường của tỉnh đã chọn (sau kế hoạch)",
        "Communes of the chosen province (after the plan)",
    ),
    "nat_source_sites": (
        "Trạm: tổng hợp theo quy tắc và hệ số giãn cách của Bắc Ninh (không hiệu chỉnh lại), "
        "không phải trạm thật của nhà mạng",
        "Sites: synthetic, by Bắc Ninh's rules and spacing factor (not re-tuned), not real "
        "operator sites",
    ),
    "province": ("Tỉnh/thành phố", "Province"),
    "nat_col_rank_share": (
        "Hạng theo tỷ lệ phủ sóng (1 = cao nhất)",
        "Rank by covered share (1 = best covered)",
    ),
    "nat_col_rank_uncovered": (
        "Hạng theo số người chưa được phủ sóng (1 = nhiều nhất)",
        "Rank by people not covered (1 = most)",
    ),
    "nat_col_provinces": ("Số tỉnh, thành phố", "Provinces"),
    "nat_col_population": ("Dân số chính thức 2025", "Official population 2025"),
    "nat_col_worldpop_population": ("Dân số WorldPop 2020", "WorldPop 2020 population"),
    "nat_col_n_units": ("Số xã/phường", "Communes"),
    "nat_col_n_sites": ("Số trạm hiện có (tổng hợp)", "Existing sites (synthetic)"),
    "nat_col_covered_population": (
        "Dân số được phủ sóng (kỳ vọng)",
        "Covered population (expected)",
    ),
    "nat_col_reliable_population": (
        "Dân số được phủ sóng ở độ tin cậy thiết kế",
        "Population covered at the design reliability",
    ),
    "nat_col_uncovered_population": (
        "Dân số chưa được phủ sóng (kỳ vọng)",
        "Population not covered (expected)",
    ),
    "nat_col_covered_share": ("Tỷ lệ phủ sóng (kỳ vọng)", "Covered share (expected)"),
    "nat_col_reliable_share": (
        "Tỷ lệ phủ sóng ở độ tin cậy thiết kế",
        "Share covered at the design reliability",
    ),
    "nat_col_covered_worldpop": ("Dân số WorldPop được phủ sóng", "WorldPop people covered"),
    "nat_col_worldpop_covered_share": (
        "Tỷ lệ phủ sóng theo WorldPop 2020",
        "Covered share of WorldPop 2020 people",
    ),
    "nat_col_province_code": ("Mã tỉnh", "Province code"),
    "nat_col_province_name": ("Tỉnh/thành phố", "Province"),
    "nat_col_on_grid": ("Trên lưới dân số", "On the population grid"),
    "nat_col_sites_new": ("Số trạm mới", "New sites"),
    "nat_col_uncovered_population_after": (
        "Dân số chưa được phủ sóng sau kế hoạch",
        "Population not covered after the plan",
    ),
    "nat_col_reliable_population_after": (
        "Dân số được phủ sóng ở độ tin cậy thiết kế, sau kế hoạch",
        "Population covered at the design reliability, after the plan",
    ),
    "nat_col_item": ("Mục", "Item"),
    "nat_col_value": ("Giá trị", "Value"),
    "nat_col_note": ("Ghi chú", "Note"),
    "nat_sheet_summary": ("Tổng quan toàn quốc", "National summary"),
    "nat_sheet_by_share": ("Tỉnh theo tỷ lệ phủ sóng", "Provinces by share"),
    "nat_sheet_by_uncovered": ("Tỉnh theo số người chưa phủ", "Provinces by uncovered"),
    "nat_sheet_units": ("Xã phường", "Communes"),
    "nat_about_ranks": (
        "Hạng theo tỷ lệ phủ sóng: 1 là tỉnh có tỷ lệ cao nhất; hạng theo số người chưa được "
        "phủ sóng: 1 là nhiều nhất; bằng nhau thì theo mã",
        "Rank by covered share: 1 is the best-covered province; rank by people not covered: "
        "1 has the most; ties by code",
    ),
    "nat_about_people": (
        "Tỷ lệ tính trên dân số chính thức 2025 (tổng các xã/phường: 113,7 triệu); WorldPop "
        "2020 (khoảng 99 triệu) cho tỷ lệ theo dân số của WorldPop",
        "Shares are of the official 2025 population (the units' sum: 113.7 million); "
        "WorldPop 2020 (about 99 million) gives the share against WorldPop's people",
    ),
    "nat_about_sites": (
        "Trạm hiện có ngoài Bắc Ninh là dữ liệu tổng hợp theo quy tắc của Bắc Ninh, không "
        "phải trạm thật của nhà mạng",
        "Today's sites outside Bắc Ninh are synthetic, by Bắc Ninh's rules, not real "
        "operator sites",
    ),
    "nat_about_plan": (
        "Các cột sau kế hoạch: trạm mới của chương trình quốc gia và tỷ lệ phủ sóng khi đã "
        "xây xong",
        "Columns after the plan: the national programme's new sites and the covered share "
        "once they are built",
    ),
    "nat_brief_title": (
        "Phủ sóng 5G toàn quốc — tóm tắt một trang",
        "5G coverage in Vietnam — one-page brief",
    ),
    "nat_brief_subtitle": (
        "{n_provinces} tỉnh, thành phố, {n_units} xã/phường · lập ngày {date} · trạm tổng "
        "hợp, không phải trạm thật",
        "{n_provinces} provinces, {n_units} communes · created {date} · synthetic sites, "
        "not real ones",
    ),
    "nat_brief_share": ("Tỷ lệ phủ sóng", "Covered share"),
    "nat_brief_worldpop": ("Theo WorldPop 2020", "Against WorldPop 2020"),
    "nat_brief_people": ("Người được phủ sóng", "People covered"),
    "nat_brief_sites": ("Trạm (tổng hợp)", "Sites (synthetic)"),
    "nat_brief_after": ("Sau kế hoạch", "After the plan"),
    "nat_brief_new_sites": ("Trạm mới", "New sites"),
    "nat_brief_map_title": (
        "Tỷ lệ dân số được phủ sóng theo tỉnh, thành phố ({when})",
        "Share of people covered by province ({when})",
    ),
    "nat_brief_top": ("Phủ sóng cao nhất", "Best covered"),
    "nat_brief_bottom": ("Phủ sóng thấp nhất", "Least covered"),
    "nat_brief_headline": (
        "{covered} trong {total} người (dân số chính thức 2025) được phủ sóng 5G: {share} "
        "(kỳ vọng){reliable}, bởi {n_sites} trạm tổng hợp.",
        "{covered} of {total} people (official 2025) are covered by 5G: {share} "
        "(expected){reliable}, by {n_sites} synthetic sites.",
    ),
    "nat_brief_headline_reliable": (
        ", {share} ở độ tin cậy thiết kế",
        ", {share} at the design reliability",
    ),
    "nat_brief_headline_worldpop": (
        "Theo WorldPop 2020 ({people} người): {share}.",
        "Against WorldPop 2020 ({people} people): {share}.",
    ),
    "nat_brief_headline_range": (
        "Cao nhất: {best} ({best_share}); thấp nhất: {worst} ({worst_share}).",
        "Best covered: {best} ({best_share}); least: {worst} ({worst_share}).",
    ),
    "nat_brief_col_share": ("Tỷ lệ", "Share"),
    "nat_brief_col_rank": ("Hạng", "Rank"),
    "nat_brief_col_people": ("Dân số", "People"),
    "nat_brief_col_uncovered": ("Chưa phủ", "Not covered"),
    "nat_brief_model": (
        "Mô hình: {model}; địa hình phẳng ở mọi tỉnh; lưới {cell} m; mỗi xã/phường hiệu chỉnh "
        "theo dân số chính thức 2025",
        "Model: {model}; flat earth in every province; {cell} m grid; every commune scaled to "
        "its official 2025 population",
    ),
    # --- end of issue 17, national outputs ---
    # --- issue 16, the QCVN layer (SINR/throughput): summary line, map overlays
    "cov_qcvn_row": (
        "  QCVN 126 theo nhà mạng của chính mình: {own}; SINR trung vị {sinr} dB; "
        "theo nhà mạng: {operators}",
        "  QCVN 126 by own operator: {own}; median SINR {sinr} dB; by operator: {operators}",
    ),
    "cov_qcvn_not_computed": (
        "QCVN 126 (SINR, tốc độ khi có tải): chưa tính; thêm --layers qcvn (chậm hơn 3–6 lần)",
        "QCVN 126 (SINR, throughput under load): not computed; add --layers qcvn (3-6x slower)",
    ),
    "layer_sinr": ("SINR của trạm phục vụ tốt nhất (dB)", "Best-server SINR (dB)"),
    "layer_throughput": (
        "Tốc độ tải xuống khi mạng có tải (Mbit/s)",
        "Downlink throughput under load (Mbit/s)",
    ),
    "legend_sinr": ("SINR trung vị (dB)", "Median SINR (dB)"),
    "legend_throughput": ("Tốc độ tải xuống (Mbit/s)", "Downlink rate (Mbit/s)"),
    # --- end of issue 16, the QCVN layer ---
    # --- issue 16 leftovers (h16-rsrp): the map's best-server RSRP overlay
    "layer_rsrp": ("RSRP của trạm phục vụ tốt nhất (dBm)", "Best-server RSRP (dBm)"),
    "legend_rsrp": (
        "SS-RSRP của trạm tốt nhất, đạt ở {reliability} vị trí (dBm)",
        "Best-server SS-RSRP, reached at {reliability} of locations (dBm)",
    ),
    # --- end of issue 16 leftovers ---
    # --- issue 17 leftovers, the national plan in the national outputs ---
    "nat_col_rank_after": (
        "Hạng theo tỷ lệ phủ sóng sau kế hoạch (1 = cao nhất)",
        "Rank by share after the plan (1 = best covered)",
    ),
    "nat_col_reliable_population_before": (
        "Dân số được phủ sóng ở độ tin cậy thiết kế, trước kế hoạch",
        "Population covered at the design reliability, before the plan",
    ),
    "nat_col_covered_population_after": (
        "Dân số được phủ sóng sau kế hoạch (kỳ vọng)",
        "Covered population after the plan (expected)",
    ),
    "nat_col_covered_share_after": (
        "Tỷ lệ phủ sóng sau kế hoạch (kỳ vọng)",
        "Covered share after the plan (expected)",
    ),
    "nat_plan_line_reliable": (
        "Kế hoạch: {n_new} trạm mới, tỷ lệ phủ sóng ở độ tin cậy thiết kế {before} → {after}; "
        "chi phí sau hỗ trợ {net} (Nhà nước hỗ trợ tối đa {support})",
        "Plan: {n_new} new sites, share covered at the design reliability {before} → {after}; "
        "net cost {net} (state support up to {support})",
    ),
    "nat_layer_provinces_before": (
        "Tỉnh/thành phố theo tỷ lệ phủ sóng ở độ tin cậy thiết kế, hiện tại",
        "Provinces by share covered at the design reliability, today",
    ),
    "nat_layer_provinces_reliable_after": (
        "Tỉnh/thành phố theo tỷ lệ phủ sóng ở độ tin cậy thiết kế, sau kế hoạch",
        "Provinces by share covered at the design reliability, after the plan",
    ),
    "nat_about_plan_reliable": (
        "Các cột kế hoạch: trạm mới của chương trình quốc gia theo tỉnh; tỷ lệ phủ sóng ở độ "
        "tin cậy thiết kế trước và sau (tỷ lệ mà kế hoạch tối đa hóa); tỷ lệ kỳ vọng sau kế "
        "hoạch khi đã tính; chi phí, hỗ trợ của Nhà nước (tối đa 15%) và chi phí sau hỗ trợ",
        "Plan columns: the national programme's new sites by province; the share covered at "
        "the design reliability before and after (the share the plan maximises); the "
        "expected share after when computed; CAPEX, state support (up to 15%) and the net "
        "cost",
    ),
    "nat_brief_before": ("Hiện tại (độ tin cậy)", "Today (reliable)"),
    "nat_brief_after_reliable": ("Sau kế hoạch (độ tin cậy)", "After the plan (reliable)"),
    "nat_brief_net_cost": ("Chi phí sau hỗ trợ", "Net cost after support"),
    "nat_brief_top_after": ("Phủ sóng cao nhất sau kế hoạch", "Best covered after the plan"),
    "nat_brief_bottom_after": ("Phủ sóng thấp nhất sau kế hoạch", "Least covered after the plan"),
    "nat_brief_col_new": ("Trạm mới", "New"),
    "nat_brief_col_before": ("Trước", "Before"),
    "nat_brief_col_after": ("Sau", "After"),
    "nat_brief_headline_plan": (
        "Kế hoạch: {n_new} trạm mới nâng tỷ lệ phủ sóng ở độ tin cậy thiết kế từ {before} lên "
        "{after} ({added} người); chi phí {cost}, Nhà nước hỗ trợ tối đa {support}, nhà mạng "
        "chi {net}.",
        "Plan: {n_new} new sites lift the share covered at the design reliability from "
        "{before} to {after} ({added} people); CAPEX {cost}, state support up to {support}, "
        "operators {net}.",
    ),
    "nat_brief_model_plan": (
        "Mỗi tỉnh: trạm mới theo thứ tự tham lam (mỗi trạm phủ nhiều người chưa được phủ "
        "nhất); phân bổ toàn quốc tối ưu cho các đường cong đó",
        "Each province: new sites in greedy order (each covers the most people not yet "
        "covered); the national split is optimal for those curves",
    ),
    # --- end of issue 17 leftovers ---
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is one of :data:`LANGS`, else raise :class:`InputError`.

    Parameters
    ----------
    lang : str
        ``"vi"`` or ``"en"``.
    """
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    return lang


def label(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """The text of ``key`` in ``lang``, with ``{fields}`` filled in.

    Parameters
    ----------
    key : str
        A key of :data:`LABELS`.
    lang : str
        ``"vi"`` or ``"en"``.
    **fields
        Values for the ``{placeholders}`` of the text.

    >>> label("layer_phase", "en", phase=2)
    'Proposed new sites — phase 2'
    """
    text = LABELS[key][LANGS.index(check_lang(lang))]
    return text.format(**fields) if fields else text


def fmt_int(value: float, lang: str = DEFAULT_LANG) -> str:
    """A whole number with the thousands separator of ``lang`` (``.`` in vi, ``,`` in en).

    Parameters
    ----------
    value : float
        The number (e.g. people), rounded to a whole number.
    lang : str
        ``"vi"`` or ``"en"``.

    >>> fmt_int(1234567.4, "vi")
    '1.234.567'
    """
    text = f"{round(float(value)):,d}"
    return text.replace(",", ".") if check_lang(lang) == "vi" else text


def fmt_pct(share: float, lang: str = DEFAULT_LANG, digits: int = 1, up: bool = False) -> str:
    """A share (0..1) as a percentage with the decimal mark of ``lang``.

    Parameters
    ----------
    share : float
        The share, 0..1.
    lang : str
        ``"vi"`` (decimal comma) or ``"en"``.
    digits : int
        Decimals of the percentage.
    up : bool
        Round up, not to nearest: for a figure stated as "at most" (a gap of 0.516% is
        at most 0.6%, not 0.5%).

    >>> fmt_pct(0.12345, "vi"), fmt_pct(0.00516, "en", up=True), fmt_pct(0.005, "en", up=True)
    ('12,3%', '0.6%', '0.5%')
    """
    percent = 100 * float(share)
    if up:
        scale = 10**digits
        percent = math.ceil(round(percent * scale, 6)) / scale
    text = f"{percent:.{digits}f}%"
    return text.replace(".", ",") if check_lang(lang) == "vi" else text


def fmt_vnd(value: float, lang: str = DEFAULT_LANG) -> str:
    """An amount of đồng, in billions (tỷ) when large enough.

    Parameters
    ----------
    value : float
        The amount, VND; from 1 billion it is shown in billions with one decimal.
    lang : str
        ``"vi"`` or ``"en"``.

    >>> fmt_vnd(12_500_000_000, "vi"), fmt_vnd(12_500_000_000, "en")
    ('12,5 tỷ đồng', 'VND 12.5 billion')
    """
    billions = float(value) / 1e9
    if abs(billions) >= 1:
        number = f"{billions:,.1f}"
        if check_lang(lang) == "vi":
            return number.replace(",", " ").replace(".", ",").replace(" ", ".") + " tỷ đồng"
        return f"VND {number} billion"
    return f"{fmt_int(value, lang)} đồng" if lang == "vi" else f"VND {fmt_int(value, lang)}"


def fmt_date(day: dt.date, lang: str = DEFAULT_LANG) -> str:
    """A date as ``lang`` writes it: dd/mm/yyyy in Vietnamese, ISO (yyyy-mm-dd) in English.

    Parameters
    ----------
    day : datetime.date
        The date.
    lang : str
        ``"vi"`` or ``"en"``.

    >>> fmt_date(dt.date(2026, 3, 9), "vi"), fmt_date(dt.date(2026, 3, 9), "en")
    ('09/03/2026', '2026-03-09')
    """
    return day.strftime("%d/%m/%Y") if check_lang(lang) == "vi" else day.isoformat()


def model_label(model: str, lang: str = DEFAULT_LANG) -> str:
    """The display name of a coverage model (``"radius"``, ``"38901"``) in ``lang``.

    Parameters
    ----------
    model : str
        A model name of :data:`geoplan.schema.ModelName`; an unknown one is returned as it is.
    lang : str
        ``"vi"`` or ``"en"``.

    >>> model_label("radius", "vi"), model_label("radius", "en")
    ('mô hình bán kính giả định', 'assumed-radius model')
    """
    key = f"model_name_{model}"
    return label(key, lang) if key in LABELS else str(model)
