// threadline/host: one open ThreadlineEngine serving many viewers over any transport.
import type {
  ThreadlineEngine,
  ThreadlineClient,
  ConversationView,
  ConversationSummary,
  Notice,
} from "./index.js";

/** An error as plain data, as it crosses a transport (rebuilt into an `Error` on the other side). */
export interface ErrorData {
  name: string;
  /**
   * snake_case: a refusal, failure, API or URN code, or the host's own: `host_changed` (re-sent
   * after the host changed and not safe to run twice), `unbound` (the viewer shows no known
   * conversation), `invalid_command` (unknown type or viewer), `starting` (no engine yet).
   */
  code: string;
  message: string;
  refusal?: unknown;
  failure?: unknown;
  status?: number;
  retryAfterMs?: number;
  reason?: string;
  rateLimit?: unknown;
  ambiguous?: boolean;
  offset?: number;
}

/** A viewer's command: an id it picks, a type, the command's fields. */
export interface HostCommand {
  id?: string | number;
  type: string;
  /** Set by a viewer re-sending a command whose host vanished before answering. */
  resent?: boolean;
  [field: string]: unknown;
}

/** The host's answer to one command. */
export type HostAnswer =
  | { replyTo: string | number | undefined; ok: true; result: unknown }
  | { replyTo: string | number | undefined; ok: false; error: ErrorData };

/**
 * How a bind's account was chosen: `mailbox` (the connected account whose mailbox its message
 * URNs are filed under), `none` (no connected account has that mailbox: `account` is null and
 * every action is refused with `account_unmatched`), `default` (the URNs name no mailbox, or it
 * cannot be told: no key or client, so `accountOf`), `ambiguous` (two mailboxes named: the
 * default), `pending` (the accounts could not be listed yet: `account` is null and every action is
 * refused with `unbound` until a later bind tells).
 */
export type AccountMatch = "mailbox" | "none" | "default" | "ambiguous" | "pending";

/** What `bind` answers: the conversation the viewer now shows (or none), as the engine holds it. */
export interface BindResult {
  /** The account the viewer acts as; null when no connected account has its page's mailbox. */
  account: string | null;
  /** The profile id of the mailbox its message URNs are filed under, if they name one. */
  mailbox: string | null;
  /** How `account` was chosen. */
  accountMatch: AccountMatch;
  conversationId: string | null;
  conversationUrn: string | null;
  view: ConversationView | null;
  /** `statusOf(account)`: the engine's `StatusView` unless the host was given another. */
  status: unknown;
  /** Present when the bind asked for the list (`list: true`). */
  list?: ConversationSummary[];
  /** With `list`: whether the stored list goes on past it (`loadMoreConversations`). */
  listHasMore?: boolean;
  /** With `list`: the unread count of the whole list (also of conversations not in `list`). */
  unreadTotal?: number;
}

/**
 * An account's conversation list as the engine holds it (pushed as `list`, answered by
 * `loadMoreConversations`).
 */
export interface ConversationListState {
  /** Newest activity first: with IndexedDB storage the newest pages, as far as they were read. */
  list: ConversationSummary[];
  /** The stored list goes on past `list`: `loadMoreConversations` reads the next page. */
  hasMore: boolean;
  /** The engine's unread count of the whole list (`unreadTotal`), not a sum over `list`. */
  unreadTotal: number;
}

/** What the host pushes to a viewer. */
export type HostPush =
  | { type: "view"; account: string; conversationId: string | null; conversationUrn: string; view: ConversationView | null }
  | { type: "status"; account: string; status: unknown }
  | ({ type: "list"; account: string } & ConversationListState)
  | { type: "notice"; account: string; notice: Notice };

/** What a transport's own command gets besides its fields. */
export interface CommandContext {
  viewer: string;
  account: string;
  conversationUrn: string | null;
  engine: ThreadlineEngine | null;
  client: ThreadlineClient | null;
  host: Host;
}

/** A transport's own command (settings, a connection test…), answered like the built-in ones. */
export interface ExtraCommand {
  /** Runs the command; its value (or its Promise's) is the answer's `result`, a throw its `error`. */
  run(fields: Record<string, unknown>, context: CommandContext): unknown;
  /** May run again when re-sent after the host changed (default false: `host_changed`). */
  resend?: boolean;
}

