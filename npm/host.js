// threadline/host: ONE open ThreadlineEngine serving many viewers over any transport (an
// extension's runtime ports, a BroadcastChannel between tabs, a worker's postMessage…).
//
// The host owns what every such setup needs once: the registry of viewers (viewer → account and
// conversation shown), which account acts for a viewer (the connected account whose mailbox its
// message URNs are filed under, else the default: `accountOf`), `bind` (which conversation a
// viewer shows, from a URL path, the message URNs it renders or the one person it talks to: all
// answered by the engine), the command round-trip
// (`{id, type, …fields}` → `{replyTo, ok, result | error}`, errors as plain data rebuilt on the
// other side by npm/errors.js), pushes of views, lists, status and notices to the viewers that
// show them, and the rule for commands re-sent after the host changed. It decides nothing about messages: every rule
// (recall window and eligibility, what is recalled, URNs, quotas, channels) is the engine's, and
// views are passed on as the engine makes them.
//
// The transport's part: call `connect(viewer, push)` when a viewer appears, `handle(viewer, msg)`
// with each message it sends (post the answer back), `disconnect(viewer)` when it goes away. On the
// viewer's side, `createRemote({ post })` numbers commands, matches answers, rebuilds errors and
// re-sends what was unanswered when the host changed (marked `resent: true`; the HOST applies the
// rule, so a viewer that cannot import this module only has to re-send with that flag).

import { ThreadlineError, errorToData, errorFromData } from "./errors.js";

/**
 * LinkedIn's origin: a viewer on LinkedIn's messaging page names its thread by the page's path
 * (the page may be served from another port in tests), read by the engine as this URL.
 */
const LINKEDIN = "https://www.linkedin.com";

/**
 * The commands every host understands. `resend`: may run when a viewer re-sends it because the
 * host that had it vanished without answering (reads, views, paging: harmless twice; `send`:
 * idempotent by its clientKey in the engine; retry/discard: keyed by the entry, a repeat is refused
 * by the engine, never sent twice). react and recall are not: the first may have happened, and a
 * second could undo or repeat it, so the viewer is told to check the conversation instead.
 * `bound`: acts on the viewer's conversation (waits for a bind on its way, refused when unbound).
 */
const BUILTIN = {
  bind: { resend: true },
  unbind: { resend: true },
  view: { resend: true, bound: true },
  list: { resend: true },
  status: { resend: true },
  send: { resend: true },
  retrySend: { resend: true },
  discardSend: { resend: true },
  react: { resend: false, bound: true },
  recall: { resend: false, bound: true },
  loadOlder: { resend: true, bound: true },
  refresh: { resend: true, bound: true },
  rescan: { resend: true, bound: true },
  markRead: { resend: true, bound: true },
  refreshConversations: { resend: true },
  loadMoreConversations: { resend: true },
  upload: { resend: true },
  accounts: { resend: true },
};

/** Answers kept per viewer, so that a command re-sent to the same host runs once. */
const REMEMBERED = 200;

/**
 * @param {object} options
 * @param {object|null} options.engine  an open `ThreadlineEngine` (or null until one is open)
 * @param {object} [options.client]  a `ThreadlineClient`, for `upload` and `accounts`
 * @param {(viewer: string, asked: string|undefined) => string} [options.accountOf]  the account a
 *   viewer works in when its messages name no mailbox; `asked` is what its bind named (default:
 *   that, else "" = workspace default)
 * @param {(urn: string) => (string|null|undefined)} [options.mailboxOf]  the profile id of the
 *   mailbox a message URN is filed under (the package's `mailboxOf`); with it and a client, a
 *   viewer whose bind carries message URNs acts as the connected account of that mailbox, and as
 *   none (every action refused with `account_unmatched`) when no connected account has it
 * @param {(form: string) => string} [options.profileId]  the canonical id of a profile in any form
 *   (the package's `profileId`), to read the accounts' profile fields
 * @param {(urn: string) => string} [options.conversationId]  the canonical id of a conversation
 *   URN (the package's `conversationId`); default: the id of the engine's view
 * @param {(account: string) => any} [options.statusOf]  the status pushed to viewers (default
 *   `engine.status(account)`; a transport may add its own states, e.g. "no API key yet")
 * @param {() => ({code: string, message: string}|null)} [options.idle]  while it returns an error,
 *   the host keeps bindings but asks the engine to do nothing (commands fail with that error)
 * @param {Record<string, {run: (fields: object, ctx: object) => any, resend?: boolean}>} [options.commands]
 *   the transport's own commands (settings, connection test…), answered the same way
 * @param {number} [options.relistMs]  after activity in a conversation, ask for the conversation
 *   list again at most once per this many ms per account, while a viewer shows the list (0: never)
 */
