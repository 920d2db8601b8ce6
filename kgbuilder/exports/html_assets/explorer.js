/* The explorer: draws the page's JSON with vis-network and wires search, filters, the timeline and focus.
   Every curated string reaches the page through textContent or a canvas label, never as markup.

   Speed: the positions come from Python (physics off), so the first paint is the final picture.
   Adjacency, styles and search keys are computed once here; a selection touches only the selected
   node's own edges. Dimming the rest is one translucent wash painted over the canvas after vis-network
   draws, with the neighbourhood painted again on top, instead of restyling every node and edge through
   the DataSet (that restyling was what made a click on a dense graph take seconds). */
(function () {
  "use strict";
  var timing = { start: performance.now() };   // read by bench/bench_html.py
  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var DAY = 86400000;
  var FACT = "#8a8a8a", CLAIM = "#c0392b", DOUBT = "#7f6a00", CONFLICT = "#d0021b", HOT = "#ff8c00";
  var WASH = "rgba(250,250,250,0.82)";
  var $ = function (id) { return document.getElementById(id); };
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"];

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function short(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }
  function dayOf(iso) {
    var m = /^(-?\d{4})-(\d\d)-(\d\d)$/.exec(iso || "");
    if (!m) return null;
    var d = new Date(0);
    d.setUTCFullYear(+m[1], +m[2] - 1, +m[3]);
    return Math.round(d.getTime() / DAY);
  }
  function isoOf(day) {
    var d = new Date(day * DAY), y = d.getUTCFullYear();
    return (y < 0 ? "-" + String(-y).padStart(4, "0") : String(y).padStart(4, "0")) + "-" +
      String(d.getUTCMonth() + 1).padStart(2, "0") + "-" + String(d.getUTCDate()).padStart(2, "0");
  }
  // a date as curated, with its precision: xsd:date (day), xsd:gYearMonth (month), xsd:gYear (year)
  function precisionOf(value) {
    var m = /^(-?\d{4})(?:-(\d\d))?(?:-(\d\d))?/.exec(value || "");
    if (!m) return null;
    if (m[3]) return { kind: "day", text: (+m[3]) + " " + MONTHS[+m[2] - 1] + " " + m[1] };
    if (m[2]) return { kind: "month", text: MONTHS[+m[2] - 1] + " " + m[1] };
    return { kind: "year", text: m[1] };
  }
  function safeUrl(u) {
    try {
      var url = new URL(String(u));
      return (url.protocol === "https:" || url.protocol === "http:") ? url.href : null;
    } catch (err) { return null; }
  }
  function norm(s) {
    return String(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // ---- precomputed: lookups, adjacency, incident edges ------------------------------------------
  var nodeById = new Map(), edgeById = new Map(), adj = new Map(), incident = new Map();
  DATA.nodes.forEach(function (n) {
    nodeById.set(n.id, n); adj.set(n.id, new Set()); incident.set(n.id, []);
    n._lo = dayOf(n.lo); n._hi = dayOf(n.hi);
  });
  DATA.edges.forEach(function (e) {
    edgeById.set(e.id, e);
    e._lo = dayOf(e.lo); e._hi = dayOf(e.hi);
    if (adj.has(e.from) && adj.has(e.to)) {
      adj.get(e.from).add(e.to); adj.get(e.to).add(e.from);
      incident.get(e.from).push(e.id);
      if (e.to !== e.from) incident.get(e.to).push(e.id);
    }
  });
  function labelOf(id) { var n = nodeById.get(id); return n ? n.label : id; }
  function isClaim(x) { return !!x.claimed_by; }
  function isDoubt(x) { return x.verification === "Unverified" || x.verification === "Disputed"; }
  function corroboration(x) { return typeof x.corroboration === "number" ? x.corroboration : (x.sources || []).length; }
  function isConflict(x) { return x.conflict === true; }
  function styleOf(n) { return DATA.styles[n.group] || { color: "#bab0ac", shape: "dot", glyph: "\u25cf", name: n.group }; }
  var PRED = DATA.predicates || {};
  function predLabel(p) { return (PRED[p] && PRED[p].label) || p; }
  // "Toqaev — agent of — Toqaev appeals to the CSTO": a relation as read from one of its ends
  function phrase(e, side) {
    var p = PRED[e.predicate] || {};
    if (side === e.to && side !== e.from && p.inverse) return [labelOf(e.to), p.inverse, labelOf(e.from)];
    return [labelOf(e.from), predLabel(e.predicate), labelOf(e.to)];
  }
  function phraseText(parts) { return parts.join(" \u2014 "); }

  // ---- label sizes: main actors readable at first sight, the rest on zoom ---------------------------
  var container = $("kg-network");
  var majors = Math.max(6, Math.min(24, Math.round(Math.sqrt(DATA.nodes.length))));
  var fitScale = 1;
  (function () {
    var xs = DATA.nodes.map(function (n) { return n.x || 0; }), ys = DATA.nodes.map(function (n) { return n.y || 0; });
    if (!xs.length) return;
    var w = Math.max.apply(null, xs) - Math.min.apply(null, xs) + 120;
    var h = Math.max.apply(null, ys) - Math.min.apply(null, ys) + 120;
    fitScale = Math.min(1.2, (container.clientWidth || 800) / w, (container.clientHeight || 600) / h);
  })();
  // canvas units chosen so that at the first view a main actor's label is ~15 px and another's ~6 px,
  // under the draw threshold (8 px): those appear from ~1.3x zoom, or on hover
  var MAJOR_FONT = Math.max(14, 17 / fitScale), MINOR_FONT = Math.max(9, 6.3 / fitScale);
  var EDGE_FONT = Math.max(10, 6.3 / fitScale);

  // ---- vis items ------------------------------------------------------------------------------------
  function visNode(n) {
    var st = styleOf(n), claim = isClaim(n), doubt = isDoubt(n);
    var border = claim ? CLAIM : doubt ? DOUBT : st.color;
    var major = (n.rank || Infinity) <= majors;
    var v = {
      id: n.id, label: short(n.label, 42), shape: st.shape, value: 1 + adj.get(n.id).size,
      color: { background: st.color, border: border,
               highlight: { background: st.color, border: "#222" }, hover: { background: st.color, border: "#222" } },
      borderWidth: claim || doubt ? 3 : 1,
      font: { color: "#222", size: major ? MAJOR_FONT : MINOR_FONT, bold: major ? { color: "#111" } : undefined }
    };
    if (major) v.font.strokeWidth = 4;
    if (claim || doubt) v.shapeProperties = { borderDashes: claim ? [5, 4] : [2, 3] };
    if (n.x !== undefined) { v.x = n.x; v.y = n.y; }
    return v;
  }
  // edges between the same two nodes curve apart instead of drawing on top of each other;
  // on dense pages straight lines, since curves cost most of a redraw there
  var curved = DATA.edges.length <= 1500;
  var roundness = new Map();
  if (curved) {
    var pairs = new Map();
    DATA.edges.forEach(function (e) {
      var key = e.from < e.to ? e.from + "\u0000" + e.to : e.to + "\u0000" + e.from;
      if (!pairs.has(key)) pairs.set(key, []);
      pairs.get(key).push(e);
    });
    pairs.forEach(function (list) {
      if (list.length < 2 && list[0].from !== list[0].to) return;
      list.forEach(function (e, i) {
        var r = (Math.floor(i / 2) + (list.length % 2 ? (i ? 1 : 0) : 1)) * 0.22 * (i % 2 ? -1 : 1);
        if (e.from > e.to) r = -r;
        roundness.set(e.id, r);
      });
    });
  }
  function edgeColour(e) {
    return isConflict(e) ? CONFLICT : isClaim(e) ? CLAIM : isDoubt(e) ? DOUBT : FACT;
  }
  function visEdge(e) {
    var claim = isClaim(e), doubt = isDoubt(e), conflict = isConflict(e), c = edgeColour(e);
    var corr = corroboration(e);
    var v = {
      id: e.id, from: e.from, to: e.to, label: predLabel(e.predicate), arrows: "to",
      color: { color: c, highlight: "#222", hover: "#222", inherit: false, opacity: 1 },
      width: (corr >= 2 ? 1.2 + 1.1 * Math.min(corr - 1, 4) : 1.2) + (conflict ? 0.8 : 0),
      dashes: conflict ? [2, 3] : claim ? [8, 5] : doubt ? [2, 4] : false,
      font: { size: EDGE_FONT, color: claim || conflict ? c : "#555", strokeWidth: 3, strokeColor: "#fafafa", align: "middle" }
    };
    var r = roundness.get(e.id);
    if (r) v.smooth = { enabled: true, type: r > 0 ? "curvedCW" : "curvedCCW", roundness: Math.abs(r) };
    return v;
  }

  var big = DATA.nodes.length > 1500 || DATA.edges.length > 4000;
  var nodes = new vis.DataSet(DATA.nodes.map(visNode));
  var edges = new vis.DataSet(DATA.edges.map(visEdge));
  var options = {
    autoResize: true,
    nodes: { font: { size: MINOR_FONT, strokeWidth: 3, strokeColor: "#fafafa" },
             scaling: { min: 10, max: 32, label: { enabled: false, drawThreshold: 9, maxVisible: 28 } } },
    edges: { smooth: false, width: 1.2, selectionWidth: 1.5,
             arrows: { to: { scaleFactor: 0.6 } },
             scaling: { label: { enabled: false, drawThreshold: 10, maxVisible: 16 } } },
    interaction: { hover: true, hideEdgesOnDrag: big, hideEdgesOnZoom: big, keyboard: false, multiselect: false },
    layout: { improvedLayout: false, randomSeed: 7 },
    physics: DATA.physics ? {
      enabled: true, solver: "barnesHut", minVelocity: 1,
      barnesHut: { gravitationalConstant: -6000, centralGravity: 0.4, springLength: 120, springConstant: 0.03, damping: 0.45, avoidOverlap: 0.3 },
      stabilization: { enabled: true, iterations: 500, updateInterval: 50, fit: true }
    } : { enabled: false }
  };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  window.network = network;

  timing.network = performance.now();
  var api = { data: DATA, ready: false, timing: timing };
  window.kgExplorer = api;
  function settled() {
    if (api.ready) return;
    if (DATA.physics) network.setOptions({ physics: { enabled: false } });
    timing.ready = performance.now();
    api.ready = true;
    $("kg-status").textContent = "";
  }
  if (DATA.physics) {
    $("kg-status").textContent = "laying out\u2026";
    network.on("stabilizationProgress", function (p) {
      $("kg-status").textContent = "laying out\u2026 " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", settled);
    network.once("stabilized", settled);
  } else {
    network.once("afterDrawing", settled);
  }

  // ---- filters: types, predicates, dates, focus ------------------------------------------------
  var typeOn = new Set(Object.keys(DATA.styles));
  var predCount = new Map();
  DATA.edges.forEach(function (e) { predCount.set(e.predicate, (predCount.get(e.predicate) || 0) + 1); });
  var predOn = new Set(predCount.keys());
  var range = { from: null, to: null };
  var focus = null;   // {id, depth, set}
  var nodeHidden = new Map(), edgeHidden = new Map();

  function inDates(x) {
    return (range.to === null || x._lo === null || x._lo <= range.to) &&
           (range.from === null || x._hi === null || x._hi >= range.from);
  }
  function visibleNode(n) {
    return typeOn.has(n.group) && inDates(n) && (!focus || focus.set.has(n.id));
  }
  // Hiding through the DataSet costs ~1 ms an edge (vis-network re-reads every option of each item
  // and then rescans the whole graph): 0.5 s for a date step on a dense page. vis-network 9 draws and
  // hit-tests exactly the ids in body.nodeIndices/body.edgeIndices, and rebuilds them from each item's
  // options.hidden; so the page sets options.hidden and those two lists itself, the same state vis-network
  // would reach. The DataSet path stays for any other vis-network build.
  var body = network.body;
  // window.KGB_PUBLIC_API_ONLY (set by a test before the page loads) takes the paths any
  // vis-network build supports, as a build without these internals would
  var direct = !window.KGB_PUBLIC_API_ONLY && !!(body && Array.isArray(body.nodeIndices) && Array.isArray(body.edgeIndices) && body.nodes && body.edges &&
                  body.emitter && typeof body.emitter.emit === "function");
  function requestRedraw() { if (direct) body.emitter.emit("_requestRedraw"); else network.redraw(); }
  function hideDirectly(nodeUpd, edgeUpd) {
    nodeUpd.forEach(function (u) { var n = body.nodes[u.id]; if (n) n.options.hidden = u.hidden; });
    edgeUpd.forEach(function (u) { var e = body.edges[u.id]; if (e) e.options.hidden = u.hidden; });
    var ni = [], ei = [];
    for (var i = 0; i < DATA.nodes.length; i++) {
      var id = DATA.nodes[i].id;
      if (!nodeHidden.get(id) && body.nodes[id]) ni.push(id);
    }
    for (var j = 0; j < DATA.edges.length; j++) {
      var e = body.edges[DATA.edges[j].id];
      if (e && e.connected && !edgeHidden.get(e.id)) ei.push(e.id);
    }
    body.nodeIndices = ni; body.edgeIndices = ei;
    // a selected item that was just hidden is unselected, as the DataSet path would do
    var sel = network.getSelection();
    if (sel.nodes.some(function (x) { return nodeHidden.get(x); }) || sel.edges.some(function (x) { return edgeHidden.get(x); }))
      network.unselectAll();
    requestRedraw();
  }
  var counts = { nodes: 0, edges: 0 };
  function applyFilters() {
    var nodeUpd = [], edgeUpd = [], shownNodes = 0, shownEdges = 0;
    DATA.nodes.forEach(function (n) {
      var h = !visibleNode(n);
      if (!h) shownNodes++;
      if (nodeHidden.get(n.id) !== h) { nodeHidden.set(n.id, h); nodeUpd.push({ id: n.id, hidden: h }); }
    });
    DATA.edges.forEach(function (e) {
      var h = !(predOn.has(e.predicate) && inDates(e) && !nodeHidden.get(e.from) && !nodeHidden.get(e.to));
      if (!h) shownEdges++;
      if (edgeHidden.get(e.id) !== h) { edgeHidden.set(e.id, h); edgeUpd.push({ id: e.id, hidden: h }); }
    });
    if (nodeUpd.length || edgeUpd.length) {
      if (direct) hideDirectly(nodeUpd, edgeUpd);
      else { if (nodeUpd.length) nodes.update(nodeUpd); if (edgeUpd.length) edges.update(edgeUpd); }
    }
    api.lastChange = { nodes: nodeUpd, edges: edgeUpd };
    counts.nodes = shownNodes; counts.edges = shownEdges;
    $("kg-counts").textContent = shownNodes + " of " + DATA.nodes.length + " nodes \u00b7 " +
      shownEdges + " of " + DATA.edges.length + " edges";
    if (timeline) timeline.refresh();
  }
  api.applyFilters = applyFilters;
  api.counts = counts;

  function checkItem(list, on, key, labelParts, onChange) {
    var input = el("input"); input.type = "checkbox"; input.checked = on.has(key);
    input.addEventListener("change", function () {
      if (input.checked) on.add(key); else on.delete(key);
      onChange();
    });
    var label = el("label"); add(label, input);
    labelParts.forEach(function (p) { add(label, p); });
    add(list, add(el("li"), label));
    return input;
  }
  var typeCount = new Map();
  DATA.nodes.forEach(function (n) { typeCount.set(n.group, (typeCount.get(n.group) || 0) + 1); });
  Object.keys(DATA.styles).forEach(function (group) {
    var st = DATA.styles[group], glyph = el("span", st.glyph, "kg-glyph");
    glyph.style.color = st.color;
    var box = checkItem($("kg-legend"), typeOn, group,
      [glyph, el("span", st.name + " "), el("span", "(" + typeCount.get(group) + ")", "kg-meta")], applyFilters);
    box.dataset.type = group;
  });
  // the edge legend says how many edges each look applies to
  (function () {
    var n = { claim: 0, doubt: 0, corr: 0, conflict: 0 };
    DATA.edges.forEach(function (e) {
      if (isClaim(e)) n.claim++;
      if (isDoubt(e)) n.doubt++;
      if (corroboration(e) >= 2) n.corr++;
      if (isConflict(e)) n.conflict++;
    });
    [["claim", n.claim], ["unverified", n.doubt], ["corroborated", n.corr], ["conflict", n.conflict]].forEach(function (k) {
      var li = document.querySelector("#kg-edge-legend [data-look=" + k[0] + "] .kg-meta");
      if (li) li.textContent = " (" + k[1] + ")";
    });
  })();
  var predBoxes = [];
  Array.from(predCount.keys()).sort(function (a, b) {
    return predCount.get(b) - predCount.get(a) || (a < b ? -1 : 1);
  }).forEach(function (p) {
    var box = checkItem($("kg-predicates"), predOn, p,
      [el("span", predLabel(p) + " "), el("span", "(" + predCount.get(p) + ")", "kg-meta")], applyFilters);
    box.dataset.predicate = p;
    predBoxes.push([p, box]);
  });
  function setAllPreds(on) {
    predBoxes.forEach(function (pb) { pb[1].checked = on; if (on) predOn.add(pb[0]); else predOn.delete(pb[0]); });
    applyFilters();
  }
  $("kg-preds-all").addEventListener("click", function () { setAllPreds(true); });
  $("kg-preds-none").addEventListener("click", function () { setAllPreds(false); });

  // ---- dates: the From/To sliders and the timeline's brush set the same range ---------------------
  var days = [];
  DATA.nodes.concat(DATA.edges).forEach(function (x) {
    if (x._lo !== null) days.push(x._lo);
    if (x._hi !== null) days.push(x._hi);
  });
  var fromInput = $("kg-date-from"), toInput = $("kg-date-to");
  var minDay = null, maxDay = null, storyWindow = null;
  var timeline = null;
  function setRange(f, t, moved) {
    if (f > t) { if (moved === "to") f = t; else t = f; }
    range.from = f; range.to = t;
    fromInput.value = f; toInput.value = t;
    $("kg-date-from-out").textContent = isoOf(f);
    $("kg-date-to-out").textContent = isoOf(t);
    applyFilters();
  }
  if (days.length) {
    minDay = Math.min.apply(null, days); maxDay = Math.max.apply(null, days);
    [fromInput, toInput].forEach(function (input) { input.min = minDay; input.max = maxDay; });
    fromInput.addEventListener("input", function () { setRange(+fromInput.value, +toInput.value, "from"); });
    toInput.addEventListener("input", function () { setRange(+fromInput.value, +toInput.value, "to"); });
    if (DATA.window) storyWindow = [dayOf(DATA.window[0]), dayOf(DATA.window[1])];
    api.setRange = function (fromIso, toIso) { setRange(dayOf(fromIso), dayOf(toIso)); };
    api.allDates = function () { setRange(minDay, maxDay); };
    api.storyDates = function () { if (storyWindow) setRange(storyWindow[0], storyWindow[1]); };
    $("kg-dates-all").addEventListener("click", api.allDates);
    $("kg-dates-story").addEventListener("click", api.storyDates);
    if (!storyWindow) $("kg-dates-story").hidden = true;
  } else {
    $("kg-dates").hidden = true;
  }

  function neighbourhood(id, depth) {
    var seen = new Set([id]), frontier = [id];
    for (var d = 0; d < depth && frontier.length; d++) {
      var next = [];
      frontier.forEach(function (u) {
        adj.get(u).forEach(function (v) { if (!seen.has(v)) { seen.add(v); next.push(v); } });
      });
      frontier = next;
    }
    return seen;
  }
  function focusOn(id, depth) {
    if (!nodeById.has(id)) return;
    depth = Math.max(0, Math.min(6, depth | 0));
    focus = { id: id, depth: depth, set: neighbourhood(id, depth) };
    $("kg-depth").value = depth;
    $("kg-unfocus").disabled = false;
    $("kg-focus-state").textContent = "Showing " + labelOf(id) + " and what is within " + depth +
      (depth === 1 ? " step" : " steps") + ".";
    applyFilters();
    network.fit({ nodes: Array.from(focus.set).filter(function (n) { return !nodeHidden.get(n); }),
                  animation: false });
  }
  function clearFocus() {
    focus = null;
    $("kg-unfocus").disabled = true;
    $("kg-focus-state").textContent = "";
    applyFilters();
    fitShown();
  }
  function fitShown() {
    network.fit({ nodes: DATA.nodes.filter(function (n) { return !nodeHidden.get(n.id); })
                                    .map(function (n) { return n.id; }), animation: false });
  }
  api.focusOn = focusOn;
  api.clearFocus = clearFocus;
  $("kg-focus").addEventListener("click", function () {
    if (selected && selected.kind === "node") focusOn(selected.id, +$("kg-depth").value);
  });
  $("kg-unfocus").addEventListener("click", clearFocus);
  $("kg-depth").addEventListener("change", function () {
    if (focus) focusOn(focus.id, +$("kg-depth").value);
  });

  // ---- highlight: a wash over the canvas, the neighbourhood drawn again on top ---------------------
  var lit = null;        // {nodes: [ids], edges: [ids]} while something is selected
  var LIT_EDGES_ONE_BY_ONE = 150, RELATIONS_SHOWN = 100;
  var hot = null;        // a node id hovered in the timeline: ringed in the graph
  function highlight(nodeIds, edgeIds) { lit = { nodes: nodeIds, edges: edgeIds }; }
  function unhighlight() { lit = null; }
  function textAt(ctx, text, x, y, px, colour) {
    var s = network.getScale();
    ctx.font = (px / s) + "px system-ui, sans-serif";
    ctx.textAlign = "center"; ctx.textBaseline = "middle";
    ctx.lineWidth = 3 / s; ctx.strokeStyle = "#fafafa"; ctx.lineJoin = "round";
    ctx.strokeText(text, x, y);
    ctx.fillStyle = colour; ctx.fillText(text, x, y);
  }
  // Drawing the neighbourhood again uses vis-network 9's item objects (body.nodes[id].draw, the
  // same look as the rest of the graph). Without them (another vis-network build, or one that
  // throws here) the page draws it with the public API alone: positions from getPositions,
  // each node a dot of its type's colour, each edge a line of its colour, the labels on top.
  var drawItems = direct;
  function washCanvas(ctx) {
    var a = network.DOMtoCanvas({ x: 0, y: 0 }), b = network.DOMtoCanvas({ x: container.clientWidth, y: container.clientHeight });
    ctx.save();
    ctx.fillStyle = WASH;
    ctx.fillRect(a.x, a.y, b.x - a.x, b.y - a.y);
    ctx.restore();
  }
  function ring(ctx, p, radius, s) {
    ctx.save();
    ctx.beginPath();
    ctx.arc(p.x, p.y, radius + 7 / s, 0, 2 * Math.PI);
    ctx.lineWidth = 4 / s; ctx.strokeStyle = HOT; ctx.stroke();
    ctx.restore();
  }
  function drawPublic(ctx) {
    var s = network.getScale();
    if (lit) {
      washCanvas(ctx);
      var shown = lit.nodes.filter(function (id) { return !nodeHidden.get(id); });
      var pos = network.getPositions(shown);
      ctx.save();
      ctx.lineWidth = 1.5 / Math.max(s, 0.3);
      lit.edges.forEach(function (id) {
        var d = edgeById.get(id), a = d && pos[d.from], b = d && pos[d.to];
        if (!a || !b || edgeHidden.get(id)) return;
        ctx.beginPath(); ctx.moveTo(a.x, a.y); ctx.lineTo(b.x, b.y);
        ctx.strokeStyle = edgeColour(d); ctx.stroke();
      });
      shown.forEach(function (id) {
        var p = pos[id], n = nodeById.get(id);
        if (!p || !n) return;
        ctx.beginPath(); ctx.arc(p.x, p.y, 10, 0, 2 * Math.PI);
        ctx.fillStyle = styleOf(n).color; ctx.fill();
        textAt(ctx, short(labelOf(id), 42), p.x, p.y + 10 + 9 / s, 12, "#222");
      });
      ctx.restore();
    }
    if (hot && !nodeHidden.get(hot)) {
      var h = network.getPositions([hot])[hot];
      if (h) ring(ctx, h, 10, s);
    }
  }
  network.on("afterDrawing", function (ctx) {
    if (!drawItems) { drawPublic(ctx); return; }
    try { drawWithItems(ctx); }
    catch (err) { drawItems = false; drawPublic(ctx); }
  });
  function drawWithItems(ctx) {
    var body = network.body, s = network.getScale();
    if (lit) {
      washCanvas(ctx);
      var later = [], many = lit.edges.length > LIT_EDGES_ONE_BY_ONE;
      if (many) {
        // a hub's hundreds of edges: one straight path per colour, not vis-network's per-edge drawing
        // (which sets up styles, dashes and arrows edge by edge and cost as much as the whole redraw)
        var paths = new Map();
        lit.edges.forEach(function (id) {
          var e = body.edges[id];
          if (!e || !e.connected || edgeHidden.get(id)) return;
          var c = edgeColour(edgeById.get(id));
          if (!paths.has(c)) paths.set(c, []);
          paths.get(c).push(e.from.x, e.from.y, e.to.x, e.to.y);
        });
        ctx.save();
        ctx.lineWidth = 1.5 / Math.max(s, 0.3);
        paths.forEach(function (xy, c) {
          ctx.beginPath();
          for (var i = 0; i < xy.length; i += 4) { ctx.moveTo(xy[i], xy[i + 1]); ctx.lineTo(xy[i + 2], xy[i + 3]); }
          ctx.strokeStyle = c; ctx.stroke();
        });
        ctx.restore();
      } else {
        lit.edges.forEach(function (id) { var e = body.edges[id]; if (e && e.connected && !edgeHidden.get(id)) e.draw(ctx); });
        lit.edges.forEach(function (id) { var e = body.edges[id]; if (e && e.connected && !edgeHidden.get(id)) e.drawArrows(ctx); });
      }
      // edge labels at a readable size whatever the zoom, since these are the ones asked about
      if (EDGE_FONT * s < 9 && !many) {
        lit.edges.forEach(function (id) {
          var e = body.edges[id], d = edgeById.get(id);
          if (!e || !e.connected || edgeHidden.get(id) || e.from === e.to) return;
          var p = e.edgeType.getPoint(0.5);
          textAt(ctx, predLabel(d.predicate), p.x, p.y, 11, isClaim(d) || isConflict(d) ? edgeColour(d) : "#444");
        });
      }
      lit.nodes.forEach(function (id) {
        var n = body.nodes[id];
        if (!n || nodeHidden.get(id)) return;
        var r = n.draw(ctx);
        if (r && r.drawExternalLabel) later.push(r.drawExternalLabel);
        if ((n.options.font.size || 0) * s < 8) later.push(function () {
          textAt(ctx, short(labelOf(id), 42), n.x, n.y + (n.shape.height || 20) / 2 + 9 / s, 12, "#222");
        });
      });
      later.forEach(function (f) { f(); });
    }
    if (hot && body.nodes[hot] && !nodeHidden.get(hot)) {
      var h = body.nodes[hot];
      ring(ctx, h, h.shape.radius || h.options.size || 10, s);
      if ((h.options.font.size || 0) * s < 8) textAt(ctx, short(labelOf(hot), 42), h.x, h.y - (h.shape.radius || 10) - 16 / s, 13, "#222");
    }
  }
  api.highlighted = function () { return lit ? { nodes: lit.nodes.slice(), edges: lit.edges.slice() } : null; };
  function setHot(id) {
    if (hot === id) return;
    hot = id;
    requestRedraw();
  }

  // ---- details panel and tooltip ---------------------------------------------------------------
  function datesText(x) {
    function p(v) { var q = precisionOf(v); return q ? q.text + " (" + q.kind + ")" : v; }
    if (x.date) return p(x.date);
    if (x.start && x.end) return p(x.start) + " \u2013 " + p(x.end);
    if (x.start) return "since " + p(x.start);
    if (x.end) return "until " + p(x.end);
    return null;
  }
  function sourceLine(sid) {
    var s = DATA.sources[sid] || {};
    var p = el("div", null, "kg-meta");
    var bits = [s.title || sid, s.publisher, s.date].filter(Boolean).join(", ");
    add(p, el("span", bits));
    var url = s.url && safeUrl(s.url);
    if (url) {
      var a = el("a", "open source");
      a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
      add(p, document.createTextNode(" \u00b7 "), a);
    }
    return p;
  }
  function evidenceList(evidence) {
    var wrap = el("div");
    (evidence || []).forEach(function (ev) {
      add(wrap, el("blockquote", ev[1], "kg-quote"), sourceLine(ev[0]));
    });
    return wrap;
  }
  function support(x) {
    var n = corroboration(x), wrap = el("div");
    var text = n >= 2 ? "Corroborated by " + n + " independent sources" :
      n === 1 ? "One source" : "No source given";
    add(wrap, el("p", text, n >= 2 ? "kg-corroborated" : "kg-meta"));
    if (isConflict(x)) add(wrap, el("p", "Conflict: another source gives another value where only one can hold", "kg-conflict"));
    return wrap;
  }
  function attribution(x) {
    if (isClaim(x)) return el("p", "Claim attributed to " + labelOf(x.claimed_by) + ", not reported as fact", "kg-claim");
    return null;
  }
  function linkTo(text, onClick) {
    var b = el("button", text, "kg-linkbutton"); b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function dl(rows) {
    var d = el("dl");
    rows.forEach(function (r) { if (r[1]) add(d, el("dt", r[0]), el("dd", r[1])); });
    return d;
  }

  var selected = null;
  var details = $("kg-details");
  function showNode(id) {
    var n = nodeById.get(id); if (!n) return;
    details.replaceChildren();
    add(details, el("h2", n.label),
      el("p", n.type + (n.type !== n.group ? " \u00b7 " + styleOf(n).name : ""), "kg-meta"),
      attribution(n),
      n.verification ? el("p", "Verification: " + n.verification, "kg-claim") : null,
      dl([["id", n.id], ["Also known as", (n.aliases || []).join("; ")],
          ["Other languages", (n.labels || []).map(function (l) { return l[0] + ": " + l[1]; }).join("; ")],
          ["Description", n.description], ["Date", datesText(n)]]));
    (n.facts || []).forEach(function (f) {
      add(details, el("h3", predLabel(f.predicate) + ": " + f.value), attribution(f), support(f), evidenceList(f.evidence));
    });
    var rel = el("ul", null, "kg-plain"), all = incident.get(id);
    // a hub's relations: the first hundred, the rest on request (thousands of buttons cost more than the redraw)
    function relation(eid) {
      var e = edgeById.get(eid);
      var text = phraseText(phrase(e, id));
      var li = add(el("li"), linkTo(text + (isClaim(e) ? " (claim)" : ""), function () { select("edge", e.id, true); }));
      if (isConflict(e)) add(li, el("span", " \u2260 conflict", "kg-conflict"));
      else if (corroboration(e) >= 2) add(li, el("span", " \u00d7" + corroboration(e), "kg-corroborated"));
      add(rel, li);
    }
    all.slice(0, RELATIONS_SHOWN).forEach(relation);
    if (all.length > RELATIONS_SHOWN) {
      var more = add(el("li"), linkTo("show all " + all.length + " relations", function () {
        rel.removeChild(more);
        all.slice(RELATIONS_SHOWN).forEach(relation);
      }));
      add(rel, more);
    }
    if (rel.childNodes.length) add(details, el("h3", "Relations (" + all.length + ")"), rel);
  }
  function showEdge(id) {
    var e = edgeById.get(id); if (!e) return;
    details.replaceChildren();
    var h = el("h2");
    add(h, linkTo(labelOf(e.from), function () { select("node", e.from, true); }),
      el("span", " \u2014 " + predLabel(e.predicate) + " \u2014 ", isClaim(e) ? "kg-claim" : "kg-meta"),
      linkTo(labelOf(e.to), function () { select("node", e.to, true); }));
    add(details, h, attribution(e),
      e.verification ? el("p", "Verification: " + e.verification, "kg-claim") : null,
      dl([["Date", datesText(e)], ["Statement", e.statement]]),
      el("h3", "Evidence"), support(e));
    if (isConflict(e)) {
      // the other values: same subject and predicate, another object
      var others = incident.get(e.from).map(function (x) { return edgeById.get(x); }).filter(function (x) {
        return x.id !== e.id && x.from === e.from && x.predicate === e.predicate && x.to !== e.to;
      });
      if (others.length) {
        var ul = el("ul", null, "kg-plain");
        others.forEach(function (o) {
          add(ul, add(el("li"), linkTo("elsewhere: " + phraseText(phrase(o, o.from)), function () { select("edge", o.id, true); })));
        });
        add(details, ul);
      }
    }
    add(details, evidenceList(e.evidence));
  }
  function select(kind, id, moveView) {
    if (kind === "node" && !nodeById.has(id)) return;
    if (kind === "edge" && !edgeById.has(id)) return;
    selected = { kind: kind, id: id };
    $("kg-focus").disabled = kind !== "node";
    if (kind === "node") {
      var ids = incident.get(id), near = [id];
      ids.forEach(function (eid) {
        var e = edgeById.get(eid);
        near.push(e.from === id ? e.to : e.from);
      });
      highlight(near, ids);
      showNode(id);
      if (!nodeHidden.get(id)) {
        network.selectNodes([id]);
        if (moveView) network.focus(id, { scale: Math.max(network.getScale(), 1), animation: false });
      } else network.unselectAll();
    } else {
      var ed = edgeById.get(id);
      highlight([ed.from, ed.to], [id]);
      showEdge(id);
      if (!edgeHidden.get(id)) network.selectEdges([id]);
      else network.unselectAll();
    }
    if (timeline) timeline.mark(kind === "node" ? id : null);
    requestRedraw();
  }
  function clearSelection() {
    selected = null;
    $("kg-focus").disabled = true;
    unhighlight();
    network.unselectAll();
    if (timeline) timeline.mark(null);
    requestRedraw();
    details.replaceChildren(el("p", "Click a node or an edge for its details and evidence; click empty space to clear.", "kg-hint"));
  }
  api.select = select;
  api.clearSelection = clearSelection;
  network.on("click", function (p) {
    if (p.nodes.length) select("node", p.nodes[0], false);
    else if (p.edges.length) select("edge", p.edges[0], false);
    else clearSelection();
  });

  var tip = $("kg-tooltip");
  function showTip(parts, x, y) {
    tip.replaceChildren.apply(tip, parts.filter(Boolean));
    tip.style.left = Math.max(0, Math.min(x + 14, window.innerWidth - 330)) + "px";
    tip.style.top = Math.max(0, Math.min(y + 14, window.innerHeight - 120)) + "px";
    tip.hidden = false;
  }
  function hideTip() { tip.hidden = true; }
  function nodeTip(n) {
    return [el("strong", n.label), el("div", n.type, "kg-meta"),
      n.aliases ? el("div", "aka " + n.aliases.slice(0, 4).join("; ")) : null,
      n.labels ? el("div", n.labels.map(function (l) { return l[1]; }).slice(0, 3).join("; ")) : null,
      datesText(n) ? el("div", datesText(n)) : null,
      isClaim(n) ? el("div", "claimed by " + labelOf(n.claimed_by), "kg-claim") : null];
  }
  var overCanvas = false;
  network.on("hoverNode", function (p) {
    var n = nodeById.get(p.node); if (!n || !overCanvas) return;
    var box = container.getBoundingClientRect();
    showTip(nodeTip(n), box.left + p.pointer.DOM.x, box.top + p.pointer.DOM.y);
    if (timeline) timeline.hover(n.id);
  });
  network.on("hoverEdge", function (p) {
    var e = edgeById.get(p.edge); if (!e || !overCanvas) return;
    var ev = (e.evidence || [])[0], box = container.getBoundingClientRect();
    showTip([el("strong", phraseText(phrase(e, e.from))),
      isClaim(e) ? el("div", "claimed by " + labelOf(e.claimed_by), "kg-claim") : null,
      isConflict(e) ? el("div", "conflicts with another source", "kg-conflict") : null,
      corroboration(e) >= 2 ? el("div", corroboration(e) + " independent sources", "kg-corroborated") : null,
      datesText(e) ? el("div", datesText(e)) : null,
      ev ? el("div", "\u201c" + short(ev[1], 160) + "\u201d", "kg-quote") : null,
      ev ? el("div", (DATA.sources[ev[0]] || {}).title || ev[0], "kg-meta") : null],
      box.left + p.pointer.DOM.x, box.top + p.pointer.DOM.y);
  });
  network.on("blurNode", function () { hideTip(); if (timeline) timeline.hover(null); });
  ["blurEdge", "dragStart", "zoom"].forEach(function (ev) { network.on(ev, hideTip); });
  // vis-network sends no blur when the pointer leaves the canvas while over a node: without this the
  // tooltip stayed on screen, over the details panel
  container.addEventListener("pointerenter", function () { overCanvas = true; });
  container.addEventListener("pointerleave", function () {
    overCanvas = false; hideTip(); if (timeline) timeline.hover(null);
  });
  window.addEventListener("blur", hideTip);

  // ---- timeline: the dated events in order, and the brush that sets the date range -------------------
  timeline = (function () {
    var strip = $("kg-tl-strip"), overview = $("kg-tl-overview"), brush = $("kg-tl-brush");
    var events = DATA.nodes.filter(function (n) { return n.group === "Event" && n._lo !== null; })
      .sort(function (a, b) { return a._lo - b._lo || a._hi - b._hi || (a.label < b.label ? -1 : 1); });
    var undated = DATA.nodes.filter(function (n) { return n.group === "Event" && n._lo === null; }).length;
    if (!events.length || minDay === null) { $("kg-timeline").hidden = true; return null; }
    var itemOf = new Map(), marked = null, hovered = null;
    // the overview: every event as a tick over the whole span; the brush is the date range
    var span = Math.max(1, maxDay - minDay + 1);
    function frac(day) { return (day - minDay) / span; }
    events.forEach(function (n) {
      var t = el("span", null, "kg-tl-tick");
      t.style.left = (100 * frac(n._lo)) + "%";
      t.style.width = Math.max(0.15, 100 * (n._hi - n._lo + 1) / span) + "%";
      add(overview, t);
    });
    $("kg-tl-min").textContent = isoOf(minDay);
    $("kg-tl-max").textContent = isoOf(maxDay);
    events.forEach(function (n) {
      var prec = precisionOf(n.date || n.start || n.lo) || { kind: "day", text: n.lo };
      var b = el("button", null, "kg-tl-item kg-tl-" + prec.kind);
      b.type = "button"; b.dataset.id = n.id; b.dataset.precision = prec.kind;
      add(b, el("span", null, "kg-tl-mark"), el("span", short(n.label, 30), "kg-tl-label"));
      b.addEventListener("mouseenter", function () {
        setHot(n.id);
        var r = b.getBoundingClientRect();
        showTip([el("strong", n.label), el("div", prec.text + " (" + prec.kind + ")"), el("div", n.type, "kg-meta")],
          r.left, r.top - 90);
      });
      b.addEventListener("mouseleave", function () { setHot(null); hideTip(); });
      b.addEventListener("focus", function () { setHot(n.id); });
      b.addEventListener("blur", function () { setHot(null); });
      b.addEventListener("click", function () { select("node", n.id, true); });
      itemOf.set(n.id, { node: n, button: b, prec: prec });
    });
    if (undated) $("kg-tl-undated").textContent = undated + (undated === 1 ? " event has" : " events have") + " no date";
    // lay the items in the brushed range out in lanes; only on a range change, not per frame
    function refresh() {
      var f = range.from === null ? minDay : range.from, t = range.to === null ? maxDay : range.to;
      var width = strip.clientWidth || 600, n = Math.max(1, t - f + 1);
      var lanes = [], shown = 0;
      strip.replaceChildren();
      events.forEach(function (ev) {
        var it = itemOf.get(ev.id);
        if (ev._hi < f || ev._lo > t || nodeHidden.get(ev.id)) return;
        var left = Math.max(0, (ev._lo - f) / n * width), right = Math.min(width, (ev._hi - f + 1) / n * width);
        var bar = Math.max(8, right - left), text = 8 + Math.min(30, ev.label.length) * 6.4;
        // a month or a year as wide as its label carries the label inside; near the right end the
        // label goes before the mark, so that nothing runs off the strip
        var inside = bar >= text + 4, flip = !inside && left + bar + text > width;
        var start = flip ? left - text : left, end = inside ? left + bar : flip ? left + bar : left + bar + text;
        var lane = 0;
        while (lane < lanes.length && lanes[lane] > start) lane++;
        lanes[lane] = end + 6;
        var b = it.button;
        b.classList.toggle("kg-tl-inside", inside);
        b.classList.toggle("kg-tl-flip", flip);
        b.style.left = (flip ? start : left) + "px";
        b.style.top = (lane * 22) + "px";
        b.firstChild.style.width = bar + "px";
        add(strip, it.button);
        shown++;
      });
      strip.style.height = Math.max(1, lanes.length) * 22 + "px";
      brush.style.left = (100 * frac(f)) + "%";
      brush.style.width = Math.max(0.3, 100 * (t - f + 1) / span) + "%";
      $("kg-tl-range").textContent = isoOf(f) + " \u2013 " + isoOf(t) + " \u00b7 " + shown + " of " + events.length +
        " dated events";
      if (marked) mark(marked);
    }
    function mark(id) {
      if (marked && itemOf.has(marked)) itemOf.get(marked).button.classList.remove("kg-tl-selected");
      marked = id;
      if (id && itemOf.has(id)) {
        var b = itemOf.get(id).button;
        b.classList.add("kg-tl-selected");
        if (b.parentNode) b.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
    }
    function hover(id) {
      if (hovered && itemOf.has(hovered)) itemOf.get(hovered).button.classList.remove("kg-tl-hot");
      hovered = id;
      if (id && itemOf.has(id)) itemOf.get(id).button.classList.add("kg-tl-hot");
    }
    // the brush: drag on the overview to draw a range, drag the range to move it, its edges to resize
    var drag = null;
    function dayAt(clientX) {
      var r = overview.getBoundingClientRect();
      return Math.round(minDay + Math.max(0, Math.min(1, (clientX - r.left) / r.width)) * (span - 1));
    }
    overview.addEventListener("pointerdown", function (ev) {
      var d = dayAt(ev.clientX), f = range.from, t = range.to;
      var r = overview.getBoundingClientRect(), px = span / r.width;   // days per pixel
      var edge = 5 * px;
      if (Math.abs(d - f) <= edge) drag = { mode: "from" };
      else if (Math.abs(d - t) <= edge) drag = { mode: "to" };
      else if (d > f && d < t) drag = { mode: "move", at: d, f: f, t: t };
      else drag = { mode: "new", at: d };
      overview.setPointerCapture(ev.pointerId);
      ev.preventDefault();
    });
    overview.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var d = dayAt(ev.clientX);
      if (drag.mode === "from") setRange(d, range.to, "from");
      else if (drag.mode === "to") setRange(range.from, d, "to");
      else if (drag.mode === "move") {
        var shift = Math.max(minDay - drag.f, Math.min(maxDay - drag.t, d - drag.at));
        setRange(drag.f + shift, drag.t + shift);
      } else setRange(Math.min(drag.at, d), Math.max(drag.at, d));
    });
    function endDrag() { drag = null; }
    overview.addEventListener("pointerup", endDrag);
    overview.addEventListener("pointercancel", endDrag);
    window.addEventListener("resize", function () { refresh(); });
    return { refresh: refresh, mark: mark, hover: hover, events: events };
  })();
  api.timeline = timeline ? function () {
    return Array.from(document.querySelectorAll("#kg-tl-strip .kg-tl-item")).map(function (b) {
      return { id: b.dataset.id, precision: b.dataset.precision };
    });
  } : null;

  // ---- search ------------------------------------------------------------------------------------
  var index = DATA.nodes.map(function (n) {
    var names = [n.label].concat(n.aliases || [], (n.labels || []).map(function (l) { return l[1]; }), [n.id]);
    return { node: n, names: names, keys: names.map(norm) };
  });
  function search(q) {
    q = norm(q.trim());
    if (!q) return [];
    var hits = [];
    for (var j = 0; j < index.length; j++) {
      var entry = index[j], best = -1, bestScore = 0;
      for (var i = 0; i < entry.keys.length; i++) {
        var at = entry.keys[i].indexOf(q);
        if (at >= 0) {
          // a name that starts with the query beats one that contains it; the label beats an alias
          var score = (at === 0 ? 0 : 2) + (i === 0 ? 0 : 1);
          if (best < 0 || score < bestScore) { best = i; bestScore = score; }
        }
      }
      if (best >= 0) hits.push({ node: entry.node, matched: entry.names[best], score: bestScore });
    }
    hits.sort(function (a, b) { return a.score - b.score || (a.node.label < b.node.label ? -1 : 1); });
    return hits;
  }
  api.search = function (q) { return search(q).map(function (h) { return h.node.id; }); };
  api.searchKeys = index.map(function (e) { return e.keys; });   // the bench's floor scans these
  var results = $("kg-results");
  function showResults() {
    var hits = search($("kg-search").value);
    results.replaceChildren();
    hits.slice(0, 30).forEach(function (h) {
      var b = el("button"); b.type = "button"; b.dataset.id = h.node.id;
      add(b, el("span", h.node.label));
      if (h.matched !== h.node.label) add(b, el("span", " \u2014 " + h.matched, "kg-match"));
      if (nodeHidden.get(h.node.id)) add(b, el("span", " (hidden by filters)", "kg-match"));
      b.addEventListener("click", function () { select("node", h.node.id, true); });
      add(results, add(el("li"), b));
    });
    if ($("kg-search").value.trim() && !hits.length) add(results, el("li", "No match", "kg-hint"));
    if (hits.length > 30) add(results, el("li", (hits.length - 30) + " more: type more letters", "kg-hint"));
  }
  $("kg-search").addEventListener("input", showResults);
  $("kg-search").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var first = results.querySelector("button");
      if (first) first.click();
    }
  });

  // the first picture: the story's months (the bulk of the events), everything else one click away
  if (storyWindow) setRange(storyWindow[0], storyWindow[1]);
  else if (minDay !== null) setRange(minDay, maxDay);
  else applyFilters();
  if (!DATA.physics) fitShown();
})();
