// Every selector Threadline uses on LinkedIn's messaging page, in one place. LinkedIn renames
// classes often; the overlay keys on URNs (`data-event-urn`, `data-conversation-urn`) first and
// uses class names only to place its controls.
globalThis.ThreadlineSelectors = Object.freeze({
  /** A rendered message: LinkedIn's list item carrying the message URN. */
  messageItem: "li[data-event-urn]",
  messageUrnAttr: "data-event-urn",
  /** The message text inside an item (hidden once the message is recalled). */
  messageBody: ".msg-s-event-listitem__body",
  /** The open thread and its conversation URN. */
  thread: "[data-conversation-urn].msg-thread, section[data-conversation-urn]",
  threadUrnAttr: "data-conversation-urn",
  /** LinkedIn's own compose form: the send panel is placed right after it. */
  composeForm: "form.msg-form",
  /** The thread id in the URL, for pages that carry no URN attribute. */
  threadPath: /^\/messaging\/thread\/([^/]+)\/?/,
});
