/**
 * What survives a page reload (opt-in): the session id and token, the last delivered
 * sequence number, the highest ack received, the next outgoing sequence number and each
 * unacknowledged outgoing message under its own key, so that every write is O(1) and
 * synchronous (it lands in the same task as the application's own bookkeeping).
 */
import type { Payload } from "./codec.js";

/** The part of the Web Storage API the client uses (sessionStorage, localStorage, a Map-backed fake). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A restored session. */
export interface Saved {
  session: Uint8Array;
  token: Uint8Array;
  delivered: number;
  acked: number;
  next: number;
  outbox: { seq: number; data: Payload }[];
}

const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => (b | 256).toString(16).slice(1)).join("");
const fromHex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));
const toBase64 = (bytes: Uint8Array): string => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));

/** The hex form of a session id (lock names, `client.session`). */
export { toHex };

/** Writes the client's state under `key` in `storage`; a no-op without storage. */
export class Store {
  constructor(
    private readonly storage: StorageLike | undefined,
    private readonly key: string,
  ) {}

  private set(name: string, value: string | number): void {
    this.storage?.setItem(this.key + name, String(value));
  }

  private get(name: string): string | null {
    return this.storage ? this.storage.getItem(this.key + name) : null;
  }

  /** The session and the token to present next (written before anything confirms it, § 7). */
  identity(session: Uint8Array, token: Uint8Array): void {
    this.set("s", toHex(session) + toHex(token));
  }

  delivered(seq: number): void {
    this.set("d", seq);
  }

  /** An outgoing message, under its sequence number, and the next sequence number. */
  put(seq: number, data: Payload): void {
    this.set("o" + seq, typeof data === "string" ? "t" + data : "b" + toBase64(data));
    this.set("n", seq + 1);
  }

  /** The server acknowledged everything up to `seq`: forget `from..=seq`. */
  acked(from: number, seq: number): void {
    this.remove(from, seq);
    this.set("a", seq);
  }

  /** Forgets the outgoing messages `from..=to`; `from` is the next sequence number (a renumbering, § 6). */
  forget(from: number, to: number): void {
    this.remove(from, to);
    this.set("n", from);
  }

  private remove(from: number, to: number): void {
    for (let s = from; s <= to; s++) this.storage?.removeItem(this.key + "o" + s);
  }

  load(): Saved | undefined {
    const id = this.get("s");
    if (!id || id.length !== 64) return undefined;
    const [delivered, acked, next] = ["d", "a", "n"].map((name) => Number(this.get(name) ?? 0));
    const outbox: Saved["outbox"] = [];
    for (let seq = acked! + 1; seq < next!; seq++) {
      const item = this.get("o" + seq);
      if (item !== null) outbox.push({ seq, data: item[0] === "t" ? item.slice(1) : fromBase64(item.slice(1)) });
    }
    return { session: fromHex(id.slice(0, 32)), token: fromHex(id.slice(32)), delivered: delivered!, acked: acked!, next: Math.max(next!, 1), outbox };
  }

  /** Forgets everything (a fresh session, a closed client). */
  clear(): void {
    const saved = this.load();
    if (saved) this.acked(saved.acked + 1, saved.next);
    for (const name of ["s", "d", "a", "n"]) this.storage?.removeItem(this.key + name);
  }
}
