// The host's own unit tests (threadline/host, npm/host.js): many viewers on one engine over a
// transport that copies every message (structuredClone, as ports and BroadcastChannel do), against
// a fake engine with the API of issue 16's design (tests/host/fake-engine.mjs). The real engine
// runs under the same host in the extension and demo end-to-end tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHost, createRemote } from "../../npm/host.js";
import { ThreadlineError, ApiError, UrnError, isRefusal } from "../../npm/errors.js";
import { FakeEngine, conversationIdOf, msgUrn, convUrn, RECALL_WINDOW_MS } from "./fake-engine.mjs";

const settle = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/**
 * A viewer on the far side of a transport: its remote posts copies of its commands to the host
 * it is linked to; the host's answers and pushes come back as copies. `cut()`: that host vanishes
 * (what it would still answer or push is lost); `moveTo(host)`: the viewer reaches another one.
 */
function link(host, viewer) {
  const pushes = [];
  const l = { pushes, viewer, host, alive: true };
  l.remote = createRemote({
    post: (msg) => {
      const at = { host: l.host, viewer: l.viewer, alive: () => l.alive && at.host === l.host };
      at.host.handle(at.viewer, structuredClone(msg)).then((a) => {
        if (at.alive()) l.remote.receive(structuredClone(a));
      });
    },
    onPush: (p) => pushes.push(p),
  });
  const attach = () => {
    const h = l.host;
    h.connect(l.viewer, (m) => {
      if (l.alive && h === l.host) l.remote.receive(structuredClone(m));
    });
  };
  attach();
  l.request = (type, fields) => l.remote.request(type, fields);
  l.cut = () => {
    l.alive = false;
  };
  /** The viewer reaches another host (then `l.remote.hostChanged()` binds again and re-sends). */
  l.moveTo = (next, viewer = l.viewer) => {
    l.host = next;
    l.viewer = viewer;
    l.alive = true;
    attach();
  };
  l.last = (type) => pushes.filter((p) => p.type === type).at(-1);
  return l;
}

const ME = "acct-1";
const A = "2-AAAA";
const B = "2-BBBB";

/** An engine holding conversations A (with one message of mine, one of theirs) and B. */
async function world(options = {}) {
  const now = options.now ?? (() => 1_000_000_000);
  const engine = await FakeEngine.open({ now, storage: options.storage });
  engine.deliver(ME, convUrn(A), { id: "m1", messageUrn: msgUrn("m1"), text: "mine", subject: "Hello", sentAt: now() - 1000, isSentByOwner: true });
  engine.deliver(ME, convUrn(A), { id: "m2", messageUrn: msgUrn("m2"), text: "theirs", sentAt: now() - 500 });
  engine.deliver(ME, convUrn(B), { id: "m3", messageUrn: msgUrn("m3"), text: "other", sentAt: now() - 100 });
  const host = createHost({ engine, accountOf: () => ME, conversationId: conversationIdOf, ...options.host });
  return { engine, host, now };
}

test("bind_by_path_asks_the_engine_for_the_conversation_and_opens_its_view", async () => {
  const { engine, host } = await world();
  const tab = link(host, "tab-1");
  const r = await tab.request("bind", { path: `/messaging/thread/${A}/` });
  assert.equal(r.conversationUrn, convUrn(A), "the URN the engine holds, not one built here");
  assert.equal(r.conversationId, A);
  assert.equal(r.account, ME);
  assert.deepEqual(r.view, engine.conversationView(ME, convUrn(A)));
  assert.equal(r.status.sync, "synced");
  assert.deepEqual(engine.views.get("tab-1"), [ME, A]);
  // A thread the engine never saw: the engine's canonical URN for it, and its view opens.
  const fresh = await tab.request("bind", { path: "/messaging/thread/2-NEW/" });
  assert.equal(fresh.conversationUrn, "urn:li:messagingThread:2-NEW");
  assert.deepEqual(engine.views.get("tab-1"), [ME, "2-NEW"], "one view per viewer: it moved");
  assert.equal(host.pollers(), 1);
});