export function createHost(options) {
  const accountOf = options.accountOf ?? ((_viewer, asked) => asked ?? "");
  const extra = options.commands ?? {};
  const idle = options.idle ?? (() => null);
  const relistMs = options.relistMs ?? 0;
  let engine = null;
  let unsubscribe = null;
  let client = options.client ?? null;
  /** viewer → {push, asked, account, urn, cid, list, notices, binding, answers, statusSig} */
  const viewers = new Map();
  /** account → its conversation list asked of this engine (once), settled once it was read */
  const listed = new Map();
  const relist = new Map(); // account → timer
  /** mailbox profile id → account id, or null: none of the connected accounts (until they change) */
  const mailboxes = new Map();
  let matching = null; // the one lookup of the connected accounts under way

  function setEngine(e) {
    unsubscribe?.();
    unsubscribe = null;
    for (const t of relist.values()) clearTimeout(t);
    relist.clear();
    listed.clear();
    mailboxes.clear();
    engine = e ?? null;
    if (engine) unsubscribe = engine.subscribe(onNotice);
  }
  setEngine(options.engine);

  // ---- reads ----------------------------------------------------------------------------------
  const statusOf = (account) => (options.statusOf ? options.statusOf(account) : engine ? engine.status(account) : null);
  const viewOf = (account, urn) => (engine && urn ? engine.conversationView(account, urn) ?? null : null);
  function idOf(account, urn) {
    if (!urn) return null;
    if (options.conversationId) return options.conversationId(urn);
    return viewOf(account, urn)?.id ?? null;
  }
  /** The engine, when it may work; else the reason it may not. */
  function working() {
    if (!engine) throw hostError("starting", "Threadline is starting.");
    const why = idle();
    if (why) throw hostError(why.code, why.message);
    return engine;
  }
  const isIdle = () => !engine || !!idle();
  /**
   * An account's conversation list as viewers get it: the conversations the engine holds (with
   * IndexedDB the newest pages, as far as they were read), whether the stored list goes on
   * (`loadMoreConversations` reads the next page) and the whole list's unread count.
   */
  function listState(account) {
    if (!engine || account === null) return { list: [], hasMore: false, unreadTotal: 0 };
    return {
      list: engine.conversationList(account),
      hasMore: engine.conversationListHasMore(account),
      unreadTotal: engine.unreadTotal(account),
    };
  }

  // ---- pushes ---------------------------------------------------------------------------------
  function send(v, message) {
    try {
      v.push(message);
    } catch (e) {
      console.warn("threadline host: a push failed", e);
    }
  }
  function pushStatusTo(v) {
    // Acting as no account: no account's status is its own, except while its account cannot be
    // told yet (the default's status then says why: a refused key, server trouble).
    const account = v.account ?? v.statusAccount;
    if (account === null || account === undefined) return;
    const status = statusOf(account);
    const sig = JSON.stringify(status);
    if (sig === v.statusSig) return;
    v.statusSig = sig;
    send(v, { type: "status", account: v.account, status });
  }
  function pushViewTo(v, view = viewOf(v.account, v.urn)) {
    if (!v.urn) return;
    v.cid ??= view?.id ?? null;
    send(v, { type: "view", account: v.account, conversationId: v.cid, conversationUrn: v.urn, view });
  }
  function of(account) {
    return [...viewers.values()].filter((v) => v.account === account);
  }

  function onNotice(n) {
    const account = n.account ?? "";
    switch (n.notice) {
      case "conversationChanged": {
        let view;
        for (const v of of(account)) {
          if (!v.urn) continue;
          // A viewer bound before the engine knew the conversation learns its id from the view.
          if (v.cid === null) v.cid = viewOf(account, v.urn)?.id ?? null;
          if (v.cid !== n.conversation) continue;
          view ??= viewOf(account, v.urn);
          pushViewTo(v, view);
        }
        relistSoon(account);
        return;
      }
      case "conversationsChanged": {
        const watching = of(account).filter((v) => v.list);
        if (!watching.length) return;
        const state = listState(account);
        for (const v of watching) send(v, { type: "list", account, ...state });
        return;
      }
      case "statusChanged":
        for (const v of viewers.values()) if ((v.account ?? v.statusAccount) === account) pushStatusTo(v);
        return;
      default:
        for (const v of of(account)) if (v.notices) send(v, { type: "notice", account, notice: n });
    }
  }

  function relistSoon(account) {
    if (!relistMs || relist.has(account) || isIdle() || !of(account).some((v) => v.list)) return;
    const e = engine;
    relist.set(account, setTimeout(() => {
      relist.delete(account);
      if (e === engine && !isIdle()) e.refreshConversations({ accountId: account }).catch(quiet("refreshConversations"));
    }, relistMs));
  }

  // ---- which account acts ----------------------------------------------------------------------
  /**
   * The mailbox the viewer's messages are filed under: a profile id, undefined when they name none
   * (or the host cannot read mailboxes), false when they name two (no guess).
   */
  function mailboxOfUrns(urns) {
    if (!options.mailboxOf || !urns) return undefined;
    const found = new Set();
    for (const u of urns) {
      let m;
      try {
        m = options.mailboxOf(u);
      } catch {
        continue; // not a URN: a placeholder or junk
      }
      if (m) found.add(m);
    }
    if (found.size > 1) return false;
    return found.size ? [...found][0] : undefined;
  }

  /**
   * The connected account whose LinkedIn profile is `mailbox`: an account id, null when none of the
   * connected accounts is (remembered until the key, the engine or the accounts change), or
   * undefined when it cannot be told now (no client, no working key, the list failed).
   * `GET /accounts` documents no field with the account's profile URN (docs/api-contract.md), so
   * an account is matched by every field that may name it (`profileUrn`, `profileId`, `entityUrn`,
   * `publicId`, compared as profile ids) and else by the mailbox its own conversations are filed
   * under (the head of their `msg_conversation` URNs, which the API's examples show equal to the
   * account's `profileUrn`): the engine's conversation list of each account, asked once.
   */
  async function accountOfMailbox(mailbox) {
    if (mailboxes.has(mailbox)) return mailboxes.get(mailbox);
    if (!client || isIdle()) return undefined;
    matching ??= learnMailboxes(mailbox).finally(() => (matching = null));
    const complete = await matching.catch(() => false);
    if (mailboxes.has(mailbox)) return mailboxes.get(mailbox);
    if (!complete) return undefined;
    // Another lookup finished without it: look once more for this one.
    return (await learnMailboxes(mailbox).catch(() => false)) ? mailboxes.get(mailbox) ?? null : undefined;
  }

  /** Learns the mailboxes of the connected accounts, until `wanted` is known; false: cannot tell. */
  async function learnMailboxes(wanted) {
    const e = engine;
    const accounts = await client.listAccounts();
    const learn = (profile, account) => {
      if (profile && !mailboxes.has(profile)) mailboxes.set(profile, account);
    };
    const asProfile = (value) => {
      if (typeof value !== "string" || !value || !options.profileId) return null;
      try {
        return options.profileId(value);
      } catch {
        return null; // not a profile in any form
      }
    };
    for (const a of accounts) for (const f of PROFILE_FIELDS) learn(asProfile(a[f]), a.id);
    for (const a of accounts) {
      if (mailboxes.has(wanted)) break;
      if (e !== engine || isIdle()) return false;
      // Asked for by a list viewer already, maybe still being read: wait for that list (read
      // half-done, it could miss the mailbox, and "none" is remembered).
      await listOnce(e, a.id);
      for (const c of e.conversationList(a.id)) {
        let m;
        try {
          m = options.mailboxOf(c.urn);
        } catch {
          continue;
        }
        learn(m, a.id);
      }
    }
    if (!mailboxes.has(wanted)) mailboxes.set(wanted, null);
    return true;
  }

  /** Asks `e` for `account`'s conversation list once (per engine); the same promise after. */
  function listOnce(e, account) {
    let asked = listed.get(account);
    if (!asked) {
      asked = e.refreshConversations({ accountId: account }).catch(quiet("refreshConversations"));
      listed.set(account, asked);
    }
    return asked;
  }

  /** `{account, mailbox, matched}` for a bind: the mailbox's account, else the default one. */
  async function actingAccount(viewer, f) {
    const fallback = accountOf(viewer, f.accountId);
    const mailbox = mailboxOfUrns(f.messageUrns);
    // None named (or two: no guess): the default account, as for a page that does not tell.
    if (!mailbox) return { account: fallback, mailbox: null, matched: mailbox === false ? "ambiguous" : "default" };
    const found = await accountOfMailbox(mailbox);
    // Not told yet (the accounts could not be listed): acting as the default account could act for
    // someone else on this member's page, so it acts as no one until a later bind can tell. (With
    // no key or engine nothing acts anyway: the default, whose status says why.)
    if (found === undefined) return isIdle() || !client ? { account: fallback, mailbox, matched: "default" } : { account: null, mailbox, matched: "pending" };
    if (found === null) return { account: null, mailbox, matched: "none" };
    return { account: found, mailbox, matched: "mailbox" };
  }

  // ---- bind -----------------------------------------------------------------------------------
  /**
   * The conversation a binding names, as the engine holds it: a URN, null (none / not known), or
   * false (its messages are in two conversations: no answer rather than a guess).
   */
  async function locate(account, f) {
    if (f.conversation !== undefined) return engine ? engine.conversationUrnOf(account, f.conversation) : null;
    if (f.path !== undefined) return engine ? engine.conversationUrnOf(account, `${LINKEDIN}${f.path}`) : null;
    if (f.messageUrns === undefined) return null;
    const messages = []; // the URNs that are messages (not placeholders or junk)
    /** One conversation for the found URNs, false for several (no guess), null for none. */
    const one = (e, urns) => {
      const found = new Set(urns.map((u) => e.conversationUrnOf(account, u)));
      if (found.size > 1) return false;
      return found.size === 1 ? [...found][0] : null;
    };
    const byMessages = () => {
      if (!engine) return null;
      const found = [];
      messages.length = 0;
      for (const u of f.messageUrns) {
        let holder;
        try {
          holder = engine.conversationOfMessage(account, u);
        } catch {
          continue; // not a message URN: a placeholder or junk
        }
        messages.push(u);
        if (holder) found.push(holder);
      }
      return one(engine, found);
    };
    const byPerson = () => {
      if (!engine || f.profilePath === undefined) return null;
      try {
        return engine.conversationWith(account, `${LINKEDIN}${f.profilePath}`) ?? null;
      } catch {
        return null;
      }
    };
    const lookup = () => {
      const urn = byMessages();
      return urn !== null ? urn : byPerson();
    };
    let urn = byMessages();
    if (urn !== null) return urn;
    // Not in memory: what the engine's storage knows of them (with IndexedDB, messages synced
    // before this engine opened, whose conversations it has not read since), before the network.
    const e = engine;
    if (e && messages.length) {
      const stored = await e.locateMessages(account, [...messages]).catch(quiet("locateMessages"));
      if (e === engine && Array.isArray(stored)) {
        urn = one(e, stored);
        if (urn !== null) return urn;
      }
    }
    urn = byPerson();
    if (urn !== null || isIdle()) return urn;
    // Neither its messages nor its person known: ask for the conversation list, then look again.
    await engine.refreshConversations({ accountId: account }).catch(quiet("refreshConversations"));
    return lookup();
  }

  async function bind(viewer, v, f) {
    const acting = await actingAccount(viewer, f);
    const account = acting.account;
    // No connected account has this page's mailbox: the viewer shows nothing and acts as no one.
    const found = account === null ? null : await locate(account, f);
    const urn = found || null;
    const had = v.urn;
    v.asked = f.accountId;
    v.acting = acting;
    v.statusAccount = acting.matched === "pending" ? accountOf(viewer, f.accountId) : null;
    v.list = !!f.list;
    v.notices = !!f.notices;
    v.account = account;
    v.urn = urn;
    v.cid = null;
    if (!isIdle()) {
      // The engine's view follows the viewer: opening another conversation leaves the last one.
      if (urn) await engine.openConversation({ view: viewer, accountId: account, conversationUrn: urn });
      else if (had) await engine.closeView({ view: viewer });
      // Gone while this bind waited: nobody shows it (the disconnect found no view to close).
      if (urn && viewers.get(viewer) !== v) await engine.closeView({ view: viewer });
      if (v.list) listOnce(engine, account);
    }
    v.cid = idOf(account, urn);
    const status = account === null ? (v.statusAccount === null ? null : statusOf(v.statusAccount)) : statusOf(account);
    v.statusSig = JSON.stringify(status);
    const answer = {
      account, mailbox: acting.mailbox, accountMatch: acting.matched,
      conversationId: v.cid, conversationUrn: urn, view: viewOf(account, urn), status,
    };
    if (v.list) {
      const state = listState(account);
      answer.list = state.list;
      answer.listHasMore = state.hasMore;
      answer.unreadTotal = state.unreadTotal;
    }
    return answer;
  }

  async function unbind(viewer, v) {
    const had = v.urn;
    v.urn = null;
    v.cid = null;
    if (had && !isIdle()) await engine.closeView({ view: viewer });
    return null;
  }

  // ---- commands -------------------------------------------------------------------------------
  function conversationOf(v) {
    if (v.account === null) throw unmatched(v.acting?.matched === "pending");
    if (!v.urn) throw hostError("unbound", "Threadline does not know which conversation this is, so it does nothing here.");
    return v.urn;
  }

  async function run(viewer, v, msg) {
    const { id: _id, type, resent: _resent, ...f } = msg;
    if (Object.hasOwn(extra, type)) {
      return extra[type].run(f, { viewer, account: v.account, conversationUrn: v.urn, engine, client, host });
    }
    const spec = BUILTIN[type];
    // A bind on its way decides the conversation first (its failure is its own answer's).
    if (spec.bound || (type === "send" && !f.recipientProfileUrn && !f.recipientProfileId)) await v.binding.catch(noop);
    const accountId = v.account;
    if (accountId === null && !["bind", "unbind", "view", "status"].includes(type)) throw unmatched(v.acting?.matched === "pending");
    switch (type) {
      case "bind":
        v.binding = v.binding.then(noop, noop).then(() => bind(viewer, v, f));
        return v.binding;
      case "unbind":
        v.binding = v.binding.then(noop, noop).then(() => unbind(viewer, v));
        return v.binding;
      case "view":
        return accountId === null ? null : viewOf(accountId, conversationOf(v));
      case "list":
        return engine ? engine.conversationList(accountId) : [];
      case "status":
        return accountId === null ? null : statusOf(accountId);
      case "send": {
        const cmd = { accountId, text: f.text };
        if (f.recipientProfileUrn !== undefined) cmd.recipientProfileUrn = f.recipientProfileUrn;
        else if (f.recipientProfileId !== undefined) cmd.recipientProfileId = f.recipientProfileId;
        else cmd.conversationUrn = conversationOf(v);
        for (const k of ["clientKey", "subject", "channel", "attachments"]) if (f[k] !== undefined) cmd[k] = f[k];
        return { clientKey: await working().send(cmd) };
      }
      case "retrySend":
        return working().retrySend({ accountId, clientKey: f.clientKey });
      case "discardSend":
        return working().discardSend({ accountId, clientKey: f.clientKey });
      case "react":
        return working().react({ accountId, conversationUrn: conversationOf(v), messageUrn: f.messageUrn, emoji: f.emoji, add: f.add });
      case "recall":
        return working().recall({ accountId, conversationUrn: conversationOf(v), messageUrn: f.messageUrn });
      case "loadOlder":
      case "refresh":
      case "rescan":
      case "markRead":
        return working()[type]({ accountId, conversationUrn: conversationOf(v) });
      case "refreshConversations": {
        const cmd = { accountId };
        if (f.cursor !== undefined) cmd.cursor = f.cursor;
        return working().refreshConversations(cmd);
      }
      case "loadMoreConversations":
        // One page more per call (the engine queues a call made while a page is read).
        await working().loadMoreConversations(accountId);
        return listState(accountId);
      case "upload": {
        working();
        if (!client) throw hostError("invalid_command", "This host uploads nothing (it has no client).");
        const bytes = f.bytes instanceof Uint8Array ? f.bytes : new Uint8Array(f.bytes);
        const answer = await client.uploadAttachment(bytes, f.mediaType || "application/octet-stream", f.name, accountId || undefined);
        return answer.attachment;
      }
      case "accounts":
        working();
        if (!client) throw hostError("invalid_command", "This host lists no accounts (it has no client).");
        return client.listAccounts();
    }
    throw hostError("invalid_command", `unknown command ${type}`);
  }

  const host = {
    /**
     * A viewer appeared: `push(message)` delivers the host's messages to it (`view`, `status`,
     * `list`, `notice`). Returns a function that disconnects it.
     */
    connect(viewer, push) {
      if (viewers.has(viewer)) throw hostError("invalid_command", `viewer ${viewer} is already connected`);
      viewers.set(viewer, {
        push, asked: undefined, account: accountOf(viewer, undefined), urn: null, cid: null,
        list: false, notices: false, binding: Promise.resolve(null), answers: new Map(), statusSig: "",
      });
      return () => host.disconnect(viewer);
    },

    /** The viewer went away: its view closes (the engine stops polling what nobody shows). */
    async disconnect(viewer) {
      const v = viewers.get(viewer);
      if (!v) return;
      viewers.delete(viewer);
      if (v.urn && engine) await engine.closeView({ view: viewer }).catch(quiet("closeView"));
    },

    /**
     * One command of a viewer → its answer `{replyTo, ok, result | error}` (never rejects). A
     * command re-sent with an id this host already has gets the same answer; one marked
     * `resent` that may not run twice gets a `host_changed` error.
     */
    handle(viewer, msg) {
      const id = msg?.id;
      const v = viewers.get(viewer);
      const fail = (e) => ({ replyTo: id, ok: false, error: errorToData(e) });
      if (!v) return Promise.resolve(fail(hostError("invalid_command", "unknown viewer: connect it first")));
      if (!msg || typeof msg !== "object" || typeof msg.type !== "string") {
        return Promise.resolve(fail(hostError("invalid_command", "a command is an object with a type")));
      }
      const remembered = id !== undefined ? v.answers.get(id) : undefined;
      if (remembered) return remembered;
      const own = Object.hasOwn(extra, msg.type);
      const spec = own ? { resend: !!extra[msg.type].resend } : Object.hasOwn(BUILTIN, msg.type) ? BUILTIN[msg.type] : null;
      let answer;
      if (!spec) {
        answer = Promise.resolve(fail(hostError("invalid_command", `unknown command ${String(msg.type).slice(0, 60)}`)));
      } else if (msg.resent === true && (!spec.resend || (msg.type === "send" && msg.clientKey === undefined))) {
        answer = Promise.resolve(fail(hostError(
          "host_changed",
          `Threadline's host changed while this ${msg.type} was on its way: it may or may not have happened. Check the conversation before trying again.`,
        )));
      } else {
        answer = Promise.resolve()
          .then(() => run(viewer, v, msg))
          .then((result) => ({ replyTo: id, ok: true, result: result === undefined ? null : result }), fail);
      }
      if (id !== undefined) {
        v.answers.set(id, answer);
        if (v.answers.size > REMEMBERED) v.answers.delete(v.answers.keys().next().value);
      }
      return answer;
    },

    /** Another engine (reopened with other settings): every bound viewer's view opens on it. */
    async setEngine(e) {
      setEngine(e);
      await host.reopen();
    },

    /** A client for `upload` and `accounts` (rebuilt after a key or base URL change). */
    setClient(c) {
      client = c ?? null;
      mailboxes.clear(); // another key may connect other accounts
    },

    /**
     * Tell the engine again what every viewer shows (after the engine, the key or the account
     * changed), then push each its view and status.
     */
    async reopen() {
      const work = [];
      for (const [viewer, v] of viewers) {
        // A viewer placed by its mailbox (or by none) keeps that; the others follow the default.
        if (!["mailbox", "none", "pending"].includes(v.acting?.matched)) v.account = accountOf(viewer, v.asked);
        v.statusSig = "";
        if (v.urn && !isIdle()) {
          work.push(engine.openConversation({ view: viewer, accountId: v.account, conversationUrn: v.urn }).catch(quiet("openConversation")));
        }
      }
      await Promise.all(work);
      host.refresh();
    },

    /** Push every viewer its status and view again (after a change the engine did not notice). */
    refresh() {
      for (const v of viewers.values()) {
        pushStatusTo(v);
        if (v.urn) {
          v.cid = idOf(v.account, v.urn);
          pushViewTo(v);
        }
      }
    },

    /** What each viewer shows: `[{viewer, account, conversationUrn, conversationId}]`. */
    viewers() {
      return [...viewers].map(([viewer, v]) => ({
        viewer, account: v.account, mailbox: v.acting?.mailbox ?? null, accountMatch: v.acting?.matched ?? "default",
        conversationUrn: v.urn, conversationId: v.cid,
      }));
    },

    /** Conversations in view, each polled once by the engine however many viewers show it. */
    pollers() {
      if (isIdle()) return 0;
      return new Set([...viewers.values()].filter((v) => v.urn).map((v) => `${v.account}\n${v.cid ?? v.urn}`)).size;
    },

    get engine() {
      return engine;
    },

    /** Stop listening to the engine (it stays open: the caller owns it). */
    close() {
      setEngine(null);
      viewers.clear();
    },
  };
  return host;
}

