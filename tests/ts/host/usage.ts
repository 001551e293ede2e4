// threadline/host as a typed consumer writes it: a host on an engine, a viewer's remote, a push.
import { createHost, createRemote, type Host, type HostPush, type BindResult } from "threadline/host";
import { init, ThreadlineEngine, conversationId } from "threadline";

export async function hostOneEngine(): Promise<string | null> {
  await init();
  const engine = await ThreadlineEngine.open({ baseUrl: "https://api.example.com", apiKey: "k", storage: "memory" });
  const host: Host = createHost({ engine, conversationId, accountOf: () => "" });
  const shown: number[] = [];
  const remote = createRemote({
    post: (command) => {
      void host.handle("tab-1", command).then((answer) => remote.receive(answer));
    },
    onPush: (push: HostPush) => {
      if (push.type === "view") shown.push(push.view?.messages.length ?? 0);
    },
  });
  host.connect("tab-1", (push) => remote.receive(push));
  const bound = await remote.request<BindResult>("bind", { path: "/messaging/thread/2-abc/" });
  // @ts-expect-error: a host needs its engine
  createHost({});
  return bound.conversationId;
}
