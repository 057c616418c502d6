// kuzot web UI: progressive enhancement only; every page works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Ask before an audited action (showing unredacted evidence).
  document.querySelectorAll("form.confirm").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm") || "Are you sure?")) {
        e.preventDefault();
      }
    });
  });
  // Filter selects apply immediately; the Filter button remains for keyboards.
  document.querySelectorAll("form.filters[role=search] select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
});
