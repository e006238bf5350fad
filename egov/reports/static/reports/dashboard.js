/* The operations dashboard: draws the charts (Chart.js, vendored) from the figures embedded in the
 * page, and refreshes figures, tables and charts every minute from /bao-cao/dieu-hanh/du-lieu.json.
 * The tables are the accessible alternative of the charts and hold the same numbers; without
 * JavaScript the page still shows them. */
(function () {
  "use strict";
  var REFRESH_MS = 60000;
  var config = document.getElementById("dashboard-config");
  var embedded = document.getElementById("dashboard-data");
  if (!config || !embedded) return;
  var kinds = ["nhan-hom-nay", "nhan-thang-nay", "dang-xu-ly", "qua-han", "xong-thang-nay"];
  var charts = {};

  function link(kind, param, code, count) {
    if (!count) return document.createTextNode("0");
    var a = document.createElement("a");
    a.className = "usa-link";
    a.href = config.dataset.list + "?loai=" + kind + (param ? "&" + param + "=" + encodeURIComponent(code) : "");
    a.textContent = String(count);
    return a;
  }

  function fillTable(id, rows) {
    var table = document.getElementById(id);
    if (!table) return;
    var param = table.dataset.param;
    var labels = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent; });
    var body = document.createElement("tbody");
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.dataset.label = labels[0];
      th.textContent = row.name;
      tr.appendChild(th);
      kinds.forEach(function (kind, i) {
        var td = document.createElement("td");
        td.dataset.label = labels[i + 1];
        td.appendChild(link(kind, param, row.code, row[kind]));
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    if (rows.length) table.replaceChild(body, table.tBodies[0]);
  }

  function fillTrend(trend) {
    var table = document.getElementById("table-trend");
    if (!table) return;
    var body = document.createElement("tbody");
    trend.forEach(function (m) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = m.month;
      tr.appendChild(th);
      [m.received, m.finished, m.late].forEach(function (n) {
        var td = document.createElement("td");
        td.textContent = String(n);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.replaceChild(body, table.tBodies[0]);
  }

  function drawCharts(data) {
    if (typeof window.Chart === "undefined") return;
    var agencyCanvas = document.getElementById("chart-agency");
    if (agencyCanvas) {
      // One bar row per agency: the box grows with the number of agencies.
      agencyCanvas.parentNode.style.height = Math.max(160, 36 * data.by_agency.length + 80) + "px";
      var agency = {
        labels: data.by_agency.map(function (r) { return r.name; }),
        datasets: [
          { label: config.dataset.receivedMonth, data: data.by_agency.map(function (r) { return r["nhan-thang-nay"]; }), backgroundColor: "#005ea2" },
          { label: config.dataset.progress, data: data.by_agency.map(function (r) { return r["dang-xu-ly"]; }), backgroundColor: "#1d6f42" },
          { label: config.dataset.overdue, data: data.by_agency.map(function (r) { return r["qua-han"]; }), backgroundColor: "#b50909" }
        ]
      };
      if (charts.agency) {
        charts.agency.data = agency;
        charts.agency.update("none");
      } else {
        charts.agency = new window.Chart(agencyCanvas, {
          type: "bar",
          data: agency,
          options: {
            indexAxis: "y",
            maintainAspectRatio: false,
            animation: false,
            scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
            plugins: { legend: { position: "bottom" } }
          }
        });
      }
    }
    var trendCanvas = document.getElementById("chart-trend");
    if (trendCanvas) {
      var trend = {
        labels: data.trend.map(function (m) { return m.month; }),
        datasets: [
          { label: config.dataset.received, data: data.trend.map(function (m) { return m.received; }), borderColor: "#005ea2", backgroundColor: "#005ea2" },
          { label: config.dataset.finished, data: data.trend.map(function (m) { return m.finished; }), borderColor: "#1d6f42", backgroundColor: "#1d6f42" },
          { label: config.dataset.late, data: data.trend.map(function (m) { return m.late; }), borderColor: "#b50909", backgroundColor: "#b50909", borderDash: [6, 4] }
        ]
      };
      if (charts.trend) {
        charts.trend.data = trend;
        charts.trend.update("none");
      } else {
        charts.trend = new window.Chart(trendCanvas, {
          type: "line",
          data: trend,
          options: {
            maintainAspectRatio: false,
            animation: false,
            scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
            plugins: { legend: { position: "bottom" } }
          }
        });
      }
    }
  }

  function render(data) {
    kinds.forEach(function (kind) {
      var a = document.querySelector('#dashboard-totals a[data-kind="' + kind + '"]');
      if (a) a.textContent = String(data.totals[kind]);
    });
    fillTable("table-agency", data.by_agency);
    fillTable("table-field", data.by_field);
    fillTrend(data.trend);
    drawCharts(data);
  }

  function refresh() {
    var status = document.getElementById("dashboard-updated");
    fetch(config.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        render(data);
        if (status) status.textContent = config.dataset.at + " " + data.at + ". " + config.dataset.refresh;
      })
      .catch(function () {
        if (status) status.textContent = config.dataset.failed;
      });
  }

  drawCharts(JSON.parse(embedded.textContent));
  window.setInterval(refresh, REFRESH_MS);
})();
