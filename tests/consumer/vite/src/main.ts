// A third party's browser app, bundled by Vite 7 from the packed tarball: the .wasm is emitted
// as an asset next to the bundle and fetched by init().
import { init, messageId, isSalesNavThread, ThreadlineClient, type ApiError } from "threadline";

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
  let code = "";
  try {
    await new ThreadlineClient({ baseUrl: sim, apiKey: "wrong" }).listAccounts();
  } catch (e) {
    code = (e as ApiError).code;
  }
  return `${id} ${salesNav} ${accounts.length} ${code}`;
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