test("bind_by_messages_then_by_person_then_after_asking_for_the_list", async () => {
  const { engine, host } = await world();
  const bubble = link(host, "bubble-1");
  // Its messages decide; URNs that are not messages (placeholders) are skipped.
  let r = await bubble.request("bind", { messageUrns: ["urn:li:fsd_profile:junk", msgUrn("m2"), msgUrn("m1")] });
  assert.equal(r.conversationId, A);
  // Messages of two conversations: no answer rather than a guess, and the view closes.
  r = await bubble.request("bind", { messageUrns: [msgUrn("m1"), msgUrn("m3")] });
  assert.equal(r.conversationUrn, null);
  assert.equal(r.conversationId, null);
  assert.equal(engine.views.has("bubble-1"), false);
  // Unknown messages, a person the engine does not know yet: it asks for the list, then finds
  // the person's one conversation there.
  engine.list(ME, { urn: convUrn("2-CCCC"), participants: ["grace"] });
  r = await bubble.request("bind", { messageUrns: [msgUrn("unknown")], profilePath: "/in/grace/" });
  assert.equal(engine.calledTimes("refreshConversations"), 1);
  assert.equal(r.conversationId, "2-CCCC");
  // The message a listed conversation ends with places a bubble too.
  engine.list(ME, { urn: convUrn("2-DDDD"), participants: ["ada", "linus"], latest: { id: "m9", messageUrn: msgUrn("m9"), text: "hi", sentAt: 1 } });
  r = await bubble.request("bind", { messageUrns: [msgUrn("m9")] });
  assert.equal(r.conversationId, "2-DDDD");
  // Nothing anywhere: unbound, and commands say so.
  r = await bubble.request("bind", { messageUrns: [msgUrn("nowhere")] });
  assert.equal(r.conversationId, null);
  await assert.rejects(bubble.request("react", { messageUrn: msgUrn("m1"), emoji: "👍", add: true }), { name: "ThreadlineError", code: "unbound" });
  assert.equal(engine.calledTimes("react"), 0);
});

test("bind_by_messages_only_in_storage_finds_them_there_before_the_person_or_the_network", async () => {
  const { engine, host } = await world();
  const bubble = link(host, "bubble-1");
  // Synced before this engine opened, its conversation not read since (IndexedDB): memory
  // cannot tell, storage can, in one read, with neither the person nor the list asked.
  engine.storeOnly(ME, "s1", convUrn(B));
  engine.list(ME, { urn: convUrn("2-CCCC"), participants: ["grace"] });
  let r = await bubble.request("bind", { messageUrns: ["urn:li:fsd_profile:junk", msgUrn("s1")], profilePath: "/in/grace/" });
  assert.equal(r.conversationId, B);
  assert.deepEqual(engine.calls.findLast(([m]) => m === "locateMessages")[1], { accountId: ME, messageUrns: [msgUrn("s1")] }, "only the URNs that are messages");
  assert.equal(engine.calledTimes("refreshConversations"), 0);
  // An unknown one beside it changes nothing; two in two conversations: no answer, no guess.
  engine.storeOnly(ME, "s2", convUrn(B));
  r = await bubble.request("bind", { messageUrns: [msgUrn("s2"), msgUrn("nowhere")] });
  assert.equal(r.conversationId, B);
  engine.storeOnly(ME, "s3", convUrn("2-EEEE"));
  r = await bubble.request("bind", { messageUrns: [msgUrn("s2"), msgUrn("s3")] });
  assert.equal(r.conversationUrn, null);
  assert.equal(engine.calledTimes("refreshConversations"), 0);
});

test("commands_act_on_the_bound_conversation_and_resolve_on_their_outcome", async () => {
  const { engine, host } = await world();
  const tab = link(host, "tab-1");
  await tab.request("bind", { path: `/messaging/thread/${A}` });
  const reacted = await tab.request("react", { messageUrn: msgUrn("m2"), emoji: "👍", add: true });
  assert.deepEqual(reacted, { outcome: "reacted", message: "m2", emoji: "👍", add: true });
  assert.deepEqual(engine.calls.findLast(([m]) => m === "react")[1], { accountId: ME, conversationUrn: convUrn(A), messageUrn: msgUrn("m2"), emoji: "👍", add: true });
  // A message of another conversation: the engine refuses it for this one.
  await assert.rejects(tab.request("react", { messageUrn: msgUrn("m3"), emoji: "👍", add: true }), (e) => {
    assert.equal(e.name, "ThreadlineError");
    assert.equal(e.code, "not_in_conversation");
    assert.deepEqual(e.refusal, { code: "not_in_conversation" });
    assert.ok(e instanceof ThreadlineError && isRefusal(e), "rebuilt into the generated class");
    return true;
  });
  const recalled = await tab.request("recall", { messageUrn: msgUrn("m1") });
  assert.deepEqual(recalled, { outcome: "recalled", message: "m1" });
  const view = await tab.request("view");
  assert.deepEqual(view.recalled, ["m1"], "what counts as recalled comes from the engine's view");
  assert.equal(view.messages.some((m) => m.id === "m1"), false);
  // Send: to the bound conversation, answered with the clientKey once stored.
  assert.deepEqual(await tab.request("send", { clientKey: "k-1", text: "hello", channel: "auto" }), { clientKey: "k-1" });
  assert.equal(engine.calls.findLast(([m]) => m === "send")[1].conversationUrn, convUrn(A));
  for (const type of ["loadOlder", "refresh", "rescan", "markRead"]) {
    assert.deepEqual(await tab.request(type), { outcome: "done" });
    assert.deepEqual(engine.calls.findLast(([m]) => m === type)[1], { accountId: ME, conversationUrn: convUrn(A) });
  }
  await assert.rejects(tab.request("discardSend", { clientKey: "nope" }), { code: "unknown_entry" });
});

