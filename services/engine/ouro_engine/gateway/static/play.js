// The Ourobouro play page: one WebSocket speaking protocol v1 (ouro_schemas.protocol).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const MAX_LINES = 2000;
  const TOKEN_KEY = "ouro.resume";
  let ws = null, authed = false, history = [], histPos = 0, nextId = 1, retry = 0, action = "login";

  function url() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    return proto + "//" + location.host + "/ws";
  }

  function send(msg) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); }

  function addLine(spans, cls) {
    const out = $("output");
    const p = document.createElement("div");
    p.className = "line" + (cls ? " " + cls : "");
    for (const s of spans) {
      const span = document.createElement("span");
      span.textContent = s.text;
      if (s.fg) span.classList.add("fg-" + s.fg);
      if (s.bold) span.classList.add("bold");
      p.appendChild(span);
    }
    const atBottom = out.scrollHeight - out.scrollTop - out.clientHeight < 40;
    out.appendChild(p);
    while (out.childNodes.length > MAX_LINES) out.removeChild(out.firstChild);
    if (atBottom) out.scrollTop = out.scrollHeight;
  }

  function showGame(on) {
    $("login").classList.toggle("hidden", on);
    $("game").classList.toggle("hidden", !on);
    $("cmd-form").classList.toggle("hidden", !on);
    if (on) $("cmd").focus();
  }

  function setRoom(room) {
    $("room").textContent = room.name + " — " + room.area + " (" + room.x + "," + room.y + ")";
    const exits = $("exits");
    exits.textContent = "";
    for (const dir of Object.keys(room.exits)) {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = dir; b.dataset.dir = dir; b.title = "go " + dir;
      b.addEventListener("click", () => command(dir));
      exits.appendChild(b);
    }
  }

  function setStatus(st) {
    $("status").textContent = st.name + "  HP " + st.hp + "/" + st.max_hp + "  ¢" + st.credits +
      "  L" + st.level + (st.quest ? "  Quest: " + st.quest : "");
  }

  function command(line) {
    if (!authed) return;
    addLine([{ text: "> " + line }], "cmd");
    send({ type: "command", line: line, id: nextId++ });
  }

  const handlers = {
    hello(m) {
      $("hello").textContent = m.text;
      const token = localStorage.getItem(TOKEN_KEY);
      if (token) send({ type: "auth", action: "resume", token: token });
    },
    auth_ok(m) {
      authed = true; retry = 0;
      localStorage.setItem(TOKEN_KEY, m.token);
      $("login-error").textContent = "";
      showGame(true);
    },
    text(m) { addLine(m.spans); },
    room(m) { setRoom(m); },
    status(m) { setStatus(m); },
    error(m) {
      if (m.code === "auth_failed" || m.code === "logged_out") {
        if (!authed && localStorage.getItem(TOKEN_KEY) && $("login").classList.contains("hidden") === false) {
          localStorage.removeItem(TOKEN_KEY);
        }
        $("login-error").textContent = m.message;
      } else if (authed) {
        addLine([{ text: m.message, fg: "red" }]);
      } else {
        $("login-error").textContent = m.message;
      }
    },
    bye(m) {
      if (m.code === "taken_over" || m.code === "idle" || m.code === "logged_out") localStorage.removeItem(TOKEN_KEY);
      addLine([{ text: m.message || "Disconnected.", fg: "yellow" }]);
    },
    pong() {},
  };

  function connect() {
    ws = new WebSocket(url());
    ws.onopen = () => { $("conn").textContent = "online"; $("conn").className = "conn on"; };
    ws.onmessage = (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      const h = handlers[m.type];
      if (h) h(m);
    };
    ws.onclose = (ev) => {
      $("conn").textContent = "offline"; $("conn").className = "conn off";
      const wasAuthed = authed;
      authed = false;
      // 4001 taken over, 4002 idle, 4003 logged out (quit), 1008 abuse: back to the login form, no resume;
      // a fresh connection (not after abuse) so the form works at once.
      if (ev.code === 4001 || ev.code === 4002 || ev.code === 4003 || ev.code === 1008) {
        localStorage.removeItem(TOKEN_KEY);
        showGame(false);
        if (ev.code !== 1008) setTimeout(connect, 250);
        return;
      }
      // Reconnect with backoff; the resume token brings the same character back.
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 250 * 2 ** retry);
      if (!wasAuthed) showGame(false);
    };
  }

  $("login-btn").addEventListener("click", () => { action = "login"; });
  $("register-btn").addEventListener("click", () => { action = "register"; });
  $("login-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    send({ type: "auth", action: action, name: $("name").value.trim(), password: $("password").value });
  });
  $("cmd-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const line = $("cmd").value;
    if (!line.trim()) return;
    if (history[history.length - 1] !== line) history.push(line);
    if (history.length > 200) history.shift();
    histPos = history.length;
    $("cmd").value = "";
    command(line);
  });
  $("cmd").addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowUp" && histPos > 0) { histPos--; $("cmd").value = history[histPos]; ev.preventDefault(); }
    else if (ev.key === "ArrowDown") {
      histPos = Math.min(history.length, histPos + 1);
      $("cmd").value = histPos < history.length ? history[histPos] : "";
      ev.preventDefault();
    }
  });
  connect();
})();
