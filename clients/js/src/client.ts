/**
 * The wsr.v1 client state machine (docs/protocol.md § 4 to § 8): one session across
 * connections, every message exactly once and in order both ways.
 */
import * as codec from "./codec.js";
import type { Frame, Payload, Welcome } from "./codec.js";
import { ReliableError } from "./errors.js";
import * as policy from "./policy.js";
import { Store, toHex, type StorageLike } from "./store.js";

/** The part of the WebSocket API the client uses (the browser's, or the `ws` package's). */
export interface WebSocketLike {
  readonly protocol: string;
  binaryType: string;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: any }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `ws`'s `WebSocket` in Node 20. */
export type WebSocketConstructor = new (url: string, protocols?: string[]) => WebSocketLike;

/** Credentials for the HELLO `auth` field, or a function asked before every HELLO. */
export type Auth = string | Uint8Array | (() => string | Uint8Array | Promise<string | Uint8Array>);

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Sent in every HELLO (fresh and resume); a function is called before each HELLO. */
  auth?: Auth;
  /** The WebSocket constructor; defaults to `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Other subprotocols to offer besides `wsr.v1` (§ 1). */
  protocols?: string[];
  /** Accept a server that does not speak wsr.v1 (legacy mode, § 10: no acks, no resume). Default true. */
  legacy?: boolean;
  /**
   * Keep the session across page reloads: `true` for sessionStorage, or any Storage-like
   * object. Default: no persistence.
   */
  storage?: boolean | StorageLike;
  /** The prefix of the storage keys. Default `"wsr:" + url + ":"`. */
  storageKey?: string;
  /** How long a restored session waits for a page that holds it (a reload's old page) before starting fresh. Default 1000 ms. */
  lockWaitMs?: number;
  /** The most outgoing messages held unacknowledged (sent or waiting); `send` rejects with `buffer_full` beyond. Default 1000. */
  maxBuffered?: number;
  /** Connections tried before `connect()` rejects with `connect_failed`. Default 5. */
  connectAttempts?: number;
  /** Backoff bounds in ms (full jitter). Default 250 and 15 000. */
  backoffMin?: number;
  backoffMax?: number;
  /** Silence after which the link counts as dead (§ 7). Default 45 000 ms. */
  deadLinkMs?: number;
}

/** Counters for tests and dashboards. */
export interface ClientStats {
  /** Connections opened. */
  connections: number;
  /** DATA frames sent again after a resume. */
  resent: number;
  /** Duplicate DATA dropped (§ 5). */
  duplicates: number;
  /** Resumes accepted. */
  resumes: number;
  /** SESSION_LOST received. */
  sessionsLost: number;
  /** Unacknowledged outgoing messages restored from storage (a page reload). */
  restored: number;
}

/** A `message` event: `data` is a string (text) or a Uint8Array (binary). */
export interface ReliableMessageEvent extends Event {
  readonly data: Payload;
  /** The sequence number (0 in legacy mode). */
  readonly seq: number;
}

/** The detail-carrying events: `connected`, `resumed`, `sessionlost`, `disconnected`, `error`. */
export interface ReliableEvent extends Event {
  /** `disconnected`: the close code (1006 for a connection lost without a close frame). */
  readonly code?: number;
  /** `disconnected`: outgoing messages not yet acknowledged at that moment. */
  readonly unacked?: number;
  /** `sessionlost`: the SESSION_LOST reason (§ 3.3), 0 without one. */
  readonly reason?: number;
  /** `sessionlost`: the outgoing messages that were not confirmed (their sends reject too). */
  readonly failed?: Payload[];
  /** `connected`: true when the server does not speak wsr.v1 (§ 10). */
  readonly legacy?: boolean;
  /** `error`: what went wrong. */
  readonly error?: ReliableError;
}

/** The events of a {@link ReliableClient}, for typed `addEventListener`. */
export interface ReliableClientEventMap {
  message: ReliableMessageEvent;
  connected: ReliableEvent;
  resumed: ReliableEvent;
  disconnected: ReliableEvent;
  sessionlost: ReliableEvent;
  error: ReliableEvent;
}

interface Entry {
  seq: number;
  data: Payload;
  resolve?: () => void;
  reject?: (error: ReliableError) => void;
}

