/*
 * Shequ search: the search box in the header and the faceted directory at /organizations/.
 *
 * Both read the Pagefind index the build writes into pagefind/ (shequ/search.py), from
 * the site itself: no other host is asked for anything. Every value from the index
 * reaches the page as text (textContent, createTextNode), never as HTML.
 *
 * Chinese in a query becomes the bigram tokens the index holds (cjkTokens below, the
 * same rule as query_tokens in search.py): a query then finds any substring of a name,
 * a place or a policy term, which Pagefind's own word segmentation does not.
 *
 * Everything follows the page's language, <html lang>: Chinese pages live at the site
 * root, English ones under en/. Pagefind has an index per language and its script loads
 * the one of the page's language (an exact match of the tag, else its first part:
 * "zh-CN" reads "zh"); the organizations' index is one for both languages, and results
 * from it link into the page's own tree and show its language's names and labels.
 */
// Material's script looks up a sitemap.xml beside each hreflang alternate, to map a page to
// its other-language version when the alternates point at the languages' home pages. Ours
// point at the page's own counterpart (and work without JavaScript), so that lookup would
// only cost two requests that fail on every page: answer it here, without the network.
// This script is loaded before Material's for this (templates/overrides/main.html).
(function (X) {
  var open = X.prototype.open, send = X.prototype.send;
  X.prototype.open = function (method, url) {
    this.shequNoLookup = /\/sitemap\.xml$/.test(String(url));
    return open.apply(this, arguments);
  };
  X.prototype.send = function () {
    var xhr = this;
    if (!xhr.shequNoLookup) return send.apply(xhr, arguments);
    setTimeout(function () { xhr.dispatchEvent(new Event("error")); });
  };
})(XMLHttpRequest);

