// Live elapsed counters for running timers: every element with data-timer-started (an ISO
// datetime) shows the time since then as h:mm:ss. Safe to load more than once (htmx swaps).
(function () {
  if (window.stewardTimers) return;
  window.stewardTimers = true;
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
    document.querySelectorAll("[data-timer-started]").forEach(function (el) {
      var started = Date.parse(el.getAttribute("data-timer-started"));
      if (isNaN(started)) return;
      var s = Math.max(0, Math.floor((Date.now() - started) / 1000));
      el.textContent = Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
