// The dashboard's client for the admin API: bearer token from sessionStorage, JSON in and out,
// and the live feed read with fetch streaming (EventSource cannot send an Authorization header).
"use strict";

const TOKEN_KEY = "ouro.admin.token";

class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
    this.detail = detail;
  }
}

const Api = {
  token() { return sessionStorage.getItem(TOKEN_KEY); },
  setToken(t) { sessionStorage.setItem(TOKEN_KEY, t); },
  clear() { sessionStorage.removeItem(TOKEN_KEY); },

  async call(method, path, body) {
    const headers = { "Authorization": "Bearer " + (this.token() || "") };
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    if (res.status === 204) return null;
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      if (res.status === 401 && window.onUnauthorized) window.onUnauthorized();
      throw new ApiError(res.status, data && data.detail !== undefined ? data.detail : res.statusText);
    }
    return data;
  },
  get(path) { return this.call("GET", path); },
  post(path, body) { return this.call("POST", path, body); },
  put(path, body) { return this.call("PUT", path, body); },
  del(path) { return this.call("DELETE", path); },

  // Follow the SSE feed; reconnect with the last cursor (Last-Event-ID) after a drop.
  follow(onEvent, onStatus) {
    let cursor = null;
    let stopped = false;
    let controller = null;
    const run = async () => {
      while (!stopped) {
        controller = new AbortController();
        try {
          const headers = { "Authorization": "Bearer " + (this.token() || "") };
          if (cursor) headers["Last-Event-ID"] = cursor;
          const res = await fetch("/api/feed?backlog=200", { headers, signal: controller.signal });
          if (!res.ok) throw new ApiError(res.status, res.statusText);
          onStatus("live");
          const reader = res.body.getReader();
          const decoder = new TextDecoder();
          let buf = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += decoder.decode(value, { stream: true });
            let cut;
            while ((cut = buf.indexOf("\n\n")) >= 0) {
              const block = buf.slice(0, cut);
              buf = buf.slice(cut + 2);
              const ev = parseBlock(block);
              if (ev.id) cursor = ev.id;
              if (ev.event && ev.data) onEvent(ev.event, JSON.parse(ev.data));
            }
          }
        } catch (e) {
          if (stopped) return;
          onStatus("reconnecting…");
        }
        if (!stopped) await new Promise(r => setTimeout(r, 2000));
      }
    };
    run();
    return () => { stopped = true; if (controller) controller.abort(); onStatus("disconnected"); };
  },
};

function parseBlock(block) {
  const ev = {};
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const i = line.indexOf(":");
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
    ev[field] = ev[field] ? ev[field] + "\n" + value : value;
  }
  return ev;
}

// Tiny DOM helper: el("li", {class: "x", onclick: f}, "text", child…). Text only, never innerHTML.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else if (k === "style") node.style.cssText = v;  // CSSOM: allowed by the CSP, a style attribute is not
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}