(function () {
  "use strict";

  var script = document.currentScript;
  var root = new URL(((script && script.getAttribute("data-shequ-root")) || ".").replace(/\/?$/, "/"),
                     document.baseURI);

  // The interface text of every language, from the message catalogues (shequ/locales/): the
  // build writes them in here (shequ/render/messages.py, script_messages), each message by
  // its English text as t() and tn() below ask for it.
  var CATALOGUES = {/* shequ:messages */};
  var LANGUAGES = CATALOGUES.languages || {};

  // The page's language: the first part of its tag (en-GB reads en) where the site has that
  // language, else the site's default.
  var tag = (document.documentElement.getAttribute("lang") || "").split(/[-_]/)[0].toLowerCase();
  // The not-found page is one page for every language (its search box says so): it takes the
  // language of the address that was asked for (en/… is English) and writes it on <html>,
  // where Pagefind reads which language's index to load.
  if (document.querySelector("form[data-shequ-search][data-shequ-not-found]")) {
    var asked = location.pathname.indexOf(root.pathname) === 0 ? location.pathname.slice(root.pathname.length) : "";
    var folder = asked.split("/")[0].toLowerCase();
    tag = LANGUAGES.hasOwnProperty(folder) ? folder : CATALOGUES["default"] || "zh";
    document.documentElement.setAttribute("lang", tag);
  }
  var LANG = LANGUAGES.hasOwnProperty(tag) ? tag : CATALOGUES["default"] || "zh";
  // The folder of the page language's tree, from the site root (shequ/render/language.py).
  var PREFIX = LANG === (CATALOGUES["default"] || "zh") ? "" : LANG + "/";
  var TEXTS = LANGUAGES[LANG] || { plural: function (n) { return Number(n !== 1); }, messages: {} };

  // A message in the page's language (its English text where the catalogue has none).
  function t(message) {
    var text = TEXTS.messages[message];
    return typeof text === "string" ? text : message;
  }

  // A message that depends on the count n, in the form the page's language takes for n.
  function tn(singular, plural, n) {
    var forms = TEXTS.messages[singular];
    return forms instanceof Array ? forms[TEXTS.plural(n)] : n === 1 ? singular : plural;
  }

  // A message with each {name} replaced by values[name]; the result is text, never HTML.
  function formatted(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values.hasOwnProperty(name) ? String(values[name]) : all;
    });
  }

  // Query tokens -----------------------------------------------------------------------------

  var MARKER = "zq";
  var DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff]+/g;

  function code(ch) {
    var n = ch.charCodeAt(0);
    return DIGITS[Math.floor(n / 1296)] + DIGITS[Math.floor(n / 36) % 36] + DIGITS[n % 36];
  }

  function cjkTokens(query) {
    return query.replace(HAN, function (run) {
      if (run.length === 1) return " " + MARKER + code(run) + " ";
      // Every other pair, and the last: each character is covered, with half the chunks.
      var out = [];
      for (var i = 0; i + 1 < run.length; i += 2) out.push(MARKER + code(run[i]) + code(run[i + 1]));
      if (run.length % 2) out.push(MARKER + code(run[run.length - 2]) + code(run[run.length - 1]));
      return " " + out.join(" ") + " ";
    }).split(/\s+/).filter(Boolean).join(" ");
  }

  // Pinyin ------------------------------------------------------------------------------------

  // Every syllable of Hanyu Pinyin, toneless, ü as u (the tests check it against pypinyin's).
  var SYLLABLES = {};
  "a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei len leng li lia lian liang liao lie lin ling liu lo long lou lu luan lue lun luo ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nia nian niang niao nie nin ning niu nong nou nu nuan nue nun nuo o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo".split(" ").forEach(function (s) { SYLLABLES[s] = 1; });
  var PINYIN_MARKER = "zp";

  // A query typed in pinyin as its syllables, or null: tone marks and tone numbers dropped,
  // ü (or v) as u, spaces and apostrophes kept as boundaries; each part split into the
  // fewest syllables ("yinling huzhu", "yín líng", "yin2ling2" → yin ling …).
  function syllables(query) {
    if (!query || new RegExp(HAN.source).test(query)) return null;
    var plain = query.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/v/g, "u");
    var out = [];
    var parts = plain.replace(/([a-z])[1-5]/g, "$1 ").split(/[\s'\u2019-]+/).filter(Boolean);
    for (var p = 0; p < parts.length; p++) {
      var part = parts[p];
      if (!/^[a-z]+$/.test(part)) return null;
      var best = [[]];
      for (var i = 1; i <= part.length; i++) {
        best[i] = null;
        for (var j = Math.max(0, i - 6); j < i; j++) {
          if (best[j] && SYLLABLES[part.slice(j, i)] && (!best[i] || best[j].length + 1 < best[i].length)) {
            best[i] = best[j].concat([part.slice(j, i)]);
          }
        }
      }
      if (!best[part.length]) return null;
      out = out.concat(best[part.length]);
    }
    return out.length > 1 ? out : null;
  }

  // The pinyin words of syllables, as directory.py indexes names: every other pair, and the last.
  function pinyinWords(sylls) {
    var out = [];
    for (var i = 0; i + 1 < sylls.length; i += 2) out.push(PINYIN_MARKER + sylls[i] + sylls[i + 1]);
    if (sylls.length % 2) out.push(PINYIN_MARKER + sylls[sylls.length - 2] + sylls[sylls.length - 1]);
    return out;
  }

  // Pagefind ---------------------------------------------------------------------------------

  var loading = null;

  function pagefind() {
    if (!loading) {
      loading = import(new URL("pagefind/pagefind.js", root).href).then(function (pf) {
        return Promise.resolve(pf.options({ excerptLength: 30 })).then(function () { return pf; });
      });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  function search(query, options) {
    return pagefind().then(function (pf) {
      // Pinyin with tones or spaces goes as one word: regions carry theirs so (pudongxinqu).
      var sylls = syllables((query || "").trim());
      if (sylls && /[\s'\u2019\d]|[^\x00-\x7f]/.test(query.trim())) query = sylls.join("");
      var terms = cjkTokens((query || "").trim());
      return pf.search(terms || null, options || {});
    });
  }

  function link(data) {
    var url = (data.raw_url || data.url || "").replace(/^\/+/, "");
    return new URL(url, root).href;
  }

  function title(data) {
    return String((data.meta && data.meta.title) || data.url).replace(/\s*¶\s*$/, "");
  }

  // Snippets: the page's own text around the first match, matches marked ----------------------

  function plain(content) {
    // Without the tokens, the full stop Pagefind puts after their paragraph stands alone: "… activity. ."
    return String(content || "").replace(/\u200b/g, "").replace(/\bzq[0-9a-z]+\b/g, " ")
      .replace(/\s+/g, " ").replace(/([.。])(\s*\.)+/g, "$1").replace(/\s+\./g, ".").trim();
  }

  function terms(query) {
    var out = [];
    (query.match(HAN) || []).forEach(function (run) {
      out.push(run);
      for (var i = 0; run.length > 2 && i + 1 < run.length; i++) out.push(run.substr(i, 2));
    });
    query.replace(HAN, " ").split(/\s+/).forEach(function (word) {
      if (word.replace(/[^\p{L}\p{N}]/gu, "").length) out.push(word);
    });
    return out.sort(function (a, b) { return b.length - a.length; });
  }

  // ``heading``: what the result shows above the snippet already (its title, its kind, its
  // place, its facets), left out of the snippet where the text starts with or holds it as a part.
  function snippet(content, query, length, heading) {
    var text = plain(content);
    var shown = [].concat(heading || []).filter(Boolean);
    shown.forEach(function (told) {
      if (text.indexOf(told) === 0) text = text.slice(told.length).replace(/^[\s.]+/, "");
    });
    if (shown.length > 1) {
      text = text.split(". ").filter(function (part) { return shown.indexOf(part.replace(/\.$/, "")) < 0; }).join(". ");
    }
    var words = terms(query).map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    var fragment = document.createDocumentFragment();
    var pattern = words.length ? new RegExp(words.join("|"), "giu") : null;
    var first = pattern ? pattern.exec(text) : null;
    var start = first ? Math.max(0, first.index - 24) : 0;
    if (start > 0) {  // begin at a word or a sentence, not inside one
      var cut = text.slice(start, first.index).search(/[\s.。，,;；]/);
      if (cut >= 0) start += cut + 1;
    }
    var end = Math.min(text.length, start + (length || 120));
    var piece = text.slice(start, end);
    if (start > 0) fragment.appendChild(document.createTextNode("… "));
    var at = 0;
    if (pattern) {
      pattern.lastIndex = 0;
      var m;
      while ((m = pattern.exec(piece)) !== null) {
        if (!m[0]) { pattern.lastIndex++; continue; }
        fragment.appendChild(document.createTextNode(piece.slice(at, m.index)));
        var mark = document.createElement("mark");
        mark.textContent = m[0];
        fragment.appendChild(mark);
        at = m.index + m[0].length;
      }
    }
    fragment.appendChild(document.createTextNode(piece.slice(at) + (end < text.length ? " …" : "")));
    return fragment;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // The organizations' own index (directory-index/, written by search.py) ----------------------

  var DIRECTORY = "directory-index/";
  // The version of the directory index's format this script reads (shequ/search/directory.py).
  var FORMAT = 1;
  var manifestLoading = null;
  var facetsLoading = null;
  var shards = {};
  var chunks = {};

  function loadJSON(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + url);
      return response.arrayBuffer();
    }).then(function (buffer) {
      var bytes = new Uint8Array(buffer);
      // A server may already have undone the gzip (Content-Encoding); otherwise undo it here.
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
        return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
      }
      return new TextDecoder().decode(bytes);
    }).then(JSON.parse);
  }

  function manifest() {
    if (!manifestLoading) {
      manifestLoading = loadJSON(new URL(DIRECTORY + "manifest.json", root).href).then(function (m) {
        if (m.format !== FORMAT) throw new Error("directory index format " + m.format + ", not " + FORMAT);
        return m;
      });
      manifestLoading.catch(function () { manifestLoading = null; });
    }
    return manifestLoading;
  }

  // Each organization's rank in English name order: only an English page sorting by name loads it.
  var orderLoading = null;

  function englishOrder() {
    if (!orderLoading) {
      orderLoading = loadJSON(new URL(DIRECTORY + "order-en.json.gz", root).href);
      orderLoading.catch(function () { orderLoading = null; });
    }
    return orderLoading;
  }

  function facetColumns() {
    if (!facetsLoading) {
      facetsLoading = loadJSON(new URL(DIRECTORY + "facets.json.gz", root).href);
      facetsLoading.catch(function () { facetsLoading = null; });
    }
    return facetsLoading;
  }

  function cached(cache, key, url) {
    if (!cache[key]) {
      cache[key] = loadJSON(new URL(url, root).href);
      cache[key].catch(function () { delete cache[key]; });
    }
    return cache[key];
  }

  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h >>> 0;
  }

  function decodeIds(text) {
    if (text.charAt(0) === "b") {  // a bit set
      var bits = atob(text.slice(1));
      var set = [];
      for (var byte = 0; byte < bits.length; byte++) {
        var v = bits.charCodeAt(byte);
        for (var bit = 0; v && bit < 8; bit++) if (v & (1 << bit)) set.push(byte * 8 + bit);
      }
      return set;
    }
    var raw = atob(text);
    var out = [];
    var last = -1;
    var n = 0;
    var scale = 1;
    for (var i = 0; i < raw.length; i++) {
      var c = raw.charCodeAt(i);
      n += (c & 0x7f) * scale;
      if (c & 0x80) { scale *= 128; continue; }
      last += n + 1;
      out.push(last);
      n = 0;
      scale = 1;
    }
    return out;
  }

  // The same words as english_words and directory_words in search.py.
  function englishWords(text) {
    return (text.toLowerCase().match(/[a-z0-9]+/g) || []).map(function (w) {
      return w.length > 3 && /s$/.test(w) && !/ss$/.test(w) ? w.slice(0, -1) : w;
    });
  }

  function directoryWords(query) {
    var words = [];
    (query.match(HAN) || []).forEach(function (run) {
      if (run.length === 1) words.push(MARKER + code(run));
      else cjkTokens(run).split(" ").forEach(function (w) { words.push(w); });
    });
    englishWords(query.replace(HAN, " ")).forEach(function (w) { words.push(w); });
    return words.filter(function (w, i) { return words.indexOf(w) === i; });
  }

  // A credit code, whole or its first characters (at least the six of its registration
  // type and prefecture), finds its organizations in u/<first six>.json.gz, which lists
  // [the rest of the code, id] for the codes that start so (see directory.py).
  var CODE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{4}[0-9A-HJ-NPQRTUWXY]{0,12}$/;
  var codeFiles = {};

  function codeLike(query) {
    return CODE.test((query || "").replace(/\s+/g, "").toUpperCase());
  }

  function codeSearch(query, m) {
    var code = (query || "").replace(/\s+/g, "").toUpperCase();
    if (!m.uscc_prefix || !CODE.test(code)) return Promise.resolve(null);
    var head = code.slice(0, m.uscc_prefix);
    var rest = code.slice(m.uscc_prefix);
    return cached(codeFiles, head, DIRECTORY + "u/" + head + ".json.gz").then(function (list) {
      var ids = list.filter(function (e) { return e[0].indexOf(rest) === 0; }).map(function (e) { return e[1]; });
      if (!ids.length) return null;
      ids.sort(function (a, b) { return a - b; });
      var named = new Uint8Array(m.count);
      ids.forEach(function (id) { named[id] = 1; });
      return { ids: ids, named: named, words: 1, code: true };
    }, function () { return null; });  // no organization's code starts so: no file
  }

  // The organizations that hold every word of the query: {ids, named, words}, ids by
  // relevance (how many words their names hold), then by name; a credit code's
  // organizations alone ({code: true}). null: no words.
  function orgSearch(query) {
    var words = directoryWords((query || "").trim());
    if (!words.length) return Promise.resolve(null);
    return manifest().then(function (m) {
      return codeSearch(query, m).then(function (found) { return found || wordSearch(words, m); }).then(function (found) {
        // Nothing by its words: the query may be a Chinese name typed in pinyin.
        var sylls = found.ids.length ? null : syllables(query);
        return sylls ? wordSearch(pinyinWords(sylls), m) : found;
      });
    });
  }

  function wordSearch(words, m) {
    return Promise.all(words.map(function (w) {
      var n = fnv1a(w) % m.shards;
      return cached(shards, n, DIRECTORY + "t/" + n + ".json.gz").then(function (shard) {
        // 1: a word many organizations hold, in a file of its own.
        if (shard[w] === 1) return cached(shards, "w/" + w, DIRECTORY + "t/w/" + w + ".json.gz");
        return shard[w] || null;
      });
    })).then(function (lists) {
      var matched = new Uint8Array(m.count);
      var named = new Uint8Array(m.count);
      var ids = [];
      if (lists.every(Boolean)) {
        lists.forEach(function (pair) {
          decodeIds(pair[0]).forEach(function (id) { matched[id]++; named[id]++; });
          decodeIds(pair[1]).forEach(function (id) { matched[id]++; });
        });
        for (var id = 0; id < m.count; id++) if (matched[id] === words.length) ids.push(id);
        ids.sort(function (a, b) { return named[b] - named[a] || a - b; });
      }
      return { ids: ids, named: named, words: words.length };
    });
  }

  // "Did you mean": the Latin words of a query that the site does not know, each replaced by
  // the most used known word one edit away (a letter added, dropped, changed, or two
  // neighbours swapped), from s/<first letter><length>.json.gz (see directory.py). null:
  // every word is known, or one has no near word.
  var spellingFiles = {};

  function oneEdit(a, b) {
    if (Math.abs(a.length - b.length) > 1 || a === b) return false;
    var i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    if (a.length === b.length) {
      return a.slice(i + 1) === b.slice(i + 1) ||
        (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
    }
    return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  function spellingList(key, m) {
    // The manifest lists the files there are: a word with no file has no near word, and no request is made.
    if (m.spelling.indexOf(key) < 0) return Promise.resolve([]);
    return cached(spellingFiles, key, DIRECTORY + "s/" + key + ".json.gz").catch(function () { return []; });
  }

  function suggest(query) {
    return manifest().then(function (m) {
      if (!m.spelling || !m.spelling.length) return null;
      var words = (query.toLowerCase().match(/[a-z]+/g) || []).filter(function (w) { return w.length >= 3; });
      if (!words.length || new RegExp(HAN.source).test(query)) return null;
      return Promise.all(words.map(function (w) {
        var keys = [w.length - 1, w.length, w.length + 1].map(function (n) { return w[0] + n; });
        return Promise.all(keys.map(function (key) { return spellingList(key, m); })).then(function (lists) {
          if (lists[1].indexOf(w) >= 0 || (w.length > 3 && /s$/.test(w) && lists[0].indexOf(w.slice(0, -1)) >= 0)) {
            return w;  // known (a plural "s" is dropped when indexing)
          }
          var best = null;
          lists.forEach(function (list) {  // each list is most used first
            for (var i = 0; i < list.length && !best; i++) if (oneEdit(w, list[i])) best = list[i];
          });
          return best;
        });
      })).then(function (fixed) {
        if (fixed.some(function (f) { return !f; })) return null;
        var changed = false;
        var text = query.replace(/[A-Za-z]+/g, function (word) {
          var i = words.indexOf(word.toLowerCase());
          if (i < 0 || fixed[i] === words[i]) return word;
          changed = true;
          return /^[A-Z]/.test(word) ? fixed[i].charAt(0).toUpperCase() + fixed[i].slice(1) : fixed[i];
        });
        return changed ? text : null;
      });
    }).catch(function () { return null; });
  }

  // What a result shows, for organization ids.
  function orgDocs(ids) {
    return manifest().then(function (m) {
      return Promise.all(ids.map(function (id) {
        var n = Math.floor(id / m.chunk);
        return cached(chunks, n, DIRECTORY + "d/" + n + ".json.gz").then(function (chunk) {
          // A result's values, by the names the manifest gives their positions.
          var row = chunk[id % m.chunk];
          var d = {};
          m.fields.forEach(function (name, i) { d[name] = row[i]; });
          var english = LANG === "en";
          return { href: new URL(PREFIX + d.path, root).href, title: (english && d.name_en) || d.name, region: (english && d.place_en) || d.place,
                   shown: m.results.map(function (r) { return { field: r, value: d[r.field] }; }),
                   text: english && d.snippet_en !== undefined ? d.snippet_en : d.snippet_zh,
                   kind: t("Organization") };
        });
      }));
    });
  }

  // The search box in the header ---------------------------------------------------------------

  var PAGE = 10;

  function header() {
    var form = document.querySelector("form[data-shequ-search]");
    if (!form) return;
    var inner = document.querySelector(".md-header__inner");
    if (inner) inner.insertBefore(form, inner.querySelector(".md-header__source"));
    form.hidden = false;
    var input = form.querySelector("input");
    var panel = form.querySelector(".shequ-search__results");
    var seq = 0;
    var timer = null;

    // On a phone the results are fixed under the header, wherever the banner left it.
    function place() {
      if (getComputedStyle(panel).position === "fixed") {
        panel.style.top = Math.max(0, form.getBoundingClientRect().bottom + 6) + "px";
      } else {
        panel.style.top = "";
      }
    }

    function close() {
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    var typed = 0;

    function run() {
      var query = input.value.trim();
      var mine = ++seq;
      var started = typed || performance.now();
      typed = 0;
      panel.removeAttribute("data-shequ-done");
      if (!query) { close(); return; }
      lookup(query, null, false);

      // The results of ``query``; ``corrected``: the query typed, which ``query`` corrects
      // ("did you mean"); ``exact``: no correction (the reader asked for the query as typed).
      function lookup(query, corrected, exact) {
        // A query that looks like a credit code asks the organizations first: their code is
        // what it means, and the pages need not load (a region's code may share its digits).
        var asked = codeLike(query)
          ? orgSearch(query).catch(function () { return null; }).then(function (orgs) {
              return orgs && orgs.code ? [{ results: [] }, orgs] : search(query).then(function (pages) { return [pages, orgs]; });
            })
          : Promise.all([search(query), orgSearch(query).catch(function () { return null; })]);
        asked.then(function (found) {
          var pages = found[0].results;
          var orgs = found[1];
          // No organization holds the words: a word the site does not know, one edit from
          // one it does, is probably a typo ("did you mean"); the pages may still match it.
          var check = !exact && !corrected && !(orgs && orgs.ids.length) && /[A-Za-z]{3}/.test(query);
          return Promise.all([Promise.all(pages.slice(0, PAGE).map(function (r) { return r.data(); })),
                              check ? suggest(query) : null]).then(function (loaded) {
            var top = loaded[0];
            if (mine !== seq) return;
            if (loaded[1]) { lookup(loaded[1], query, false); return; }
            panel.textContent = "";
            panel.hidden = false;
            place();
            input.setAttribute("aria-expanded", "true");
            var items = merge(query, pages, top, orgs);
            var count = items.length;
            if (corrected) {
              var note = el("p", "shequ-search__suggestion",
                formatted(t("Did you mean “{query}”? Its results are shown."), { query: query }) + " ");
              var again = el("button", "shequ-search__again",
                formatted(t("Search for “{query}” instead"), { query: corrected }));
              again.type = "button";
              again.addEventListener("click", function () { lookup(corrected, null, true); });
              note.appendChild(again);
              panel.appendChild(note);
            }
            panel.appendChild(el("p", "shequ-search__count",
              count ? formatted(tn("{n} result", "{n} results", count), { n: count }) : t("No results")));
            var list = el("ol", "shequ-search__list");
            panel.appendChild(list);
            return more(items, 0, list, query, mine).then(function () {
              if (mine !== seq) return;
              // For the tests and the benchmark: which query is shown, and how long it took
              // from the keystroke to the first results on screen.
              panel.setAttribute("data-shequ-ms", String(Math.round(performance.now() - started)));
              panel.setAttribute("data-shequ-done", query);
            });
          });
        }).catch(function () {
          if (mine !== seq) return;
          panel.textContent = "";
          panel.hidden = false;
          panel.appendChild(el("p", "shequ-search__count", t("Search is not available here")));
        });
      }
    }

    // One list from both indexes: Pagefind's first results up to the last of its first
    // five whose title holds the query (a region, topic or term of that name), then the
    // organizations whose names hold every word, the rest of Pagefind's results, and the
    // organizations that hold the words elsewhere (place, fields, populations).
    function merge(query, pages, top, orgs) {
      var needle = query.toLowerCase();
      var sylls = syllables(query);
      var joined = sylls ? sylls.join("") : null;
      var lead = 0;
      top.slice(0, 5).forEach(function (d, i) {
        // A region's names in both languages and its pinyin (meta "names"), besides its title.
        var names = (title(d) + " " + ((d.meta && d.meta.names) || "")).toLowerCase();
        if (names.indexOf(needle) >= 0 || (joined && names.indexOf(joined) >= 0)) lead = i + 1;
      });
      function page(d) { return function () { return Promise.resolve(pageItem(d)); }; }
      function later(r) { return function () { return r.data().then(pageItem); }; }
      function org(id) { return function () { return orgDocs([id]).then(function (docs) { return docs[0]; }); }; }
      var byName = [];
      var elsewhere = [];
      (orgs ? orgs.ids : []).forEach(function (id) {
        (orgs.named[id] === orgs.words ? byName : elsewhere).push(org(id));
      });
      return [].concat(top.slice(0, lead).map(page), byName, top.slice(lead).map(page),
                       pages.slice(top.length).map(later), elsewhere);
    }

    function pageItem(data) {
      var meta = data.meta || {};
      return { href: link(data), title: title(data), kind: meta.kind, region: meta.region, text: data.content };
    }

    function more(items, from, list, query, mine) {
      var button = panel.querySelector(".shequ-search__more");
      if (button) button.remove();
      return Promise.all(items.slice(from, from + PAGE).map(function (load) { return load(); })).then(function (shown) {
        if (mine !== seq) return;
        shown.forEach(function (item) { list.appendChild(result(item, query)); });
        if (from + PAGE < items.length) {
          var next = el("button", "shequ-search__more md-button", t("More results"));
          next.type = "button";
          next.addEventListener("click", function () { more(items, from + PAGE, list, query, mine); });
          panel.appendChild(next);
        }
      });
    }

    function result(item, query) {
      // md-search-result__item: the theme's name for a result, which the tests also use.
      var li = el("li", "shequ-result md-search-result__item");
      var a = el("a");
      a.href = item.href;
      var line = el("span", "shequ-result__line");
      if (item.kind) line.appendChild(el("span", "shequ-result__kind", item.kind));
      if (item.region) line.appendChild(el("span", "shequ-result__region", item.region));
      a.appendChild(line);
      a.appendChild(el("span", "shequ-result__title", item.title));
      var text = el("span", "shequ-result__snippet");
      text.appendChild(snippet(item.text, query, 120, [item.title, item.kind, item.region]));
      a.appendChild(text);
      li.appendChild(a);
      return li;
    }

    input.addEventListener("focus", function () {
      pagefind().catch(function () {});
      manifest().catch(function () {});
    });
    input.addEventListener("input", function () {
      if (!typed) typed = performance.now();
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      run();
    });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { close(); input.blur(); }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) close();
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
      }
    });
  }

  // The directory: facets with counts, sorting, state in the URL -------------------------------
  //
  // Counted here from the facet columns of the organizations' index: a facet's counts
  // are those of the other facets' choices (and of the region's higher levels), so
  // that each of its values can be chosen.

  var REGIONS = ["province", "prefecture", "county"];
  var FACET_TITLES = {
    province: t("Province"), prefecture: t("Prefecture"), county: t("County"),
    track: t("Management track"), form: t("Legal form"),
    field: t("Field of activity"), population: t("Service population"),
    status: t("Status")
  };
  var SORTS = [
    ["", t("Relevance")], ["name", t("Name")],
    ["founded-desc", t("Founded, newest first")],
    ["founded-asc", t("Founded, oldest first")]
  ];
  var DIRECTORY_PAGE = 20;
  var REGION_LENGTH = { province: 2, prefecture: 4, county: 6 };

  function directory() {
    var box = document.querySelector("[data-shequ-directory]");
    if (!box) return;
    // The filters, their columns and what a result holds come from the index's manifest.
    Promise.all([manifest(), facetColumns()]).then(function (loaded) {
      directoryOf(box, loaded[0], loaded[1]);
    }).catch(function () {
      // No index (a page opened from disk): the static listing stays.
    });
  }

  function directoryOf(box, m, F) {
    var FACETS = REGIONS.concat(m.facets.map(function (f) { return f.name; }));
    var LISTS = {};
    var TITLES = {};
    m.facets.forEach(function (f) { LISTS[f.name] = f.list; TITLES[f.name] = f.title; });
    var labels = {};
    try { labels = JSON.parse(box.getAttribute("data-labels") || "{}"); } catch (e) { labels = {}; }
    // The value most organizations have, by field (shequ/render/model.py): results leave it out.
    var usual = {};
    try { usual = JSON.parse(box.getAttribute("data-usual") || "{}"); } catch (e) { usual = {}; }
    var state = {};
    var seq = 0;

    var form = el("form", "shequ-directory__form");
    form.setAttribute("role", "search");
    var qLabel = el("label", "shequ-directory__field");
    qLabel.appendChild(el("span", null, t("Name, place or topic")));
    var q = el("input");
    q.type = "search";
    q.name = "q";
    q.autocomplete = "off";
    qLabel.appendChild(q);
    form.appendChild(qLabel);
    // The facets fold away on a phone, where they would fill the screen, and once there is a
    // query, so that the first result shows without scrolling; a reader who opens or closes
    // them keeps that choice.
    var facets = el("details", "shequ-directory__facets");
    var phone = !!window.matchMedia && window.matchMedia("(max-width: 44.9375em)").matches;
    var toggledByReader = false;
    facets.addEventListener("toggle", function () { if (!settingFold) toggledByReader = true; });
    var settingFold = false;
    function fold(open) {
      if (toggledByReader || facets.open === open) return;
      settingFold = true;
      facets.open = open;
      // The toggle event fires after this task: forget the flag only then.
      setTimeout(function () { settingFold = false; });
    }
    var summary = el("summary", null, t("Filter and sort"));
    facets.appendChild(summary);
    var grid = el("div", "shequ-directory__grid");
    facets.appendChild(grid);
    form.appendChild(facets);
    var selects = {};
    FACETS.concat(["sort"]).forEach(function (name) {
      var label = el("label", "shequ-directory__field");
      label.appendChild(el("span", null, name === "sort" ? t("Sort by") : facetTitle(name)));
      var select = el("select");
      select.name = name;
      label.appendChild(select);
      grid.appendChild(label);
      selects[name] = select;
    });
    var reset = el("a", "shequ-directory__reset", t("Clear all"));
    reset.href = location.pathname;
    grid.appendChild(reset);
    var status = el("p", "shequ-directory__status");
    status.setAttribute("aria-live", "polite");
    var list = el("ol", "shequ-directory__results");
    var moreButton = el("button", "md-button shequ-directory__more", t("More"));
    moreButton.type = "button";
    moreButton.hidden = true;
    box.appendChild(form);
    box.appendChild(status);
    box.appendChild(list);
    box.appendChild(moreButton);

    function facetTitle(facet) {
      var pair = TITLES[facet];  // [Chinese, English], from the field's Table Schema
      return FACET_TITLES[facet] || (pair ? (LANG === "en" && pair[1]) || pair[0] : facet);
    }

    function label(facet, code) {
      if (REGION_LENGTH[facet]) return (LANG === "en" && (m.regions_en || {})[code]) || (m.regions || {})[code] || code;
      var pair = (labels[facet] || {})[code];  // [Chinese, English]
      return pair ? (LANG === "en" && pair[1]) || pair[0] || code : code;
    }

    function sortBy() { return state.sort || (state.q ? "" : "name"); }

    function readURL() {
      var params = new URLSearchParams(location.search);
      state = { q: params.get("q") || "", sort: params.get("sort") || "" };
      FACETS.forEach(function (f) { state[f] = params.get(f) || ""; });
      if (!SORTS.some(function (s) { return s[0] === state.sort; })) state.sort = "";
      // A county or prefecture alone in the URL brings its province and prefecture:
      // their codes are its first four and two digits (GB/T 2260).
      if (state.county && !state.prefecture) state.prefecture = state.county.slice(0, 4);
      if (state.prefecture && !state.province) state.province = state.prefecture.slice(0, 2);
      q.value = state.q;
    }

    function writeURL() {
      var params = new URLSearchParams();
      if (state.q) params.set("q", state.q);
      FACETS.forEach(function (f) { if (state[f]) params.set(f, state[f]); });
      if (state.sort) params.set("sort", state.sort);
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
      // The language menu leads to the same directory in the other language: with the same
      // query and filters (codes, the same in every language).
      document.querySelectorAll("a[hreflang]").forEach(function (a) {
        var href = a.getAttribute("href").split("?")[0];
        a.setAttribute("href", href + (query ? "?" + query : ""));
      });
    }

    // Each facet's value(s) for an organization, as codes.
    function values(facet, id) {
      if (REGION_LENGTH[facet]) {
        var county = F.counties[F.county[id]] || "";
        return county ? [county.slice(0, REGION_LENGTH[facet])] : [];
      }
      var codes = m.codes[facet] || [];
      if (LISTS[facet]) {
        var bits = F[facet][id];
        var out = [];
        for (var i = 0; bits && i < codes.length; i++) if (bits & (1 << i)) out.push(codes[i]);
        return out;
      }
      var index = F[facet][id];
      return index >= 0 ? [codes[index]] : [];
    }

    // Which choices a facet's counts leave out: its own, and for a region its lower levels.
    function ignored(facet) {
      if (facet === "province") return ["province", "prefecture", "county"];
      if (facet === "prefecture") return ["prefecture", "county"];
      return [facet];
    }

    function count(candidates) {
      var chosen = FACETS.filter(function (f) { return state[f]; });
      var counts = {};
      FACETS.forEach(function (f) { counts[f] = {}; });
      var results = [];
      var n = candidates ? candidates.length : m.count;
      var pass = {};
      for (var k = 0; k < n; k++) {
        var id = candidates ? candidates[k] : k;
        var cache = {};
        var failed = [];
        for (var c = 0; c < chosen.length; c++) {
          var f = chosen[c];
          cache[f] = values(f, id);
          if (cache[f].indexOf(state[f]) < 0) failed.push(f);
        }
        if (!failed.length) results.push(id);
        for (var j = 0; j < FACETS.length; j++) {
          var facet = FACETS[j];
          var skip = ignored(facet);
          if (failed.some(function (x) { return skip.indexOf(x) < 0; })) continue;
          (cache[facet] || values(facet, id)).forEach(function (v) { counts[facet][v] = (counts[facet][v] || 0) + 1; });
        }
      }
      pass.results = results;
      pass.counts = counts;
      return pass;
    }

    function fill(facet, counts) {
      var select = selects[facet];
      select.textContent = "";
      var all = el("option", null, t("All"));
      all.value = "";
      select.appendChild(all);
      var parent = facet === "prefecture" ? state.province : facet === "county" ? state.prefecture : null;
      var codes = Object.keys(counts).filter(function (v) {
        return parent === null || (!!parent && v.indexOf(parent) === 0);
      });
      if (state[facet] && codes.indexOf(state[facet]) < 0) codes.push(state[facet]);
      codes.sort(function (a, b) {
        return REGION_LENGTH[facet] ? (a < b ? -1 : 1) : (counts[b] || 0) - (counts[a] || 0) || (a < b ? -1 : 1);
      });
      codes.forEach(function (v) {
        var n = counts[v] || 0;
        var option = el("option", null, label(facet, v) + formatted(t(" ({n})"), { n: n }));
        option.value = v;
        option.setAttribute("data-count", String(n));
        select.appendChild(option);
      });
      select.value = state[facet];
      select.disabled = (facet === "prefecture" && !state.province) || (facet === "county" && !state.prefecture);
    }

    function fillSort() {
      var select = selects.sort;
      select.textContent = "";
      SORTS.forEach(function (s) {
        if (s[0] === "" && !state.q) return;
        var option = el("option", null, s[1]);
        option.value = s[0];
        select.appendChild(option);
      });
      select.value = state.sort || (state.q ? "" : "name");
    }

    // A card's place without the regions the filters chose: with 朝阳区 chosen,
    // '北京市 朝阳区 安贞街道' is '安贞街道' ('Anzhen Subdistrict' in English). The place
    // leaves out groupings such as 市辖区, so a chosen level that is not in it is passed over.
    function placeWithin(place) {
      var chosen = state.county || state.prefecture || state.province;
      if (!place || !chosen) return place;
      function known(parts, names) {  // how many of the parts, top first, the filters said
        var i = 0;
        [2, 4, 6].forEach(function (length) {
          if (length <= chosen.length && parts[i] === names[chosen.slice(0, length)]) i++;
        });
        return i;
      }
      // English places run smallest first, joined by commas; a place with a region that has
      // no English name is written in Chinese on English pages too.
      var english = place.split(", ").reverse();
      var i = LANG === "en" ? known(english, m.regions_en || {}) : 0;
      if (i) return english.slice(i).reverse().join(", ");
      var chinese = place.split(" ");
      return chinese.slice(known(chinese, m.regions || {})).join(" ");
    }

    function row(doc) {
      var item = el("li", "shequ-result");
      var a = el("a");
      a.href = doc.href;
      a.appendChild(el("span", "shequ-result__title", doc.title));
      var line = el("span", "shequ-result__line");
      var told = [doc.title, doc.region];
      var place = placeWithin(doc.region);
      if (place) line.appendChild(el("span", "shequ-result__region", place));
      doc.shown.forEach(function (item) {
        if (!item.value || usual[item.field.field] === item.value) return;
        var shown = item.field.facet ? label(item.field.facet, item.value)
          : item.field.sort === "founded" ? formatted(t("Founded {date}"), { date: item.value }) : item.value;
        told.push(shown);
        // A value the filters already chose (a track) is said once, in its filter.
        if (item.field.facet && state[item.field.facet] === item.value) return;
        line.appendChild(el("span", "shequ-result__facet", shown));
      });
      a.appendChild(line);
      if (state.q) {
        var text = el("span", "shequ-result__snippet");
        text.appendChild(snippet(doc.text, state.q, 120, told));
        a.appendChild(text);
      }
      item.appendChild(a);
      return item;
    }

    function show(results, from, mine) {
      moreButton.hidden = true;
      return orgDocs(results.slice(from, from + DIRECTORY_PAGE)).then(function (docs) {
        if (mine !== seq) return;
        docs.forEach(function (doc) { list.appendChild(row(doc)); });
        moreButton.hidden = from + DIRECTORY_PAGE >= results.length;
        moreButton.onclick = function () { show(results, from + DIRECTORY_PAGE, mine); };
      });
    }

    // Ids follow the names in Chinese (pinyin) order; an English page sorts by English rank.
    function order(results, rank) {
      var sort = sortBy();
      if (sort === "name" && rank) return results.sort(function (a, b) { return rank[a] - rank[b]; });
      if (sort === "name") return results.sort(function (a, b) { return a - b; });
      if (sort === "founded-desc" || sort === "founded-asc") {
        var sign = sort === "founded-desc" ? -1 : 1;
        return results.sort(function (a, b) {
          var x = F[m.sort][a], y = F[m.sort][b];
          if (!x !== !y) return x ? -1 : 1;  // records without a date last
          return sign * (x - y) || a - b;
        });
      }
      return results;  // relevance: the order the query gave
    }

    function run() {
      var mine = ++seq;
      writeURL();
      box.setAttribute("aria-busy", "true");
      box.removeAttribute("data-shequ-done");
      var ranked = LANG === "en" && sortBy() === "name" ? englishOrder() : Promise.resolve(null);
      return Promise.all([orgSearch(state.q), ranked]).then(function (loaded) {
        var found = loaded[0];
        if (mine !== seq) return;
        var tally = count(found ? found.ids : null);
        FACETS.forEach(function (f) { fill(f, tally.counts[f]); });
        fillSort();
        var selected = FACETS.filter(function (f) { return state[f]; });
        summary.textContent = selected.length
          ? formatted(tn("Filter and sort: {n} filter", "Filter and sort: {n} filters", selected.length),
            { n: selected.length })
          : t("Filter and sort");
        fold(!phone && !state.q);
        var results = order(tally.results, loaded[1]);
        var n = results.length;
        status.textContent = formatted(tn("{n} organization", "{n} organizations", n), { n: n });
        list.textContent = "";
        // Until a reader narrows or sorts the list, the page's own listing stays.
        var narrowed = !!state.q || !!state.sort || selected.length > 0;
        document.querySelectorAll("[data-shequ-static]").forEach(function (node) { node.hidden = narrowed; });
        list.hidden = !narrowed;
        if (!narrowed) { moreButton.hidden = true; return; }
        return show(results, 0, mine);
      }).then(function () {
        if (mine !== seq) return;
        box.removeAttribute("aria-busy");
        box.setAttribute("data-shequ-done", location.search);
      });
    }

    var typing = null;
    q.addEventListener("input", function () {
      clearTimeout(typing);
      typing = setTimeout(function () {
        state.q = q.value.trim();
        run();
      }, 150);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); state.q = q.value.trim(); run(); });
    FACETS.concat(["sort"]).forEach(function (name) {
      selects[name].addEventListener("change", function () {
        state[name] = selects[name].value;
        if (name === "province") { state.prefecture = ""; state.county = ""; }
        if (name === "prefecture") { state.county = ""; }
        run();
      });
    });
    window.addEventListener("popstate", function () { readURL(); run(); });

    readURL();
    box.hidden = false;
    return run();
  }

  window.shequSearch = {
    cjkTokens: cjkTokens, directoryWords: directoryWords, fnv1a: fnv1a, search: search, orgSearch: orgSearch,
    snippet: snippet, link: link, pagefind: pagefind, language: LANG, prefix: PREFIX
  };

  function start() {
    header();
    directory();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
