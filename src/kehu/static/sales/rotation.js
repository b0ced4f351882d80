/* kehu 客户 — the rotation wall screen (轮排大屏): a clock, and a red bar when the board has not
 * been refreshed for a while (server or network down), so nobody trusts an old "next".
 * htmx does the polling (hx-trigger="every 3s" in the markup). ES5 for old browsers. */
(function () {
  "use strict";

  var STALE_AFTER_MS = 12000;
  var lastFresh = Date.now();

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  // The sales office's time (Asia/Shanghai, data-utc-offset in minutes), whatever time zone
  // the screen's browser is set to.
  function tick() {
    var clock = document.querySelector("[data-wall-clock]");
    if (clock) {
      var offset = parseInt(clock.getAttribute("data-utc-offset") || "480", 10);
      var local = new Date(Date.now() + offset * 60000);
      clock.textContent =
        pad(local.getUTCHours()) + ":" + pad(local.getUTCMinutes()) + ":" + pad(local.getUTCSeconds());
    }
    var stale = document.querySelector("[data-wall-stale]");
    if (stale) {
      if (Date.now() - lastFresh > STALE_AFTER_MS) {
        stale.removeAttribute("hidden");
      } else {
        stale.setAttribute("hidden", "");
      }
    }
  }

  document.addEventListener("htmx:afterSwap", function () {
    lastFresh = Date.now();
  });

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
})();
