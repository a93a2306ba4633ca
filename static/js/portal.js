/* Behaviour that templates ask for with data attributes, so that no page carries inline script or
 * style (the Content-Security-Policy allows the portal's own files only):
 *   data-qa-back     a link that goes back one page (its href is the fallback)
 *   data-qa-print    a button that opens the browser's print dialog
 *   data-qa-confirm  a form that asks this question before it is submitted
 *   data-qa-select   an input whose text is selected when it gets the focus (links to copy)
 *   data-qa-width    a progress bar's width in per cent
 *   data-industry-code + data-target  an industry search result that fills the field named by data-target
 * and, on every page, the browser's own validation bubbles in Chinese (the browser's language may be English). */
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
  // The browser's constraint validation speaks the browser's language; say it in Chinese, and say what to do.
  function chineseMessage(el) {
    var v = el.validity;
    if (v.valueMissing) return el.type === "file" ? "请选择要上传的文件。" : (el.tagName === "SELECT" ? "请从列表中选择一项。" : "请填写此项。");
    if (v.typeMismatch) return el.type === "email" ? "请输入有效的电子邮箱地址，例如 name@example.com。" : "请按正确的格式填写。";
    if (v.badInput) return "请输入有效的" + (el.type === "number" ? "数字" : "日期") + "。";
    if (v.rangeUnderflow) return "不能小于 " + el.min + "。";
    if (v.rangeOverflow) return "不能大于 " + el.max + "。";
    if (v.stepMismatch) return "请输入符合精度要求的数值" + (el.step && el.step !== "any" ? "（步长 " + el.step + "）" : "") + "。";
    if (v.tooShort) return "至少填写 " + el.minLength + " 个字符（当前 " + el.value.length + " 个）。";
    if (v.tooLong) return "最多填写 " + el.maxLength + " 个字符（当前 " + el.value.length + " 个）。";
    if (v.patternMismatch) return el.title ? "格式不正确：" + el.title : "格式不正确，请按提示填写。";
    return "";
  }
  document.addEventListener("invalid", function (event) {
    var el = event.target;
    if (!el.setCustomValidity) return;
    el.setCustomValidity("");  // re-evaluate the native state first
    if (!el.validity.valid) el.setCustomValidity(chineseMessage(el));
  }, true);
  document.addEventListener("input", function (event) {
    if (event.target.setCustomValidity) event.target.setCustomValidity("");
  }, true);
  document.addEventListener("change", function (event) {
    if (event.target.setCustomValidity) event.target.setCustomValidity("");
  }, true);
})();
