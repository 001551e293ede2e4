// The URN playground: every keystroke runs the package's URN functions and shows the results.
// The DOM is built with textContent only.
import {
  init,
  parseUrn,
  messageId,
  conversationId,
  profileId,
  isSalesNavThread,
  encodeUrnForPath,
} from "threadline";

const EXAMPLES = [
  "urn:li:msg_message:(urn:li:fsd_profile:ACoAAATPlQ0Bc8wdg-Iy8wZgEDuSdIVWJiE1Aio,2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=)",
  "urn:li:messagingMessage:2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=",
  "https://www.linkedin.com/messaging/thread/2-ODFkYjU4M2ItZDlmYS00YTVjLThlNTQtZjI5YTE4ZWUyZDk5XzEwMA==/",
  "urn%3Ali%3Amsg_conversation%3A%28urn%3Ali%3Afsd_profile%3AACoAAATPlQ0Bc8wdg-Iy8wZgEDuSdIVWJiE1Aio%2C2-ODFkYjU4M2ItZDlmYS00YTVjLThlNTQtZjI5YTE4ZWUyZDk5XzEwMA%3D%3D%29",
  "urn:li:msg_messagingParticipant:urn:li:fsd_profile:ACoAADSoo60BM6hxemTbnN2aA_Z1-WlNFRhRYhU",
  "urn:li:salesNav_thread:1-7c1e2a",
  "urn:li:msg_message:(urn:li:fsd_profile:ACoAA,2-abc",
];

const input = document.getElementById("urn-input");
const result = document.getElementById("urn-result");

function attempt(fn) {
  try {
    return { ok: String(fn()) };
  } catch (e) {
    return { err: `${e.name} ${e.code ?? ""} at byte ${e.offset ?? "?"}: ${e.message}` };
  }
}

function row(label, value) {
  const tr = document.createElement("tr");
  const th = document.createElement("th");
  th.textContent = label;
  const td = document.createElement("td");
  if (value.err) {
    td.className = "error";
    td.textContent = value.err;
  } else {
    td.textContent = value.ok;
  }
  td.dataset.threadlineField = label;
  tr.append(th, td);
  return tr;
}

function render() {
  const text = input.value;
  result.replaceChildren();
  if (!text.trim()) return;
  const parsed = attempt(() => {
    const p = parseUrn(text);
    return `${p.namespace} · ${p.entityType} · ${p.parts.length} part(s): ${p.parts.join("  |  ")}`;
  });
  result.append(
    row("parsed", parsed),
    row("canonical", attempt(() => parseUrn(text).urn)),
    row("messageId", attempt(() => messageId(text))),
    row("conversationId", attempt(() => conversationId(text))),
    row("profileId", attempt(() => profileId(text))),
    row("Sales Navigator", attempt(() => isSalesNavThread(text))),
    row("path segment", { ok: encodeUrnForPath(text.trim()) }),
  );
}

await init();
const examples = document.getElementById("examples");
for (const ex of EXAMPLES) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = ex.length > 48 ? ex.slice(0, 45) + "…" : ex;
  b.title = ex;
  b.addEventListener("click", () => {
    input.value = ex;
    render();
  });
  examples.append(b);
}
input.addEventListener("input", render);
input.value = EXAMPLES[0];
render();
