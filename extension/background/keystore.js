// The API key's only home: IndexedDB of the extension's own origin. chrome.storage.local would be
// readable by content scripts (they share the extension's storage areas in Chrome and Firefox);
// IndexedDB is per origin, and content scripts run in LinkedIn's origin, so nothing outside the
// extension's own pages and background can read it.
const DB = "threadline-secrets";
const STORE = "secrets";
const KEY = "apiKey";

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Read the stored key ("" when none). */
export async function getApiKey() {
  const value = await run("readonly", (s) => s.get(KEY));
  return typeof value === "string" ? value : "";
}

/** Store the key ("" removes it). */
export async function setApiKey(value) {
  await run("readwrite", (s) => (value ? s.put(String(value), KEY) : s.delete(KEY)));
}
