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
  type Records,
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
  const issues: string[] = engine.restoreIssues();
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
  await engine.openConversation("tab-1", "acc", "2-abc");
  await engine.loadOlder("acc", "2-abc");
  await engine.refreshConversations("acc");
  const list: ConversationSummary[] = engine.conversationList("acc");
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
    await engine.react("acc", "2-abc", "2-msg", "👍", true);
    await engine.recall("acc", "2-abc", "2-msg");
    await engine.markRead("acc", "2-abc");
    await engine.retrySend("acc", key);
    await engine.discardSend("acc", key);
    await engine.keyUpdated();
  } catch (e) {
    const err = e as ThreadlineError;
    const code: ThreadlineErrorCode = err.code;
    if (err.refusal?.code === "quotaExceeded") console.log(err.refusal.resetsAt);
    console.log(code);
  }
  await engine.applyRemote({ kind: "read", account: "acc", conversation: "2-abc", at: 1 });
  const records: Records = engine.snapshot();
  await engine.closeView("tab-1");
  unsubscribe();
  stop();
  engine.close();
  return `${issues.length}${list.length}${status.sync}${pending.length}${records.version}`;
}
