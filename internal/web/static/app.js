// Capsule UI: live deployment progress and log following over the events
// stream. Pages work without it; it only adds live updates. The stream is
// the same-origin /events WebSocket, authenticated by the session cookie.
(function () {
  "use strict";
  var table = document.querySelector("[data-service]");
  var logs = document.querySelector("[data-follow]");
  if (!table && !logs) return;
  var q = [];
  if (table) q.push("service=" + encodeURIComponent(table.getAttribute("data-service")));
  if (logs) {
    q.push("deployment=" + encodeURIComponent(logs.getAttribute("data-follow")));
    q.push("type=log.stdout", "type=log.stderr");
  }
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var delay = 1000;
  function connect() {
    var ws = new WebSocket(scheme + location.host + "/events?" + q.join("&"), ["capsule.events.v1"]);
    ws.onopen = function () { delay = 1000; say("Live updates on."); };
    ws.onmessage = function (m) {
      var ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      if (ev.type && ev.type.indexOf("deployment.") === 0) deployment(ev);
      if (ev.type && ev.type.indexOf("log.") === 0) logLine(ev);
      if (ev.type === "stream.lagged") say("Some updates were skipped; reload for the full picture.");
    };
    ws.onclose = function () {
      say("Live updates paused; reconnecting.");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  function say(text) {
    var s = document.querySelector(".live-status");
    if (s) s.textContent = text;
  }
  var states = { "deployment.started": "deploying", "deployment.progress": "deploying",
    "deployment.completed": "completed", "deployment.failed": "failed" };
  function deployment(ev) {
    var id = ev.scope && ev.scope.deploymentId;
    if (!id) return;
    var row = document.querySelector('tr[data-deployment="' + CSS.escape(id) + '"]');
    if (!row) { say("A new deployment started; reload to see it."); return; }
    var st = row.querySelector(".dep-status");
    var state = states[ev.type];
    if (st && state) { st.textContent = state; st.className = "badge dep-status status-" + state; }
    var msg = row.querySelector(".dep-message");
    if (msg) msg.textContent = (ev.percent != null ? ev.percent + "% " : "") + (ev.message || "");
  }
  function logLine(ev) {
    if (!logs || !ev.line) return;
    var want = (logs.getAttribute("data-query") || "").toLowerCase();
    if (want && ev.line.toLowerCase().indexOf(want) < 0) return;
    logs.appendChild(document.createTextNode((ev.pod ? ev.pod + " " : "") + ev.line + "\n"));
  }
  connect();
})();
