/* kehu 客户 — the small amount of JavaScript every page shares.
 *
 * The Content-Security-Policy allows scripts from our own origin only (no inline script, no
 * eval), so page behaviour is declared with data- attributes and wired up here.
 * Written in ES5 on purpose: intranet browsers can be old.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx requests carry Django's CSRF token in the X-CSRFToken header (Django reads it there).
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token && event.detail && event.detail.verb !== "get") {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // <form data-confirm="确定撤销？"> or <button data-confirm="…">: ask before submitting.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var question =
        (submitter && submitter.getAttribute("data-confirm")) ||
        (form && form.getAttribute && form.getAttribute("data-confirm"));
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    },
    true
  );

  // Charts: <div class="chart" data-chart-option="sales-chart"></div> plus
  // {{ option|json_script:"sales-chart" }}; the page loads vendor/echarts.min.js in its
  // scripts block. JSON data blocks are not executed, so the CSP allows them.
  function resizeWithWindow(chart) {
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function initCharts(root) {
    if (typeof window.echarts === "undefined" || !root || !root.querySelectorAll) {
      return;
    }
    var nodes = root.querySelectorAll("[data-chart-option]");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      if (node.getAttribute("data-chart-ready")) {
        continue;
      }
      var source = document.getElementById(node.getAttribute("data-chart-option"));
      if (!source) {
        continue;
      }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(JSON.parse(source.textContent));
      node.setAttribute("data-chart-ready", "1");
      resizeWithWindow(chart);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    initCharts(document);
  });
  document.addEventListener("htmx:load", function (event) {
    initCharts(event.target);
  });
})();
