// kanzei serve: the partner view's date slider swaps the view in place (the page works
// without this script: the form submits and the server renders the same numbers).
"use strict";
(function () {
  const form = document.getElementById("partner-form");
  const view = document.getElementById("view");
  const slider = document.getElementById("date-slider");
  const dateInput = document.getElementById("date");
  if (!form || !view || !dateInput) return;
  const dates = slider ? slider.dataset.dates.split(",") : [];
  let pending = null;

  function load() {
    const params = new URLSearchParams(new FormData(form));
    const url = "/partner?" + params.toString();
    if (pending) pending.abort();
    pending = new AbortController();
    view.classList.add("loading");
    fetch(url + "&fragment=1", { signal: pending.signal })
      .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); })
      .then(function (r) {
        view.innerHTML = r.ok ? r.text : "<p class=\"error\">Could not load this date.</p>";
        view.classList.remove("loading");
        history.replaceState(null, "", url);
        document.title = document.title.replace(/\d{4}-\d{2}-\d{2}/, dateInput.value);
      })
      .catch(function (e) { if (e.name !== "AbortError") view.classList.remove("loading"); });
  }

  if (slider) {
    slider.addEventListener("input", function () { dateInput.value = dates[Number(slider.value)]; });
    slider.addEventListener("change", load);
  }
  dateInput.addEventListener("change", load);
})();
