// The reference for tests/bibliography/test_csl_fidelity.py: citeproc-js under Node,
// driven the way Zotero drives it (processCitationCluster, one cluster after another,
// positions computed by citeproc-js itself). Input: a JSON job on stdin; output: JSON.
//   job = {module, style, lang, locales: {lang: xml}, items: {id: item},
//          clusters: [{items: [{id, locator, label, prefix, suffix}], note}]}
const fs = require("fs");
const job = JSON.parse(fs.readFileSync(0, "utf8"));
const CSL = require(job.module);
const sys = {
  retrieveItem: (id) => job.items[id],
  retrieveLocale: (lang) => job.locales[lang] || job.locales["en-US"],
};
// Which entry is which: citeproc-js leaves empty entries out of its list of strings.
CSL.Output.Formats.html["@bibliography/entry"] = function (state, str) {
  return '<div class="csl-entry" data-id="' + encodeURIComponent(this.system_id || "") + '">' + str + "</div>";
};
const engine = new CSL.Engine(sys, job.style, job.lang, true);
engine.updateItems(job.order);
const done = [], citations = {};
job.clusters.forEach((cluster, n) => {
  const citation = {citationID: "c" + n, citationItems: cluster.items,
                    properties: {noteIndex: cluster.note}};
  const [, changed] = engine.processCitationCluster(citation, done, []);
  for (const [index, text] of changed) { citations[index] = text; }
  done.push(["c" + n, cluster.note]);
});
const bib = engine.makeBibliography();
const out = {
  citations: job.clusters.map((_, n) => citations[n]),
  entries: bib ? bib[1].map((text) => [decodeURIComponent(/data-id="([^"]*)"/.exec(text)[1]), text]) : [],
};
process.stdout.write(JSON.stringify(out));
