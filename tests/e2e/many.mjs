// A workspace with more conversations than the engine's window (issue 13: over IndexedDB the engine
// opens with the newest 50 of each account): the simulator's default seed (its `GET
// /__sim/snapshot`) plus `count` one-to-one threads of one account, all older than the seed's, as a
// seed file for `threadline-sim --seed`. Every `unreadEvery`-th of them, counted from the oldest,
// ends with one unread message from the other person, so the oldest is unread and far below the
// newest 50. Shared by the demo's and the extension's end-to-end tests; not a test file itself.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

const HOUR = 3_600_000;

/** A deterministic id in the simulator's shape (`2-` + base64 of `bytes` bytes) from a label. */
function simId(label, bytes) {
  const buf = Buffer.alloc(bytes, 0x2e);
  Buffer.from(label).copy(buf);
  return `2-${buf.toString("base64")}`;
}

/**
 * Writes the seed file at `file` from the snapshot of the simulator at `simUrl`; returns what it
 * added: `{ accountId, added, unread: [{ threadId, text }], oldestUnread: { threadId, text } }`.
 */
export async function writeManySeed(simUrl, file, { accountId, count = 60, unreadEvery = 9 } = {}) {
  const res = await fetch(`${simUrl}/__sim/snapshot`);
  if (!res.ok) throw new Error(`GET /__sim/snapshot: ${res.status}`);
  const data = await res.json();
  const account = data.accounts.find((a) => a.id === accountId) ?? data.accounts[0];
  const owners = new Set(data.accounts.map((a) => a.profileId));
  const people = data.people.filter((p) => !owners.has(p.profileId));
  const template = data.threads.find((t) => !t.salesNavigator && t.members.includes(account.profileId) && t.members.length === 2);
  let oldest = Infinity;
  for (const t of data.threads) for (const m of t.messages) oldest = Math.min(oldest, m.sentAt, t.createdAt);
  const unread = [];
  for (let i = 0; i < count; i++) {
    const person = people[i % people.length];
    const newest = oldest - (i + 1) * 5 * HOUR; // thread i is the (i+1)-th newest of the added
    const isUnread = (count - 1 - i) % unreadEvery === 0;
    const threadId = simId(`threadline-many-${i}`, 30);
    const text = isUnread ? `Older unread note number ${i}` : `Older conversation number ${i}`;
    const messages = [
      { id: simId(`many-${i}-mine`, 24), sender: account.profileId, text: `Hello again (${i})`, sentAt: newest - HOUR, attachments: [], reactions: {}, recalled: false },
      { id: simId(`many-${i}-theirs`, 24), sender: person.profileId, text, sentAt: newest, attachments: [], reactions: {}, recalled: false },
    ];
    data.threads.push({
      threadId, salesNavigator: false, style: template?.style ?? "msgConversation",
      members: [account.profileId, person.profileId], createdAt: newest - 2 * HOUR, openedBy: null, messages,
      readAt: { [account.id]: isUnread ? newest - HOUR : newest }, labels: [],
    });
    if (isUnread) unread.push({ threadId, text });
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(data));
  return { accountId: account.id, added: count, unread, oldestUnread: unread[unread.length - 1] };
}