test("a_refusal_and_a_failure_reach_the_viewer_as_errors_with_their_data", async () => {
  let clock = 5_000_000_000;
  const { engine, host } = await world({ now: () => clock });
  const tab = link(host, "tab-1");
  await tab.request("bind", { path: `/messaging/thread/${A}/` });
  const sentAt = clock - 1000;
  assert.deepEqual((await tab.request("view")).messages.find((m) => m.id === "m1").recall, { recall: "allowed", until: sentAt + RECALL_WINDOW_MS });
  // The engine's clock passes the window: eligibility and the refusal are the engine's, passed on.
  clock += RECALL_WINDOW_MS;
  const view = await tab.request("view");
  assert.deepEqual(view.messages.find((m) => m.id === "m1").recall, { recall: "windowClosed", closedAt: sentAt + RECALL_WINDOW_MS });
  await assert.rejects(tab.request("recall", { messageUrn: msgUrn("m1") }), (e) => {
    assert.equal(e.code, "recall_window_closed");
    assert.equal(e.refusal.closedAt, sentAt + RECALL_WINDOW_MS);
    return true;
  });
  engine.failNext = { action: "react", code: "rate_limited", message: "slow down" };
  await assert.rejects(tab.request("react", { messageUrn: msgUrn("m2"), emoji: "🎉", add: true }), (e) => {
    assert.equal(e.code, "rate_limited");
    assert.deepEqual(e.failure, { code: "rate_limited", message: "slow down" });
    assert.ok(e instanceof ThreadlineError && !isRefusal(e));
    return true;
  });
  await settle();
  assert.deepEqual(tab.last("view").view.messages.find((m) => m.id === "m2").lastFailure, { action: "react", failure: { code: "rate_limited", message: "slow down" } });
  // A bad URN is the engine's UrnError, with its offset.
  await assert.rejects(tab.request("bind", { conversation: "not a urn" }), (e) => {
    assert.deepEqual([e.name, e.code, e.offset], ["UrnError", "wrong_kind", 0]);
    return e instanceof UrnError;
  });
});

test("views_go_only_to_the_viewers_that_show_them_and_status_once_per_change", async () => {
  const { engine, host } = await world();
  const a1 = link(host, "a1");
  const a2 = link(host, "a2");
  const b = link(host, "b");
  await a1.request("bind", { path: `/messaging/thread/${A}/` });
  await a2.request("bind", { messageUrns: [msgUrn("m1")] });
  await b.request("bind", { path: `/messaging/thread/${B}/` });
  assert.equal(host.pollers(), 2, "two conversations in view, however many viewers");
  engine.deliver(ME, convUrn(A), { id: "m4", messageUrn: msgUrn("m4"), text: "new", subject: "Re: Hello", sentAt: 1 });
  await settle();
  for (const v of [a1, a2]) {
    const p = v.last("view");
    assert.equal(p.conversationId, A);
    assert.deepEqual(p.view, engine.conversationView(ME, convUrn(A)), "the engine's view, unchanged");
    assert.equal(p.view.messages.at(-1).subject, "Re: Hello");
  }
  assert.equal(b.pushes.filter((p) => p.type === "view").length, 0);
  // Another account's change reaches nobody here.
  engine.deliver("acct-2", convUrn(A), { id: "x", messageUrn: msgUrn("x"), text: "x", sentAt: 1 });
  await settle();
  assert.equal(a1.pushes.filter((p) => p.type === "view").length, 1);
  // Status: pushed when it changes, not again for the same status.
  engine.setSync(ME, "offline");
  engine.setSync(ME, "offline");
  await settle();
  for (const v of [a1, a2, b]) assert.deepEqual(v.pushes.filter((p) => p.type === "status").map((p) => p.status.sync), ["offline"]);
  // Lists and notices only to the viewers that asked.
  const inbox = link(host, "inbox");
  const r = await inbox.request("bind", { list: true, notices: true });
  assert.equal(r.conversationUrn, null);
  assert.deepEqual(r.list.map((c) => c.id).sort(), [A, B]);
  await settle();
  await b.request("react", { messageUrn: msgUrn("m3"), emoji: "👍", add: true });
  await settle();
  assert.ok(inbox.pushes.some((p) => p.type === "list"), "its bind asked for the list");
  assert.ok(inbox.pushes.some((p) => p.type === "notice" && p.notice.notice === "completed" && p.notice.outcome.outcome === "reacted"));
  assert.equal(a1.pushes.some((p) => p.type === "list" || p.type === "notice"), false);
  // A viewer that leaves closes its view; the engine stops polling what nobody shows.
  await host.disconnect("b");
  assert.equal(engine.views.has("b"), false);
  assert.equal(host.pollers(), 1);
});

