// A third party's Node 20 project: installs the packed tarball, imports `threadline` by name
// (the exports map's node entry), and uses the URN functions and the client against the
// simulator whose URL is in THREADLINE_SIM_URL.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  init,
  messageId,
  conversationId,
  parseUrn,
  ThreadlineClient,
  ThreadlineEngine,
  ThreadlineError,
  ApiError,
  UrnError,
  isApiError,
  isRefusal,
  isThreadlineError,
  isUrnError,
  errorToData,
  errorFromData,
  REFUSAL_CODES,
} from "threadline";

const SIM = process.env.THREADLINE_SIM_URL;

test("URN functions work after init", async () => {
  await init();
  const id = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";
  assert.equal(messageId(`urn:li:msg_message:(urn:li:fsd_profile:ACoAAA,${id})`), id);
  assert.equal(conversationId(`urn:li:messagingThread:${id}`), id);
  assert.deepEqual(parseUrn("urn:li:fs_event:(7,2-x)").parts, ["7", "2-x"]);
});

test("the client lists accounts and conversations from the simulator", async () => {
  assert.ok(SIM, "THREADLINE_SIM_URL must name a running threadline-sim");
  await init();
  const client = new ThreadlineClient({ baseUrl: SIM, apiKey: "dev" });
  const accounts = await client.listAccounts();
  assert.ok(accounts.length >= 3);
  const page = await client.listConversations({ accountId: accounts[0].id, count: 5 });
  assert.equal(page.conversations?.length, 5);
});

test("a wrong key rejects with an ApiError coded unauthorized", async () => {
  await init();
  const client = new ThreadlineClient({ baseUrl: SIM, apiKey: "wrong" });
  await assert.rejects(client.listAccounts(), (e) => e.name === "ApiError" && e.code === "unauthorized");
});

// What an error becomes after crossing a real MessageChannel (structured clone) as plain data.
async function acrossAPort(error) {
  const { port1, port2 } = new MessageChannel();
  const arrived = new Promise((resolve) => port2.once("message", resolve));
  port1.postMessage(errorToData(error));
  const data = await arrived;
  port1.close();
  return errorFromData(data);
}

test("errors thrown by the wasm are instanceof the package's classes, and survive a port", async () => {
  await init();
  const client = new ThreadlineClient({ baseUrl: SIM, apiKey: "wrong" });
  const apiErr = await client.listAccounts().then(() => null, (e) => e);
  assert.ok(apiErr instanceof ApiError && isApiError(apiErr), "ApiError");
  assert.ok(!(apiErr instanceof ThreadlineError) && !isUrnError(apiErr));
  assert.equal(apiErr.code, "unauthorized");
  const back = await acrossAPort(apiErr);
  assert.ok(back instanceof ApiError && back !== apiErr);
  assert.deepEqual([back.code, back.status, back.ambiguous, back.message], [apiErr.code, apiErr.status, apiErr.ambiguous, apiErr.message]);

  let urnErr = null;
  try {
    messageId("urn:li:(");
  } catch (e) {
    urnErr = e;
  }
  assert.ok(urnErr instanceof UrnError && isUrnError(urnErr) && typeof urnErr.offset === "number");
  const urnBack = await acrossAPort(urnErr);
  assert.ok(urnBack instanceof UrnError);
  assert.deepEqual([urnBack.code, urnBack.offset], [urnErr.code, urnErr.offset]);

  // Look-alikes are not: plain data, and an Error with a code no ApiError has.
  assert.ok(!({ name: "ApiError", code: "unauthorized" } instanceof ApiError));
  assert.ok(!isApiError(Object.assign(new Error("x"), { name: "ApiError", code: "made_up" })));
});

