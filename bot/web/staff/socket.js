// Live updates: the socket.io namespace /agent pushes `conversation_update` whenever a
// conversation changes (the vendored socket.io.min.js, a classic script, defines `io`).
// #connection shows the state. socket.io reconnects by itself after a drop; when the
// server refuses the namespace (the token ran out, or it restarted) a REST call tells
// which: a 401 ends the login (api.js), anything else is retried after 2 seconds.

import { api } from "./api.js";
import { $ } from "./dom.js";

let socket = null;

function show(state, text) {
  const node = $("connection");
  node.dataset.state = state;
  node.textContent = text;
}

// connected() after every (re)connect; update(update) for each well-formed update
export function connectLive(token, { connected, update }) {
  disconnectLive();
  const live = window.io("/agent", { path: "/socket.io", auth: { token } });
  socket = live;
  live.on("connect", () => {
    show("online", "即時連線中");
    connected();
  });
  live.on("disconnect", () => show("offline", "連線中斷，正在重新連線…"));
  live.on("connect_error", async () => {
    show("offline", "無法連線，正在重試…");
    if (live.active) return;
    const check = await api("GET", "/conversations");
    if (check.status !== 401 && socket === live) {
      setTimeout(() => {
        if (socket === live) live.connect();
      }, 2000);
    }
  });
  live.on("conversation_update", (message) => {
    if (message && typeof message.conversation_id === "string") update(message);
  });
}

export function disconnectLive() {
  if (!socket) return;
  socket.disconnect();
  socket = null;
}