test("a_command_re_sent_to_the_same_host_runs_once", async () => {
  const { engine, host } = await world();
  const tab = link(host, "tab-1");
  await tab.request("bind", { path: `/messaging/thread/${A}/` });
  const first = host.handle("tab-1", { id: 7, type: "react", messageUrn: msgUrn("m2"), emoji: "👍", add: true });
  const again = host.handle("tab-1", { id: 7, type: "react", messageUrn: msgUrn("m2"), emoji: "👍", add: true, resent: true });
  assert.deepEqual(await again, await first);
  assert.equal((await first).ok, true);
  assert.equal(engine.calledTimes("react"), 1);
});

test("after_the_host_changed_sends_and_reads_are_re_sent_react_and_recall_are_not", async () => {
  const storage = new Map();
  const { engine, host } = await world({ storage });
  const tab = link(host, "tab-1");
  await tab.request("bind", { path: `/messaging/thread/${A}/` });
  // The host takes the commands, then vanishes before answering any.
  tab.cut();
  const send = tab.request("send", { clientKey: "once", text: "exactly once" });
  const react = tab.request("react", { messageUrn: msgUrn("m2"), emoji: "👍", add: true });
  const recall = tab.request("recall", { messageUrn: msgUrn("m1") });
  const older = tab.request("loadOlder");
  const keyless = tab.request("send", { text: "no key" });
  await settle();
  assert.equal(engine.calledTimes("send"), 2);
  assert.equal(tab.remote.pending, 5);
  assert.deepEqual(tab.pushes.filter((p) => p.type === "view"), [], "nothing reached the viewer from the vanished host");
  engine.close();
  // A new engine restored from the same store, under a new host; the viewer binds again first.
  const engine2 = await FakeEngine.open({ storage, now: () => 1_000_000_000 });
  const host2 = createHost({ engine: engine2, accountOf: () => ME, conversationId: conversationIdOf });
  tab.moveTo(host2, "tab-1b");
  // The viewer binds again (its last bind), then re-sends what is unanswered.
  const rebound = tab.remote.hostChanged();
  assert.deepEqual(await send, { clientKey: "once" });
  await assert.rejects(react, (e) => e instanceof ThreadlineError && e.code === "host_changed");
  await assert.rejects(recall, { code: "host_changed", message: /check the conversation/i });
  await assert.rejects(keyless, { code: "host_changed" }, "a send without a clientKey cannot be told apart from a second one");
  assert.deepEqual(await older, { outcome: "done" });
  assert.equal((await rebound).conversationId, A);
  assert.equal(tab.remote.pending, 0);
  // The message was stored once: the restored engine knew its clientKey.
  const mine = engine2.conversationView(ME, convUrn(A)).messages.filter((m) => m.text === "exactly once");
  assert.equal(mine.length, 1);
  assert.equal(engine2.calledTimes("react") + engine2.calledTimes("recall"), 0, "nothing that may have happened ran twice");
});

test("a_send_right_after_a_bind_waits_for_it", async () => {
  const { engine, host } = await world();
  const tab = link(host, "tab-1");
  engine.list(ME, { urn: convUrn("2-EEEE"), participants: ["ada"] });
  // Neither answered yet: the bind has to ask for the list before the send may run.
  const bound = tab.request("bind", { messageUrns: [msgUrn("unknown")], profilePath: "/in/ada/" });
  const sent = tab.request("send", { clientKey: "k-after-bind", text: "hi" });
  assert.equal((await bound).conversationId, "2-EEEE");
  assert.deepEqual(await sent, { clientKey: "k-after-bind" });
  assert.equal(engine.calls.findLast(([m]) => m === "send")[1].conversationUrn, convUrn("2-EEEE"));
});

