// What the console knows: the queue, the conversation on screen and what the agent did in
// it. One object that the console's modules share; the server stays the source of truth
// (an update or a reconnect fetches the conversation again).

import { current } from "../staff/session.js";

export const state = {
  filter: "open",
  queue: [],
  selected: null,
  detail: null,
  loadSeq: 0,
  unread: {},
  flagged: {},
  // the suggestion taken into the composer {id, text, label}, and its place for Tab
  chosen: null,
  tabIndex: -1,
  dismissed: {},
  // one idempotency key per conversation and option: a retry never grants twice
  keys: {},
  responded: {},
  queueTimer: null,
  // newest messages a conversation view asks for (the server sends 100 by default);
  // "earlier messages" raises it for that conversation
  last: {},
  // a conversation just taken over from another agent: its summary is shown first
  briefing: null,
  briefed: false,
};

// whether the conversation on screen is the logged-in agent's own
export function mine() {
  const auth = current();
  return Boolean(state.detail && auth && state.detail.agent === auth.username);
}
