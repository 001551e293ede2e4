// threadline/host as a typed consumer writes it: a host on an engine, a viewer's remote, a push.
import { createHost, createRemote, type Host, type HostPush, type BindResult, type ConversationListState } from "threadline/host";
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
      if (push.type === "list") shown.push(push.hasMore ? push.list.length : push.unreadTotal);
    },
  });
  host.connect("tab-1", (push) => remote.receive(push));
  const bound = await remote.request<BindResult>("bind", { path: "/messaging/thread/2-abc/", list: true });
  const unread: number | undefined = bound.unreadTotal;
  if (bound.listHasMore) {
    const more = await remote.request<ConversationListState>("loadMoreConversations");
    const all: boolean = !more.hasMore;
    shown.push(more.list.length, more.unreadTotal, all ? 1 : 0, unread ?? 0);
  }
  // @ts-expect-error: a host needs its engine
  createHost({});
  return bound.conversationId;
}