test("idle_host_keeps_bindings_does_nothing_and_reopens_views_when_work_may_start", async () => {
  let key = "";
  const { engine, host } = await world({
    host: {
      idle: () => (key ? null : { code: "key_missing", message: "Set your API key first." }),
      statusOf: (account) => (key ? engine.status(account) : { sync: "key_missing" }),
    },
  });
  const tab = link(host, "tab-1");
  const r = await tab.request("bind", { path: `/messaging/thread/${A}/` });
  assert.equal(r.conversationId, A, "bound: it knows which conversation the page shows");
  assert.equal(r.status.sync, "key_missing");
  assert.equal(engine.views.size, 0, "no view opened: the engine is asked to do nothing");
  assert.equal(host.pollers(), 0);
  await assert.rejects(tab.request("send", { clientKey: "k", text: "hi" }), { code: "key_missing" });
  const bubble = link(host, "bubble");
  engine.list(ME, { urn: convUrn("2-FFFF"), participants: ["x"] });
  assert.equal((await bubble.request("bind", { messageUrns: [msgUrn("zzz")] })).conversationId, null);
  assert.equal(engine.calledTimes("refreshConversations"), 0, "no request while idle");
  key = "secret";
  await host.reopen();
  assert.deepEqual(engine.views.get("tab-1"), [ME, A]);
  assert.equal(tab.last("status").status.sync, "synced");
  assert.deepEqual(tab.last("view").view, engine.conversationView(ME, convUrn(A)));
});

test("a_new_engine_gets_every_view_and_the_account_is_asked_again", async () => {
  let account = ME;
  const { host } = await world({ host: { accountOf: () => account } });
  const tab = link(host, "tab-1");
  await tab.request("bind", { path: `/messaging/thread/${A}/` });
  const other = await FakeEngine.open();
  other.deliver("acct-2", convUrn(A), { id: "z1", messageUrn: msgUrn("z1"), text: "other account", sentAt: 1 });
  account = "acct-2";
  await host.setEngine(other);
  assert.deepEqual(other.views.get("tab-1"), ["acct-2", A]);
  const p = tab.last("view");
  assert.equal(p.account, "acct-2");
  assert.deepEqual(p.view.messages.map((m) => m.id), ["z1"]);
  // Its notices reach the viewers now.
  other.deliver("acct-2", convUrn(A), { id: "z2", messageUrn: msgUrn("z2"), text: "more", sentAt: 2 });
  await settle();
  assert.deepEqual(tab.last("view").view.messages.map((m) => m.id), ["z1", "z2"]);
});

test("the_demo_chooses_its_account_per_viewer_and_sees_lists_refreshed_after_activity", async () => {
  const engine = await FakeEngine.open();
  engine.deliver("acct-2", convUrn(A), { id: "q1", messageUrn: msgUrn("q1"), text: "q", sentAt: 1 });
  const host = createHost({ engine, relistMs: 1 });
  const tab = link(host, "tab");
  const r = await tab.request("bind", { accountId: "acct-2", conversation: convUrn(A), list: true });
  assert.equal(r.account, "acct-2");
  assert.equal(r.conversationId, A, "the view's id when no id function is given");
  assert.equal(engine.calledTimes("refreshConversations"), 1, "a list shown is fetched once");
  engine.deliver("acct-2", convUrn(A), { id: "q2", messageUrn: msgUrn("q2"), text: "q", sentAt: 2 });
  await new Promise((res) => setTimeout(res, 20));
  assert.equal(engine.calledTimes("refreshConversations"), 2, "activity asks for the list again");
  assert.equal(tab.last("view").conversationId, A);
  host.close();
});

test("transport_commands_and_bad_messages", async () => {
  const { host } = await world({
    host: {
      commands: {
        ping: { run: () => "pong", resend: true },
        where: { run: (_f, ctx) => [ctx.viewer, ctx.account, ctx.conversationUrn] },
      },
    },
  });
  const tab = link(host, "tab-1");
  await tab.request("bind", { path: `/messaging/thread/${A}/` });
  assert.equal(await tab.request("ping"), "pong");
  assert.deepEqual(await tab.request("where"), ["tab-1", ME, convUrn(A)]);
  assert.deepEqual(await host.handle("tab-1", { id: 1, type: "where", resent: true }), {
    replyTo: 1, ok: false, error: { name: "ThreadlineError", code: "host_changed", message: (await host.handle("tab-1", { id: 1, type: "where" })).error.message },
  });
  const unknown = await host.handle("tab-1", { id: 2, type: "format-disk" });
  assert.equal(unknown.error.code, "invalid_command");
  assert.equal((await host.handle("tab-1", null)).error.code, "invalid_command");
  assert.equal((await host.handle("nobody", { id: 3, type: "ping" })).error.code, "invalid_command");
  assert.equal((await host.handle("tab-1", { id: 4, type: "upload", name: "a", bytes: [1] })).error.code, "invalid_command", "no client: no upload");
  assert.throws(() => host.connect("tab-1", () => {}), { code: "invalid_command" });
  // A closed remote rejects what waits and what comes.
  const lost = link(host, "lost");
  lost.cut();
  const waiting = lost.request("status");
  lost.remote.close("disconnected", "gone");
  await assert.rejects(waiting, { code: "disconnected" });
  await assert.rejects(lost.request("status"), { code: "disconnected" });
});

