// The conversation open in the review's detail pane: its id and the server's answer.
// Shared by the detail, the suggestion ratings and the QA scorecard.

export const selection = { cid: null, detail: null };
