/* geoplan meeting map: panels as Leaflet controls, a fit that keeps the province clear
 * of them, a legend of the visible layers only, a metric scale and commune names when
 * zoomed in. Called once by the page, after every layer exists:
 *   geoplanSetup(map, groups, options)
 * groups:  legend key -> the layers whose symbols that legend entry explains
 * options: {bounds: [[south, west], [north, east]], labels: [[lat, lon, html], ...],
 *           labelMinZoom: 11, labelPane: "geoplan-labels", margin: 10}
 * Label texts arrive HTML-escaped; nothing here builds HTML from other data.
 */
/* exported geoplanSetup */
function geoplanSetup(map, groups, options) {
  "use strict";
  const margin = options.margin;
  const container = map.getContainer();

  function panelControl(selector, position) {
    const panel = document.querySelector(selector);
    if (!panel) return null;
    const control = L.control({position: position});
    control.onAdd = function () {
      panel.classList.add("leaflet-control");
      L.DomEvent.disableClickPropagation(panel);
      L.DomEvent.disableScrollPropagation(panel);
      return panel;
    };
    control.addTo(map);
    return panel;
  }

  // bottom corners stack upwards: the scale first sits lowest, the legend above it
  L.control.scale({imperial: false, metric: true, maxWidth: 150}).addTo(map);
  const title = panelControl(".geoplan-title", "topleft");
  const legend = panelControl(".geoplan-legend", "bottomleft");
  panelControl(".geoplan-sources", "bottomright");

  function corner(name) {
    // the boxes of the visible controls of one corner ("top left", ...)
    const selector = name.split(" ").map(side => ".leaflet-" + side).join("");
    const boxes = [];
    for (const el of container.querySelectorAll(selector + " > .leaflet-control")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) boxes.push(r);
    }
    return boxes;
  }
  const most = values => Math.max(0, ...values);

  function fitLegend() {
    // the legend scrolls rather than running under the title
    if (!legend || !title) return;
    const box = container.getBoundingClientRect();
    const top = title.getBoundingClientRect().bottom - box.top;
    let below = 0;
    for (const el of container.querySelectorAll(".leaflet-bottom.leaflet-left > .leaflet-control")) {
      if (el !== legend) below += el.getBoundingClientRect().height + margin;
    }
    legend.style.maxHeight = Math.max(80, box.height - top - below - 3 * margin) + "px";
  }

  function fitProvince() {
    // the province's box stays right of the left column (title, legend) and either left
    // of the right-hand controls or between the top-right and bottom-right ones
    const box = container.getBoundingClientRect();
    const left = most([...corner("top left"), ...corner("bottom left")].map(r => r.right - box.left));
    const topRight = corner("top right"), bottomRight = corner("bottom right");
    const right = most([...topRight, ...bottomRight].map(r => box.right - r.left));
    const top = most(topRight.map(r => r.bottom - box.top));
    const bottom = most(bottomRight.map(r => box.bottom - r.top));
    let choices = [
      {topLeft: [left + margin, top + margin], bottomRight: [margin, bottom + margin]},
      {topLeft: [left + margin, margin], bottomRight: [right + margin, margin]},
    ];
    if (left + right > 0.6 * box.width) {  // a narrow screen: the controls float over the map
      choices = [{topLeft: [margin, margin], bottomRight: [margin, margin]}];
    }
    const zoom = c => map.getBoundsZoom(options.bounds, false,
                                        L.point(c.topLeft).add(c.bottomRight));
    const best = choices.reduce((a, b) => (zoom(b) > zoom(a) ? b : a));
    map.fitBounds(options.bounds, {paddingTopLeft: best.topLeft,
                                   paddingBottomRight: best.bottomRight});
  }

  function syncLegend() {
    if (!legend) return;
    const shown = key => (groups[key] || []).some(layer => map.hasLayer(layer));
    let any = false;
    for (const el of legend.querySelectorAll("[data-geoplan-legend]")) {
      const on = el.dataset.geoplanLegend.split(" ").some(shown);
      el.style.display = on ? "" : "none";
      any = any || on;
    }
    legend.style.display = any ? "" : "none";
  }

  const labels = L.layerGroup();
  for (const [lat, lon, html] of options.labels) {
    const icon = L.divIcon({className: "geoplan-label", html: "<span>" + html + "</span>",
                            iconSize: null});
    L.marker([lat, lon], {icon: icon, interactive: false, keyboard: false,
                          pane: options.labelPane}).addTo(labels);
  }
  function syncLabels() {
    if (map.getZoom() >= options.labelMinZoom) labels.addTo(map);
    else labels.remove();
  }

  map.on("overlayadd overlayremove", syncLegend);
  map.on("zoomend", syncLabels);
  syncLegend();
  fitLegend();
  fitProvince();
  syncLabels();
  window.addEventListener("resize", fitLegend);
}