test("upload_and_accounts_go_through_the_client_with_the_viewer_account", async () => {
  const seen = [];
  const client = {
    uploadAttachment: async (bytes, mediaType, name, account) => {
      seen.push([[...bytes], mediaType, name, account]);
      return { attachment: { assetUrn: "urn:li:digitalmediaAsset:1", name, mediaType, byteSize: bytes.length } };
    },
    listAccounts: async () => [{ id: ME }],
  };
  const { host } = await world({ host: { client } });
  const tab = link(host, "tab-1");
  const att = await tab.request("upload", { name: "a.txt", mediaType: "text/plain", bytes: new Uint8Array([104, 105]).buffer });
  assert.deepEqual(att, { assetUrn: "urn:li:digitalmediaAsset:1", name: "a.txt", mediaType: "text/plain", byteSize: 2 });
  assert.deepEqual(seen, [[[104, 105], "text/plain", "a.txt", ME]]);
  assert.deepEqual(await tab.request("accounts"), [{ id: ME }]);
  // An API error crosses with its fields.
  client.listAccounts = async () => {
    throw Object.assign(new Error("Too many requests"), { name: "ApiError", code: "rate_limited", status: 429, retryAfterMs: 1000, ambiguous: false });
  };
  await assert.rejects(tab.request("accounts"), (e) => {
    assert.deepEqual([e.name, e.code, e.status, e.retryAfterMs, e.ambiguous], ["ApiError", "rate_limited", 429, 1000, false]);
    return e instanceof ApiError;
  });
});

test("a_command_no_host_ever_had_is_sent_plainly_and_a_stale_bind_gets_the_newest_answer", async () => {
  const { engine, host } = await world();
  let reachable = false;
  const pushes = [];
  const remote = createRemote({
    post: (msg) => {
      if (!reachable) return false; // no host elected yet
      host.handle("late", structuredClone(msg)).then((a) => remote.receive(structuredClone(a)));
      return true;
    },
    onPush: (p) => pushes.push(p),
  });
  host.connect("late", (m) => remote.receive(structuredClone(m)));
  const first = remote.request("bind", { path: `/messaging/thread/${B}/` });
  const second = remote.request("bind", { path: `/messaging/thread/${A}/` });
  const react = remote.request("react", { messageUrn: msgUrn("m2"), emoji: "👍", add: true });
  reachable = true;
  const bound = await remote.hostChanged();
  assert.equal(bound.conversationId, A, "the last bind wins");
  assert.equal((await first).conversationId, A, "a stale bind is answered by the newest");
  assert.equal((await second).conversationId, A);
  assert.deepEqual(await react, { outcome: "reacted", message: "m2", emoji: "👍", add: true }, "never sent before: not a re-send");
  assert.equal(engine.calledTimes("react"), 1);
  assert.equal(engine.calledTimes("openConversation"), 1, "one bind ran, not three");
});

test("a_failed_bind_leaves_the_viewer_unbound_and_a_viewer_gone_mid_bind_leaves_no_view", async () => {
  const { engine, host } = await world();
  const tab = link(host, "tab-1");
  await assert.rejects(tab.request("bind", { conversation: "junk" }), { name: "UrnError" });
  await assert.rejects(tab.request("recall", { messageUrn: msgUrn("m1") }), { code: "unbound" }, "the next command is told, not given the bind's error");
  engine.list(ME, { urn: convUrn("2-GGGG"), participants: ["gone"] });
  const bubble = link(host, "bubble");
  const bound = bubble.request("bind", { messageUrns: [msgUrn("unknown")], profilePath: "/in/gone/" });
  await host.disconnect("bubble"); // the tab closed while the list was on its way
  await bound;
  assert.equal(engine.views.has("bubble"), false);
  assert.equal(host.pollers(), 0);
});

