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

function rbInit(style, lang, locales) {
  RB.locales = JSON.parse(locales);
  RB.engine = new CSL.Engine(RB.sys, style, lang, true);
  RB.engine.opt.development_extensions.wrap_url_and_doi = true;
  rbSkipLaterKeys(RB.engine);
  var opt = RB.engine.citation.opt;
  return JSON.stringify({
    "class": RB.engine.opt["class"],
    "near-note-distance": RB.engine.citation.opt["near-note-distance"] || 5,
    "prefix": opt.layout_prefix || "", "suffix": opt.layout_suffix || "",
    "punctuation-in-quote": !!(RB.engine.locale[RB.engine.opt.lang] || {opts: {}}).opts["punctuation-in-quote"],
    "sorts-first": rbSortsFirst()
  });
}

// Sort keys are registered for every item, and a key after the first matters only for
// items whose first key equals another's (Chicago: eight keys, rendering most of the
// entry, where the first, the author, nearly always decides). Each key after the first
// gets a step that, while only first keys are made, goes straight to the key's end (the
// key is then empty); the items whose first keys tie then get all their keys, at once,
// as citeproc-js would have made them. No comparison ever reads an empty key: an item
// whose first key differs from every other's is ordered by that key alone.
function rbSkipLaterKeys(engine) {
  var tokens = engine.bibliography_sort.tokens, start = -1, keys = 0;
  for (var i = 0; i < tokens.length; i++) {
    if (tokens[i].name !== "key") { continue; }
    if (tokens[i].tokentype === CSL.START) {
      start = i;
    } else if (tokens[i].tokentype === CSL.END) {
      if (keys > 0) { rbSkipTo(tokens[start], i); }
      keys += 1;
    }
  }
  engine.rbLaterKeys = keys > 1;
}

function rbSkipTo(token, end) {
  token.execs.push(function (state) {
    if (state.rbFirstKeyOnly) { return end; }
  });
}

// Building a style looks each macro up by name at every call of it, and citeproc-js
// finds a node by name by walking the whole style: with a style of 200 macros (Chicago's)
// that walk is a third of the engine's start. Same answer, from an index of the macros
// (rebuilt when the style's top level changes).
(function () {
  var byWalk = CSL.XmlJSON.prototype.getNodesByName;
  CSL.XmlJSON.prototype.getNodesByName = function (myjson, name, nameattrval, ret) {
    if (name !== "macro" || !nameattrval || ret || !myjson || !myjson.children) {
      return byWalk.call(this, myjson, name, nameattrval, ret);
    }
    var index = myjson.rbMacros;
    if (!index || index.size !== myjson.children.length) {
      index = {size: myjson.children.length, byName: Object.create(null)};
      var all = byWalk.call(this, myjson, "macro");
      for (var i = 0; i < all.length; i++) {
        var key = all[i].attrs.name;
        (index.byName[key] = index.byName[key] || []).push(all[i]);
      }
      Object.defineProperty(myjson, "rbMacros", {value: index, writable: true, configurable: true});
    }
    return (index.byName[nameattrval] || []).slice();
  };
})();