type Timer = ReturnType<typeof setTimeout> | undefined;

const event = (type: string, props: object = {}): Event => Object.assign(new Event(type), props);
const lockManager = (): any => (globalThis as any).navigator?.locks;

/** A wsr.v1 session: see {@link connect}. */
export class ReliableClient extends EventTarget implements AsyncIterable<Payload> {
  /** Counters (see {@link ClientStats}). */
  readonly stats: ClientStats = { connections: 0, resent: 0, duplicates: 0, resumes: 0, sessionsLost: 0, restored: 0 };
  /** Resolves once the first session is established; rejects after `connectAttempts`. */
  readonly ready: Promise<void>;

  private readonly o: ConnectOptions;
  private readonly WS: WebSocketConstructor;
  private readonly store: Store;
  private ws: WebSocketLike | null = null;
  private welcomed = false;
  private isLegacy = false;
  private closed = false;
  private sessionId?: Uint8Array;
  private token?: Uint8Array;
  private delivered = 0;
  private received = 0;
  private acked = 0;
  private nextSeq = 1;
  private sentUpTo = 0;
  private highestSent = 0;
  private outbox: Entry[] = [];
  private maxPayload = 1_048_576;
  private maxUnacked = 1024;
  private ackCount = 0;
  private ackSent = 0;
  private attempts = 0;
  private firstDone = false;
  private timers: { ack: Timer; dead: Timer; retry: Timer } = { ack: undefined, dead: undefined, retry: undefined };
  private queue: { seq: number; data: Payload }[] = [];
  private taken = 0;
  private iterating = false;
  private listening = false;
  private held: { seq: number; data: Payload }[] = [];
  private waiter?: (result: IteratorResult<Payload>) => void;
  private settle!: { resolve: () => void; reject: (error: ReliableError) => void };
  private unlock?: () => void;
  private readonly onOnline = () => this.retryNow();

  constructor(
    readonly url: string,
    options: ConnectOptions = {},
  ) {
    super();
    this.o = options;
    this.WS = options.WebSocket ?? (globalThis as any).WebSocket;
    const storage = options.storage === true ? (globalThis as any).sessionStorage : options.storage || undefined;
    this.store = new Store(storage, options.storageKey ?? `wsr:${url}:`);
    this.ready = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.ready.catch(() => {});
    (globalThis as any).addEventListener?.("online", this.onOnline);
    void this.restore().then(() => this.open());
  }

  /** The session id in hex, once there is one. */
  get session(): string | undefined {
    return this.sessionId && toHex(this.sessionId);
  }

  /** Outgoing messages not yet acknowledged (sent or waiting for the window or a connection). */
  get unacked(): number {
    return this.outbox.length;
  }

  /** Incoming messages delivered to the application but not yet acknowledged to the server. */
  get unackedIncoming(): number {
    return this.delivered - this.ackSent;
  }

  /** Whether a session is established on an open connection right now. */
  get connected(): boolean {
    return this.welcomed || this.isLegacy;
  }

  /**
   * Sends `data` (a string as text, bytes as binary). Resolves when the server acknowledged
   * it (in legacy mode: when it was handed to the socket); rejects with a
   * {@link ReliableError}: `buffer_full`, `too_large`, `session_lost`, `closed`,
   * `auth_refused`, `replaced`, `connect_failed`.
   */
  send(data: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    const payload: Payload =
      typeof data === "string" ? data : data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const refusal = this.closed
      ? "closed"
      : codec.bytesOf(payload).length > this.maxPayload
        ? "too_large"
        : this.outbox.length >= (this.o.maxBuffered ?? 1000)
          ? "buffer_full"
          : undefined;
    if (refusal) return Promise.reject(new ReliableError(refusal));
    return new Promise((resolve, reject) => {
      const seq = this.nextSeq;
      try {
        if (this.sessionId) this.store.put(seq, payload); // before it can reach the wire
      } catch (error) {
        return reject(new ReliableError("buffer_full", "storage full: " + String(error)));
      }
      this.nextSeq++;
      this.outbox.push({ seq, data: payload, resolve, reject });
      this.pump();
    });
  }

