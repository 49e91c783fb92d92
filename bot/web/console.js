// The agent console. It talks to the server only through the REST assist API
// (/webhooks/assist/…, bearer token) and the socket.io namespace /agent, which pushes
// `conversation_update` whenever a conversation changes. The server stays the source of
// truth: an update (or a reconnect) makes the console fetch the conversation again, so a
// dropped connection loses nothing. Every text from outside is put in with textContent.
//
// The parts, one module each under console/: the queue, the conversation (header,
// summary, transcript), the composer, the reply library, the assist panel with the
// suggestions and compensation, and the close dialog; staff/ holds what the supervisor
// pages share (login, REST client, live updates, labels, DOM helpers).

import { fillSelects, loadLabels } from "./staff/labels.js";
import { current, startSession } from "./staff/session.js";
import { connectLive, disconnectLive } from "./staff/socket.js";
import { bindAssist } from "./console/assist.js";
import { bindClose } from "./console/close.js";
import { bindCompensation } from "./console/compensation.js";
import { bindComposer } from "./console/composer.js";
import { bindConversation, loadDetail, showRelayed } from "./console/conversation.js";
import { bindLibrary } from "./console/library.js";
import { bindQueue, refreshQueue, scheduleQueueRefresh, setFilter } from "./console/queue.js";
import { state } from "./console/state.js";
import { bindSuggestions } from "./console/suggestions.js";

const labelsLoaded = loadLabels().then(() => fillSelects());

function escalating(update) {
  const analysis = update.assist && update.assist.analysis;
  return Boolean(analysis && (analysis.escalated || (analysis.escalation && analysis.escalation.flag)));
}

function updated(update) {
  const cid = update.conversation_id;
  if (escalating(update)) state.flagged[cid] = true;
  if (cid === state.selected) {
    if (update.degraded && update.message) showRelayed(update.message);
    else loadDetail(cid);
  } else if (update.message && update.message.role === "customer") {
    state.unread[cid] = true;
  }
  scheduleQueueRefresh();
}

// after every (re)connect: fetch everything again, nothing sent meanwhile is lost
function connected() {
  refreshQueue();
  if (state.selected) loadDetail(state.selected);
}

async function started(auth) {
  await labelsLoaded;
  if (current() !== auth) return; // logged out meanwhile
  setFilter(state.filter);
  connectLive(auth.token, { connected, update: updated });
  refreshQueue();
}

function ended() {
  disconnectLive();
  state.selected = null;
  state.detail = null;
}

bindQueue();
bindConversation();
bindComposer();
bindLibrary();
bindAssist();
bindSuggestions();
bindCompensation();
bindClose();
startSession({ started, ended });