// A sort key that calls a macro (Chicago's "author-sort", "source-bib") is built with
// the macro, and every macro that macro calls, copied into the key's token list: for
// Chicago's bibliography sort that made 180,000 tokens out of a style of 8,000, most of
// an engine's start, and a large heap. Here each macro is built once per sort (root and
// extension, as the copies differ from the macro's own build for the text) and the key
// runs it, as citeproc-js runs the macros of citations and entries. What building a
// macro leaves behind for later nodes (the date key flag, the last date token) is set
// again each time the built macro is used.
(function () {
  var copyInto = CSL.buildMacro, expand = CSL.expandMacro, NONE = {};
  // where the macro is called from (in a sort, citeproc-js gives buildMacro the key's
  // whole list, which a macro called from within another macro is not part of here)
  CSL.expandMacro = function (macro_key_token, target) {
    var outer = this.rbMacroCaller;
    this.rbMacroCaller = target;
    try {
      return expand.call(this, macro_key_token, target);
    } finally {
      this.rbMacroCaller = outer;
    }
  };
  CSL.buildMacro = function (mytarget, macro_nodes) {
    if (!this.build.extension) {
      return copyInto.call(this, mytarget, macro_nodes);
    }
    var caller = this.rbMacroCaller;
    var stack = this.build.macro_stack;
    var key = this.build.root + this.build.extension + "\u0000" + stack[stack.length - 1];
    var built = (this.rbSortMacros = this.rbSortMacros || Object.create(null));
    var made = built[key];
    if (!made) {
      var dateKey = this.build.date_key, dateToken = this.tmp.date_token;
      this.build.date_key = false;
      this.tmp.date_token = NONE;
      var tokens = [];
      copyInto.call(this, tokens, macro_nodes);
      this.configureTokenList(tokens);
      made = built[key] = {tokens: tokens, dateKey: this.build.date_key, dateToken: this.tmp.date_token};
      this.build.date_key = dateKey;
      this.tmp.date_token = dateToken;
    }
    if (made.dateKey) { this.build.date_key = true; }
    if (made.dateToken !== NONE) { this.tmp.date_token = made.dateToken; }
    var run = made.tokens, call = new CSL.Token("text", CSL.SINGLETON);
    call.execs.push(function (state, Item, item) {
      var next = 0;
      while (next < run.length) {
        next = CSL.tokenExec.call(state, run[next], Item, item);
      }
    });
    caller.push(call);
  };
})();

// The items, by id (given after the style is built: the engine asks for them only
// when citations are registered).
// An engine used before is emptied first: every item and its disambiguation leave the
// registry, so the new items are read afresh.
function rbItems(items) {
  if (RB.engine.registry.mylist.length || Object.keys(RB.engine.registry.registry).length) {
    RB.engine.updateUncitedItems([]);
    RB.engine.updateItems([]);
  }
  RB.items = JSON.parse(items);
  RB.others = rbTakeOthers(RB.items);
  return "";
}

// BibTeX's "and others" comes as a last name {"literal": "others"} (as pandoc writes it in
// CSL-JSON). It is taken out of the list, and the list is counted one name longer: so
// citeproc-js ends it with its et-al term, as BibTeX and biblatex print "et al.", however
// few names come before it. Ids by variable.
function rbTakeOthers(items) {
  var others = {};
  for (var id in items) {
    var item = items[id];
    for (var v in item) {
      var names = item[v], last = Array.isArray(names) && names[names.length - 1];
      if (last && last.literal === "others" && Object.keys(last).length === 1) {
        names.pop();
        (others[id] = others[id] || {})[v] = true;
      }
    }
  }
  return others;
}

// The count of names, kept before a list is cut to the names shown, says whether the et-al
// term follows (citeproc-js: _setEtAlParameter); a list with "and others" counts one more.
// Its et al. is then a plain one: a style that shows the last name after an ellipsis
// (APA's et-al-use-last) has no last name to show.
(function () {
  var proto = CSL.NameOutput.prototype;
  var truncate = proto.truncatePersonalNameLists, impose = proto._imposeNameConstraints,
      setEtAl = proto._setEtAlParameter;
  function hasOthers(output, v) {
    var marked = output.Item && RB.others && RB.others[output.Item.id];
    return !!(marked && marked[v]);
  }
  function withoutUseLast(output, call) {
    var useLast = output.etal_use_last;
    output.etal_use_last = false;
    try {
      return call();
    } finally {
      output.etal_use_last = useLast;
    }
  }
  proto.truncatePersonalNameLists = function () {
    truncate.apply(this, arguments);
    for (var i = 0; i < this.variables.length; i++) {
      var v = this.variables[i];
      if (!hasOthers(this, v)) { continue; }
      if (this.freeters[v] && this.freeters[v].length) {
        this.freeters_count[v] += 1;
      } else if (this.institutions[v] && this.institutions[v].length) {
        this.institutions_count[v] += 1;
      }
    }
  };
  proto._imposeNameConstraints = function (lst, count, key, pos) {
    var self = this, args = arguments;
    if ((lst === this.freeters || lst === this.institutions) && hasOthers(this, key)) {
      return withoutUseLast(this, function () { return impose.apply(self, args); });
    }
    return impose.apply(this, arguments);
  };
  proto._setEtAlParameter = function (type, v, j) {
    var self = this, args = arguments;
    if (type !== "persons" && hasOthers(this, v)) {
      return withoutUseLast(this, function () { return setEtAl.apply(self, args); });
    }
    return setEtAl.apply(this, arguments);
  };
})();

