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
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var root = new URL(((script && script.getAttribute("data-shequ-root")) || ".").replace(/\/?$/, "/"),
                     document.baseURI);

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
    return String(content || "").replace(/\u200b/g, "").replace(/\bzq[0-9a-z]+\b/g, " ")
      .replace(/\s+/g, " ").trim();
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

  function snippet(content, query, length, heading) {
    var text = plain(content);
    if (heading && text.indexOf(heading) === 0) text = text.slice(heading.length).replace(/^[\s.]+/, "");
    var words = terms(query).map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    var fragment = document.createDocumentFragment();
    var pattern = words.length ? new RegExp(words.join("|"), "giu") : null;
    var first = pattern ? pattern.exec(text) : null;
    var start = first ? Math.max(0, first.index - 24) : 0;
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
      search(query).then(function (response) {
        if (mine !== seq) return;
        panel.textContent = "";
        panel.hidden = false;
        place();
        input.setAttribute("aria-expanded", "true");
        var count = response.results.length;
        panel.appendChild(el("p", "shequ-search__count",
          count ? count + " 个结果 · " + count + " result" + (count === 1 ? "" : "s") : "没有结果 · No results"));
        var list = el("ol", "shequ-search__list");
        panel.appendChild(list);
        more(response.results, 0, list, query, mine).then(function () {
          if (mine !== seq) return;
          // For the tests and the benchmark: which query is shown, and how long it took
          // from the keystroke to the first results on screen.
          panel.setAttribute("data-shequ-ms", String(Math.round(performance.now() - started)));
          panel.setAttribute("data-shequ-done", query);
        });
      }).catch(function () {
        if (mine !== seq) return;
        panel.textContent = "";
        panel.hidden = false;
        panel.appendChild(el("p", "shequ-search__count", "搜索暂不可用 · Search is not available here"));
      });
    }

    function more(results, from, list, query, mine) {
      var button = panel.querySelector(".shequ-search__more");
      if (button) button.remove();
      return Promise.all(results.slice(from, from + PAGE).map(function (r) { return r.data(); })).then(function (items) {
        if (mine !== seq) return;
        items.forEach(function (data) { list.appendChild(result(data, query)); });
        if (from + PAGE < results.length) {
          var next = el("button", "shequ-search__more md-button", "更多结果 · More results");
          next.type = "button";
          next.addEventListener("click", function () { more(results, from + PAGE, list, query, mine); });
          panel.appendChild(next);
        }
      });
    }

    function result(data, query) {
      // md-search-result__item: the theme's name for a result, which the tests also use.
      var item = el("li", "shequ-result md-search-result__item");
      var a = el("a");
      a.href = link(data);
      var meta = data.meta || {};
      var line = el("span", "shequ-result__line");
      if (meta.kind) line.appendChild(el("span", "shequ-result__kind", meta.kind));
      if (meta.region) line.appendChild(el("span", "shequ-result__region", meta.region));
      a.appendChild(line);
      a.appendChild(el("span", "shequ-result__title", title(data)));
      var text = el("span", "shequ-result__snippet");
      text.appendChild(snippet(data.content, query, 120, title(data)));
      a.appendChild(text);
      item.appendChild(a);
      return item;
    }

    input.addEventListener("focus", function () { pagefind().catch(function () {}); });
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

  var REGIONS = ["province", "prefecture", "county"];
  var FACETS = REGIONS.concat(["track", "form", "field", "population", "status"]);
  var FACET_TITLES = {
    province: "省级 Province", prefecture: "地级 Prefecture", county: "县级 County",
    track: "管理方式 Management track", form: "组织形式 Legal form", field: "活动领域 Field of activity",
    population: "服务对象 Service population", status: "状态 Status"
  };
  var SORTS = [
    ["", "相关度 Relevance"], ["name", "名称 Name"],
    ["founded-desc", "成立日期，新到旧 Founded, newest first"], ["founded-asc", "成立日期，旧到新 Founded, oldest first"]
  ];
  var DIRECTORY_PAGE = 20;

  function directory() {
    var box = document.querySelector("[data-shequ-directory]");
    if (!box) return;
    var labels = {};
    try { labels = JSON.parse(box.getAttribute("data-labels") || "{}"); } catch (e) { labels = {}; }
    var known = {}; // facet -> code -> full filter value
    var state = {};
    var seq = 0;

    var form = el("form", "shequ-directory__form");
    form.setAttribute("role", "search");
    var qLabel = el("label", "shequ-directory__field");
    qLabel.appendChild(el("span", null, "名称、地点或主题 · Name, place or topic"));
    var q = el("input");
    q.type = "search";
    q.name = "q";
    q.autocomplete = "off";
    qLabel.appendChild(q);
    form.appendChild(qLabel);
    // The facets fold away on a phone, where they would fill the screen.
    var facets = el("details", "shequ-directory__facets");
    facets.open = !window.matchMedia || !window.matchMedia("(max-width: 44.9375em)").matches;
    var summary = el("summary", null, "筛选和排序 · Filter and sort");
    facets.appendChild(summary);
    var grid = el("div", "shequ-directory__grid");
    facets.appendChild(grid);
    form.appendChild(facets);
    var selects = {};
    FACETS.concat(["sort"]).forEach(function (name) {
      var label = el("label", "shequ-directory__field");
      label.appendChild(el("span", null, name === "sort" ? "排序 · Sort by" : FACET_TITLES[name]));
      var select = el("select");
      select.name = name;
      label.appendChild(select);
      grid.appendChild(label);
      selects[name] = select;
    });
    var reset = el("a", "shequ-directory__reset", "清除筛选 · Clear all");
    reset.href = location.pathname;
    grid.appendChild(reset);
    var status = el("p", "shequ-directory__status");
    status.setAttribute("aria-live", "polite");
    var list = el("ol", "shequ-directory__results");
    var moreButton = el("button", "md-button shequ-directory__more", "更多 · More");
    moreButton.type = "button";
    moreButton.hidden = true;
    box.appendChild(form);
    box.appendChild(status);
    box.appendChild(list);
    box.appendChild(moreButton);

    function codeOf(value) { return String(value).split(" ")[0]; }
    function nameOf(facet, value) {
      if (REGIONS.indexOf(facet) >= 0) return String(value).slice(codeOf(value).length + 1) || value;
      var pair = (labels[facet] || {})[value];
      return pair ? (pair[1] && pair[1] !== pair[0] ? pair[0] + " " + pair[1] : pair[0]) : value;
    }
    function remember(counts) {
      Object.keys(counts || {}).forEach(function (facet) {
        known[facet] = known[facet] || {};
        Object.keys(counts[facet]).forEach(function (value) { known[facet][codeOf(value)] = value; });
      });
    }

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
    }

    function filters(except) {
      var out = { kind: "organization" };
      FACETS.forEach(function (f) {
        if (f === except || !state[f]) return;
        out[f] = (known[f] && known[f][state[f]]) || state[f];
      });
      return out;
    }

    function sortOption() {
      var sort = state.sort || (state.q ? "" : "name");
      if (sort === "name") return { name: "asc" };
      if (sort === "founded-desc") return { founded: "desc" };
      if (sort === "founded-asc") return { founded: "asc" };
      return undefined;
    }

    function fill(facet, counts) {
      var select = selects[facet];
      select.textContent = "";
      var all = el("option", null, "全部 · All");
      all.value = "";
      select.appendChild(all);
      var parent = facet === "prefecture" ? state.province : facet === "county" ? state.prefecture : null;
      var values = Object.keys(counts || {}).filter(function (v) {
        if (facet === "prefecture" || facet === "county") {
          return !!parent && codeOf(v).indexOf(parent) === 0;
        }
        return true;
      });
      values.sort(function (a, b) {
        return REGIONS.indexOf(facet) >= 0 ? (codeOf(a) < codeOf(b) ? -1 : 1) : counts[b] - counts[a] || (a < b ? -1 : 1);
      });
      values.forEach(function (value) {
        var option = el("option", null, nameOf(facet, codeOf(value)) + "（" + counts[value] + "）");
        if (REGIONS.indexOf(facet) >= 0) option.textContent = nameOf(facet, value) + "（" + counts[value] + "）";
        option.value = codeOf(value);
        option.setAttribute("data-count", String(counts[value]));
        if (!counts[value] && option.value !== state[facet]) option.disabled = true;
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

    function row(data) {
      var item = el("li", "shequ-result");
      var a = el("a");
      a.href = link(data);
      var meta = data.meta || {};
      a.appendChild(el("span", "shequ-result__title", title(data)));
      var line = el("span", "shequ-result__line");
      if (meta.region) line.appendChild(el("span", "shequ-result__region", meta.region));
      var f = data.filters || {};
      ["track", "status"].forEach(function (facet) {
        (f[facet] || []).forEach(function (v) { line.appendChild(el("span", "shequ-result__facet", nameOf(facet, v))); });
      });
      if (meta.founded) line.appendChild(el("span", "shequ-result__facet", "成立 Founded " + meta.founded));
      a.appendChild(line);
      if (state.q) {
        var text = el("span", "shequ-result__snippet");
        text.appendChild(snippet(data.content, state.q, 120, title(data)));
        a.appendChild(text);
      }
      item.appendChild(a);
      return item;
    }

    function show(results, from, mine) {
      moreButton.hidden = true;
      return Promise.all(results.slice(from, from + DIRECTORY_PAGE).map(function (r) { return r.data(); }))
        .then(function (items) {
          if (mine !== seq) return;
          items.forEach(function (data) { list.appendChild(row(data)); });
          moreButton.hidden = from + DIRECTORY_PAGE >= results.length;
          moreButton.onclick = function () { show(results, from + DIRECTORY_PAGE, mine); };
        });
    }

    function run() {
      var mine = ++seq;
      writeURL();
      box.setAttribute("aria-busy", "true");
      box.removeAttribute("data-shequ-done");
      var query = state.q;
      var options = { filters: filters(null) };
      var sort = sortOption();
      if (sort) options.sort = sort;
      var selected = FACETS.filter(function (f) { return state[f]; });
      // A selected facet's own counts come from the search without it, so that its
      // other values can still be chosen.
      return Promise.all([search(query, options)].concat(selected.map(function (f) {
        return search(query, { filters: filters(f) });
      }))).then(function (responses) {
        if (mine !== seq) return;
        var main = responses[0];
        responses.forEach(function (r) { remember(r.filters); remember(r.totalFilters); });
        var counts = {};
        FACETS.forEach(function (f) { counts[f] = (main.filters || {})[f] || {}; });
        selected.forEach(function (f, i) { counts[f] = (responses[i + 1].filters || {})[f] || {}; });
        FACETS.forEach(function (f) { fill(f, counts[f]); });
        fillSort();
        summary.textContent = "筛选和排序 · Filter and sort" + (selected.length ? "（" + selected.length + "）" : "");
        var n = main.results.length;
        status.textContent = n + " 个组织 · " + n + " organization" + (n === 1 ? "" : "s");
        list.textContent = "";
        // Until a reader narrows or sorts the list, the page's own listing stays.
        var narrowed = !!state.q || !!state.sort || selected.length > 0;
        document.querySelectorAll("[data-shequ-static]").forEach(function (node) { node.hidden = narrowed; });
        list.hidden = !narrowed;
        if (!narrowed) { moreButton.hidden = true; return; }
        return show(main.results, 0, mine);
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
        if (!state.q && state.sort === "") state.sort = "";
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
    pagefind().then(function (pf) {
      return pf.filters();
    }).then(function (all) {
      remember(all);
      box.hidden = false;
      return run();
    }).catch(function () {
      // No index (a page opened from disk): the static listing stays.
    });
  }

  window.shequSearch = { cjkTokens: cjkTokens, search: search, snippet: snippet, link: link, pagefind: pagefind };

  function start() {
    header();
    directory();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
