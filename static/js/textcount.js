/* 字数 as Word/WPS count it: each CJK character and full-width mark 1, each run of other characters
 * holding a letter or digit (a word, a number) 1, whitespace and lone half-width punctuation 0.
 * The rule (the whitespace set and the ranges counted one by one) is data from the server
 * (applications/forms/textcount.py, the form's data-count-rule attribute); this is the same algorithm
 * as count_chars there, and a test runs one table of examples through both. */
(function (root) {
  "use strict";
  var WORD = /[\p{L}\p{N}]/u;

  function make(rule) {
    var ws = new Set(rule.whitespace);
    var ranges = rule.cjk;
    function isCjk(code) {
      if (code < 0xB7) return false;
      for (var i = 0; i < ranges.length; i++) {
        if (code >= ranges[i][0] && code <= ranges[i][1]) return true;
      }
      return false;
    }
    return function count(text) {
      var n = 0, inWord = false;
      for (var ch of String(text || "")) {  // code points, not UTF-16 units
        var code = ch.codePointAt(0);
        if (ws.has(code)) { if (inWord) n += 1; inWord = false; }
        else if (isCjk(code)) { n += inWord ? 2 : 1; inWord = false; }
        else if (!inWord && WORD.test(ch)) inWord = true;
      }
      return n + (inWord ? 1 : 0);
    };
  }

  // The text of a narrative's HTML (a richtext field), as applications/forms/richtext.py text_of reads it:
  // the text nodes, with a line break where a block (paragraph, heading, list item, table cell) starts
  // and ends, so that words in two cells stay two words. Browser only (DOMParser).
  var BLOCKS = new Set(["P", "H1", "H2", "H3", "H4", "H5", "H6", "LI", "TR", "TD", "TH", "BR", "TABLE", "UL",
                        "OL", "DIV"]);
  function textOfHtml(html) {
    var body = new DOMParser().parseFromString(String(html || ""), "text/html").body;
    var parts = [];
    (function walk(node) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === 3) { parts.push(child.nodeValue); return; }
        if (child.nodeType !== 1) return;
        var block = BLOCKS.has(child.tagName);
        if (block) parts.push("\n");
        walk(child);
        if (block) parts.push("\n");
      });
    })(body);
    return parts.join("");
  }

  root.qaTextCount = {make: make, textOfHtml: textOfHtml};
  if (typeof module !== "undefined" && module.exports) module.exports = {make: make};
})(typeof window !== "undefined" ? window : globalThis);