// ids in order of first citation: numbers, year suffixes and other disambiguation.
// An engine may be used again for a new run of the same items: the uncited ids are set
// every time (an empty list clears those of the run before).
function rbRegister(ids, uncited) {
  RB.engine.updateItems(JSON.parse(ids));
  RB.engine.updateUncitedItems(uncited ? JSON.parse(uncited) : []);
  return "";
}

// Does the style sort the cites of a cluster before their positions are known?
// processCitationCluster sorts first, unless the style sorts by citation number, which it
// sorts after (then makeCitationCluster's own sort does the same).
function rbSortsFirst() {
  return !RB.engine.opt.citation_number_sort && RB.engine.citation_sort.tokens.length > 0;
}

// clusters: [[{id}, ...], ...]. For each cluster, the order of its cites in the style's
// sort (indices into the cluster), as processCitationCluster sorts them, grouped sort
// included; null for a cluster left as it is.
function rbSortOrders(clusters) {
  var list = JSON.parse(clusters), out = [], engine = RB.engine;
  var sorts = rbSortsFirst();
  for (var c = 0; c < list.length; c++) {
    if (!sorts || list[c].length < 2) { out.push(null); continue; }
    var items = [];
    for (var n = 0; n < list[c].length; n++) {
      var Item = engine.retrieveItem("" + list[c][n].id);
      items.push([Item, {id: list[c][n].id, rbIndex: n,
                         sortkeys: CSL.getSortKeys.call(engine, Item, "citation_sort")}]);
    }
    if (engine.opt.grouped_sort) { rbGroupedKeys(items); }
    items.sort(engine.citation.srt.compareCompositeKeys);
    out.push(items.map(function (pair) { return pair[1].rbIndex; }));
  }
  return JSON.stringify(out);
}

// processCitationCluster's grouped sort: the cites of one author kept together.
function rbGroupedKeys(items) {
  var engine = RB.engine;
  for (var i = 0; i < items.length; i++) {
    var mydisambig = engine.registry.registry[items[i][0].id].disambig;
    engine.tmp.authorstring_request = true;
    CSL.getAmbiguousCite.call(engine, items[i][0], mydisambig);
    var authorstring = engine.registry.authorstrings[items[i][0].id];
    engine.tmp.authorstring_request = false;
    items[i][1].sortkeys = [authorstring].concat(items[i][1].sortkeys);
  }
  items.sort(engine.citation.srt.compareCompositeKeys);
  var lastauthor = false, thiskey = false, thisauthor = false;
  for (var k = 0; k < items.length; k++) {
    if (items[k][1].sortkeys[0] !== lastauthor) {
      thisauthor = items[k][1].sortkeys[0];
      thiskey = items[k][1].sortkeys[1];
    }
    items[k][1].sortkeys[0] = "" + thiskey + k;
    lastauthor = thisauthor;
  }
}

// makeCitationCluster without its sort, for cites already in the style's order
// (rbSortOrders): sorting them again would undo a grouped sort.
function rbSortedCluster(rawList) {
  var engine = RB.engine, tokens = engine.citation_sort.tokens;
  engine.citation_sort.tokens = [];
  try {
    return engine.makeCitationCluster(rawList);
  } finally {
    engine.citation_sort.tokens = tokens;
  }
}

