/* The applicant's section page: live 字数 counters, autosave with conflict detection, a local
 * backup of anything not yet saved, retries on a lost connection, and table rows.
 * 字数 is counted as Word/WPS count it, by static/js/textcount.js with the rule the server puts on the
 * form (applications/forms/textcount.py), so the counter always agrees with the server's check. */
(function () {
  "use strict";
  var form = document.getElementById("qa-section");
  if (!form) return;
  var countChars = window.qaTextCount.make(JSON.parse(form.dataset.countRule));
  var editable = form.dataset.editable === "1";
  var storageKey = form.dataset.storageKey;
  var version = parseInt(form.dataset.version, 10) || 0;
  var statusEl = document.getElementById("qa-status");
  var messageEl = document.getElementById("qa-message");
  var dirty = false, saving = false, again = false, timer = null, retryDelay = 2000, retryTimer = null;
  var conflictOpen = false;  // while the conflict panel asks, nothing is saved behind the user's back
  form.addEventListener("submit", function (event) { event.preventDefault(); });  // it saves itself

  // A field's path is its key as is (keys may contain dots: self-assessment items are named like
  // "item_4.1.2"); table cells ("rows.0.name") and grid cells ("indicators.sales.2024") are nested.
  function isFieldKey(el) { return !!el.closest(".qa-field"); }
  // A narrative (richtext field, static/js/rich-text.js) holds HTML: its 字数 is that of its text.
  function textOf(el) { return el.dataset && el.dataset.rich ? window.qaTextCount.textOfHtml(el.value) : el.value; }

  window.qaCountChars = countChars;

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setStatus(text, kind) {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.className = "badge " + ({ok: "text-bg-success", warn: "text-bg-warning", err: "text-bg-danger"}[kind] || "text-bg-light border");
  }

  function showMessage(text) {
    if (!text) { messageEl.classList.add("d-none"); messageEl.textContent = ""; return; }
    messageEl.textContent = text;
    messageEl.classList.remove("d-none");
  }

  // --- counters ------------------------------------------------------------------------------------
  function updateCounter(input) {
    var max = parseInt(input.dataset.maxChars || "0", 10);
    var counter = form.querySelector('[data-counter-for="' + input.dataset.path + '"]');
    var n = countChars(textOf(input));
    if (counter && max) {
      counter.textContent = "已输入 " + n + " / " + max + " 字";
      counter.classList.toggle("text-danger", n > max);
    }
    input.classList.toggle("is-invalid", !!max && n > max);
  }

  function updateTotal() {
    var totalEl = document.getElementById("qa-total-count");
    if (!totalEl) return;
    var n = 0;
    form.querySelectorAll('textarea[data-path], input[type=text][data-path]').forEach(function (el) {
      if (isFieldKey(el)) n += countChars(textOf(el));
    });
    totalEl.textContent = n;
    var max = parseInt(totalEl.parentElement.dataset.totalMax, 10);
    totalEl.parentElement.classList.toggle("text-danger", n > max);
  }

  // --- collecting the section's data ---------------------------------------------------------------
  function collect() {
    var data = {};
    form.querySelectorAll(".qa-table").forEach(function (fieldset) {
      var key = fieldset.dataset.table;
      data[key] = [];
      fieldset.querySelectorAll("tr.qa-row").forEach(function (tr) {
        var row = {};
        tr.querySelectorAll("[data-path]").forEach(function (el) {
          var parts = el.dataset.path.split(".");
          row[parts[parts.length - 1]] = el.value;
        });
        data[key].push(row);
      });
    });
    form.querySelectorAll("[data-path]").forEach(function (el) {
      if (el.closest(".qa-table")) return;
      if (isFieldKey(el)) { data[el.dataset.path] = el.value; return; }
      var parts = el.dataset.path.split(".");
      var node = data;
      for (var i = 0; i < parts.length - 1; i++) { node[parts[i]] = node[parts[i]] || {}; node = node[parts[i]]; }
      node[parts[parts.length - 1]] = el.value;
    });
    return data;
  }

  function apply(data) {
    form.querySelectorAll(".qa-table").forEach(function (fieldset) {
      var rows = data[fieldset.dataset.table] || [];
      var tbody = fieldset.querySelector("tbody");
      while (tbody.querySelectorAll("tr.qa-row").length < rows.length) addRow(fieldset, true);
      fieldset.querySelectorAll("tr.qa-row").forEach(function (tr, i) {
        tr.querySelectorAll("[data-path]").forEach(function (el) {
          var parts = el.dataset.path.split(".");
          el.value = (rows[i] || {})[parts[parts.length - 1]] || "";
        });
      });
    });
    form.querySelectorAll("[data-path]").forEach(function (el) {
      if (el.closest(".qa-table")) return;
      var node = data;
      if (isFieldKey(el)) node = data[el.dataset.path];
      else el.dataset.path.split(".").forEach(function (p) { node = (node && typeof node === "object") ? node[p] : undefined; });
      el.value = node === undefined || node === null ? "" : node;
      if (el.qaEditor) el.qaEditor.commands.setContent(el.value, {emitUpdate: false});
      updateCounter(el);
    });
    updateTotal();
  }

  function labelText(label) {  // the label without its "required" star
    var copy = label.cloneNode(true);
    copy.querySelectorAll('[title="必填"]').forEach(function (star) { star.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function readable(data) {
    var lines = [];
    function walk(prefix, value) {
      if (value && typeof value === "object") {
        Object.keys(value).forEach(function (k) { walk(prefix ? prefix + "." + k : k, value[k]); });
      } else if (value !== "" && value !== undefined) {
        var el = form.querySelector('[data-path="' + prefix + '"]');
        var label = el ? (el.getAttribute("aria-label") || (el.labels && el.labels[0] ? labelText(el.labels[0]) : prefix)) : prefix;
        if (el && el.dataset.rich) value = window.qaTextCount.textOfHtml(value).replace(/\n+/g, "\n").trim();
        lines.push(label + "：" + value);
      }
    }
    walk("", data);
    return lines.join("\n");
  }

  // --- local backup: nothing typed is lost, even offline or on a crash ------------------------------
  function backup() {
    try { localStorage.setItem(storageKey, JSON.stringify({version: version, data: collect(), at: Date.now()})); } catch (e) { /* storage full or off */ }
  }
  function clearBackup() { try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ } }
  function readBackup() { try { return JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { return null; } }

  // --- saving --------------------------------------------------------------------------------------
  function clearErrors() {
    form.querySelectorAll(".qa-error").forEach(function (el) { if (el.dataset.errorFor) el.textContent = ""; });
    form.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
  }

  function showErrors(errors) {
    Object.keys(errors).forEach(function (path) {
      var slot = form.querySelector('[data-error-for="' + path + '"]');
      if (slot) slot.textContent = errors[path];
      var input = form.querySelector('[data-path="' + path + '"]');
      if (input) input.classList.add("is-invalid");
    });
  }

  function showMissing(missing) {
    var list = document.getElementById("qa-missing");
    if (!list || !missing) return;
    list.innerHTML = "";
    missing.forEach(function (m) { var li = document.createElement("li"); li.className = "list-group-item small"; li.textContent = m; list.appendChild(li); });
    list.closest(".card").classList.toggle("d-none", missing.length === 0);
  }

  function showWarnings(warnings) {
    var box = document.getElementById("qa-warnings");
    if (!box) return;
    box.innerHTML = "";
    (warnings || []).forEach(function (w) { var d = document.createElement("div"); d.textContent = w; box.appendChild(d); });
    box.classList.toggle("d-none", !warnings || warnings.length === 0);
  }

  function save(force) {
    if (!editable || conflictOpen) return;
    if (saving) { again = true; return; }
    if (!dirty && !force) return;
    saving = true; dirty = false;
    clearTimeout(retryTimer);
    setStatus("保存中…");
    var sent = collect();
    fetch(form.dataset.saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json"},
      body: JSON.stringify({version: version, data: sent})
    }).then(function (response) {
      return response.json().then(function (body) { return {status: response.status, body: body, redirected: response.redirected}; },
                                  function () { return {status: response.status, body: {}, redirected: response.redirected}; });
    }).then(function (r) {
      saving = false;
      retryDelay = 2000;
      if (r.redirected) {  // sent to the login page: the session ended (timeout, signed out elsewhere)
        dirty = true; backup();
        setStatus("未保存：登录已过期", "err");
        showMessage("登录已过期或已在其他页面退出，本页内容未保存，已暂存在本机浏览器中。请在新窗口重新登录，然后刷新本页：内容会自动恢复并保存。");
      } else if (r.status === 200 && r.body.ok) {
        version = r.body.version;
        clearErrors(); showMessage("");
        if (dirty) {  // typed while this save was on its way: the newest text is not saved yet
          backup();
          setStatus("有未保存的修改", "warn");
        } else {
          clearBackup();
          var t = new Date(r.body.saved_at);
          // Beijing time whatever the computer's time zone (the server prints the same on the page)
          setStatus("已保存 " + t.toLocaleTimeString("zh-CN", {hour12: false, timeZone: "Asia/Shanghai"}), "ok");
        }
        showMissing(r.body.missing); showWarnings(r.body.warnings);
      } else if (r.status === 409 && r.body.conflict) {
        dirty = true; backup();
        showConflict(sent, r.body);
      } else if (r.status === 400 && r.body.errors) {
        dirty = true; backup();
        clearErrors(); showErrors(r.body.errors);
        setStatus("未保存：有错误", "err");
        showMessage(r.body.message);
      } else if (r.status === 403 || r.status === 404) {
        setStatus("未保存", "err");
        showMessage(r.body.message || "没有权限保存这一部分，请刷新页面。");
      } else if (r.status === 400) {
        dirty = true; backup();
        setStatus("未保存", "err");
        showMessage(r.body.message || "保存失败，请刷新页面后重试。");
      } else {
        throw new Error("server " + r.status);
      }
      if (again) { again = false; save(); }
    }).catch(function () {
      saving = false; dirty = true; backup();
      setStatus("未保存（网络中断，" + Math.round(retryDelay / 1000) + " 秒后重试）", "warn");
      retryTimer = setTimeout(function () { save(true); }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }

  // ``restore``: "mine" is not what the page shows (a local backup); keeping it puts it back first.
  function showConflict(mine, body, restore) {
    var box = document.getElementById("qa-conflict");
    conflictOpen = true;
    clearTimeout(timer);
    setStatus("未保存：版本冲突", "err");
    document.getElementById("qa-conflict-message").textContent = body.message;
    document.getElementById("qa-conflict-mine").textContent = readable(mine);
    document.getElementById("qa-conflict-theirs").textContent = readable(body.data);
    box.classList.remove("d-none");
    box.scrollIntoView({behavior: "smooth"});
    document.getElementById("qa-keep-mine").onclick = function () {
      conflictOpen = false;
      if (restore) apply(mine);
      version = body.version; box.classList.add("d-none"); dirty = true; save(true);
    };
    document.getElementById("qa-take-theirs").onclick = function () {
      conflictOpen = false; clearTimeout(timer);
      clearBackup(); version = body.version; apply(body.data); dirty = false;
      box.classList.add("d-none"); showMessage(""); setStatus("已采用已保存的版本", "ok");
    };
  }

  function changed(event) {
    var el = event.target;
    if (!el.dataset || !el.dataset.path) return;
    updateCounter(el); updateTotal();
    dirty = true; backup();
    setStatus("有未保存的修改", "warn");
    clearTimeout(timer);
    timer = setTimeout(save, event.type === "change" ? 0 : 1200);
  }

  // --- table rows -------------------------------------------------------------------------------------
  function renumber(fieldset) {
    var key = fieldset.dataset.table;
    fieldset.querySelectorAll("tr.qa-row").forEach(function (tr, i) {
      tr.querySelectorAll("[data-path]").forEach(function (el) {
        var col = el.dataset.path.split(".").pop();
        el.dataset.path = key + "." + i + "." + col;
        var err = el.parentElement.querySelector(".qa-error");
        if (err) err.dataset.errorFor = el.dataset.path;
      });
    });
  }

  function addRow(fieldset, silent) {
    var rows = fieldset.querySelectorAll("tr.qa-row");
    if (rows.length >= parseInt(fieldset.dataset.maxRows, 10)) { showMessage("已达到最多行数。"); return; }
    var clone = rows[rows.length - 1].cloneNode(true);
    clone.querySelectorAll("[data-path]").forEach(function (el) { el.value = ""; el.classList.remove("is-invalid"); });
    clone.querySelectorAll(".qa-error").forEach(function (el) { el.textContent = ""; });
    rows[rows.length - 1].parentElement.appendChild(clone);
    renumber(fieldset);
    if (!silent) { dirty = true; backup(); save(); }
  }

  form.addEventListener("click", function (event) {
    var fieldset = event.target.closest(".qa-table");
    if (!fieldset || !editable) return;
    if (event.target.classList.contains("qa-add-row")) addRow(fieldset);
    if (event.target.classList.contains("qa-del-row")) {
      var rows = fieldset.querySelectorAll("tr.qa-row");
      var tr = event.target.closest("tr");
      if (rows.length === 1) tr.querySelectorAll("[data-path]").forEach(function (el) { el.value = ""; });
      else tr.remove();
      renumber(fieldset); dirty = true; backup(); save();
    }
  });

  // --- industry picker (GB/T 4754-2017 小类) ------------------------------------------------------------
  form.querySelectorAll("[data-industry-search]").forEach(function (input) {
    var results = document.getElementById("industry-results-" + input.dataset.path);
    var t = null;
    input.addEventListener("input", function () {
      clearTimeout(t);
      t = setTimeout(function () {
        var q = input.value.trim();
        if (!q) { results.innerHTML = ""; return; }
        fetch(input.dataset.industrySearch + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (body) {
            results.innerHTML = "";
            (body.results || []).forEach(function (item) {
              var b = document.createElement("button");
              b.type = "button"; b.className = "list-group-item list-group-item-action small";
              b.textContent = item.code + " " + item.name + (item.path ? "（" + item.path + "）" : "");
              b.addEventListener("click", function () {
                input.value = item.code; results.innerHTML = "";
                input.dispatchEvent(new Event("change", {bubbles: true}));
              });
              results.appendChild(b);
            });
          }).catch(function () { results.innerHTML = ""; });
      }, 300);
    });
  });

  // --- start ----------------------------------------------------------------------------------------
  form.querySelectorAll("[data-path]").forEach(updateCounter);
  updateTotal();
  if (editable) {
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    var saved = readBackup();
    if (saved && saved.data && JSON.stringify(saved.data) !== JSON.stringify(collect())) {
      if (saved.version === version) {
        apply(saved.data); dirty = true;
        showMessage("已恢复本机上次未保存的内容，正在保存。");
        save();
      } else {
        showConflict(saved.data, {message: "本机有一份未保存的内容，但这一部分此后已被保存过（版本 " + version + "）。请选择保留哪个版本。",
                                  data: collect(), version: version}, true);
      }
    }
    window.addEventListener("beforeunload", function (event) {
      if (dirty || saving) { backup(); event.preventDefault(); event.returnValue = ""; }
    });
    window.addEventListener("online", function () { if (dirty) save(true); });
  }
})();
