// The city map on a canvas: one cell per room (ground floor), coloured by district, north up.
// The view fits the rooms' bounds, so it grows as the world grows. Below it, the whole city by chunk
// (one square per 20×20 chunk); a big city's room map shows only the chunks around one of them.
"use strict";

function drawMap(canvas, data) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const rooms = (data.rooms || []).filter(r => (r.z || 0) === 0);
  if (!rooms.length) {
    ctx.fillStyle = "#7f8aa0";
    ctx.font = "14px monospace";
    ctx.fillText("no rooms in the world keys yet", 20, 30);
    return { cells: 0 };
  }
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const r of rooms) {
    minX = Math.min(minX, r.x); maxX = Math.max(maxX, r.x);
    minY = Math.min(minY, r.y); maxY = Math.max(maxY, r.y);
  }
  const cols = maxX - minX + 1, rows = maxY - minY + 1, pad = 16;
  const size = Math.max(2, Math.floor(Math.min((W - 2 * pad) / cols, (H - 2 * pad) / rows)));
  const ox = Math.floor((W - cols * size) / 2), oy = Math.floor((H - rows * size) / 2);
  const at = r => [ox + (r.x - minX) * size, oy + (maxY - r.y) * size];  // +y is north: up
  const districts = data.districts || {};
  const byId = {};
  for (const r of rooms) {
    byId[r.id] = r;
    const [px, py] = at(r);
    const d = districts[r.district];
    ctx.fillStyle = d && d.color ? d.color : "#555";
    ctx.globalAlpha = 0.85;
    ctx.fillRect(px + 1, py + 1, size - 2, size - 2);
    ctx.globalAlpha = 1;
    if (r.origin && r.origin !== "base") {
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = Math.max(1, size / 12);
      ctx.strokeRect(px + 1.5, py + 1.5, size - 3, size - 3);
    }
    if (r.glitch) {
      ctx.fillStyle = "#39ff14";
      ctx.fillRect(px + size - size / 3, py + 2, size / 4, size / 4);
    }
  }
  const dot = (roomId, color, offset) => {
    const r = byId[roomId];
    if (!r) return;
    const [px, py] = at(r);
    ctx.beginPath();
    ctx.fillStyle = color;
    ctx.arc(px + size / 2 + offset, py + size / 2, Math.max(2, size / 6), 0, Math.PI * 2);
    ctx.fill();
  };
  for (const s of data.spawns || []) dot(s.room_id, "#ff3df2", size / 5);
  for (const p of data.players || []) dot(p.room_id, "#ffffff", -size / 5);
  return { cells: rooms.length, size };
}

// The chunk overview: one square per chunk, coloured by its largest district, brighter with more
// rooms; the chunks of the room map outlined; players as white dots. Returns the squares (for clicks).
function drawChunks(canvas, data) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const chunks = data.chunks || [];
  canvas._cells = [];
  if (!chunks.length) return canvas._cells;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const c of chunks) {
    minX = Math.min(minX, c.cx); maxX = Math.max(maxX, c.cx);
    minY = Math.min(minY, c.cy); maxY = Math.max(maxY, c.cy);
  }
  const cols = maxX - minX + 3, rows = maxY - minY + 3;  // a ring of open land around the city
  const size = Math.max(4, Math.floor(Math.min(W / cols, H / rows)));
  const ox = Math.floor((W - cols * size) / 2), oy = Math.floor((H - rows * size) / 2);
  const at = (cx, cy) => [ox + (cx - minX + 1) * size, oy + (maxY - cy + 1) * size];
  const districts = data.districts || {};
  const area = (data.chunk_size || 20) ** 2;
  for (const c of chunks) {
    const [px, py] = at(c.cx, c.cy);
    const d = districts[c.district];
    ctx.fillStyle = d && d.color ? d.color : "#555";
    ctx.globalAlpha = 0.35 + 0.65 * Math.min(1, c.rooms / (area * 0.6));
    ctx.fillRect(px + 1, py + 1, size - 2, size - 2);
    ctx.globalAlpha = 1;
    if (c.cx === 0 && c.cy === 0) {
      ctx.strokeStyle = "#ffd34d";
      ctx.lineWidth = 1;
      ctx.strokeRect(px + 3.5, py + 3.5, size - 7, size - 7);
    }
    canvas._cells.push({ key: c.key, x: px, y: py, size });
  }
  const view = data.view || {};
  if (view.around) {
    const [vx, vy] = view.around.split(",").map(Number);
    const r = view.radius || 0;
    const [px, py] = at(vx - r, vy + r);
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 2;
    ctx.strokeRect(px + 1, py + 1, (2 * r + 1) * size - 2, (2 * r + 1) * size - 2);
  }
  for (const p of data.players || []) {
    if (!p.chunk) continue;
    const [cx, cy] = p.chunk.split(",").map(Number);
    const [px, py] = at(cx, cy);
    ctx.beginPath();
    ctx.fillStyle = "#ffffff";
    ctx.arc(px + size / 2, py + size / 2, Math.max(2, size / 8), 0, Math.PI * 2);
    ctx.fill();
  }
  return canvas._cells;
}

function chunkAt(canvas, ev) {
  const rect = canvas.getBoundingClientRect();
  const x = (ev.clientX - rect.left) * canvas.width / rect.width;
  const y = (ev.clientY - rect.top) * canvas.height / rect.height;
  const hit = (canvas._cells || []).find(c => x >= c.x && x < c.x + c.size && y >= c.y && y < c.y + c.size);
  return hit ? hit.key : null;
}