// clusters: [[item, ...], ...]; each item with id, locator, label, position, near-note …
// sorted: the cites are in the style's order already (rbSortOrders).
// Returns each cluster's HTML with a link around every cite (the wrapper leaves out the
// layout's prefix and suffix; Python adds them).
function rbCite(clusters, sorted) {
  var list = JSON.parse(clusters), out = [];
  RB.engine.opt.development_extensions.apply_citation_wrapper = true;
  try {
    for (var i = 0; i < list.length; i++) {
      out.push(sorted ? rbSortedCluster(list[i]) : RB.engine.makeCitationCluster(list[i]));
    }
  } finally {
    RB.engine.opt.development_extensions.apply_citation_wrapper = false;
  }
  return JSON.stringify(out);
}

function rbBibliography() {
  var made = RB.engine.makeBibliography();
  if (!made) { return "null"; }
  return JSON.stringify({params: made[0], entries: made[1]});
}

// citeproc-js lower- and upper-cases word by word with the item's languages
// (String.prototype.toLocaleLowerCase with a list of locales goes through ICU each time):
// the same words come back in every citation, so each answer is kept.
(function () {
  ["toLocaleLowerCase", "toLocaleUpperCase"].forEach(function (name) {
    var plain = CSL[name], known = new Map();
    CSL[name] = function (str) {
      var langs = this.tmp.lang_array;
      var key = (langs ? langs.join(",") : "") + "\u0000" + str;
      var found = known.get(key);
      if (found === undefined) {
        found = plain.call(this, str);
        known.set(key, found);
      }
      return found;
    };
  });
})();

// Every piece of text is given to the flip-flopper, which looks for quotes and inline
// markup (<i>, <b>, <sc>, <span class="nocase"> …; a typographic apostrophe between
// letters is read as a straight one) with a large regular expression built at each
// call. Text that holds none of the characters those can start with is left as it is by
// processTags (it returns before changing anything): it is not given to it.
(function () {
  var Plain = CSL.Util.FlipFlopper;
  CSL.Util.FlipFlopper = function (state) {
    Plain.call(this, state);
    var process = this.processTags, marks = "<\"'\u2019";
    ["open-quote", "close-quote", "open-inner-quote", "close-inner-quote"].forEach(function (term) {
      marks += state.getTerm(term) || "";
    });
    var maybe = new RegExp("[" + marks.replace(/[\\\]\[^-]/g, "\\$&") + "]");
    this.processTags = function (blob) {
      if (typeof blob.blobs === "string" && !maybe.test(blob.blobs)) {
        return;
      }
      return process.call(this, blob);
    };
  };
  CSL.Util.FlipFlopper.prototype = Plain.prototype;
})();

// The step of citeproc-js's token machine, as citeproc-js has it, without the closure
// it made at every step (millions of steps in a long book) to record a test's result.
CSL.tokenExec = function (token, Item, item) {
  var next = token.next, maybenext;
  if (token.test) {
    if (token.test(Item, item)) {
      this.tmp.jump.replace("succeed");
      next = token.succeed;
    } else {
      this.tmp.jump.replace("fail");
      next = token.fail;
    }
  }
  var execs = token.execs;
  for (var i = 0, ilen = execs.length; i < ilen; i++) {
    maybenext = execs[i].call(token, this, Item, item);
    if (maybenext) {
      next = maybenext;
    }
  }
  return next;
};

(function () {
  var allKeys = CSL.getSortKeys, setKeys = CSL.Registry.prototype.setsortkeys;
  CSL.getSortKeys = function (Item, key_type) {
    var keys = allKeys.call(this, Item, key_type);
    if (this.rbFirstKeyOnly && key_type === "bibliography_sort") { keys.rbFirstOnly = true; }
    return keys;
  };
  CSL.Registry.prototype.setsortkeys = function () {
    var state = this.state;
    if (!state.rbLaterKeys) { return setKeys.call(this); }
    state.rbFirstKeyOnly = true;
    try {
      setKeys.call(this);
    } finally {
      state.rbFirstKeyOnly = false;
    }
    var sortCompare = CSL.getSortCompare.call(state, state.opt["default-locale-sort"]);
    var first = function (a, b) {          // the registry's comparison, on the first key
      var x = a.sortkeys[0], y = b.sortkeys[0];
      if (x === y) { return 0; }
      if ("undefined" === typeof x) { return 1; }
      if ("undefined" === typeof y) { return -1; }
      return sortCompare(x, y);
    };
    var tokens = [];
    for (var i = 0; i < this.mylist.length; i++) {
      var token = this.registry[this.mylist[i]];
      if (token && token.sortkeys) { tokens.push(token); }
    }
    tokens.sort(first);
    for (var n = 1; n < tokens.length; n++) {
      if (first(tokens[n - 1], tokens[n]) === 0) {
        rbAllKeys(state, tokens[n - 1]);
        rbAllKeys(state, tokens[n]);
      }
    }
  };
  function rbAllKeys(state, token) {
    if (token.sortkeys.rbFirstOnly) {
      token.sortkeys = allKeys.call(state, state.retrieveItem(token.id), "bibliography_sort");
    }
  }
})();

