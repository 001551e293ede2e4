// A typed consumer of ThreadlineEngine as the extension and the demo use it: compiled with
// `tsc --noEmit`, so a renamed method, a loosened type or an `any` breaks the build.
import {
  init,
  ThreadlineEngine,
  type ConversationView,
  type ConversationSummary,
  type MessageView,
  type Notice,
  type RemoteFact,
  type StatusView,
  type StorageAdapter,
  type ThreadlineError,
  type ThreadlineErrorCode,
  type RestoreIssueReport,
  type Outcome,
} from "threadline";

export async function inbox(baseUrl: string, post: (fact: RemoteFact) => void): Promise<string> {
  await init();
  const memory = new Map<string, string>();
  const adapter: StorageAdapter = {
    get: (k) => memory.get(k),
    set: async (k, v) => void memory.set(k, v),
    remove: (k) => void memory.delete(k),
  };
  const engine: ThreadlineEngine = await ThreadlineEngine.open({
    baseUrl,
    apiKey: () => Promise.resolve("dev"),
    storage: Math.random() > 0.5 ? "localStorage" : adapter,
    storageKey: "inbox",
    realtime: true,
    realtimeUrl: "ws://127.0.0.1:8787/ws",
    timeoutMs: 10_000,
    config: { pollIntervalMs: 5_000 },
  });
  // Per-record storage, with an older store moved in once.
  const indexed: ThreadlineEngine = await ThreadlineEngine.open({
    baseUrl,
    apiKey: "dev",
    storage: "indexedDB",
    migrateFrom: Math.random() > 0.5 ? "localStorage" : adapter,
  });
  indexed.close();
  const issues: RestoreIssueReport[] = engine.restoreIssues();
  console.log(issues.map((i) => `${i.code}: ${i.message}`));
  const unsubscribe: () => void = engine.subscribe((n: Notice) => {
    if (n.notice === "conversationChanged") {
      const v: ConversationView | undefined = engine.conversationView(n.account, n.conversation);
      const texts: string[] = v?.messages.map((m: MessageView) => m.text) ?? [];
      console.log(texts, v?.hasMoreHistory);
    } else if (n.notice === "refused") {
      console.log(n.reason.code);
    } else if (n.notice === "sendFailed") {
      console.log(n.clientKey, n.reason.code);
    }
  });
  const stop: () => void = engine.onBroadcast(post);
  await engine.openConversation({ view: "tab-1", accountId: "acc", conversationUrn: "2-abc" });
  const older: Outcome = await engine.loadOlder({ accountId: "acc", conversationUrn: "2-abc" });
  console.log(older.outcome);
  await engine.refreshConversations({ accountId: "acc" });
  const list: ConversationSummary[] = engine.conversationList("acc");
  // Over IndexedDB the list starts as a window of the stored one; the rest comes page by page.
  const hasMore: boolean = engine.conversationListHasMore("acc");
  if (hasMore) {
    const paged: Outcome = await engine.loadMoreConversations("acc");
    console.log(paged.outcome);
  }
  const unread: number = engine.unreadTotal("acc");
  console.log(unread);
  // Memory's answer is synchronous; storage's (IndexedDB: messages not in memory) a Promise.
  const holder: string | undefined = engine.conversationOfMessage("acc", "2-msg");
  const holders: string[] = await engine.locateMessages("acc", ["2-msg", "2-other"]);
  console.log(holder, holders.length);
  const status: StatusView = engine.status("acc");
  const pending: MessageView[] = engine.unplacedOutbox("acc");
  try {
    const key: string = await engine.send({
      accountId: "acc",
      recipientProfileUrn: "urn:li:fsd_profile:ACoAAB",
      text: "hi",
      channel: "linkedin_inbox",
      attachments: [],
    });
    await engine.react({ accountId: "acc", conversationUrn: "2-abc", messageUrn: "2-msg", emoji: "👍", add: true });
    await engine.recall({ accountId: "acc", conversationUrn: "2-abc", messageUrn: "2-msg" });
    await engine.markRead({ accountId: "acc", conversationUrn: "2-abc" });
    await engine.retrySend({ accountId: "acc", clientKey: key });
    await engine.discardSend({ accountId: "acc", clientKey: key });
    await engine.keyUpdated();
  } catch (e) {
    const err = e as ThreadlineError;
    const code: ThreadlineErrorCode = err.code;
    if (err.refusal?.code === "quota_exceeded") console.log(err.refusal.resetsAt);
    if (err.failure) console.log(err.failure.code, err.failure.message);
    console.log(code);
  }
  await engine.applyRemote({ kind: "read", account: "acc", conversation: "2-abc", at: 1 });
  const records: unknown = engine.snapshot();
  await engine.closeView({ view: "tab-1" });
  unsubscribe();
  stop();
  engine.close();
  return `${issues.length}${list.length}${status.sync}${pending.length}${JSON.stringify(records).length}`;
}
