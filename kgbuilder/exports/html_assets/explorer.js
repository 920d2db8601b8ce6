/* The explorer: draws the page's JSON with vis-network and wires search, filters, dates and focus.
   Every curated string reaches the page through textContent or a canvas label, never as markup. */
(function () {
  "use strict";
  var timing = { start: performance.now() };   // read by bench/bench_html.py
  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var DAY = 86400000;
  var FACT = "#8a8a8a", CLAIM = "#c0392b", DOUBT = "#7f6a00", DIM = "rgba(200,200,200,0.35)";
  var $ = function (id) { return document.getElementById(id); };

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
  function isoOf(day) { return new Date(day * DAY).toISOString().slice(0, 10); }
  function safeUrl(u) {
    try {
      var url = new URL(String(u));
      return (url.protocol === "https:" || url.protocol === "http:") ? url.href : null;
    } catch (err) { return null; }
  }
  function norm(s) {
    return String(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var nodeById = new Map(), edgeById = new Map(), adj = new Map(), degree = new Map();
  DATA.nodes.forEach(function (n) {
    nodeById.set(n.id, n); adj.set(n.id, new Set()); degree.set(n.id, 0);
    n._lo = dayOf(n.lo); n._hi = dayOf(n.hi);
  });
  DATA.edges.forEach(function (e) {
    edgeById.set(e.id, e);
    e._lo = dayOf(e.lo); e._hi = dayOf(e.hi);
    if (adj.has(e.from) && adj.has(e.to)) {
      adj.get(e.from).add(e.to); adj.get(e.to).add(e.from);
      degree.set(e.from, degree.get(e.from) + 1); degree.set(e.to, degree.get(e.to) + 1);
    }
  });
  function labelOf(id) { var n = nodeById.get(id); return n ? n.label : id; }
  function isClaim(x) { return !!x.claimed_by; }
  function isDoubt(x) { return x.verification === "Unverified" || x.verification === "Disputed"; }
  function styleOf(n) { return DATA.styles[n.group] || { color: "#bab0ac", shape: "dot", glyph: "\u25cf", name: n.group }; }

  // ---- vis items -------------------------------------------------------------------------
  var base = new Map();   // id -> the item's normal look, restored after a highlight
  function visNode(n) {
    var st = styleOf(n), claim = isClaim(n), doubt = isDoubt(n);
    var border = claim ? CLAIM : doubt ? DOUBT : st.color;
    var v = {
      id: n.id, label: short(n.label, 42), shape: st.shape, value: 1 + degree.get(n.id),
      color: { background: st.color, border: border,
               highlight: { background: st.color, border: "#222" }, hover: { background: st.color, border: "#222" } },
      borderWidth: claim || doubt ? 3 : 1, font: { color: "#222" }
    };
    if (claim || doubt) v.shapeProperties = { borderDashes: claim ? [5, 4] : [2, 3] };
    if (n.x !== undefined) { v.x = n.x; v.y = n.y; }
    base.set("n:" + n.id, { color: v.color, font: v.font });
    return v;
  }
  // edges between the same two nodes curve apart instead of drawing on top of each other
  var pairs = new Map();
  DATA.edges.forEach(function (e) {
    var key = e.from < e.to ? e.from + "\u0000" + e.to : e.to + "\u0000" + e.from;
    if (!pairs.has(key)) pairs.set(key, []);
    pairs.get(key).push(e);
  });
  var roundness = new Map();
  pairs.forEach(function (list) {
    if (list.length < 2 && list[0].from !== list[0].to) return;
    list.forEach(function (e, i) {
      var r = (Math.floor(i / 2) + (list.length % 2 ? (i ? 1 : 0) : 1)) * 0.22 * (i % 2 ? -1 : 1);
      if (e.from > e.to) r = -r;
      roundness.set(e.id, r);
    });
  });
  function visEdge(e) {
    var claim = isClaim(e), doubt = isDoubt(e);
    var c = claim ? CLAIM : doubt ? DOUBT : FACT;
    var v = {
      id: e.id, from: e.from, to: e.to, label: e.predicate, arrows: "to",
      color: { color: c, highlight: "#222", hover: "#222", inherit: false, opacity: 1 },
      dashes: claim ? [8, 5] : doubt ? [2, 4] : false,
      font: { size: 10, color: claim ? CLAIM : "#555", strokeWidth: 3, strokeColor: "#fafafa", align: "middle" }
    };
    var r = roundness.get(e.id);
    if (r) v.smooth = { enabled: true, type: r > 0 ? "curvedCW" : "curvedCCW", roundness: Math.abs(r) };
    base.set("e:" + e.id, { color: v.color, font: v.font });
    return v;
  }

  var big = DATA.nodes.length > 1500 || DATA.edges.length > 4000;
  var nodes = new vis.DataSet(DATA.nodes.map(visNode));
  var edges = new vis.DataSet(DATA.edges.map(visEdge));
  var options = {
    autoResize: true,
    nodes: { font: { size: 14, strokeWidth: 3, strokeColor: "#fafafa" }, scaling: { min: 10, max: 32, label: { enabled: false } } },
    edges: { smooth: false, width: 1.2, selectionWidth: 1.5, arrows: { to: { scaleFactor: 0.6 } } },
    interaction: { hover: true, hideEdgesOnDrag: big, hideEdgesOnZoom: big, keyboard: false, multiselect: false },
    layout: { improvedLayout: DATA.nodes.length <= 150, randomSeed: 7 },
    physics: DATA.physics ? {
      enabled: true, solver: "barnesHut", minVelocity: 1,
      barnesHut: { gravitationalConstant: -6000, centralGravity: 0.4, springLength: 120, springConstant: 0.03, damping: 0.45, avoidOverlap: 0.3 },
      stabilization: { enabled: true, iterations: 500, updateInterval: 50, fit: true }
    } : { enabled: false }
  };
  var container = $("kg-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  window.network = network;

  timing.network = performance.now();
  var api = { data: DATA, ready: false, timing: timing };
  window.kgExplorer = api;
  function settled() {
    if (api.ready) return;
    network.setOptions({ physics: { enabled: false } });
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

  // ---- filters: types, predicates, dates, focus -------------------------------------------
  var typeOn = new Set(Object.keys(DATA.styles));
  var predCount = new Map();
  DATA.edges.forEach(function (e) { predCount.set(e.predicate, (predCount.get(e.predicate) || 0) + 1); });
  var predOn = new Set(predCount.keys());
  var range = { from: null, to: null };
  var focus = null;   // {id, depth, set}
  var hidden = new Map();

  function inDates(x) {
    return (range.to === null || x._lo === null || x._lo <= range.to) &&
           (range.from === null || x._hi === null || x._hi >= range.from);
  }
  function visibleNode(n) {
    return typeOn.has(n.group) && inDates(n) && (!focus || focus.set.has(n.id));
  }
  var counts = { nodes: 0, edges: 0 };
  function applyFilters() {
    var shown = new Set(), nodeUpd = [], edgeUpd = [];
    DATA.nodes.forEach(function (n) {
      var h = !visibleNode(n);
      if (!h) shown.add(n.id);
      if (hidden.get("n:" + n.id) !== h) { hidden.set("n:" + n.id, h); nodeUpd.push({ id: n.id, hidden: h }); }
    });
    var shownEdges = 0;
    DATA.edges.forEach(function (e) {
      var h = !(predOn.has(e.predicate) && inDates(e) && shown.has(e.from) && shown.has(e.to));
      if (!h) shownEdges++;
      if (hidden.get("e:" + e.id) !== h) { hidden.set("e:" + e.id, h); edgeUpd.push({ id: e.id, hidden: h }); }
    });
    if (nodeUpd.length) nodes.update(nodeUpd);
    if (edgeUpd.length) edges.update(edgeUpd);
    counts.nodes = shown.size; counts.edges = shownEdges;
    $("kg-counts").textContent = shown.size + " of " + DATA.nodes.length + " nodes \u00b7 " +
      shownEdges + " of " + DATA.edges.length + " edges";
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
  var predBoxes = [];
  Array.from(predCount.keys()).sort(function (a, b) {
    return predCount.get(b) - predCount.get(a) || (a < b ? -1 : 1);
  }).forEach(function (p) {
    var box = checkItem($("kg-predicates"), predOn, p,
      [el("span", p + " "), el("span", "(" + predCount.get(p) + ")", "kg-meta")], applyFilters);
    box.dataset.predicate = p;
    predBoxes.push([p, box]);
  });
  function setAllPreds(on) {
    predBoxes.forEach(function (pb) { pb[1].checked = on; if (on) predOn.add(pb[0]); else predOn.delete(pb[0]); });
    applyFilters();
  }
  $("kg-preds-all").addEventListener("click", function () { setAllPreds(true); });
  $("kg-preds-none").addEventListener("click", function () { setAllPreds(false); });

  var days = [];
  DATA.nodes.concat(DATA.edges).forEach(function (x) {
    if (x._lo !== null) days.push(x._lo);
    if (x._hi !== null) days.push(x._hi);
  });
  var fromInput = $("kg-date-from"), toInput = $("kg-date-to");
  if (days.length) {
    var minDay = Math.min.apply(null, days), maxDay = Math.max.apply(null, days);
    [fromInput, toInput].forEach(function (input) { input.min = minDay; input.max = maxDay; });
    fromInput.value = minDay; toInput.value = maxDay;
    var onDates = function (moved) {
      var f = +fromInput.value, t = +toInput.value;
      if (f > t) { if (moved === fromInput) toInput.value = t = f; else fromInput.value = f = t; }
      range.from = f; range.to = t;
      $("kg-date-from-out").textContent = isoOf(f);
      $("kg-date-to-out").textContent = isoOf(t);
      applyFilters();
    };
    fromInput.addEventListener("input", function () { onDates(fromInput); });
    toInput.addEventListener("input", function () { onDates(toInput); });
    $("kg-date-from-out").textContent = isoOf(minDay);
    $("kg-date-to-out").textContent = isoOf(maxDay);
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
    network.fit({ nodes: Array.from(focus.set).filter(function (n) { return !hidden.get("n:" + n); }),
                  animation: false });
  }
  function clearFocus() {
    focus = null;
    $("kg-unfocus").disabled = true;
    $("kg-focus-state").textContent = "";
    applyFilters();
    network.fit({ animation: false });
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

  // ---- neighbourhood highlight ---------------------------------------------------------------
  var dimmed = false;
  function highlight(nodeIds, edgeIds) {
    var nodeUpd = [], edgeUpd = [];
    DATA.nodes.forEach(function (n) {
      var b = base.get("n:" + n.id);
      nodeUpd.push(nodeIds.has(n.id) ? { id: n.id, color: b.color, font: b.font }
        : { id: n.id, color: { background: DIM, border: DIM }, font: { color: "#c8c8c8" } });
    });
    DATA.edges.forEach(function (e) {
      var b = base.get("e:" + e.id);
      edgeUpd.push(edgeIds.has(e.id) ? { id: e.id, color: b.color, font: b.font }
        : { id: e.id, color: { color: DIM, inherit: false }, font: { color: "rgba(0,0,0,0)", strokeWidth: 0 } });
    });
    nodes.update(nodeUpd); edges.update(edgeUpd);
    dimmed = true;
  }
  function unhighlight() {
    if (!dimmed) return;
    nodes.update(DATA.nodes.map(function (n) { var b = base.get("n:" + n.id); return { id: n.id, color: b.color, font: b.font }; }));
    edges.update(DATA.edges.map(function (e) { var b = base.get("e:" + e.id); return { id: e.id, color: b.color, font: b.font }; }));
    dimmed = false;
  }

  // ---- details panel and tooltip -------------------------------------------------------------
  function datesText(x) {
    if (x.date) return x.date;
    if (x.start && x.end) return x.start + " \u2013 " + x.end;
    if (x.start) return "since " + x.start;
    if (x.end) return "until " + x.end;
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
      add(details, el("h3", f.predicate + ": " + f.value), attribution(f), evidenceList(f.evidence));
    });
    var rel = el("ul", null, "kg-plain");
    DATA.edges.forEach(function (e) {
      if (e.from !== id && e.to !== id) return;
      var text = e.from === id ? e.predicate + " \u2192 " + labelOf(e.to) : labelOf(e.from) + " " + e.predicate + " \u2192 this";
      add(rel, add(el("li"), linkTo(text + (isClaim(e) ? " (claim)" : ""), function () { select("edge", e.id, true); })));
    });
    if (rel.childNodes.length) add(details, el("h3", "Relations"), rel);
  }
  function showEdge(id) {
    var e = edgeById.get(id); if (!e) return;
    details.replaceChildren();
    var h = el("h2");
    add(h, linkTo(labelOf(e.from), function () { select("node", e.from, true); }),
      el("span", " " + e.predicate + " ", isClaim(e) ? "kg-claim" : "kg-meta"),
      linkTo(labelOf(e.to), function () { select("node", e.to, true); }));
    add(details, h, attribution(e),
      e.verification ? el("p", "Verification: " + e.verification, "kg-claim") : null,
      dl([["Date", datesText(e)], ["Statement", e.statement]]),
      el("h3", "Evidence"), evidenceList(e.evidence));
  }
  function select(kind, id, moveView) {
    selected = { kind: kind, id: id };
    $("kg-focus").disabled = kind !== "node";
    if (kind === "node") {
      var near = new Set([id]), near_edges = new Set();
      DATA.edges.forEach(function (e) {
        if (e.from === id || e.to === id) { near.add(e.from); near.add(e.to); near_edges.add(e.id); }
      });
      highlight(near, near_edges);
      showNode(id);
      if (!hidden.get("n:" + id)) {
        network.selectNodes([id]);
        if (moveView) network.focus(id, { scale: Math.max(network.getScale(), 1), animation: false });
      }
    } else {
      var ed = edgeById.get(id);
      highlight(new Set([ed.from, ed.to]), new Set([id]));
      showEdge(id);
      if (!hidden.get("e:" + id)) network.selectEdges([id]);
    }
  }
  function clearSelection() {
    selected = null;
    $("kg-focus").disabled = true;
    unhighlight();
    network.unselectAll();
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
  function showTip(parts, pointer) {
    tip.replaceChildren.apply(tip, parts.filter(Boolean));
    var box = container.getBoundingClientRect();
    tip.style.left = Math.min(box.left + pointer.x + 14, window.innerWidth - 330) + "px";
    tip.style.top = (box.top + pointer.y + 14) + "px";
    tip.hidden = false;
  }
  network.on("hoverNode", function (p) {
    var n = nodeById.get(p.node); if (!n) return;
    showTip([el("strong", n.label), el("div", n.type, "kg-meta"),
      n.aliases ? el("div", "aka " + n.aliases.slice(0, 4).join("; ")) : null,
      n.labels ? el("div", n.labels.map(function (l) { return l[1]; }).slice(0, 3).join("; ")) : null,
      datesText(n) ? el("div", datesText(n)) : null,
      isClaim(n) ? el("div", "claimed by " + labelOf(n.claimed_by), "kg-claim") : null], p.pointer.DOM);
  });
  network.on("hoverEdge", function (p) {
    var e = edgeById.get(p.edge); if (!e) return;
    var ev = (e.evidence || [])[0];
    showTip([el("strong", labelOf(e.from) + " " + e.predicate + " " + labelOf(e.to)),
      isClaim(e) ? el("div", "claimed by " + labelOf(e.claimed_by), "kg-claim") : null,
      datesText(e) ? el("div", datesText(e)) : null,
      ev ? el("div", "\u201c" + short(ev[1], 160) + "\u201d", "kg-quote") : null,
      ev ? el("div", (DATA.sources[ev[0]] || {}).title || ev[0], "kg-meta") : null], p.pointer.DOM);
  });
  ["blurNode", "blurEdge", "dragStart", "zoom"].forEach(function (ev) {
    network.on(ev, function () { tip.hidden = true; });
  });

  // ---- search ------------------------------------------------------------------------------
  var index = DATA.nodes.map(function (n) {
    var names = [n.label].concat(n.aliases || [], (n.labels || []).map(function (l) { return l[1]; }), [n.id]);
    return { node: n, names: names, keys: names.map(norm) };
  });
  function search(q) {
    q = norm(q.trim());
    if (!q) return [];
    var hits = [];
    index.forEach(function (entry) {
      var best = -1, bestScore = 0;
      entry.keys.forEach(function (k, i) {
        var at = k.indexOf(q);
        if (at >= 0) {
          // a name that starts with the query beats one that contains it; the label beats an alias
          var score = (at === 0 ? 0 : 2) + (i === 0 ? 0 : 1);
          if (best < 0 || score < bestScore) { best = i; bestScore = score; }
        }
      });
      if (best >= 0) hits.push({ node: entry.node, matched: entry.names[best], score: bestScore });
    });
    hits.sort(function (a, b) { return a.score - b.score || (a.node.label < b.node.label ? -1 : 1); });
    return hits;
  }
  api.search = function (q) { return search(q).map(function (h) { return h.node.id; }); };
  var results = $("kg-results");
  function showResults() {
    var hits = search($("kg-search").value);
    results.replaceChildren();
    hits.slice(0, 30).forEach(function (h) {
      var b = el("button"); b.type = "button"; b.dataset.id = h.node.id;
      add(b, el("span", h.node.label));
      if (h.matched !== h.node.label) add(b, el("span", " \u2014 " + h.matched, "kg-match"));
      if (hidden.get("n:" + h.node.id)) add(b, el("span", " (hidden by filters)", "kg-match"));
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

  applyFilters();
})();
