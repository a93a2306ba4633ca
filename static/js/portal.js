/* Behaviour that templates ask for with data attributes, so that no page carries inline script or
 * style (the Content-Security-Policy allows the portal's own files only):
 *   data-qa-back     a link that goes back one page (its href is the fallback)
 *   data-qa-print    a button that opens the browser's print dialog
 *   data-qa-confirm  a form that asks this question before it is submitted
 *   data-qa-select   an input whose text is selected when it gets the focus (links to copy)
 *   data-qa-width    a progress bar's width in per cent
 *   data-industry-code + data-target  an industry search result that fills the field named by data-target */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-qa-back], [data-qa-print], [data-industry-code][data-target]");
    if (!el) return;
    if (el.hasAttribute("data-qa-back")) {
      if (history.length > 1) { event.preventDefault(); history.back(); }
    } else if (el.hasAttribute("data-qa-print")) {
      window.print();
    } else {
      var field = document.querySelector('[name="' + CSS.escape(el.dataset.target) + '"]');
      if (field) {
        field.value = el.dataset.industryCode;
        field.dispatchEvent(new Event("change", {bubbles: true}));
      }
    }
  });
  document.addEventListener("submit", function (event) {
    var question = event.target.dataset && event.target.dataset.qaConfirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-qa-select]")) event.target.select();
  });
  function setWidths(root) {
    root.querySelectorAll("[data-qa-width]").forEach(function (el) { el.style.width = el.dataset.qaWidth + "%"; });
  }
  setWidths(document);
  document.addEventListener("htmx:afterSwap", function (event) { setWidths(event.target); });
})();
