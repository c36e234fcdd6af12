/**
 * The WebSocket half of the fake Discord: the real gateway protocol (v10, JSON encoding) on the fake's
 * HTTP port. HELLO on connect, HEARTBEAT → HEARTBEAT_ACK, IDENTIFY → READY + one GUILD_CREATE per
 * guild (or a close code: 4004 bad token, 4013 invalid intents, 4014 disallowed intents), RESUME →
 * the missed dispatches replayed + RESUMED (or INVALID_SESSION when the session is gone). Every
 * dispatch carries the session's next sequence number. `stall` makes the open connections zombies (no
 * HEARTBEAT_ACK, no dispatches; kept for RESUME). The objects it dispatches are built in
 * `discord-objects.ts`. No logging; O(sessions) work per dispatch.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { fill } from './discord-objects.ts';

/** Gateway intent bits the fake looks at. */
export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

/** Intents a bot must switch on in the developer portal. */
export const PRIVILEGED_INTENTS = Intent.GuildMembers | Intent.GuildPresences | Intent.MessageContent;

const Op = { Dispatch: 0, Heartbeat: 1, Identify: 2, Resume: 6, InvalidSession: 9, Hello: 10, Ack: 11 };
/** Dispatches kept per session for RESUME. */
const REPLAY_LIMIT = 1_000;

type Json = Record<string, unknown>;

export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  /** How long a session whose connection dropped can still be resumed, ms. */
  resumeWindowMs: number;
  /** READY's `user`, `application` and guild ids, when a session starts. */
  ready(): { user: Json; application: Json; guildIds: string[] };
  /** The GUILD_CREATE payloads sent after READY. */
  guildCreates(): Json[];
  /** Intent bits that IDENTIFY may not ask for (closed with 4014). */
  disallowedIntents(): number;
}

/** One IDENTIFY that got a READY. */
export interface Identify {
  intents: number;
  shard?: [number, number];
  sessionId: string;
  at: number;
}

interface Session {
  id: string;
  intents: number;
  seq: number;
  log: Array<{ s: number; t: string; d: Json }>;
  socket: WebSocket | null;
  detachedAt: number;
  ended: boolean;
}

export class FakeGateway {
  readonly identifies: Identify[] = [];
  /** Successful RESUMEs, with how many dispatches each replayed. */
  readonly resumes: Array<{ sessionId: string; replayed: number; at: number }> = [];
  /** Close codes the fake sent (4004, 4014, …) or received from clients. */
  readonly closes: Array<{ code: number; by: 'server' | 'client' }> = [];
  /** HEARTBEATs answered with an ACK. */
  heartbeatAcks = 0;
  readonly #o: GatewayOptions;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, Session>();
  /** The TCP socket under each connection (a half-open stall stops reading it). */
  readonly #raw = new Map<WebSocket, Duplex>();
  readonly #stalled = new Set<WebSocket>();
  readonly #url: string;
  #nextSession = 1;

