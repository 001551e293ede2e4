// Every selector and page pattern Threadline uses on LinkedIn, in one place. Each one is a fact
// recorded with its source and date in docs/linkedin-page.md. The overlay keys on the message URN
// in `data-event-urn` (wherever that element is) and uses class names only to place its controls.
globalThis.ThreadlineSelectors = Object.freeze({
  /** A rendered message: the element carrying its URN (`div.msg-s-event-listitem`, full page and bubbles). */
  messageItem: "[data-event-urn]",
  messageUrnAttr: "data-event-urn",
  /**
   * A just-sent message shows first under a client id, not a URN: such values are skipped until
   * LinkedIn replaces the node with one carrying the server's URN. (Only a cheap pre-filter: the
   * background's URN parser decides what a URN is.)
   */
  urnValue: /^urn:li:/,
  /** The message text inside an item (hidden once the message is recalled). */
  messageBody: ".msg-s-event-listitem__body",
  /** LinkedIn's own reaction summary on an item (Threadline's reaction buttons replace it). */
  reactionSummary: ".msg-reactions-reaction-summary-presenter__container",
  /** A chat bubble (any page): one conversation, named by nothing but its messages. */
  bubble: '[data-view-name="message-overlay-conversation-bubble-item"]',
  /**
   * A bubble's header links the other person by profile id (`/in/<id>/`); read only when it leads
   * to the page's own origin and its path is a profile's (`profilePath`).
   */
  bubbleProfileLink: 'header h2 a[href*="/in/"]',
  /** The full page's conversation pane (where a fallback composer goes). */
  threadPane: ".msg-convo-wrapper, .msg-thread",
  /** LinkedIn's composer, its text box and its Send button (absent when Enter sends). */
  composeForm: "form.msg-form",
  composeBox: '.msg-form__contenteditable[role="textbox"], [contenteditable="true"][role="textbox"]',
  sendButton: 'button.msg-form__send-button, button[type="submit"]',
  composeActions: ".msg-form__right-actions",
  /** The thread id in the URL of the full messaging page: the only place it appears. */
  threadPath: /^\/messaging\/thread\/[^/]+\/?$/,

  // ---- profile pages (docs/linkedin-page.md, "Profile pages") -----------------------------------
  /** A member's profile: exactly `/in/<slug>/` (the slug, or a profile id, is group 1, encoded). */
  profilePath: /^\/in\/([^/?#]+)\/?$/,
  /** The page's main column; the top card is its first `section` wrapping no other section. */
  profileMain: "main",
  profileSection: "section",
  /** The name in the top card: an h1, or an h2 in some versions (shown beside the slug only). */
  profileName: "h1, h2",
  /** Sidebars: their cards carry other people's Message links, never read. */
  profileSidebar: "aside",
  /**
   * LinkedIn's own Message control: a link to the compose page naming the profile. The selector
   * only finds candidates: one counts only when it leads to the page's own origin and exactly
   * `composePath` (relative in the server's HTML, absolute once live).
   */
  profileMessageLink: 'a[href*="/messaging/compose/"]',
  composePath: "/messaging/compose/",
  profileUrnParam: "profileUrn",
  profileRecipientParam: "recipient",
  /** The profile URN form the Message link carries (group 1: the profile id). */
  profileUrnValue: /^urn:li:fsd_profile:([A-Za-z0-9_-]{1,100})$/,
  /**
   * A profile page reached by profile id (`/in/ACo…/`, as bubbles and participants link it) names
   * its person itself: a Message link must then name that same id. (A vanity slug is letters,
   * digits and hyphens; one taken for an id by mistake only costs the URN: the slug is sent.)
   */
  profileIdValue: /^ACo[A-Za-z0-9_-]{20,60}$/,

  // ---- the page's theme (docs/linkedin-page.md, "Dark mode") ---------------------------------------
  /** LinkedIn's dark mode: a class on the root element (on `body` too, in some captures). */
  darkTheme: "html.theme--dark, body.theme--dark",
  /** Where the theme is read and watched for changes (a class change, no reload). */
  themeRoots: ["documentElement", "body"],
});
