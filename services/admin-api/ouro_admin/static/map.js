// The city map on a canvas: one cell per room (ground floor), coloured by district, north up.
// The view fits the rooms' bounds, so it grows as the world grows.
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