/** What `createHost` takes: the engine, and the transport's choices. */
export interface HostOptions {
  /** The open engine (or null until one is open: commands fail with `starting`). */
  engine: ThreadlineEngine | null;
  /** For `upload` and `accounts`. */
  client?: ThreadlineClient | null;
  /** The account a viewer works in; `asked` is the `accountId` its bind named. Default: `asked ?? ""`. */
  accountOf?(viewer: string, asked: string | undefined): string;
  /** The mailbox profile id of a message URN (the package's `mailboxOf`): with it and a client, a
   * viewer acts as the connected account whose mailbox its bind's message URNs are under. */
  mailboxOf?(urn: string): string | null | undefined;
  /** Canonical id of a profile in any form (the package's `profileId`), for the accounts'
   * profile fields. */
  profileId?(form: string): string;
  /** Canonical id of a conversation URN (the package's `conversationId`). Default: the view's id. */
  conversationId?(urn: string): string;
  /** The status pushed to viewers. Default: `engine.status(account)` (a `StatusView`). */
  statusOf?(account: string): unknown;
  /** While it returns an error, bindings are kept but the engine is asked to do nothing. */
  idle?(): { code: string; message: string } | null;
  /** The transport's own commands. */
  commands?: Record<string, ExtraCommand>;
  /** Re-list conversations at most this often after activity, while a viewer shows the list. */
  relistMs?: number;
}

/** One engine's viewers: registry, bind, command round-trip, pushes, the re-send rule. */
export interface Host {
  /** Registers a viewer; `push` delivers the host's messages to it. Returns its disconnect. */
  connect(viewer: string, push: (message: HostPush) => void): () => Promise<void>;
  /** The viewer is gone: its view closes. */
  disconnect(viewer: string): Promise<void>;
  /** One command → its answer (never rejects). */
  handle(viewer: string, command: HostCommand): Promise<HostAnswer>;
  /** Another engine: every bound viewer's view opens on it, and each gets its view and status. */
  setEngine(engine: ThreadlineEngine | null): Promise<void>;
  /** Another client for `upload` and `accounts`. */
  setClient(client: ThreadlineClient | null): void;
  /** Opens every viewer's view again (after the key or account changed) and pushes. */
  reopen(): Promise<void>;
  /** Pushes every viewer its status and view again. */
  refresh(): void;
  /** What each viewer shows. */
  viewers(): { viewer: string; account: string | null; mailbox: string | null; accountMatch: AccountMatch; conversationUrn: string | null; conversationId: string | null }[];
  /** Conversations in view (each polled once by the engine). */
  pollers(): number;
  readonly engine: ThreadlineEngine | null;
  /** Stops listening to the engine (which stays open). */
  close(): void;
}

/**
 * Hosts one open engine for many viewers. Built-in commands: `bind` ({path} | {conversation} |
 * {messageUrns, profilePath?}; `accountId`, `list`, `notices`), `unbind`, `view`, `list`,
 * `status`, `send`, `retrySend`, `discardSend`, `react` ({messageUrn, emoji, add}), `recall`
 * ({messageUrn}), `loadOlder`, `refresh`, `rescan`, `markRead`, `refreshConversations`,
 * `loadMoreConversations` (one page more of the stored list per call, answered with the
 * `ConversationListState` once it is read; rejects with `storage` when it could not be), `upload`
 * ({name, mediaType, bytes}), `accounts`. Commands act on the viewer's bound conversation.
 */
export function createHost(options: HostOptions): Host;

/** The viewer's side of the round-trip. */
export interface Remote {
  /** Sends a command; resolves with its result, rejects with the error rebuilt. */
  request<T = unknown>(type: string, fields?: Record<string, unknown>): Promise<T>;
  /** Every message from the host: answers settle commands, anything else goes to `onPush`. */
  receive(message: unknown): void;
  /**
   * Another host now: binds again (with the last bind's fields), then sends every unanswered
   * command again, marked `resent` when the vanished host had it. Resolves with the bind's answer.
   */
  hostChanged(): Promise<BindResult | null>;
  /** Commands waiting for an answer. */
  readonly pending: number;
  /** No host will answer: pending commands reject with `code`. */
  close(code?: string, message?: string): void;
}

/**
 * The viewer's side: numbers its commands, matches the host's answers, rebuilds their errors
 * (npm/errors.js), and after the host changed binds again and re-sends what was unanswered.
 */
export function createRemote(options: {
  /** Sends to the host; returns `false` when there is none to send to yet (sent at `hostChanged`). */
  post(message: HostCommand): void | boolean;
  onPush?(message: HostPush): void;
}): Remote;
