// dialoguesearch: a little JavaScript on top of pages that work without it.
// Every state stays in the URL: forms submit with GET, so back and forward
// work as they do for any link.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  // "/" focuses the search box, as on many search sites.
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (isTyping(document.activeElement)) return;
    var box = document.getElementById("q") || document.querySelector('main input[type="search"]');
    if (!box) return;
    ev.preventDefault();
    box.focus();
    box.select();
  });

  function submit(form) {
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  }

  // Leave empty fields (and fields at their default) out of the URL:
  // /?q=opcon, not /?q=opcon&from=&to=.
  function cleanOnSubmit(form) {
    form.addEventListener("submit", function () {
      var els = form.elements;
      var off = [];
      for (var i = 0; i < els.length; i++) {
        var el = els[i];
        if (!el.name || el.disabled) continue;
        var dflt = el.getAttribute("data-default");
        if (el.value === "" || (dflt !== null && el.value === dflt)) {
          el.disabled = true;
          off.push(el);
        }
      }
      // Re-enable once the form data is taken, so that a page restored
      // from the back-forward cache is not left with disabled fields.
      setTimeout(function () {
        for (var j = 0; j < off.length; j++) off[j].disabled = false;
      }, 0);
    });
  }

  ready(function () {
    var getForms = document.querySelectorAll('form[method="get"]');
    for (var g = 0; g < getForms.length; g++) cleanOnSubmit(getForms[g]);
    // Back and forward show the state of the URL, not the boxes ticked just
    // before leaving: a page restored from the back-forward cache gets its
    // server-rendered forms back.
    window.addEventListener("pageshow", function (ev) {
      if (!ev.persisted) return;
      for (var r = 0; r < getForms.length; r++) getForms[r].reset();
    });

    var form = document.getElementById("searchform");
    if (form) {
      var RESTORE = "dialoguesearch.restore";
      // Ticking a facet applies it at once; the new page puts focus and
      // scroll back where they were, so a keyboard user goes on from the
      // same box.
      var remember = function (el) {
        try {
          sessionStorage.setItem(RESTORE, JSON.stringify({
            name: el.name, value: el.value, y: window.scrollY, panel: !!(panel && panel.open), t: Date.now()
          }));
        } catch (e) { /* storage off: no restore */ }
      };
      var panel = document.getElementById("facets-panel");
      var boxes = document.querySelectorAll('input[type="checkbox"][form="searchform"]');
      for (var k = 0; k < boxes.length; k++) {
        boxes[k].addEventListener("change", function (ev) { remember(ev.target); submit(form); });
      }
      var saved = null;
      try { saved = JSON.parse(sessionStorage.getItem(RESTORE) || "null"); sessionStorage.removeItem(RESTORE); } catch (e) { saved = null; }
      if (panel && window.matchMedia("(max-width: 760px)").matches && !(saved && saved.panel)) {
        panel.open = false; // on a phone the filters fold away above the results
      }
      if (saved && Date.now() - saved.t < 30000) {
        var sel = '[form="searchform"][name="' + CSS.escape(saved.name) + '"]';
        var cands = document.querySelectorAll(sel);
        for (var c = 0; c < cands.length; c++) {
          if (cands[c].value === saved.value || cands[c].tagName === "SELECT") {
            var more = cands[c].closest("details.facet-more");
            if (more) more.open = true;
            cands[c].focus({ preventScroll: true });
            break;
          }
        }
        window.scrollTo(0, saved.y);
      }
      // The sort box applies at once when picked with the mouse; arrowing
      // through it with the keyboard only shows the Sort button (Enter or
      // the button applies), so every option can be reached (WCAG 3.2.2).
      var sorts = document.querySelectorAll('select[form="searchform"]');
      var sortApply = document.querySelector(".sort-apply");
      for (var m = 0; m < sorts.length; m++) {
        (function (box) {
          var keyed = false;
          box.addEventListener("keydown", function (ev) {
            if (ev.key === "Enter") { ev.preventDefault(); remember(box); submit(form); return; }
            if (ev.key !== "Tab") keyed = true;
          });
          box.addEventListener("pointerdown", function () { keyed = false; });
          box.addEventListener("change", function () {
            if (keyed) { if (sortApply) sortApply.classList.add("needed"); return; }
            remember(box);
            submit(form);
          });
        })(sorts[m]);
      }
      // A date field applies when it holds a whole date (or was cleared);
      // until then the Apply button shows.
      var dates = document.querySelectorAll('input[type="date"][form="searchform"]');
      var apply = document.querySelector(".facets-apply");
      for (var d = 0; d < dates.length; d++) {
        dates[d].addEventListener("change", function () {
          if (apply) apply.classList.add("needed");
        });
        dates[d].addEventListener("keydown", function (ev) {
          if (ev.key === "Enter") { ev.preventDefault(); submit(form); }
        });
      }
    }

    // Plain filter forms (the records list) submit when a select changes.
    var selects = document.querySelectorAll("form.filterbar select");
    for (var s = 0; s < selects.length; s++) {
      selects[s].addEventListener("change", function (ev) { submit(ev.target.form); });
    }

    // The glossary filter hides rows that do not match, as you type.
    var filters = document.querySelectorAll("input[data-filter-target]");
    for (var f = 0; f < filters.length; f++) {
      (function (input) {
        var table = document.querySelector(input.getAttribute("data-filter-target"));
        if (!table) return;
        var rows = table.tBodies[0].rows;
        input.addEventListener("input", function () {
          var needle = input.value.trim().toLowerCase();
          for (var r = 0; r < rows.length; r++) {
            rows[r].hidden = needle !== "" && rows[r].textContent.toLowerCase().indexOf(needle) < 0;
          }
        });
      })(filters[f]);
    }
  });
})();
