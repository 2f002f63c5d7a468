/* Questionnaire forms (templates/assessments/_question.html): conditional questions, matrix rows
   chosen in an earlier question, "other, please specify" fields, and autosave when the form has
   data-autosave-url. Visibility follows assessments.validation.is_visible: a question whose target
   is hidden or unanswered fails every test; "not_equals" needs the target answered. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 600;

  function wrapperOf(form, code) {
    return form.querySelector('[data-question="' + code + '"]');
  }

  // The chosen or typed values of a question; null when it has no inputs on this page (another
  // page or read-only: the server's rendering then stands), [] when it is hidden.
  function answerOf(form, code) {
    var wrapper = wrapperOf(form, code);
    var inputs = wrapper ? wrapper.querySelectorAll('[name="' + code + '"]') : [];
    if (!inputs.length) return null;
    if (wrapper.hidden) return [];
    var values = [];
    inputs.forEach(function (input) {
      var choice = input.type === "radio" || input.type === "checkbox";
      if (choice ? input.checked : input.value.trim() !== "") values.push(input.value);
    });
    return values;
  }

  var ORDER = {
    greater_than: function (a, b) { return a > b; },
    at_least: function (a, b) { return a >= b; },
    less_than: function (a, b) { return a < b; },
    at_most: function (a, b) { return a <= b; }
  };

  // One test (assessments/questionnaires/conditions.py, test_holds): an unanswered or hidden
  // target fails every test. Null when the target has no inputs on this page.
  function testHolds(form, test) {
    var given = answerOf(form, test.question);
    if (given === null) return null;
    if (!given.length) return false;
    if (test.operator === "answered") return true;
    if (ORDER[test.operator]) {
      var number = Number(given[0]), bound = Number(test.values[0]);
      if (given[0].trim() === "" || isNaN(number) || isNaN(bound)) return false;
      return ORDER[test.operator](number, bound);
    }
    var hit = given.some(function (value) { return test.values.indexOf(value.trim()) !== -1; });
    return test.operator === "not_equals" || test.operator === "excludes" ? !hit : hit;
  }

  // A condition as conditions.py writes it ({"all": [...]}, {"any": [...]}, a test, or
  // {"result": bool} for a test the server decided); null when it cannot be decided here.
  function conditionHolds(form, condition) {
    if ("result" in condition) return condition.result;
    var parts = condition.all || condition.any;
    if (!parts) return testHolds(form, condition);
    var results = parts.map(function (part) { return conditionHolds(form, part); });
    if (results.indexOf(null) !== -1) return null;
    return condition.all ? results.every(Boolean) : results.some(Boolean);
  }

  // In document order, so that a hidden target has been updated before its dependents.
  function updateConditions(form) {
    form.querySelectorAll("[data-condition]").forEach(function (wrapper) {
      var holds = conditionHolds(form, JSON.parse(wrapper.dataset.condition));
      if (holds !== null) wrapper.hidden = !holds;
    });
  }

  function updateMatrixRows(form) {
    form.querySelectorAll("[data-rows-from]").forEach(function (wrapper) {
      var chosen = answerOf(form, wrapper.dataset.rowsFrom);
      if (chosen === null) return;
      var shown = 0;
      wrapper.querySelectorAll("tr[data-row]").forEach(function (row) {
        row.hidden = chosen.indexOf(row.dataset.row) === -1;
        if (!row.hidden) shown += 1;
      });
      var empty = wrapper.querySelector("[data-rows-empty]");
      if (empty) empty.hidden = shown > 0;
    });
  }

  function updateOther(form) {
    form.querySelectorAll("[data-other-for]").forEach(function (box) {
      var code = box.dataset.otherFor;
      box.hidden = !form.querySelector('[name="' + code + '"][value="OTHER"]:checked');
    });
  }

  function refresh(form) {
    updateConditions(form);
    updateMatrixRows(form);
    updateOther(form);
  }

  // Errors returned by the server replace those shown; a question not listed has none.
  function showErrors(form, errors) {
    form.querySelectorAll("[data-question]").forEach(function (wrapper) {
      var code = wrapper.dataset.question;
      var box = document.getElementById(code + "-error");
      if (!box) return;
      var messages = errors[code] || [];
      box.textContent = messages.join(" ");
      box.hidden = messages.length === 0;
      wrapper.classList.toggle("has-error", messages.length > 0);
      wrapper.querySelectorAll("input, textarea, select").forEach(function (input) {
        if (messages.length) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
    });
  }

  function isTextField(element) {
    return element.tagName === "TEXTAREA" ||
      (element.tagName === "INPUT" && ["text", "number", "date"].indexOf(element.type) !== -1);
  }

  function setupAutosave(form) {
    var url = form.dataset.autosaveUrl;
    if (!url) return;
    var status = form.querySelector("[data-autosave-status]") ||
      document.querySelector("[data-autosave-status]");
    var version = form.querySelector('input[name="version"]');
    if (!version) {
      version = document.createElement("input");
      version.type = "hidden";
      version.name = "version";
      form.appendChild(version);
    }
    var timer = null;
    var busy = false;
    var again = false;
    // A page save ("Save and continue") held back while an autosave is in flight: it must carry
    // the version that autosave returns, or the server takes it for someone else's change.
    var heldSubmit = null;

    function say(text) {
      if (!status) return;
      status.setAttribute("aria-live", "polite");
      status.textContent = text;
    }

    function fail(detail) {
      say(((form.dataset.msgError || "Not saved:") + " " + (detail || "")).trim());
    }

    function handle(response, data) {
      if (response.ok && data.saved) {
        if (data.version !== undefined) version.value = data.version;
        var errors = data.errors || {};
        showErrors(form, errors);
        // A value the server refused ("Enter a whole number") was not saved: saying "Saved"
        // would let the respondent move on believing it was.
        if (Object.keys(errors).length) fail(form.dataset.msgRejected || "");
        else say(form.dataset.msgSaved || "Saved");
      } else {
        // On a conflict (409) the version is left alone: saving again would overwrite the
        // other change, so the respondent has to reload.
        fail(data.detail || response.statusText);
      }
    }

    // One request at a time: each save sends the version the previous one returned.
    function save() {
      clearTimeout(timer);
      timer = null;
      if (busy) { again = true; return; }
      busy = true;
      say(form.dataset.msgSaving || "Saving…");
      var token = form.querySelector('[name="csrfmiddlewaretoken"]');
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest", "X-CSRFToken": token ? token.value : "" }
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          handle(response, data);
        });
      }).catch(function (error) {
        fail(error.message);
      }).then(function () {
        busy = false;
        if (heldSubmit) { var go = heldSubmit; heldSubmit = null; go(); }
        else if (again) { again = false; save(); }
      });
    }

    // The page save sends every field, so it supersedes a pending autosave; an autosave already
    // on its way is waited for. The submit is then replayed with the same button.
    function holdSubmitWhileSaving(event) {
      if (timer) { clearTimeout(timer); timer = null; }
      again = false;
      if (!busy) return;
      event.preventDefault();
      var submitter = event.submitter;
      say(form.dataset.msgSaving || "Saving…");
      heldSubmit = function () {
        form.removeEventListener("submit", holdSubmitWhileSaving);
        if (submitter && form.requestSubmit) form.requestSubmit(submitter);
        else form.submit();
      };
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(save, DEBOUNCE_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("focusout", function (event) {
      if (timer && isTextField(event.target)) save();
    });
    form.addEventListener("submit", holdSubmitWhileSaving);
  }

  function setup(form) {
    refresh(form);
    form.addEventListener("input", function () { refresh(form); });
    form.addEventListener("change", function () { refresh(form); });
    setupAutosave(form);
  }

  function init() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-question]")) setup(form);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