/**
 * The viewer's side of the round-trip, for any transport: `post(message)` sends to the host (it
 * returns `false` when there is no host to send to yet); feed every message from the host to
 * `receive`. `request(type, fields)` resolves with the result or rejects with the error rebuilt.
 * After the host changed (a port reconnected, another tab took over) call `hostChanged()`: the
 * viewer binds again (its last bind), then every unanswered command is sent again, marked
 * `resent` when the host that vanished had it (the new host runs it or refuses it with
 * `host_changed`, by the host's rule; a host that had it answers from memory).
 * @param {{post: (message: object) => (void|boolean), onPush?: (message: object) => void}} options
 */
export function createRemote({ post, onPush }) {
  const pending = new Map(); // id → {msg, resolve, reject, sent}
  let next = 1;
  let closed = null;
  let lastBind = null; // the fields of the last bind: what this viewer shows
  const prefix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-`;

  function transmit(p) {
    let delivered = false;
    try {
      delivered = post(p.msg) !== false;
    } catch {
      // not delivered: sent again by hostChanged()
    }
    p.sent ||= delivered;
  }
  function issue(type, fields) {
    if (closed) return Promise.reject(closed);
    const msg = { ...fields, id: `${prefix}${next++}`, type };
    return new Promise((resolve, reject) => {
      const p = { msg, resolve, reject, sent: false };
      pending.set(msg.id, p);
      transmit(p);
    });
  }

  return {
    request(type, fields = {}) {
      if (type === "bind") lastBind = fields;
      if (type === "unbind") lastBind = null;
      return issue(type, fields);
    },
    /** A message from the host: an answer to a pending command, else a push. */
    receive(message) {
      if (message && Object.hasOwn(message, "replyTo")) {
        const p = pending.get(message.replyTo);
        if (!p) return;
        pending.delete(message.replyTo);
        if (message.ok) p.resolve(message.result);
        else p.reject(errorFromData(message.error));
        return;
      }
      onPush?.(message);
    },
    /**
     * Another host now: bind again (pending binds get this bind's answer), then send every other
     * unanswered command again. Resolves with the bind's answer (null when never bound).
     */
    hostChanged() {
      const old = [...pending.values()];
      const binds = old.filter((p) => p.msg.type === "bind" || p.msg.type === "unbind");
      for (const p of binds) pending.delete(p.msg.id);
      const bound = lastBind ? issue("bind", lastBind) : Promise.resolve(null);
      for (const p of binds) bound.then(p.resolve, p.reject);
      for (const p of old) {
        if (binds.includes(p)) continue;
        if (p.sent) p.msg = { ...p.msg, resent: true };
        transmit(p);
      }
      return bound;
    },
    /** How many commands wait for an answer. */
    get pending() {
      return pending.size;
    },
    /** No host will answer any more: every pending command rejects with `code`. */
    close(code = "closed", message = "Threadline's host is gone.") {
      closed = hostError(code, message);
      for (const p of pending.values()) p.reject(closed);
      pending.clear();
    },
  };
}

/**
 * The fields of an account (`GET /accounts`) that may name its LinkedIn profile. The contract's
 * examples carry only `publicId` (a vanity slug there); the others are the names the API gives a
 * profile elsewhere (`profileUrn` of recent-messages, `profileId` of participants, `entityUrn`).
 */
const PROFILE_FIELDS = ["profileUrn", "profileId", "entityUrn", "publicId"];

function unmatched(pending = false) {
  return pending
    ? hostError("unbound", "Threadline cannot tell yet which of your accounts is signed in on this page, so it does nothing here for now.")
    : hostError(
        "account_unmatched",
        "The LinkedIn member signed in on this page is not one of your connected accounts, so Threadline does nothing here.",
      );
}

/** The host's own errors (`host_changed`, `unbound`, `account_unmatched`, `invalid_command`, `starting`). */
function hostError(code, message) {
  return new ThreadlineError(code, message);
}

function noop() {}

function quiet(what) {
  return (e) => console.warn(`threadline host: ${what} failed`, e);
}
