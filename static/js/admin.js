/* Small behaviours of the secretariat's admin pages, kept out of inline handlers, which the
   site's Content-Security-Policy (script-src 'self') blocks. */
(function () {
  "use strict";
  // A read-only field marked data-select-on-focus (the invitation link) is selected whole when
  // focused, ready to copy.
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-select-on-focus")) {
      target.select();
    }
  });
})();