  constructor(server: Server, url: string, options: GatewayOptions) {
    this.#o = options;
    this.#url = url;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket, head),
    );
  }

  /** `ws://127.0.0.1:PORT`: the URL `GET /gateway/bot` and READY's `resume_gateway_url` name. */
  get url(): string {
    return this.#url;
  }

  /** True while at least one identified (or resumed) connection is open and not stalled. */
  get connected(): boolean {
    for (const s of this.#sessions.values()) {
      if (s.socket && !s.ended && !this.#stalled.has(s.socket)) return true;
    }
    return false;
  }

  /**
   * Stalls the open connections: heartbeats get no ACK and dispatches are not sent (they are kept,
   * and a RESUME replays them). `silent` still answers the client's close frame, as a gateway node
   * that stopped serving a connection; `half-open` reads nothing at all, as a connection that died
   * without a FIN (`drop` ends it). New connections work normally.
   */
  stall(mode: 'silent' | 'half-open'): void {
    for (const ws of this.#wss.clients) {
      this.#stalled.add(ws);
      if (mode === 'half-open') this.#raw.get(ws)?.pause();
    }
  }

  /**
   * Sends a dispatch to every live session; `build` may tailor the payload to the session's intents
   * (null: this session does not get it). Sessions whose connection dropped keep it for RESUME.
   */
  dispatch(t: string, build: (intents: number) => Json | null): void {
    const now = Date.now();
    for (const session of this.#sessions.values()) {
      if (session.ended) continue;
      if (!session.socket && now - session.detachedAt > this.#o.resumeWindowMs) {
        this.#sessions.delete(session.id);
        continue;
      }
      const d = build(session.intents);
      if (d) this.#emit(session, t, d);
    }
  }

  /** Closes every gateway connection from the server side (a half-open one is cut); sessions stay resumable. */
  drop(code = 4000, reason = 'Unknown error.'): void {
    for (const socket of this.#wss.clients) {
      this.closes.push({ code, by: 'server' });
      if (this.#stalled.has(socket)) socket.terminate();
      else socket.close(code, reason);
    }
  }

  async close(): Promise<void> {
    for (const socket of this.#wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const query = new URL(req.url ?? '/', 'http://fake').searchParams;
    if (query.has('compress') || (query.get('encoding') ?? 'json') !== 'json') {
      // discord.js asks for zlib-stream only when zlib-sync is installed; the fake speaks plain JSON.
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\nthe fake gateway speaks uncompressed JSON only');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#raw.set(ws, socket);
      ws.once('close', () => {
        this.#raw.delete(ws);
        this.#stalled.delete(ws);
      });
      if (query.get('v') !== null && query.get('v') !== '10')
        return this.#refuse(ws, 4012, 'Invalid API version.');
      this.#connection(ws);
    });
  }

  #connection(ws: WebSocket): void {
    let session: Session | null = null;
    ws.on('message', (data) => {
      let payload: { op?: unknown; d?: unknown };
      try {
        payload = JSON.parse(String(data)) as typeof payload;
      } catch {
        return this.#refuse(ws, 4002, 'Error while decoding payload.');
      }
      const d = (typeof payload.d === 'object' && payload.d !== null ? payload.d : {}) as Json;
      switch (payload.op) {
        case Op.Heartbeat:
          if (this.#stalled.has(ws)) return;
          this.heartbeatAcks++;
          return send(ws, { op: Op.Ack });
        case Op.Identify:
          if (session) return this.#refuse(ws, 4005, 'Already authenticated.');
          session = this.#identify(ws, d);
          return;
        case Op.Resume:
          if (session) return this.#refuse(ws, 4005, 'Already authenticated.');
          session = this.#resume(ws, d);
          return;
        default:
          return this.#refuse(ws, 4001, 'Unknown opcode.');
      }
    });
    ws.on('close', (code) => {
      if (!session || session.socket !== ws) return;
      session.socket = null;
      session.detachedAt = Date.now();
      // A client that closes with 1000/1001 ends its session; anything else may resume.
      if (code === 1000 || code === 1001) session.ended = true;
      this.closes.push({ code, by: 'client' });
    });
    send(ws, {
      op: Op.Hello,
      d: { heartbeat_interval: this.#o.heartbeatIntervalMs, _trace: ['fake-gateway'] },
    });
  }

  #identify(ws: WebSocket, d: Json): Session | null {
    if (d.token !== this.#o.token) return this.#refuse(ws, 4004, 'Authentication failed.');
    const intents = d.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0) {
      return this.#refuse(ws, 4013, 'Invalid intent(s).');
    }
    if ((intents & this.#o.disallowedIntents()) !== 0) return this.#refuse(ws, 4014, 'Disallowed intent(s).');
    const id = `fake-session-${this.#nextSession++}`;
    const session: Session = { id, intents, seq: 0, log: [], socket: ws, detachedAt: 0, ended: false };
    this.#sessions.set(id, session);
    const shard = Array.isArray(d.shard) ? (d.shard as [number, number]) : undefined;
    this.identifies.push({ intents, sessionId: id, at: Date.now(), ...(shard && { shard }) });
    const { user, application, guildIds } = this.#o.ready();
    this.#emit(session, 'READY', {
      v: 10,
      user,
      application,
      guilds: guildIds.map((guildId) => ({ id: guildId, unavailable: true })),
      session_id: id,
      session_type: 'normal',
      resume_gateway_url: this.#url,
      shard: shard ?? [0, 1],
      ...fill([], 'private_channels relationships presences guild_join_requests geo_ordered_rtc_regions'),
      user_settings: {},
      _trace: ['fake-gateway'],
    });
    for (const guild of this.#o.guildCreates()) this.#emit(session, 'GUILD_CREATE', guild);
    return session;
  }

  #resume(ws: WebSocket, d: Json): Session | null {
    if (d.token !== this.#o.token) return this.#refuse(ws, 4004, 'Authentication failed.');
    const session = typeof d.session_id === 'string' ? this.#sessions.get(d.session_id) : undefined;
    const seq = typeof d.seq === 'number' ? d.seq : -1;
    const oldest = session?.log[0]?.s ?? (session ? session.seq + 1 : 0);
    if (!session || session.ended || seq < oldest - 1 || seq > session.seq) {
      send(ws, { op: Op.InvalidSession, d: false });
      return null;
    }
    if (session.socket && session.socket !== ws) session.socket.terminate();
    session.socket = ws;
    const missed = session.log.filter((entry) => entry.s > seq);
    for (const entry of missed) send(ws, { op: Op.Dispatch, ...entry });
    this.resumes.push({ sessionId: session.id, replayed: missed.length, at: Date.now() });
    this.#emit(session, 'RESUMED', { _trace: ['fake-gateway'] });
    return session;
  }

  #emit(session: Session, t: string, d: Json): void {
    const entry = { s: ++session.seq, t, d };
    session.log.push(entry);
    if (session.log.length > REPLAY_LIMIT) session.log.shift();
    if (session.socket && !this.#stalled.has(session.socket))
      send(session.socket, { op: Op.Dispatch, ...entry });
  }

  #refuse(ws: WebSocket, code: number, reason: string): null {
    this.closes.push({ code, by: 'server' });
    ws.close(code, reason);
    return null;
  }
}

function send(ws: WebSocket, payload: Json): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
}
