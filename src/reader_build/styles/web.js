/* reader-build: the web edition's script.  Everything works without it; with it,
   a note call opens its note in place, notes stand beside their paragraph on wide
   screens, "#page-N" finds the page that holds print page N, and the search page
   searches the static index (search-index.js).  Override it as styles/web.js. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  /* -- the words it shows -------------------------------------------------------
     In the reader's language: web-page.html.j2 puts the locale's web-script-* strings
     into <script id="reader-strings" type="application/json">.  English only stands in
     for a string that a project's own web-page.html.j2 does not carry. */
  var ENGLISH = {
    "note": "Note {number}", "note-more": "Show among the notes", "note-close": "Close the note",
    "in-index": "In the index", "in-text": "In the text", "type-words": "Type the words to find.",
    "places-one": "{count} place in the text", "places-other": "{count} places in the text",
    "entries": "{count} in the index", "status": "{places} for \u201c{query}\u201d.",
    "status-index": "{places}, {entries} for \u201c{query}\u201d.",
    "mentions-one": "{count} mention", "mentions-other": "{count} mentions", "entry": "({index}, {mentions})"
  };
  var strings = (function () {
    var element = document.getElementById("reader-strings");
    try { return (element && JSON.parse(element.textContent)) || {}; } catch (e) { return {}; }
  })();
  var plurals = (function () {
    try { return new Intl.PluralRules(document.documentElement.lang || "en"); } catch (e) { return new Intl.PluralRules("en"); }
  })();

  /* The string *key* with its {placeholders} filled from *values*. */
  function t(key, values) {
    var text = strings[key] !== undefined ? strings[key] : ENGLISH[key];
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values && values[name] !== undefined ? String(values[name]) : all;
    });
  }
  /* The plural form of *key* for *count* (key-one, key-few, key-many or key-other). */
  function tCount(key, count) {
    var form = key + "-" + plurals.select(count);
    if (strings[form] === undefined && ENGLISH[form] === undefined) form = key + "-other";
    return t(form, {count: count});
  }

  /* -- print pages ----------------------------------------------------------- */
  function findPrintPage() {
    var match = /^#page-(.+)$/.exec(location.hash);
    if (!match || document.getElementById(location.hash.slice(1))) return;
    var label = decodeURIComponent(match[1]);
    var file = window.READER_PAGES && window.READER_PAGES[label];
    if (file) location.replace(file + "#page-" + encodeURIComponent(label));
  }

  /* -- notes in place ---------------------------------------------------------- */
  var popover = null;
  var opener = null;

  function noteContent(note) {
    var copy = note.cloneNode(true);
    copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    copy.removeAttribute("id");
    copy.querySelectorAll("a.fn-back").forEach(function (back) {
      var number = document.createElement("span");
      number.className = "note-number";
      number.textContent = back.textContent;
      back.replaceWith(number);
    });
    var box = document.createDocumentFragment();
    while (copy.firstChild) box.appendChild(copy.firstChild);
    return box;
  }

  function closeNote(returnFocus) {
    if (!popover) return;
    popover.remove();
    popover = null;
    if (opener) {
      opener.setAttribute("aria-expanded", "false");
      if (returnFocus) opener.focus();
    }
    opener = null;
  }

  function placePopover(box, call) {
    var main = box.offsetParent || document.body;
    var area = main.getBoundingClientRect();
    var at = call.getBoundingClientRect();
    var width = box.offsetWidth;
    var left = Math.min(Math.max(at.left - area.left - width / 2, 8 - area.left),
                        document.documentElement.clientWidth - area.left - width - 8);
    box.style.left = Math.round(left) + "px";
    box.style.top = Math.round(at.bottom - area.top + 6) + "px";
  }

  function openNote(call) {
    var id = decodeURIComponent(call.getAttribute("href").split("#")[1] || "");
    var note = document.getElementById(id);
    if (!note) return false;
    var same = opener === call;
    closeNote(false);
    if (same) return true;
    var box = document.createElement("div");
    box.className = "note-popover";
    box.id = "note-popover";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", t("note", {number: call.textContent.trim()}));
    box.tabIndex = -1;
    box.appendChild(noteContent(note));
    var more = document.createElement("a");
    more.className = "popover-more";
    more.href = "#" + id;
    more.textContent = t("note-more");
    more.addEventListener("click", function () { closeNote(false); });
    box.appendChild(more);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "popover-close";
    close.setAttribute("aria-label", t("note-close"));
    close.textContent = "\u00d7";
    close.addEventListener("click", function () { closeNote(true); });
    box.appendChild(close);
    document.getElementById("main").appendChild(box);
    placePopover(box, call);
    popover = box;
    opener = call;
    call.setAttribute("aria-expanded", "true");
    call.setAttribute("aria-controls", "note-popover");
    box.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var call = event.target.closest && event.target.closest("a.noteref");
    if (call && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      if (openNote(call)) event.preventDefault();
      return;
    }
    if (popover && !popover.contains(event.target)) closeNote(false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && popover) {
      event.preventDefault();
      closeNote(true);
    }
  });

  /* -- sidenotes on wide screens ----------------------------------------------- */
  var wide = window.matchMedia("(min-width: 76em)");

  function layoutSidenotes() {
    var main = document.getElementById("main");
    var calls = main.querySelectorAll(".chapter-text a.noteref:not(.noteref-again)");
    main.querySelectorAll(".sidenote").forEach(function (old) { old.remove(); });
    main.classList.toggle("with-sidenotes", wide.matches && calls.length > 0);
    if (!wide.matches) return;
    var area = main.getBoundingClientRect();
    var bottom = 0;
    calls.forEach(function (call) {
      var note = document.getElementById(decodeURIComponent(call.getAttribute("href").slice(1)));
      if (!note) return;
      var side = document.createElement("div");
      side.className = "sidenote";
      side.setAttribute("aria-hidden", "true");
      side.appendChild(noteContent(note));
      side.querySelectorAll("a").forEach(function (link) { link.tabIndex = -1; });
      main.appendChild(side);
      var top = Math.max(call.getBoundingClientRect().top - area.top, bottom);
      side.style.top = Math.round(top) + "px";
      bottom = top + side.offsetHeight + 10;
    });
  }

  /* -- search -------------------------------------------------------------------- */
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g, "")
      .toLowerCase();
  }
  function words(text) { return fold(text).match(/[\p{L}\p{N}]+/gu) || []; }

  function lowerBound(keys, word) {
    var lo = 0, hi = keys.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (keys[mid] < word) lo = mid + 1; else hi = mid; }
    return lo;
  }

  function docsFor(index, keys, word) {
    var found = new Set();
    for (var i = lowerBound(keys, word); i < keys.length && keys[i].lastIndexOf(word, 0) === 0; i++) {
      index.terms[keys[i]].forEach(function (d) { found.add(d); });
    }
    return found;
  }

  function matchingEntries(index, query) {
    var hits = [];
    index.entries.forEach(function (entry, n) {
      var names = entry[3].split(" ");
      var all = query.every(function (q) { return names.some(function (w) { return w.lastIndexOf(q, 0) === 0; }); });
      if (all) hits.push(n);
    });
    return hits;
  }

  function highlighted(text, query) {
    var folded = "", from = [];
    for (var i = 0; i < text.length; i++) {
      var f = fold(text[i]);
      for (var k = 0; k < f.length; k++) { folded += f[k]; from.push(i); }
    }
    from.push(text.length);
    var spans = [];
    query.forEach(function (q) {
      var re = new RegExp("(^|[^\\p{L}\\p{N}])(" + q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ")", "gu");
      var m;
      while ((m = re.exec(folded))) {
        var start = m.index + m[1].length;
        spans.push([from[start], from[start + m[2].length]]);
      }
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var first = spans.length ? spans[0][0] : 0;
    var begin = Math.max(0, first - 90), end = Math.min(text.length, first + 200);
    var p = document.createElement("p");
    p.appendChild(document.createTextNode((begin > 0 ? "\u2026" : "")));
    var at = begin;
    spans.forEach(function (s) {
      if (s[0] < at || s[1] > end) return;
      p.appendChild(document.createTextNode(text.slice(at, s[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(s[0], s[1]);
      p.appendChild(mark);
      at = s[1];
    });
    p.appendChild(document.createTextNode(text.slice(at, end) + (end < text.length ? "\u2026" : "")));
    return p;
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function showEntries(index, hits, box) {
    if (!hits.length) return;
    var heading = document.createElement("h2");
    heading.textContent = t("in-index");
    var list = document.createElement("ul");
    list.className = "search-entries";
    hits.forEach(function (n) {
      var entry = index.entries[n];
      var item = document.createElement("li");
      item.appendChild(link(entry[2], entry[0]));
      item.appendChild(document.createTextNode(" " + t("entry", {index: entry[1], mentions: tCount("mentions", entry[4])})));
      list.appendChild(item);
    });
    box.appendChild(heading);
    box.appendChild(list);
  }

  function showResults(index, docs, query, entryHits, box) {
    var heading = document.createElement("h2");
    heading.textContent = t("in-text");
    var list = document.createElement("ol");
    list.className = "search-results";
    var wanted = new Set(entryHits);
    docs.forEach(function (d) {
      var doc = index.docs[d];
      var href = doc[0];
      var mention = doc[3].find(function (m) { return wanted.has(m[1]); });
      if (mention) href = href.split("#")[0] + "#" + mention[0];
      var item = document.createElement("li");
      item.appendChild(link(href, doc[1]));
      item.appendChild(highlighted(doc[2], query));
      list.appendChild(item);
    });
    box.appendChild(heading);
    box.appendChild(list);
  }

  function runSearch() {
    var index = window.READER_SEARCH;
    var box = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!index || !box) return;
    var text = new URLSearchParams(location.search).get("q") || "";
    document.querySelectorAll("input[name=q]").forEach(function (input) { input.value = text; });
    var query = words(text);
    box.textContent = "";
    if (!query.length) { status.textContent = t("type-words"); return; }
    var keys = Object.keys(index.terms);
    var docs = null;
    query.forEach(function (q) {
      var found = docsFor(index, keys, q);
      docs = docs === null ? found : new Set(Array.from(docs).filter(function (d) { return found.has(d); }));
    });
    var ordered = Array.from(docs).sort(function (a, b) { return a - b; });
    var hits = matchingEntries(index, query);
    var places = tCount("places", ordered.length);
    status.textContent = hits.length ? t("status-index", {places: places, entries: t("entries", {count: hits.length}), query: text})
      : t("status", {places: places, query: text});
    showEntries(index, hits, box);
    if (ordered.length) showResults(index, ordered, query, hits, box);
  }

  document.addEventListener("DOMContentLoaded", function () {
    findPrintPage();
    layoutSidenotes();
    runSearch();
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(layoutSidenotes, 150);
    });
    if (wide.addEventListener) wide.addEventListener("change", layoutSidenotes);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(layoutSidenotes);
  });
  window.addEventListener("hashchange", findPrintPage);
})();
