// The record page: move between the highlighted paragraphs (buttons, keys
// n and p), "cite this paragraph" (permalink and citation line to copy),
// choose paragraphs for the citation export, and acronym expansions that
// open by touch as well as on hover.
(function () {
  "use strict";
  var article = document.getElementById("record");
  if (!article) return;
  var base = article.dataset.base, recPath = article.dataset.path;

  // ---- next / previous match ----
  var matches = Array.prototype.slice.call(document.querySelectorAll(".para-matched"));
  var prev = document.getElementById("match-prev"), next = document.getElementById("match-next");
  var pos = document.getElementById("match-pos");
  var cur = -1;
  function current() {
    var id = location.hash.slice(1);
    for (var i = 0; i < matches.length; i++) if (matches[i].id === id) return i;
    return -1;
  }
  function show(i) {
    if (!matches.length) return;
    cur = (i + matches.length) % matches.length;
    var el = matches[cur];
    history.replaceState(null, "", "#" + el.id);
    el.scrollIntoView({ block: "start" });
    var a = el.querySelector(".para-anchor");
    if (a) a.focus({ preventScroll: true });
    update();
  }
  function update() {
    if (!pos) return;
    var c = cur < 0 ? current() : cur;
    for (var i = 0; i < matches.length; i++) matches[i].classList.toggle("para-current", i === c);
    pos.textContent = c < 0 ? matches.length + " matches" : "Match " + (c + 1) + " of " + matches.length;
    if (next) next.href = "#" + matches[(c + 1) % matches.length].id;
    if (prev) prev.href = "#" + matches[c <= 0 ? matches.length - 1 : c - 1].id;
  }
  if (matches.length && prev && next) {
    cur = current();
    update();
    next.addEventListener("click", function (ev) { ev.preventDefault(); show(cur + 1); });
    prev.addEventListener("click", function (ev) { ev.preventDefault(); show(cur < 0 ? matches.length - 1 : cur - 1); });
    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      var t = document.activeElement, tag = t && t.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
      if (ev.key === "n") { ev.preventDefault(); show(cur + 1); }
      if (ev.key === "p") { ev.preventDefault(); show(cur < 0 ? matches.length - 1 : cur - 1); }
    });
  }

  // ---- cite this paragraph, and the selection for the export ----
  var pop = document.getElementById("cite-pop");
  var picked = {};
  var count = document.getElementById("cite-count");
  var form = document.getElementById("cite-form");
  var popFor = null, opener = null;
  function label(p) { return p.querySelector(".para-anchor").textContent; }
  function locator(p) {
    var l = label(p);
    return l.charAt(0) === "¶" ? l : "para. " + l.replace(/\.$/, "");
  }
  function citeLine(p) {
    var parts = [article.dataset.title];
    var m = article.dataset.meeting;
    if (m && article.dataset.title.indexOf(m) < 0) parts.push(m);
    if (article.dataset.date) parts.push(article.dataset.date);
    parts.push(locator(p));
    return parts.join(", ") + ". " + base + recPath + "#" + p.id;
  }
  function refreshSelection() {
    var ns = Object.keys(picked).sort(function (a, b) { return a - b; });
    var old = form.querySelectorAll('input[name="p"]');
    for (var i = 0; i < old.length; i++) old[i].remove();
    ns.forEach(function (n) {
      var h = document.createElement("input");
      h.type = "hidden"; h.name = "p"; h.value = n;
      form.appendChild(h);
    });
    count.textContent = ns.length ? ns.length + " selected paragraph" + (ns.length === 1 ? "" : "s") : "every paragraph";
  }
  function num(p) { return p.id.slice(1); }
  function pick(p, on) {
    if (on) picked[num(p)] = true; else delete picked[num(p)];
    var box = p.querySelector(".cite-pick");
    if (box) box.checked = on;
    refreshSelection();
  }
  var paras = document.querySelectorAll(".para");
  for (var i = 0; i < paras.length; i++) {
    (function (p) {
      var box = document.createElement("input");
      box.type = "checkbox";
      box.className = "cite-pick";
      box.setAttribute("aria-label", "Select paragraph " + label(p) + " for the citation export");
      box.addEventListener("change", function () { pick(p, box.checked); });
      p.querySelector(".para-text").prepend(box);
      p.querySelector(".para-anchor").addEventListener("click", function (ev) {
        if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
        ev.preventDefault();
        history.replaceState(null, "", "#" + p.id);
        openPop(p, ev.currentTarget);
      });
    })(paras[i]);
  }
  function openPop(p, from) {
    popFor = p; opener = from;
    document.getElementById("cite-pop-label").textContent = label(p);
    document.getElementById("cite-pop-url").value = base + recPath + "#" + p.id;
    document.getElementById("cite-pop-line").value = citeLine(p);
    document.getElementById("cite-pop-select").checked = !!picked[num(p)];
    pop.hidden = false;
    document.getElementById("cite-pop-url").focus();
    document.getElementById("cite-pop-url").select();
  }
  function closePop() {
    pop.hidden = true;
    if (opener) opener.focus();
  }
  if (pop) {
    document.getElementById("cite-pop-close").addEventListener("click", closePop);
    document.getElementById("cite-pop-select").addEventListener("change", function (ev) { if (popFor) pick(popFor, ev.target.checked); });
    pop.addEventListener("keydown", function (ev) { if (ev.key === "Escape") closePop(); });
  }
  var copies = document.querySelectorAll("[data-copy]");
  for (var c = 0; c < copies.length; c++) {
    copies[c].addEventListener("click", function (ev) {
      var btn = ev.currentTarget, src = document.querySelector(btn.dataset.copy);
      src.select();
      var done = function () { btn.textContent = "Copied"; setTimeout(function () { btn.textContent = "Copy"; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(src.value).then(done, function () { document.execCommand("copy"); done(); });
      else { document.execCommand("copy"); done(); }
    });
  }

  // ---- acronyms: a tap (or focus) shows the expansion ----
  // The page titles each acronym's first occurrence only; the glossary
  // gives the others theirs.
  var expansions = {};
  var gl = document.querySelectorAll("#record-glossary div");
  for (var g = 0; g < gl.length; g++) expansions[gl[g].querySelector("dt").textContent] = gl[g].querySelector("dd").textContent;
  var bare = document.querySelectorAll(".para-text abbr:not([title])");
  for (var b = 0; b < bare.length; b++) {
    var x = expansions[bare[b].textContent];
    if (x) bare[b].title = x;
  }
  var tip = null;
  function hideTip() { if (tip) { tip.remove(); tip = null; } }
  var abbrs = document.querySelectorAll(".para-text abbr[title]");
  for (var a = 0; a < abbrs.length; a++) {
    abbrs[a].addEventListener("click", function (ev) {
      var el = ev.currentTarget;
      hideTip();
      tip = document.createElement("span");
      tip.className = "abbr-tip";
      tip.setAttribute("role", "tooltip");
      tip.textContent = el.textContent + ": " + el.title;
      document.body.appendChild(tip);
      var r = el.getBoundingClientRect();
      tip.style.left = Math.max(8, Math.min(r.left + window.scrollX, document.documentElement.clientWidth - tip.offsetWidth - 8)) + "px";
      tip.style.top = (r.bottom + window.scrollY + 4) + "px";
      ev.stopPropagation();
    });
  }
  document.addEventListener("click", hideTip);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") hideTip(); });
})();
