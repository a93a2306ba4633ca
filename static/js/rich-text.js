/* Narratives with headings, lists, tables and images (the form's richtext fields).
 *
 * The editor is django-prose-editor's ProseMirror/Tiptap build, served by the portal from that package's
 * static files (no CDN), created here without the inline <style> Tiptap would inject (the
 * Content-Security-Policy allows styles from the portal's files only; static/css/portal.css has the
 * editor's base rules). The <textarea data-path> stays the field: every change writes the editor's HTML into
 * it and fires "input", so applicant-form.js counts 字数, autosaves and detects conflicts as for any field;
 * applicant-form.js puts a value back through ``textarea.qaEditor`` (a conflict's "use the saved version").
 * Images are uploaded to the application (data-image-url), judged by content on the server, and inserted by
 * the address it answers; the server keeps only such addresses (applications/forms/richtext.py). */
import {
  Bold, BulletList, Document, Dropcursor, Editor, Gapcursor, HardBreak, Heading, History, Image, Italic,
  ListItem, Menu, OrderedList, Paragraph, Table, TableCell, TableHeader, TableRow, Text,
} from "../django_prose_editor/editor.js";

function csrfToken() {
  var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (m) return decodeURIComponent(m[1]);
  var input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function showError(textarea, message) {
  var slot = document.querySelector('[data-error-for="' + textarea.dataset.path + '"]');
  if (slot) slot.textContent = message || "";
}

function imageButton(textarea, editor) {
  var bar = document.createElement("div");
  bar.className = "qa-rich-tools mt-1";
  var input = document.createElement("input");
  input.type = "file"; input.accept = "image/jpeg,image/png"; input.className = "d-none";
  input.setAttribute("aria-label", "选择要插入的图片");
  input.dataset.imageFor = textarea.dataset.path;
  var button = document.createElement("button");
  button.type = "button"; button.className = "btn btn-sm btn-outline-secondary";
  button.textContent = "插入图片（JPG/PNG）";
  var note = document.createElement("span");
  note.className = "small text-muted ms-2";
  note.textContent = "表格用工具栏的表格按钮插入；图片插入在光标处。";
  button.addEventListener("click", function () { input.click(); });
  input.addEventListener("change", function () {
    var file = input.files[0];
    if (!file) return;
    var body = new FormData();
    body.append("file", file);
    button.disabled = true; button.textContent = "上传中…";
    fetch(textarea.dataset.imageUrl, {method: "POST", credentials: "same-origin", body: body,
                                      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}})
      .then(function (r) { return r.json().catch(function () { return {ok: false}; }); })
      .then(function (answer) {
        if (answer.ok) {
          showError(textarea, "");
          editor.chain().focus().setImage({src: answer.url, alt: answer.name || ""}).run();
        } else {
          showError(textarea, answer.message || "图片上传失败，请稍后重试。");
        }
      })
      .catch(function () { showError(textarea, "网络中断，图片未上传，请稍后重试。"); })
      .finally(function () { button.disabled = false; button.textContent = "插入图片（JPG/PNG）"; input.value = ""; });
  });
  bar.append(button, note, input);
  return bar;
}

function create(textarea) {
  if (textarea.qaEditor) return textarea.qaEditor;
  var editable = !textarea.readOnly;
  var wrap = document.createElement("div");
  wrap.className = "prose-editor qa-rich-editor" + (editable ? "" : " disabled");
  textarea.before(wrap);
  wrap.append(textarea);
  var editor = new Editor({
    element: wrap,
    editable: editable,
    injectCSS: false,
    content: textarea.value,
    extensions: [
      Document, Paragraph, Text, HardBreak, History, Dropcursor, Gapcursor,
      Heading.configure({levels: [2, 3, 4]}), Bold, Italic, BulletList, OrderedList, ListItem,
      Table.configure({resizable: false}), TableRow, TableHeader, TableCell,
      Image, editable && Menu,
    ].filter(Boolean),
    onUpdate: function (props) {
      var html = props.editor.getHTML();
      textarea.value = /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
      textarea.dispatchEvent(new Event("input", {bubbles: true}));
    },
  });
  textarea.qaEditor = editor;
  if (editable && textarea.dataset.imageUrl) wrap.after(imageButton(textarea, editor));
  return editor;
}

document.querySelectorAll("textarea[data-rich]").forEach(create);