// ---- which account acts: the page's mailbox (issue 14) ------------------------------------------
/** The mailbox of the two tuple forms the fake uses (the real one is the package's `mailboxOf`). */
const mailboxOf = (urn) => /^urn:li:msg_(?:message|conversation):\(urn:li:fsd_profile:([A-Za-z0-9_-]+),/.exec(urn)?.[1];
const profileId = (any) => /^(?:urn:li:fsd_profile:)?(ACoAA[A-Za-z0-9_-]*)$/.exec(any)?.[1] ?? `slug:${any}`;
const inMailbox = (mailbox, mid) => `urn:li:msg_message:(urn:li:fsd_profile:${mailbox},${mid})`;

test("a_viewer_acts_as_the_connected_account_whose_mailbox_its_page_shows", async () => {
  const accounts = [
    { id: "ada", firstName: "Ada", publicId: "ada-lovelace" },
    { id: "grace", firstName: "Grace", publicId: "grace-hopper", profileUrn: "urn:li:fsd_profile:ACoAAGrace" },
  ];
  let listed = 0;
  const client = { listAccounts: async () => (listed++, accounts) };
  const { engine, host } = await world({ host: { client, mailboxOf, profileId, accountOf: () => "ada" } });
  // Ada's mailbox is named by no field of her account: the API lists her conversations under it.
  engine.list("ada", { urn: "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAAda,2-ADA1)" });
  engine.deliver("grace", "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAGrace,2-GR1)", { id: "g1", messageUrn: inMailbox("ACoAAGrace", "g1"), text: "hi" });

  const graceTab = link(host, "tab-grace");
  let r = await graceTab.request("bind", { path: "/messaging/thread/2-GR1/", messageUrns: [inMailbox("ACoAAGrace", "g1")] });
  assert.deepEqual([r.account, r.mailbox, r.accountMatch, r.conversationId], ["grace", "ACoAAGrace", "mailbox", "2-GR1"]);
  await graceTab.request("send", { clientKey: "k-grace", text: "from Grace's tab" });
  assert.equal(engine.calls.findLast(([m]) => m === "send")[1].accountId, "grace");

  const adaTab = link(host, "tab-ada");
  r = await adaTab.request("bind", { path: "/messaging/thread/2-ADA1/", messageUrns: [inMailbox("ACoAAAda", "a1")] });
  assert.deepEqual([r.account, r.accountMatch], ["ada", "mailbox"]);
  assert.deepEqual(engine.calls.filter(([m]) => m === "refreshConversations").map(([, a]) => a.accountId), ["ada"], "only Ada's list was needed");
  // Learned once: another tab of Grace's asks nothing again.
  const asked = listed;
  r = await link(host, "tab-grace-2").request("bind", { messageUrns: [inMailbox("ACoAAGrace", "g1")] });
  assert.equal(r.account, "grace");
  assert.equal(listed, asked);
  // A page that names no mailbox: the default account.
  r = await link(host, "tab-plain").request("bind", { path: "/messaging/thread/2-ADA1/" });
  assert.deepEqual([r.account, r.accountMatch], ["ada", "default"]);
  assert.deepEqual(host.viewers().find((v) => v.viewer === "tab-grace").account, "grace");
});

test("a_mailbox_learned_from_a_list_another_viewer_asked_for_waits_for_that_list", async () => {
  // Ada's mailbox is named by no field of her account, only by her conversation list. A list
  // viewer (no mailbox: the default account) asks for that list first and does not wait for it;
  // a tab on Ada's thread then binds while it is still being read (with a conversation window the
  // engine reads each listed conversation's stored record before the list changes). It must wait
  // for that list, not read it half-done and remember "no connected account has this mailbox".
  const client = { listAccounts: async () => [{ id: "ada", firstName: "Ada" }] };
  const { engine, host } = await world({ host: { client, mailboxOf, profileId, accountOf: () => "ada" } });
  engine.list("ada", { urn: "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAAda,2-ADA1)" });
  let open;
  const gate = new Promise((r) => (open = r));
  const refresh = engine.refreshConversations.bind(engine);
  engine.refreshConversations = async (arg) => {
    await gate;
    return refresh(arg);
  };
  const listTab = link(host, "tab-list");
  let r = await listTab.request("bind", { list: true });
  assert.deepEqual([r.account, r.accountMatch], ["ada", "default"]);
  const adaTab = link(host, "tab-ada");
  const binding = adaTab.request("bind", { path: "/messaging/thread/2-ADA1/", messageUrns: [inMailbox("ACoAAAda", "a1")] });
  await settle(20);
  open();
  r = await binding;
  assert.deepEqual([r.account, r.mailbox, r.accountMatch], ["ada", "ACoAAAda", "mailbox"]);
  assert.equal(engine.calledTimes("refreshConversations"), 1, "the list asked once, by the list viewer");
});

test("a_mailbox_no_connected_account_has_acts_as_no_one_and_says_so", async () => {
  const client = { listAccounts: async () => [{ id: "ada", publicId: "ACoAAAda" }] };
  const { engine, host } = await world({ host: { client, mailboxOf, profileId, accountOf: () => "ada" } });
  const tab = link(host, "tab-k");
  const r = await tab.request("bind", { path: `/messaging/thread/${A}/`, messageUrns: [inMailbox("ACoAAKath", "k1")] });
  assert.deepEqual([r.account, r.mailbox, r.accountMatch, r.conversationUrn, r.status], [null, "ACoAAKath", "none", null, null]);
  assert.equal(engine.views.has("tab-k"), false, "no view opened for any account");
  for (const [type, fields] of [["send", { clientKey: "k1", text: "x" }], ["react", { messageUrn: msgUrn("m2"), emoji: "👍", add: true }], ["recall", { messageUrn: msgUrn("m1") }], ["list", {}], ["refreshConversations", {}]]) {
    await assert.rejects(tab.request(type, fields), { name: "ThreadlineError", code: "account_unmatched" }, type);
  }
  assert.equal(engine.calledTimes("send"), 0);
  // No status of any account is pushed to it.
  engine.setSync("ada", "serverTrouble");
  await settle();
  assert.equal(tab.last("status"), undefined);
  assert.equal(engine.calledTimes("refreshConversations"), 1, "Ada's list was looked at once for the mailbox, not again");
});

test("while_the_accounts_cannot_be_listed_a_page_that_names_a_mailbox_acts_as_no_one_then_as_its_own", async () => {
  let down = true;
  const client = {
    listAccounts: async () => {
      if (down) throw new ApiError("server", "HTTP 503");
      return [{ id: "grace", profileUrn: "urn:li:fsd_profile:ACoAAGrace" }];
    },
  };
  const { engine, host } = await world({ host: { client, mailboxOf, profileId, accountOf: () => "ada" } });
  const tab = link(host, "tab-g");
  const bind = { path: `/messaging/thread/${A}/`, messageUrns: [inMailbox("ACoAAGrace", "g1")] };
  let r = await tab.request("bind", bind);
  assert.deepEqual([r.account, r.accountMatch, r.conversationUrn], [null, "pending", null], "not the default account on Grace's page");
  assert.equal(r.status.sync, "synced", "the default's status says why nothing can be told (a refused key, server trouble)");
  engine.setSync("ada", "pausedUnauthorized");
  await settle();
  assert.equal(tab.last("status").status.sync, "pausedUnauthorized");
  engine.setSync("ada", "synced");
  await assert.rejects(tab.request("send", { clientKey: "k1", text: "x" }), { code: "unbound" });
  assert.equal(engine.views.has("tab-g"), false);
  down = false;
  r = await tab.request("bind", bind);
  assert.deepEqual([r.account, r.accountMatch], ["grace", "mailbox"]);
});

/** An engine on a conversation window: `n` stored conversations (every third unread), `shown` listed. */
async function windowedWorld(n, shown, page) {
  const { engine, host } = await world();
  engine.state.accounts = {};
  for (let i = 0; i < n; i++) {
    const id = engine.ensure(ME, convUrn(`2-W${String(i).padStart(3, "0")}`));
    engine.acct(ME).conversations[id].unread = i % 3 === 0 ? 1 : 0;
  }
  engine.windowed = shown;
  engine.page = page;
  return { engine, host };
}

test("a_list_viewer_gets_whether_the_list_goes_on_and_the_whole_lists_unread_then_pages_it_in", async () => {
  const { engine, host } = await windowedWorld(12, 5, 5);
  const inbox = link(host, "inbox");
  const r = await inbox.request("bind", { list: true });
  assert.equal(r.list.length, 5);
  assert.equal(r.listHasMore, true);
  assert.equal(r.unreadTotal, 4, "the engine's count of all 12, not a sum over the 5 listed (2)");
  // A double click: two calls, two pages, neither lost nor read twice.
  const [one, two] = await Promise.all([inbox.request("loadMoreConversations"), inbox.request("loadMoreConversations")]);
  assert.equal(one.list.length, 10);
  assert.deepEqual([two.list.length, two.hasMore, two.unreadTotal], [12, false, 4]);
  assert.deepEqual(two.list.map((c) => c.id), engine.conversationList(ME).map((c) => c.id));
  await settle();
  const pushed = inbox.pushes.filter((p) => p.type === "list");
  assert.deepEqual(pushed.slice(-2).map((p) => [p.list.length, p.hasMore, p.unreadTotal]), [[10, true, 4], [12, false, 4]]);
  // At the end, a call reads nothing and says so.
  const end = await inbox.request("loadMoreConversations");
  assert.deepEqual([end.list.length, end.hasMore], [12, false]);
});

test("a_page_that_cannot_be_read_rejects_with_storage_and_the_list_still_goes_on", async () => {
  const { engine, host } = await windowedWorld(8, 5, 5);
  const inbox = link(host, "inbox");
  await inbox.request("bind", { list: true });
  engine.failNextPage = "disk gone";
  await assert.rejects(inbox.request("loadMoreConversations"), (e) => e.code === "storage" && /disk gone/.test(e.message));
  const again = await inbox.request("loadMoreConversations");
  assert.deepEqual([again.list.length, again.hasMore], [8, false]);
});
