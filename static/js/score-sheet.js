/* The expert's score sheet: shows the band descriptor of the chosen percentage and autosaves one item
   a few seconds after a change, one save at a time (an item due while a save is on its way waits for
   it, so that it is sent with the version that save returned). A save based on an older version is
   refused by the server (409): the page then says so and stops autosaving, so nothing is overwritten
   silently. */
(function () {
  "use strict";
  var form = document.getElementById("score-sheet");
  if (!form) { return; }
  var bands = [];
  try { bands = JSON.parse(document.getElementById("bands-json").textContent); } catch (e) { bands = []; }
  var status = document.getElementById("autosave-status");
  var version = document.getElementById("sheet-version");
  var submitVersion = document.getElementById("submit-version");
  var submitButton = document.getElementById("submit-sheet");
  var missingBox = document.getElementById("submit-missing");

  // After each save the server says what is still missing; 提交 is enabled the moment nothing is.
  function showMissing(missing) {
    if (!submitButton || !Array.isArray(missing)) { return; }
    submitButton.disabled = missing.length > 0;
    if (!missingBox) { return; }
    missingBox.classList.toggle("d-none", missing.length === 0);
    document.getElementById("submit-missing-count").textContent = missing.length;
    var list = document.getElementById("submit-missing-list");
    list.textContent = "";
    missing.slice(0, 23).forEach(function (m) {
      var li = document.createElement("li");
      li.textContent = m;
      list.appendChild(li);
    });
  }
  var timers = {};
  var stopped = false;
  var saving = false;  // one save at a time: each is based on the version the previous one returned
  var waiting = [];

  function descriptor(select) {
    var out = form.querySelector('[data-descriptor="' + select.dataset.item + '"]');
    if (!out) { return; }
    var value = parseInt(select.value, 10);
    if (isNaN(value)) { out.textContent = "选择得分率后显示对应分档描述。"; return; }
    var band = null;
    bands.forEach(function (b) { if (value >= b.low) { band = b; } });
    if (band) { out.textContent = "当前分档（" + band.range + "）：" + (select.dataset.kind === "results" ? band.results : band.process); }
  }

  function next() {
    saving = false;
    if (waiting.length) { save(waiting.shift()); }
  }

  function save(item) {
    if (stopped || form.dataset.autosave !== "1") { return; }
    if (saving) {
      if (waiting.indexOf(item) < 0) { waiting.push(item); }
      return;
    }
    saving = true;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("version", version.value);
    ["percent", "strengths", "opportunities"].forEach(function (f) {
      var el = form.querySelector('[name="' + f + "_" + item + '"]');
      if (el) { data.append(f + "_" + item, el.value); }
    });
    status.textContent = "正在保存…";
    fetch(form.action || window.location.href, {method: "POST", body: data, credentials: "same-origin",
      headers: {"X-Autosave": "1", "Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (body) { return {status: r.status, body: body}; }); })
      .then(function (res) {
        if (res.status === 200) {
          version.value = res.body.version;
          if (submitVersion) { submitVersion.value = res.body.version; }
          status.textContent = "已自动保存（第 " + res.body.version + " 版，" + res.body.saved_at + "）";
          showMissing(res.body.missing);
        } else if (res.status === 409) {
          stopped = true;
          status.className = "alert alert-warning";
          status.textContent = res.body.message;
        } else if (res.body && res.body.errors) {
          status.textContent = Object.values(res.body.errors).join("；");
          if (submitButton) { submitButton.disabled = true; }
        } else {
          status.textContent = "自动保存失败，请点击“保存草稿”。";
        }
      })
      .catch(function () { status.textContent = "网络中断，自动保存未完成；恢复后请点击“保存草稿”。"; })
      .then(next);
  }

  form.addEventListener("input", function (e) {
    var item = e.target.dataset.item;
    if (!item) { return; }
    if (e.target.tagName === "SELECT") { descriptor(e.target); }
    clearTimeout(timers[item]);
    timers[item] = setTimeout(function () { save(item); }, 2000);
  });
  form.addEventListener("change", function (e) {
    if (e.target.tagName === "SELECT" && e.target.dataset.item) { descriptor(e.target); }
  });
  form.addEventListener("submit", function () { stopped = true; });
})();
