/* Chinese for the narratives' editor (django-prose-editor reads window.gettext when its module loads):
 * its dialogs (table size, list properties) speak Chinese. Loaded before static/js/rich-text.js. */
(function () {
  "use strict";
  var ZH = {
    "Table Properties": "插入表格", "Rows": "行数", "Columns": "列数", "Include header row": "首行为表头",
    "Insert Table": "插入表格", "Insert": "插入", "Update": "确定", "Cancel": "取消",
    "List properties": "列表设置", "List type": "列表样式", "Start at": "起始编号", "Bullets": "圆点",
    "Decimal numbers": "阿拉伯数字", "Lowercase letters": "小写字母", "Uppercase letters": "大写字母",
    "Lowercase Roman numerals": "小写罗马数字", "Uppercase Roman numerals": "大写罗马数字",
    "Alternative Text": "图片说明", "Title": "标题", "Toggle fullscreen": "全屏",
  };
  if (!window.gettext) window.gettext = function (text) { return Object.prototype.hasOwnProperty.call(ZH, text) ? ZH[text] : text; };
})();