// The top of a stack, without the array that slice(-1) made at each look (the output
// queue looks at its stacks at every piece of text).
CSL.Stack.prototype.value = function () {
  return this.mystack[this.mystack.length - 1];
};

// HTML escaping (five replacements) of text that holds nothing to escape returns it as it is.
(function () {
  var html = CSL.Output.Formats.html, escape = html.text_escape;
  var special = new RegExp("[&<>]|\\s\\s|" + CSL.SUPERSCRIPTS_REGEXP.source);
  html.text_escape = function (text) {
    if (text && typeof text === "string" && !special.test(text)) {
      return text;
    }
    return escape.call(this, text);
  };
})();

// Sort keys are compared with String.prototype.localeCompare(other, locale, options),
// which builds an ICU collator at every call (ECMA-402: "Let collator be
// Construct(%Collator%, « locales, options »)"), a few hundred thousand times for a
// bibliography. The same comparison, as citeproc-js has it, with one collator per locale.
(function () {
  var options = {sensitivity: "base", ignorePunctuation: true, numeric: true};
  var collators = new Map();
  function collator(locale) {
    var found = collators.get(locale);
    if (found === undefined) {
      found = new Intl.Collator(locale, options);
      collators.set(locale, found);
    }
    return found;
  }
  CSL.getSortCompare = function (default_locale) {
    if (CSL.stringCompare) {
      return CSL.stringCompare;
    }
    var me = this;
    if (!default_locale) {
      default_locale = "en-US";
    }
    var compare = collator(default_locale).compare;
    var strcmp = function (a, b) {
      return compare(CSL.toLocaleLowerCase.call(me, a), CSL.toLocaleLowerCase.call(me, b));
    };
    var stripPunct = function (str) {
      return str.replace(/^[\[\]\'\"]*/g, "");
    };
    var bracketPreSort = strcmp("[x", "x") ? function (a, b) {
      return strcmp(stripPunct(a), stripPunct(b));
    } : false;
    return function (a, b) {
      return bracketPreSort ? bracketPreSort(a, b) : strcmp(a, b);
    };
  };
})();

// In a note style, every affix goes through a split on parentheses (to turn those nested
// in parentheses into brackets), and most affixes hold none: those come back as they are.
(function () {
  var Plain = CSL.checkNestedBrace;
  CSL.checkNestedBrace = function (state) {
    Plain.call(this, state);
    var update = this.update;
    this.update = function (str) {
      if (typeof str === "string" && str.indexOf("(") === -1 && str.indexOf(")") === -1) {
        return str;
      }
      return update.call(this, str);
    };
  };
})();

// Registering an item renders its ambiguous (short) cite, keyed by that text, and keeps the
// disambiguation settings the render used; then every key touched is disambiguated. For a key
// that only one item has, citeproc-js renders the cite a second time, only to store the same
// settings again (there is nothing to tell apart): a third of registering a long
// bibliography. Such keys are passed over, once the item holds the settings of its first render.
(function () {
  var run = CSL.Disambiguation.prototype.run;
  CSL.Disambiguation.prototype.run = function (akey) {
    var ids = this.ambigcites[akey];
    if (ids && ids.length === 1) {
      var token = this.registry[ids[0]];
      if (token && token.newItem && token.disambig && token.ambig === akey) { return; }
    }
    return run.call(this, akey);
  };
})();