test("an engine refusal is a ThreadlineError that isRefusal, before and after a port", async () => {
  await init();
  const engine = await ThreadlineEngine.open({ baseUrl: SIM, apiKey: "dev", storage: "memory", realtime: false });
  try {
    const refused = await engine
      .send({ accountId: "", conversationUrn: "urn:li:messagingThread:2-abc", text: "   " })
      .then(() => null, (e) => e);
    assert.ok(refused instanceof ThreadlineError && isThreadlineError(refused), `not a ThreadlineError: ${refused}`);
    assert.ok(isRefusal(refused) && REFUSAL_CODES.includes(refused.code));
    assert.equal(refused.refusal.code, refused.code);
    assert.ok(!isApiError(refused));
    const back = await acrossAPort(refused);
    assert.ok(isRefusal(back) && back instanceof ThreadlineError);
    assert.deepEqual(back.refusal, refused.refusal);
  } finally {
    engine.close();
  }
  // A closed engine rejects with a ThreadlineError that is no refusal.
  const closed = await engine
    .send({ accountId: "", conversationUrn: "urn:li:messagingThread:2-abc", text: "hello" })
    .then(() => null, (e) => e);
  assert.ok(closed instanceof ThreadlineError && !isRefusal(closed), `${closed}`);
  assert.equal(closed.code, "closed");
});

test("threadline/host serves one real engine to two viewers over message ports", async () => {
  const { createHost, createRemote } = await import("threadline/host");
  await init();
  const ids = await (await fetch(`${SIM}/__sim/seed-ids`)).json();
  const engine = await ThreadlineEngine.open({
    baseUrl: SIM, apiKey: "dev", storage: "memory", realtime: false, config: { pollIntervalMs: 300 },
  });
  const host = createHost({ engine, conversationId, accountOf: () => ids.defaultAccount });
  const closers = [];
  // Each viewer on its own MessageChannel: every command, answer and push is structured-cloned.
  function viewer(name) {
    const { port1: hostSide, port2: viewerSide } = new MessageChannel();
    closers.push(() => hostSide.close(), () => viewerSide.close());
    const views = [];
    host.connect(name, (push) => hostSide.postMessage(push));
    hostSide.on("message", async (cmd) => hostSide.postMessage(await host.handle(name, cmd)));
    const remote = createRemote({
      post: (cmd) => viewerSide.postMessage(cmd),
      onPush: (p) => p.type === "view" && views.push(p.view),
    });
    viewerSide.on("message", (m) => remote.receive(m));
    return { remote, views };
  }
  const until = async (what, ok) => {
    for (let i = 0; i < 200; i++) {
      if (ok()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`timed out: ${what}`);
  };
  try {
    const a = viewer("a");
    const b = viewer("b");
    const bound = await a.remote.request("bind", { conversation: ids.longThreadId });
    assert.equal(bound.conversationId, ids.longThreadId);
    assert.equal((await b.remote.request("bind", { conversation: bound.conversationUrn })).conversationId, ids.longThreadId);
    assert.equal(host.pollers(), 1, "one conversation polled for two viewers");
    await until("the first page in both viewers", () => a.views.at(-1)?.messages.length > 0 && b.views.at(-1)?.messages.length > 0);
    const mine = a.views.at(-1).messages.find((m) => m.isSentByOwner);
    assert.ok(mine?.recall?.recall, "the view says whether each message may be recalled");
    // A send from viewer a reaches viewer b's view, sent.
    const text = `host consumer ${Date.now()}`;
    const clientKey = `k-${Date.now()}`;
    assert.deepEqual(await a.remote.request("send", { clientKey, text }), { clientKey });
    await until("the send, sent, in viewer b", () => b.views.at(-1)?.messages.some((m) => m.text === text && m.id && m.state.state === "sent"));
    // The engine's refusal, rebuilt on the viewer's side into the package's class.
    const refused = await b.remote.request("send", { clientKey: "k-empty", text: "   " }).then(() => null, (e) => e);
    assert.ok(refused instanceof ThreadlineError && isRefusal(refused), `${refused}`);
    assert.equal(refused.code, "empty_message");
  } finally {
    host.close();
    engine.close();
    for (const close of closers) close();
  }
});
