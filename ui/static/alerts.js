// Alerts in the browser: remember each alert this browser saved (its id and
// manage token) in localStorage, and list them on "My alerts". The server
// keeps no session; the token is the key to an alert.
(function () {
  "use strict";
  var KEY = "dialoguesearch.alerts";

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(all) {
    try { localStorage.setItem(KEY, JSON.stringify(all)); } catch (e) { /* private mode: nothing kept */ }
  }

  var page = document.getElementById("alert-page");
  if (page && page.dataset.alertToken) {
    var all = load();
    all[page.dataset.alertId] = { token: page.dataset.alertToken, name: page.dataset.alertName };
    save(all);
  }

  var mine = document.getElementById("my-alerts");
  if (!mine) { return; }
  var stored = load();
  if (mine.dataset.deleted) {
    delete stored[mine.dataset.deleted];
    save(stored);
  }
  var list = document.getElementById("my-alerts-list");
  var empty = document.getElementById("my-alerts-empty");
  var ids = Object.keys(stored);
  if (ids.length) { empty.hidden = true; }
  ids.forEach(function (id) {
    var entry = stored[id];
    var li = document.createElement("li");
    li.className = "record-item";
    var a = document.createElement("a");
    a.href = "/alerts/" + encodeURIComponent(id) + "?token=" + encodeURIComponent(entry.token);
    a.textContent = entry.name || id;
    li.appendChild(a);
    var meta = document.createElement("span");
    meta.className = "muted";
    li.appendChild(document.createTextNode(" "));
    li.appendChild(meta);
    list.appendChild(li);
    fetch("/api/alerts/" + encodeURIComponent(id), { headers: { "Authorization": "Bearer " + entry.token } })
      .then(function (r) {
        if (r.status === 404 || r.status === 403) {
          delete stored[id];
          save(stored);
          li.remove();
          if (!list.children.length) { empty.hidden = false; }
          return null;
        }
        return r.ok ? r.json() : null;
      })
      .then(function (v) {
        if (!v) { return; }
        a.textContent = v.name;
        var kind = v.watch ? "series watch (" + v.watch + ")" : "search";
        var count = v.watch ? (v.matches === 1 ? " change" : " changes") : (v.matches === 1 ? " match" : " matches");
        meta.textContent = kind + " · " + v.matches + count + (v.active ? "" : " · stopped");
      })
      .catch(function () { meta.textContent = "(could not load)"; });
  });
})();
