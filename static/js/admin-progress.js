// Background runs in admin (issue runs, audit packet builds): while a run is unfinished,
// poll its JSON progress every few seconds and update the bar, the count and the sentence
// that says what happened; reload the page once when the run finishes so its details
// (chunks, errors, the download link) appear. Loaded as a file: no inline script (CSP).
(function () {
  "use strict";

  const INTERVAL_MS = 2000;

  function update(element, data) {
    const bar = element.querySelector("progress");
    if (bar) bar.value = data.percent;
    const count = element.querySelector("[data-progress-count]");
    if (count) count.textContent = data.count;
    const failing = element.querySelector("[data-progress-failing]");
    if (failing) failing.textContent = data.failing ? " " + data.failing + " failing" : "";
    const summary = element.querySelector("[data-progress-summary]");
    if (summary && data.summary) summary.textContent = data.summary;
  }

  function watch(element) {
    const url = element.getAttribute("data-progress-url");
    if (!url) return;
    let timer = null;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("progress " + response.status);
          return response.json();
        })
        .then(function (data) {
          update(element, data);
          if (data.finished) {
            window.clearInterval(timer);
            element.setAttribute("data-finished", "true");
            window.location.reload();
          }
        })
        .catch(function () {
          // A failed poll is retried on the next tick; the page itself still works.
        });
    }
    timer = window.setInterval(poll, INTERVAL_MS);
    poll();
  }

  function start() {
    document.querySelectorAll('[data-progress-url]:not([data-progress-url=""])').forEach(watch);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
