// A third party's Node 20 project: installs the packed tarball, imports `threadline` by name
// (the exports map's node entry), and uses the URN functions and the client against the
// simulator whose URL is in THREADLINE_SIM_URL.
import { test } from "node:test";
import assert from "node:assert/strict";
import { init, messageId, conversationId, parseUrn, ThreadlineClient } from "threadline";

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
