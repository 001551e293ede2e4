// A typed consumer of the package's public .d.ts: compiled with `tsc --noEmit` in the test
// command, so a loose `any` or a renamed export breaks the build.
import {
  init,
  parseUrn,
  messageId,
  conversationId,
  profileId,
  tryMessageId,
  tryConversationId,
  tryProfileId,
  isSalesNavThread,
  encodeUrnForPath,
  ThreadlineClient,
  type ParsedUrn,
  type ApiError,
  type ApiErrorCode,
  type ConversationsPage,
  type MessagesPage,
  type SendResponse,
  type Account,
  type AccountStatus,
  type ConversationSource,
  type SkippedItem,
} from "threadline";

export async function normalize(urn: string): Promise<{ id: string; parts: string[] }> {
  await init();
  const parsed: ParsedUrn = parseUrn(urn);
  const parts: string[] = parsed.parts;
  const entity: string = parsed.entityType;
  const id: string = messageId(urn);
  const thread: string = conversationId("https://www.linkedin.com/messaging/thread/2-abc/");
  const who: string = profileId("urn:li:fsd_profile:ACoAAB");
  // The try… forms answer null where the throwing ones throw a UrnError.
  const maybe: string | null = tryMessageId(urn) ?? tryConversationId(urn) ?? tryProfileId(urn);
  // @ts-expect-error: the answer may be null
  const notNull: string = tryMessageId(urn);
  const salesNav: boolean = isSalesNavThread(thread) && maybe !== notNull;
  const path: string = encodeUrnForPath(urn);
  return { id: `${id}${entity}${who}${salesNav}${path}`, parts };
}

export async function talk(baseUrl: string): Promise<string> {
  await init();
  const client = new ThreadlineClient({
    baseUrl,
    apiKey: async () => "dev",
    accountId: "acc",
    timeoutMs: 10_000,
  });
  const page: ConversationsPage = await client.listConversations({ count: 10 });
  const first: string = page.conversations?.[0]?.conversationUrn ?? "";
  const older: MessagesPage = await client.messages(first, { cursor: page.nextCursor });
  const accounts: Account[] = await client.listAccounts("ada");
  // Unknown statuses and sources arrive as the server wrote them; the known ones still narrow.
  const status: AccountStatus = accounts[0]?.status ?? "UNKNOWN";
  const busy: boolean = status === "IN_USE" || status === "FREE";
  const source: ConversationSource | undefined = page.conversations?.[0]?.source;
  const skipped: SkippedItem[] = older.skipped ?? [];
  const why: string = skipped.map((s) => `${s.index}:${s.id ?? "?"}:${s.reason}`).join();
  const unread = await client.listConversations({ unreadOnly: true });
  try {
    const sent: SendResponse = await client.send({ message: "hi", conversationUrn: first });
    const id: string | undefined = sent.messageId ?? sent.sentMessage?.messageUrn;
    return `${older.hasMore}${accounts.length}${sent.success}${busy}${source}${why}${id}${unread.hasMore}`;
  } catch (e) {
    const err = e as ApiError;
    const code: ApiErrorCode = err.code;
    if (code === "forbidden") return "subscription needed";
    const wait: number | undefined = err.retryAfterMs;
    const resetAt: number | undefined = err.rateLimit?.resetAtMs ?? err.rateLimit?.holdUntilMs;
    if (resetAt !== undefined) return `${code}${resetAt}`;
    return `${code}${err.status ?? ""}${wait ?? ""}${err.ambiguous}`;
  } finally {
    client.free();
  }
}
