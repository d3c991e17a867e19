/*
 * graphsvc pages: draws the network embedded in the page and wires the search
 * box, the filters and the PNG button. Everything from the data is shown with
 * textContent or handed to vis-network as plain text (vis-network 9 shows
 * string tooltips with innerText), so names from uploaded files stay text.
 * State for tests and benchmarks is kept on window.graphsvc.
 */
(function () {
  "use strict";

  var state = {
    network: null,
    nodes: null,
    edges: null,
    drawn: false,
    stabilized: false,
    firstDrawMs: null,
    pngBytes: 0,
    errors: []
  };
  window.graphsvc = state;
  window.addEventListener("error", function (event) {
    state.errors.push(String(event.message));
  });

  function byId(id) {
    return document.getElementById(id);
  }

  function setText(id, text) {
    var element = byId(id);
    if (element) {
      element.textContent = text;
    }
  }

  var data = JSON.parse(byId("graphsvc-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  state.nodes = nodes;
  state.edges = edges;

  var filters = { hiddenKinds: {}, category: "", street: "" };

  function nodeVisible(node) {
    if (filters.hiddenKinds[node.facet]) {
      return false;
    }
    if (filters.street && node.streets.indexOf(filters.street) < 0) {
      return false;
    }
    if (filters.category && !node.always) {
      var has = node.needs.indexOf(filters.category) >= 0 || node.offers.indexOf(filters.category) >= 0;
      if (!has) {
        return false;
      }
    }
    return true;
  }

  var nodeView = new vis.DataView(nodes, { filter: nodeVisible });
  var edgeView = new vis.DataView(edges, {
    filter: function (edge) {
      return nodeView.get(edge.from) !== null && nodeView.get(edge.to) !== null;
    }
  });

  var container = byId("graphsvc-network");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);
  state.network = network;

  function markDrawn() {
    if (state.drawn) {
      return;
    }
    state.drawn = true;
    state.firstDrawMs = performance.now();
    document.body.setAttribute("data-drawn", "true");
    setText("graphsvc-progress", "");
  }

  // Street names above the overview's clusters: drawn on the canvas after the network (so they are text,
  // never HTML), at a constant size on screen, over the communities of each street that are shown.
  var streetLabels = data.streetLabels || {};
  function drawStreetLabels(context) {
    var streets = Object.keys(streetLabels);
    if (!streets.length) {
      return;
    }
    var ids = nodeView.getIds({ filter: function (node) { return node.facet === "community"; } });
    var positions = network.getPositions(ids);
    var boxes = {};
    ids.forEach(function (id) {
      var street = nodes.get(id).streets[0];
      var p = positions[id];
      if (!streetLabels[street] || !p) {
        return;
      }
      var box = boxes[street] || (boxes[street] = { x: 0, n: 0, top: p.y });
      box.x += p.x;
      box.n += 1;
      box.top = Math.min(box.top, p.y);
    });
    var scale = network.getScale();
    context.save();
    context.font = "bold " + 16 / scale + "px sans-serif";
    context.textAlign = "center";
    context.textBaseline = "bottom";
    context.lineWidth = 4 / scale;
    context.strokeStyle = "rgba(255, 255, 255, 0.9)";
    context.fillStyle = "#3d405b";
    Object.keys(boxes).forEach(function (street) {
      var box = boxes[street];
      var x = box.x / box.n;
      var y = box.top - 14 / scale;
      context.strokeText(streetLabels[street], x, y);
      context.fillText(streetLabels[street], x, y);
    });
    context.restore();
  }
  state.streetLabels = streetLabels;

  // The whole graph in view on first draw, with a margin for the street names above the top clusters.
  var fitted = false;
  function fitOnce() {
    if (fitted) {
      return;
    }
    fitted = true;
    network.fit({ animation: false });
    network.moveTo({ scale: network.getScale() * 0.92, animation: false });
  }
  state.fit = fitOnce;

  network.on("afterDrawing", function (context) {
    drawStreetLabels(context);
    if (!data.physics || state.stabilized) {
      fitOnce();
      markDrawn();
    }
  });
  network.on("stabilizationProgress", function (params) {
    setText("graphsvc-progress", "布局中 laying out… " + Math.round((100 * params.iterations) / params.total) + "%");
  });
  network.once("stabilizationIterationsDone", function () {
    state.stabilized = true;
    if (data.freezeAfterStabilizing) {
      network.setOptions({ physics: { enabled: false } });
    }
    network.redraw();
  });

  function updateStatus() {
    var shown = nodeView.length;
    setText("graphsvc-status", "显示 " + shown + " / " + nodes.length + " 个节点 · showing " + shown + " of " + nodes.length + " nodes");
  }

  function refresh() {
    nodeView.refresh();
    edgeView.refresh();
    updateStatus();
  }

  document.querySelectorAll("input[data-kind]").forEach(function (box) {
    box.addEventListener("change", function () {
      filters.hiddenKinds[box.getAttribute("data-kind")] = !box.checked;
      refresh();
    });
  });

  var categorySelect = byId("graphsvc-category");
  if (categorySelect) {
    categorySelect.addEventListener("change", function () {
      filters.category = categorySelect.value;
      refresh();
    });
  }

  var streetSelect = byId("graphsvc-street");
  if (streetSelect) {
    streetSelect.addEventListener("change", function () {
      filters.street = streetSelect.value;
      refresh();
    });
  }

  function matches(query) {
    var q = query.trim().toLowerCase();
    if (!q) {
      return [];
    }
    return nodes.get({
      filter: function (node) {
        return (
          String(node.id).toLowerCase() === q ||
          node.name.toLowerCase().indexOf(q) >= 0 ||
          node.name_en.toLowerCase().indexOf(q) >= 0
        );
      }
    });
  }

  function clearFilters() {
    filters.hiddenKinds = {};
    filters.category = "";
    filters.street = "";
    document.querySelectorAll("input[data-kind]").forEach(function (box) {
      box.checked = true;
    });
    if (categorySelect) {
      categorySelect.value = "";
    }
    if (streetSelect) {
      streetSelect.value = "";
    }
    refresh();
  }

  // Beyond the nodes drawn: every community, street and partner of the territory ([id, name, kind, street,
  // tile]); a match opens the page where it is drawn when the page is served with links, else selects its tile.
  // Where a page may send the reader: a path on this server, or (a file rendered with --links) the server's pages.
  var pageLink = /^(\/(?!\/)|https?:\/\/)/;
  var searchIndex = data.search || [];
  var links = data.links || {};
  function findElsewhere(query) {
    var q = query.trim().toLowerCase();
    var hit = null;
    for (var i = 0; i < searchIndex.length && !hit; i++) {
      if (searchIndex[i][0].toLowerCase() === q) {
        hit = searchIndex[i];
      }
    }
    for (var j = 0; j < searchIndex.length && !hit; j++) {
      if (searchIndex[j][1].toLowerCase().indexOf(q) >= 0) {
        hit = searchIndex[j];
      }
    }
    if (!hit) {
      return null;
    }
    var target = null;
    if (hit[2] === "c" && links.community) {
      target = links.community + encodeURIComponent(hit[0]);
    } else if (hit[3] && links.street) {
      target = links.street + encodeURIComponent(hit[3]);
    }
    state.found = { id: hit[0], name: hit[1], kind: hit[2], url: target };
    if (target && pageLink.test(target)) {
      setText("graphsvc-found", "打开 opening " + hit[1]);
      window.location.assign(target);
      return [];
    }
    var tile = nodes.get({ filter: function (node) { return node.area === hit[4]; } });
    if (!tile.length) {
      setText("graphsvc-found", "找到 found " + hit[1] + "（不在图中 not drawn here）");
      return [];
    }
    network.selectNodes([tile[0].id]);
    network.focus(tile[0].id, { scale: 1.2, animation: false });
    setText("graphsvc-found", "找到 found " + hit[1] + " → " + tile[0].name);
    return [tile[0].id];
  }

  function find(query) {
    var found = matches(query);
    if (!found.length) {
      var elsewhere = searchIndex.length ? findElsewhere(query) : null;
      if (elsewhere === null) {
        setText("graphsvc-found", "未找到 no match");
        return [];
      }
      return elsewhere;
    }
    if (found.some(function (node) { return !nodeVisible(node); })) {
      clearFilters();
    }
    var ids = found.map(function (node) { return node.id; });
    network.selectNodes(ids);
    network.focus(ids[0], { scale: 1.2, animation: false });
    setText("graphsvc-found", "找到 " + ids.length + " 个 · " + ids.length + " found: " + found[0].name);
    return ids;
  }
  state.find = find;

  var search = byId("graphsvc-search");
  if (search) {
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        find(search.value);
      }
    });
    search.addEventListener("change", function () {
      find(search.value);
    });
  }

  function savePng() {
    var source = container.querySelector("canvas");
    var canvas = document.createElement("canvas");
    canvas.width = source.width;
    canvas.height = source.height;
    var context = canvas.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(source, 0, 0);
    var url = canvas.toDataURL("image/png");
    state.pngBytes = url.length;
    var link = document.createElement("a");
    link.href = url;
    link.download = data.pngName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    return url.length;
  }
  state.savePng = savePng;

  var pngButton = byId("graphsvc-png");
  if (pngButton) {
    pngButton.addEventListener("click", savePng);
  }

  network.on("doubleClick", function (params) {
    if (params.nodes.length) {
      var node = nodes.get(params.nodes[0]);
      if (node && typeof node.url === "string" && pageLink.test(node.url)) {
        window.location.assign(node.url);
      }
    }
  });

  updateStatus();
})();
