/* geoplan national map: the provinces by covered share; a click on one drills into its
 * communes. Called once by the page, after geoplanSetup (geoplan-map.js):
 *   geoplanNational(map, layers, data)
 * layers: {provinces, provincesAfter, units, unitsAfter}: Leaflet feature groups (the
 *         "after" ones null without a plan); this script fills them
 * data:   the page's JSON block: {step, colours, pane, unitPane, bounds, hint, back,
 *         labels: {province: [...], unit: [...]},
 *         provinces: [{code, name, cls, clsAfter, tip, shape, view}],
 *         units: {code: [{name, cls, clsAfter, tip, shape}]}}
 * view: the [[south, west], [north, east]] a drilled province fits (its mainland).
 * A shape is [[ring, hole, ...], ...] of delta-coded integer lon/lat in steps of `step`
 * degrees. Labels, names and tip values arrive HTML-escaped; this script only joins
 * them into table rows.
 */
/* exported geoplanNational */
function geoplanNational(map, layers, data) {
  "use strict";
  const step = data.step;

  function latlngs(shape) {
    return shape.map(polygon => polygon.map(ring => {
      const out = [];
      let x = 0, y = 0;
      for (let i = 0; i < ring.length; i += 2) {
        x += ring[i];
        y += ring[i + 1];
        out.push([y * step, x * step]);
      }
      return out;
    }));
  }

  function table(labels, values, extra) {
    let rows = "";
    values.forEach((value, i) => {
      if (value !== null) rows += "<tr><th>" + labels[i] + "</th><td>" + value + "</td></tr>";
    });
    return '<table class="geoplan-tip">' + rows + "</table>" + (extra || "");
  }

  function style(cls, css, pane, weight) {
    return {fillColor: data.colours[cls], color: "#444444", weight: weight,
            fillOpacity: 0.7, className: css, pane: pane};
  }

  function shaped(latlng, cls, css, pane, weight, item, labels, extra) {
    const polygon = L.polygon(latlng, style(cls, css, pane, weight));
    polygon.bindTooltip(item.name, {sticky: true});
    polygon.bindPopup(table(labels, item.tip, extra), {maxWidth: 360});
    return polygon;
  }

  function leftColumn() {
    // the title and the legend stand on the left: keep the province right of them
    const title = document.querySelector(".geoplan-title");
    const box = map.getContainer().getBoundingClientRect();
    if (!title || box.width < 700) return 0;
    return title.getBoundingClientRect().right - box.left;
  }

  const unitGroups = [layers.units, layers.unitsAfter].filter(Boolean);
  let drilled = null;

  function drill(code, bounds) {
    if (drilled !== code) {
      unitGroups.forEach(group => group.clearLayers());
      for (const unit of data.units[code] || []) {
        const latlng = latlngs(unit.shape);
        layers.units.addLayer(shaped(latlng, unit.cls, "geoplan-unit", data.unitPane, 0.6,
                                     unit, data.labels.unit));
        if (layers.unitsAfter) {
          layers.unitsAfter.addLayer(shaped(latlng, unit.clsAfter, "geoplan-unit-after",
                                            data.unitPane, 0.6, unit, data.labels.unit));
        }
      }
      drilled = code;
    }
    if (!unitGroups.some(group => map.hasLayer(group))) layers.units.addTo(map);
    map.fitBounds(bounds, {paddingTopLeft: [leftColumn() + 20, 20], paddingBottomRight: [20, 20]});
  }

  const hint = '<div class="geoplan-hint">' + data.hint + "</div>";
  for (const province of data.provinces) {
    const latlng = latlngs(province.shape);
    const today = shaped(latlng, province.cls, "geoplan-province", data.pane, 1, province,
                         data.labels.province, hint);
    const view = province.view || today.getBounds();
    today.on("click", () => drill(province.code, view));
    layers.provinces.addLayer(today);
    if (layers.provincesAfter) {
      const after = shaped(latlng, province.clsAfter, "geoplan-province-after", data.pane, 1,
                           province, data.labels.province, hint);
      after.on("click", () => drill(province.code, view));
      layers.provincesAfter.addLayer(after);
    }
  }

  const back = L.control({position: "topright"});
  back.onAdd = function () {
    const button = L.DomUtil.create("button", "geoplan-panel geoplan-back");
    button.type = "button";
    button.textContent = data.back;
    L.DomEvent.disableClickPropagation(button);
    L.DomEvent.on(button, "click", () => {
      unitGroups.forEach(group => group.clearLayers());
      drilled = null;
      map.closePopup();
      map.fitBounds(data.bounds);
    });
    return button;
  };
  back.addTo(map);
}
