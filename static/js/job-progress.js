/* Live progress of a background job: polls the job's status URL until it finishes. */
(function () {
  "use strict";
  var root = document.querySelector("[data-job-status-url]");
  if (!root) { return; }
  var bar = root.querySelector("progress");
  var label = root.querySelector("[data-job-label]");
  var message = root.querySelector("[data-job-message]");
  var error = root.querySelector("[data-job-error]");
  var files = root.querySelector("[data-job-files]");

  function render(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    label.textContent = state.status_label + " — " + state.done + " / " + state.total + " (" + state.percent + "%)";
    message.textContent = state.message || "";
    error.textContent = state.error || "";
    error.hidden = !state.error;
    files.innerHTML = "";
    state.files.forEach(function (file) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = file.url;
      link.textContent = file.name;
      item.appendChild(link);
      files.appendChild(item);
    });
  }

  function poll() {
    fetch(root.dataset.jobStatusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        render(state);
        if (!state.finished) { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  if (root.dataset.jobFinished !== "true") { poll(); }
})();