  /**
   * Ends the session (close 1000: the server discards it) and rejects every unacknowledged
   * send with `closed`. A pending ack is sent first (§ 6).
   */
  close(): void {
    if (this.closed) return;
    if (this.welcomed) this.flushAck();
    const ws = this.detach();
    ws?.close(policy.CLOSE_NORMAL);
    this.store.clear();
    this.end(new ReliableError("closed"));
  }

  /**
   * The messages, in order, each once. A message counts as delivered (its sequence number is
   * acknowledged and stored) when the loop asks for the next one, or leaves.
   */
  [Symbol.asyncIterator](): AsyncIterator<Payload> {
    this.iterating = true;
    this.listen();
    return {
      next: () => {
        if (this.taken) this.markDelivered(this.taken);
        this.taken = 0;
        const item = this.queue.shift();
        if (item) {
          this.taken = item.seq;
          return Promise.resolve({ value: item.data, done: false });
        }
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiter = resolve));
      },
      return: () => {
        this.iterating = false;
        for (const item of this.queue) this.markDelivered(item.seq);
        if (this.taken) this.markDelivered(this.taken);
        this.queue = [];
        this.taken = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /**
   * Messages wait (unacknowledged) until the application listens: a `message` listener or
   * an iterator, so that none is delivered to nobody.
   */
  override addEventListener<K extends keyof ReliableClientEventMap>(type: K, listener: (event: ReliableClientEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: any, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
    if (type === "message") this.listen();
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    queueMicrotask(() => {
      const held = this.held;
      this.held = [];
      for (const item of held) this.hand(item.seq, item.data);
    });
  }

  // ---- connection lifecycle ---------------------------------------------------------------

  /** Restores a saved session unless another page holds it (a duplicated tab). */
  private async restore(): Promise<void> {
    const saved = this.store.load();
    if (!saved) return;
    if (!(await this.lock(saved.session, this.o.lockWaitMs ?? 1000))) return this.store.clear();
    this.sessionId = saved.session;
    this.token = saved.token;
    this.delivered = this.received = this.ackSent = saved.delivered;
    this.acked = saved.acked;
    this.nextSeq = saved.next;
    this.stats.restored = saved.outbox.length;
    this.highestSent = saved.next - 1;
    this.outbox = saved.outbox.concat(this.outbox.map((entry, i) => ((entry.seq = saved.next + i), this.store.put(entry.seq, entry.data), entry)));
    this.nextSeq = saved.next + this.outbox.length - saved.outbox.length;
  }

  /**
   * Holds a Web Lock named after the session while this client uses it, so that a copy of
   * this page (a duplicated tab copies sessionStorage) cannot resume it too. Resolves false
   * when another page keeps it for `waitMs`; true where Web Locks do not exist.
   */
  private lock(session: Uint8Array, waitMs: number): Promise<boolean> {
    const locks = lockManager();
    if (!locks) return Promise.resolve(true);
    return new Promise((resolve) => {
      const options = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true };
      locks
        .request("wsr:" + toHex(session), options, (held: unknown) => {
          resolve(!!held);
          return held ? new Promise<void>((release) => (this.unlock = release)) : undefined;
        })
        .catch(() => resolve(false));
    });
  }

  private open(): void {
    if (this.closed) return;
    this.stats.connections++;
    const ws = new this.WS(this.url, [...(this.o.protocols ?? []), "wsr.v1"]);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.welcomed = this.isLegacy = false;
    ws.onopen = () => ws === this.ws && this.hello(ws).catch((error) => this.authFailed(error));
    ws.onmessage = ({ data }) => ws === this.ws && this.receive(data);
    ws.onclose = ({ code }) => ws === this.ws && this.lost(code);
    ws.onerror = () => {};
    this.alive();
  }

  private async hello(ws: WebSocketLike): Promise<void> {
    if (ws.protocol !== "wsr.v1") return this.legacyOpen();
    const auth = typeof this.o.auth === "function" ? await this.o.auth() : this.o.auth;
    if (ws !== this.ws) return;
    ws.send(codec.encodeHello(codec.bytesOf(auth ?? ""), this.sessionId, this.token, this.delivered));
  }

  /**
   * The `auth` function threw before HELLO: the client ends (`auth_refused`). The socket is
   * closed without a code (no code of § 8 fits; anything but 1000 keeps the session, [M8.2]).
   */
  private authFailed(error: unknown): void {
    this.detach()?.close();
    this.end(new ReliableError("auth_refused", "auth failed: " + String(error)));
  }

  /** Takes the socket out of service: its events are ignored from now on. */
  private detach(): WebSocketLike | null {
    const ws = this.ws;
    this.ws = null;
    this.welcomed = this.isLegacy = false;
    clearTimeout(this.timers.ack);
    clearTimeout(this.timers.dead);
    this.timers.ack = this.timers.dead = undefined;
    return ws;
  }

  /**
   * Gives up on the current connection (a violation: 4004 or 4005, [M8.3]; a dead link: 4006,
   * [M7.11]): an ERROR with the reason (§ 3.6), the close, then § 8's reaction to `code`
   * (resume). Each step on its own: a socket still connecting refuses `send`, not `close`.
   */
  private drop(code: number, why: string): void {
    const ws = this.detach();
    try {
      ws?.send(codec.encodeError(code, why));
    } catch {}
    try {
      ws?.close(code);
    } catch {}
    this.lost(code);
  }

  /** The connection ended with `code`: react as § 8's table says ([M8.1]). */
  private lost(code: number): void {
    const unacked = this.outbox.length;
    if (this.ws) this.detach();
    this.dispatchEvent(event("disconnected", { code, unacked }));
    const reaction = policy.reaction(code);
    if (reaction === "stop") return this.end(new ReliableError("closed", "the server ended the session"));
    if (reaction === "auth") return this.end(new ReliableError("auth_refused"));
    if (reaction === "replaced") return this.end(new ReliableError("replaced"));
    if (reaction === "fresh" && this.sessionId) this.sessionLost(0);
    if (!this.firstDone && ++this.attempts >= (this.o.connectAttempts ?? 5)) return this.end(new ReliableError("connect_failed"));
    this.retry(reaction === "fresh" ? 0 : reaction === "slow" ? policy.SLOW_STEPS : 0, reaction === "fresh");
  }

  /**
   * Schedules the next connection: after the backoff, at once for a fresh session; offline,
   * only on the `online` event, or after `backoffMax` in case the browser is wrong.
   */
  private retry(extraSteps: number, now = false): void {
    const max = this.o.backoffMax ?? 15_000;
    const offline = (globalThis as any).navigator?.onLine === false;
    const delay = offline ? max : now ? 0 : policy.backoff(this.attempts + extraSteps, this.o.backoffMin ?? 250, max);
    if (this.firstDone) this.attempts++;
    this.timers.retry = setTimeout(() => this.retryNow(), delay);
  }

  private retryNow(): void {
    clearTimeout(this.timers.retry);
    this.timers.retry = undefined;
    if (!this.ws && !this.closed) this.open();
  }

  /** The client is done: every unconfirmed send rejects with `error`. */
  private end(error: ReliableError): void {
    this.closed = true;
    clearTimeout(this.timers.retry);
    (globalThis as any).removeEventListener?.("online", this.onOnline);
    this.unlock?.();
    const failed = this.fail(error);
    this.settle.reject(error);
    this.waiter?.({ value: undefined, done: true });
    if (error.code !== "closed") this.dispatchEvent(event("error", { error, failed }));
  }

  /** Every unconfirmed message fails with `error`; returns them. */
  private fail(error: ReliableError): Payload[] {
    const failed = this.outbox;
    this.outbox = [];
    for (const entry of failed) entry.reject?.(error);
    return failed.map((entry) => entry.data);
  }

  /**
   * Restarts the dead-link timer ([M7.11]): every message from the server (a keepalive ACK
   * at least every 15 s, [M7.10]) proves the link alive; `deadLinkMs` of silence closes it
   * with 4006 and resumes.
   */
  private alive(): void {
    clearTimeout(this.timers.dead);
    const ms = this.o.deadLinkMs ?? policy.DEAD_LINK_MS;
    this.timers.dead = setTimeout(() => this.drop(policy.CLOSE_DEAD_LINK, "no frame for " + ms + " ms"), ms);
  }

  // ---- frames ------------------------------------------------------------------------------

  private receive(data: ArrayBuffer | string): void {
    if (this.isLegacy) return this.deliver(0, typeof data === "string" ? data : new Uint8Array(data));
    this.alive();
    try {
      if (typeof data === "string") throw new codec.ProtocolError("text message on wsr.v1");
      if (data.byteLength > this.maxPayload + 11) throw new codec.ProtocolError("message too big", policy.CLOSE_TOO_BIG); // [M6.5]
      this.handle(codec.decode(new Uint8Array(data), true, this.maxPayload, this.maxUnacked));
    } catch (error) {
      if (!(error instanceof codec.ProtocolError)) throw error;
      this.dispatchEvent(event("error", { error: new ReliableError("protocol", error.message) }));
      this.drop(error.code, error.message);
    }
  }

  private handle(frame: Frame): void {
    const early = frame.t === codec.WELCOME || frame.t === codec.SESSION_LOST;
    if (frame.t !== codec.ERROR && early === this.welcomed) throw new codec.ProtocolError("out-of-place frame " + frame.t);
    if (frame.t === codec.WELCOME) this.welcome(frame);
    else if (frame.t === codec.SESSION_LOST) this.sessionLost(frame.reason);
    else if (frame.t === codec.BATCH) frame.items.forEach((item, i) => this.data(frame.seq + i, item));
    else if (frame.t === codec.ACK) this.ack(frame.seq);
  }

  private welcome(w: Welcome): void {
    const ours = !!this.sessionId && w.resumed && toHex(w.session) === toHex(this.sessionId);
    if (!this.sessionId && w.resumed) throw new codec.ProtocolError("resumed WELCOME to a fresh HELLO");
    if (ours && w.last > this.highestSent) throw new codec.ProtocolError("WELCOME last_received beyond sent");
    if (this.sessionId && !ours) this.sessionLost(0); // a fresh session instead of ours: ours is lost
    this.sessionId = w.session;
    this.token = w.token;
    this.store.identity(w.session, w.token); // before anything confirms the rotation (§ 7)
    this.maxPayload = w.maxPayload;
    this.maxUnacked = w.maxUnacked;
    this.welcomed = true;
    this.attempts = 0;
    if (ours) this.resumed(w.last);
    else {
      void this.lock(w.session, 0);
      this.freshSession();
    }
    this.firstDone = true;
    this.settle.resolve();
  }

  private freshSession(): void {
    this.store.delivered(0);
    this.acked = this.sentUpTo = this.highestSent = 0;
    this.renumber();
    this.pump();
    this.dispatchEvent(event("connected", { legacy: false }));
  }

  /**
   * A resumed WELCOME ([M7.9]): the unacked messages up to its last_received are acked, the
   * too big ones fail and the rest are renumbered ([M6.7]), then resent in order before any
   * new one.
   */
  private resumed(last: number): void {
    this.stats.resumes++;
    this.confirmAcked(last);
    this.stats.resent += this.outbox.filter((entry) => entry.seq <= this.highestSent).length;
    this.sentUpTo = this.highestSent = this.acked;
    this.renumber();
    this.flushAck(); // ACK of last: confirms the token rotation at once (§ 7, [M7.8])
    this.pump();
    this.dispatchEvent(event("resumed"));
  }

  /**
   * On every WELCOME, before anything is resent ([M6.7]): each unacked message above the
   * WELCOME's max_payload fails (`too_large`); the others are numbered consecutively, in
   * order, from the last acked + 1 (the WELCOME's last_received + 1), in the storage too.
   */
  private renumber(): void {
    const kept = this.outbox.filter((entry) => codec.bytesOf(entry.data).length <= this.maxPayload || void entry.reject?.(new ReliableError("too_large")));
    this.store.forget(this.acked + 1, this.nextSeq - 1);
    kept.forEach((entry, i) => this.store.put((entry.seq = this.acked + 1 + i), entry.data));
    this.outbox = kept;
    this.nextSeq = this.acked + 1 + kept.length;
  }

  private sessionLost(reason: number): void {
    this.stats.sessionsLost++;
    this.store.clear();
    this.sessionId = this.token = undefined;
    this.unlock?.();
    this.unlock = undefined;
    this.delivered = this.received = this.ackSent = this.acked = this.sentUpTo = this.highestSent = this.taken = 0;
    this.nextSeq = 1;
    this.queue = [];
    this.held = [];
    const failed = this.outbox.map((entry) => entry.data);
    this.fail(new ReliableError("session_lost"));
    this.dispatchEvent(event("sessionlost", { reason, failed }));
  }

  private legacyOpen(): void {
    if (this.o.legacy === false) return this.end(new ReliableError("protocol", "the server does not speak wsr.v1"));
    this.isLegacy = true;
    clearTimeout(this.timers.dead); // a legacy server sends no keepalive
    this.firstDone = true;
    this.settle.resolve();
    this.dispatchEvent(event("connected", { legacy: true }));
    this.pump();
  }

  private data(seq: number, data: Payload): void {
    if (seq <= this.received) {
      this.stats.duplicates++;
      return this.countAck();
    }
    if (seq !== this.received + 1) throw new codec.ProtocolError(`sequence gap: ${seq} after ${this.received}`);
    this.received = seq;
    this.deliver(seq, data);
  }

  private deliver(seq: number, data: Payload): void {
    if (!this.listening || this.held.length) this.held.push({ seq, data });
    else this.hand(seq, data);
  }

  private hand(seq: number, data: Payload): void {
    this.dispatchEvent(event("message", { data, seq }));
    if (!this.iterating) return this.markDelivered(seq);
    if (this.waiter && !this.queue.length) {
      if (this.taken) this.markDelivered(this.taken);
      this.taken = seq;
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter({ value: data, done: false });
    } else this.queue.push({ seq, data });
  }

  private markDelivered(seq: number): void {
    if (!seq || seq <= this.delivered) return;
    this.delivered = seq;
    this.store.delivered(seq);
    this.countAck();
  }

  /** § 6: an ack after K DATA frames or T after the oldest one not acked. */
  private countAck(): void {
    if (!this.welcomed) return;
    if (++this.ackCount >= policy.ackEvery(this.maxUnacked)) this.flushAck();
    else this.timers.ack ??= setTimeout(() => this.flushAck(), policy.ACK_DELAY_MS);
  }

  private flushAck(): void {
    clearTimeout(this.timers.ack);
    this.timers.ack = undefined;
    this.ackCount = 0;
    this.ackSent = this.delivered;
    this.send1(codec.encodeAck(this.delivered));
  }

  private ack(seq: number): void {
    if (seq > this.highestSent) throw new codec.ProtocolError(`ACK ${seq} beyond sent ${this.highestSent}`);
    this.confirmAcked(seq);
    this.pump();
  }

  /** Everything up to `seq` was delivered by the server: resolve those sends. */
  private confirmAcked(seq: number): void {
    if (seq <= this.acked) return;
    this.store.acked(this.acked + 1, seq);
    this.acked = seq;
    this.sentUpTo = Math.max(this.sentUpTo, seq);
    while (this.outbox.length && this.outbox[0]!.seq <= seq) this.outbox.shift()!.resolve?.();
  }

  /** Writes what the window allows (§ 6): seq ≤ acked + max_unacked. */
  private pump(): void {
    if (this.isLegacy) return this.pumpLegacy();
    if (!this.welcomed) return;
    const limit = this.acked + policy.windowOf(this.maxUnacked);
    const first = this.outbox.length ? this.outbox[0]!.seq : 0;
    for (let i = Math.max(0, this.sentUpTo + 1 - first); i < this.outbox.length && this.outbox[i]!.seq <= limit; i++) {
      const entry = this.outbox[i]!;
      this.send1(codec.encodeData(entry.seq, entry.data));
      this.sentUpTo = entry.seq;
      this.highestSent = Math.max(this.highestSent, entry.seq);
    }
  }

  private pumpLegacy(): void {
    const entries = this.outbox;
    this.outbox = [];
    for (const entry of entries) {
      this.send1(entry.data);
      entry.resolve?.();
    }
  }

  private send1(bytes: Uint8Array | string): void {
    this.ws?.send(bytes);
  }
}

/**
 * Opens a wsr.v1 session to `url`. Resolves once the server welcomed it (or a legacy server
 * accepted the connection); rejects with a {@link ReliableError} (`connect_failed`,
 * `auth_refused`, ...) when no session could be established.
 */
export const connect = async (url: string, options?: ConnectOptions): Promise<ReliableClient> => {
  const client = new ReliableClient(url, options);
  await client.ready;
  return client;
};
