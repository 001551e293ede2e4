// A third party's browser app, bundled by Vite 7 from the packed tarball: the .wasm is emitted
// as an asset next to the bundle and fetched by init().
import {
  init,
  messageId,
  isSalesNavThread,
  isRefusal,
  ApiError,
  ThreadlineClient,
  ThreadlineEngine,
  type ApiErrorCode,
} from "threadline";

declare global {
  interface Window {
    consumerResult?: { ok: boolean; detail: string };
  }
}

async function main(): Promise<string> {
  await init();
  const id = messageId("urn:li:messagingMessage:2-abc");
  const salesNav = isSalesNavThread("urn:li:salesNav_thread:1-x");
  const sim = new URLSearchParams(location.search).get("sim");
  if (!sim) throw new Error("no ?sim= URL");
  const client = new ThreadlineClient({ baseUrl: sim, apiKey: () => "dev" });
  const accounts = await client.listAccounts();
  let code: ApiErrorCode | "not an ApiError" = "not an ApiError";
  try {
    await new ThreadlineClient({ baseUrl: sim, apiKey: "wrong" }).listAccounts();
  } catch (e) {
    if (e instanceof ApiError) code = e.code;
  }
  // A refusal, recognised by the guard and typed by it (no cast).
  const engine = await ThreadlineEngine.open({ baseUrl: sim, apiKey: "dev", storage: "memory", realtime: false });
  let refused = "no refusal";
  try {
    await engine.send({ accountId: "", conversationUrn: "urn:li:messagingThread:2-abc", text: "" });
  } catch (e) {
    if (isRefusal(e) && e.refusal.code === e.code) refused = "refused";
  } finally {
    engine.close();
  }
  return `${id} ${salesNav} ${accounts.length} ${code} ${refused}`;
}

main().then(
  (detail) => {
    window.consumerResult = { ok: true, detail };
    document.getElementById("out")!.textContent = detail;
  },
  (e: unknown) => {
    window.consumerResult = { ok: false, detail: String(e) };
  },
);
