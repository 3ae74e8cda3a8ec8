// powerflow public site: search and sortable columns. Served as a file (CSP script-src 'self').
(function () {
  "use strict";
  var table = document.getElementById("powers");
  var data = document.getElementById("power-index");
  if (!table || !data) { return; }
  var index = JSON.parse(data.textContent);
  var rows = {};
  Array.prototype.forEach.call(table.tBodies[0].rows, function (tr) { rows[tr.getAttribute("data-code")] = tr; });
  var input = document.getElementById("search");
  var count = document.getElementById("search-count");
  var none = document.getElementById("no-match");
  function norm(s) { return (s || "").toLowerCase().replace(/\s+/g, ""); }
  function filter() {
    var q = norm(input.value);
    var shown = 0;
    index.forEach(function (p) {
      var tr = rows[p.code];
      var office = tr && tr.cells.length > 3 ? tr.cells[3].textContent : "";
      var hit = !q || norm(p.code).indexOf(q) >= 0 || norm(p.name).indexOf(q) >= 0 ||
        norm(p.name_en).indexOf(q) >= 0 || norm(p.category).indexOf(q) >= 0 ||
        norm(office).indexOf(q) >= 0;
      if (tr) { tr.hidden = !hit; }
      if (hit) { shown += 1; }
    });
    count.textContent = shown + " / " + index.length;
    none.hidden = shown !== 0;
  }
  input.addEventListener("input", filter);
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); }
  filter();
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    th.querySelector("button").addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var numeric = th.getAttribute("data-kind") === "num";
      var body = table.tBodies[0];
      var list = Array.prototype.slice.call(body.rows);
      list.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort"), y = b.cells[col].getAttribute("data-sort");
        var d = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "zh-Hans-CN");
        return asc ? d : -d;
      });
      list.forEach(function (tr) { body.appendChild(tr); });
    });
  });
}());
