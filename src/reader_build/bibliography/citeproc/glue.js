// reader-build's side of citeproc-js: one engine, items and locales given by Python.
var RB = {items: {}, locales: {}, engine: null, links: false};
RB.sys = {
  retrieveItem: function (id) { return RB.items[id]; },
  retrieveLocale: function (lang) { return RB.locales[lang] || RB.locales["en-US"]; },
  wrapCitationEntry: function (str, id) {
    return '<a class="cite" data-key="' + encodeURIComponent(id) + '">' + str + '</a>';
  }
};

// Each entry carries its item's id: citeproc-js leaves out entries that come out empty,
// so the list of entry_ids and the list of entries need not line up.
CSL.Output.Formats.html["@bibliography/entry"] = function (state, str) {
  return '  <div class="csl-entry" data-id="' + encodeURIComponent(this.system_id || "") + '">'
    + str + "</div>\n";
};

function rbInit(style, lang, items, locales) {
  RB.items = JSON.parse(items);
  RB.locales = JSON.parse(locales);
  RB.engine = new CSL.Engine(RB.sys, style, lang, true);
  RB.engine.opt.development_extensions.wrap_url_and_doi = true;
  var opt = RB.engine.citation.opt;
  return JSON.stringify({
    "class": RB.engine.opt["class"],
    "near-note-distance": RB.engine.citation.opt["near-note-distance"] || 5,
    "prefix": opt.layout_prefix || "", "suffix": opt.layout_suffix || "",
    "punctuation-in-quote": !!(RB.engine.locale[RB.engine.opt.lang] || {opts: {}}).opts["punctuation-in-quote"]
  });
}

// ids in order of first citation: numbers, year suffixes and other disambiguation.
function rbRegister(ids, uncited) {
  RB.engine.updateItems(JSON.parse(ids));
  if (uncited) { RB.engine.updateUncitedItems(JSON.parse(uncited)); }
  return "";
}

// clusters: [[item, ...], ...]; each item with id, locator, label, position, near-note …
// Returns each cluster's HTML with a link around every cite (the wrapper leaves out the
// layout's prefix and suffix; Python adds them).
function rbCite(clusters) {
  var list = JSON.parse(clusters), out = [];
  RB.engine.opt.development_extensions.apply_citation_wrapper = true;
  for (var i = 0; i < list.length; i++) {
    out.push(RB.engine.makeCitationCluster(list[i]));
  }
  RB.engine.opt.development_extensions.apply_citation_wrapper = false;
  return JSON.stringify(out);
}

function rbBibliography() {
  var made = RB.engine.makeBibliography();
  if (!made) { return "null"; }
  return JSON.stringify({params: made[0], entries: made[1]});
}
