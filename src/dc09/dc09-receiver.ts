import dgram from 'node:dgram';
import net from 'node:net';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Dc09Intake } from './dc09-intake.js';
import { Dc09Metrics } from './dc09-metrics.js';
import { Dc09Splitter, MAX_FRAME_BYTES } from './dc09-frame.js';

/**
 * Panels that keep their connection open mark the receiver as down when it closes it, and some
 * report only every 25 h: so an idle connection is closed only after this long.
 */
export const IDLE_TIMEOUT_MS = 60 * 60_000;
/** A frame started and not finished this long after: a slow or broken sender, not a panel mid-frame. */
export const PARTIAL_FRAME_TIMEOUT_MS = 30_000;
/** Frames read ahead of the one being handled; beyond it the socket stops being read (TCP pushes back). */
const MAX_QUEUED_FRAMES = 16;
/** Bytes that are not DC-09 at all before the connection is closed (an HTTP client, a port scanner). */
const MAX_GARBAGE_BYTES = 16 * 1024;
/** Frames in a row that cannot even be read (CRC, length, format): a sender that is not a working panel. */
const MAX_UNREADABLE_FRAMES = 16;
const UNREADABLE = new Set(['crc', 'length', 'format']);
/** Replies not read by the peer: a connection that stops reading is not kept. */
const MAX_UNREAD_REPLY_BYTES = 64 * 1024;
/** How long shutdown waits for frames already received to be committed and answered. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * The SIA DC-09 receiver: TCP and UDP on DC09_PORT. The network only: each whole frame goes to
 * Dc09Intake, and its reply (if any) back to the sender. On TCP one connection's frames are handled
 * one at a time, in order, so replies come back in the order the frames were sent; many
 * connections are handled at once. Memory per connection is bounded (one frame's bytes and a few
 * queued frames), whatever a sender does.
 */
@Injectable()
export class Dc09Receiver implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(Dc09Receiver.name);
  private tcp?: net.Server;
  private udp?: dgram.Socket;
  private udpBound = false;
  private readonly connections = new Set<Dc09Connection>();
  private udpInFlight = 0;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly intake: Dc09Intake,
    private readonly metrics: Dc09Metrics,
  ) {}

  /** The ports listened on, or null when the receiver is off (or not listening). */
  address(): { tcp: number; udp: number } | null {
    const tcp = this.tcp?.address();
    const udp = this.udp && this.udpBound ? this.udp.address() : null;
    return tcp && typeof tcp === 'object' && udp ? { tcp: tcp.port, udp: udp.port } : null;
  }

  get enabled(): boolean {
    return this.config.dc09.port !== null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.dc09.port === null) return;
    // Both transports share one port number, as panels are configured with one: with port 0 (tests),
    // TCP picks a free port and UDP takes the same number.
    this.tcp = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.tcp.maxConnections = 50_000;
    await listen(this.tcp, this.config.dc09.port).catch((e: Error) => {
      throw new Error(`DC-09 receiver cannot listen on TCP port ${this.config.dc09.port}: ${e.message} (set DC09_PORT to a free port, or "off")`);
    });
    const port = (this.tcp.address() as net.AddressInfo).port;
    this.udp = dgram.createSocket({ type: 'udp4' });
    this.udp.on('message', (msg, rinfo) => this.datagram(msg, rinfo));
    this.udp.on('error', (e) => this.logger.error(`DC-09 UDP socket: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      this.udp!.once('error', reject);
      this.udp!.bind(port, () => {
        this.udp!.off('error', reject);
        resolve();
      });
    }).catch((e: Error) => {
      this.tcp?.close();
      throw new Error(`DC-09 receiver cannot listen on UDP port ${port}: ${e.message} (set DC09_PORT to a free port, or "off")`);
    });
    this.udpBound = true;
    this.logger.log(`DC-09 receiver listening on TCP and UDP port ${port}`);
  }

  /** Stops taking new frames, lets the ones received be committed and answered, then closes. */
  async onModuleDestroy(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const closed = this.tcp ? new Promise<void>((resolve) => this.tcp!.close(() => resolve())) : Promise.resolve();
    const drained = Promise.all([...this.connections].map((c) => c.drainAndClose()));
    const udpDone = (async () => {
      const until = Date.now() + DRAIN_TIMEOUT_MS;
      while (this.udpInFlight > 0 && Date.now() < until) await sleep(20);
    })();
    const timeout = sleep(DRAIN_TIMEOUT_MS).then(() => {
      for (const c of this.connections) c.destroy();
    });
    await Promise.race([Promise.all([drained, udpDone]), timeout]);
    if (this.udpBound) {
      this.udpBound = false;
      await new Promise<void>((resolve) => this.udp!.close(() => resolve()));
    }
    await closed;
  }

  private accept(socket: net.Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const connection = new Dc09Connection(socket, this.intake, this.metrics, this.logger, () => {
      this.connections.delete(connection);
      this.metrics.connections.dec();
    });
    this.connections.add(connection);
    this.metrics.connections.inc();
  }

  /** UDP: one frame per datagram; the reply goes to the sender's address and port. */
  private datagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.stopping) return;
    const peer = `udp:${rinfo.address}:${rinfo.port}`;
    if (msg.length > MAX_FRAME_BYTES) {
      this.metrics.frame('udp', 'dropped', 'oversized');
      return;
    }
    const items = new Dc09Splitter().push(msg);
    const frames = items.filter((i) => i.kind === 'frame');
    if (frames.length === 0) {
      this.metrics.frame('udp', 'dropped', 'not_dc09');
      return;
    }
    this.udpInFlight += 1;
    void (async () => {
      try {
        for (const f of frames) {
          const started = process.hrtime.bigint();
          const decision = await this.intake.handle(f.bytes, peer);
          this.metrics.frame('udp', decision.outcome, decision.reason);
          if (decision.reply && this.udpBound) {
            this.udp!.send(decision.reply, rinfo.port, rinfo.address);
            this.metrics.replySeconds.observe({ outcome: decision.outcome }, Number(process.hrtime.bigint() - started) / 1e9);
          }
        }
      } catch (e) {
        this.logger.error(`DC-09 ${peer}: ${(e as Error).message}`);
      } finally {
        this.udpInFlight -= 1;
      }
    })();
  }
}

/** One panel's TCP connection: bytes in, frames handled in order, replies out. */
class Dc09Connection {
  private readonly splitter = new Dc09Splitter();
  private readonly queue: Array<{ bytes: Buffer; at: bigint }> = [];
  private busy = false;
  private closing = false;
  private garbage = 0;
  private unreadable = 0;
  private partialTimer?: NodeJS.Timeout;
  private drained?: () => void;
  private readonly peer: string;

  constructor(
    private readonly socket: net.Socket,
    private readonly intake: Dc09Intake,
    private readonly metrics: Dc09Metrics,
    private readonly logger: Logger,
    onClose: () => void,
  ) {
    this.peer = `tcp:${socket.remoteAddress}:${socket.remotePort}`;
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.setKeepAlive(true, 60_000);
    socket.on('data', (chunk) => this.read(chunk));
    socket.on('error', () => undefined); // a reset by the panel is its way of leaving
    socket.on('close', () => {
      clearTimeout(this.partialTimer);
      this.queue.length = 0;
      this.drained?.();
      onClose();
    });
  }

  /** Shutdown: read nothing more, answer what was read, then close our side. */
  drainAndClose(): Promise<void> {
    this.closing = true;
    this.socket.pause();
    if (!this.busy && this.queue.length === 0) {
      this.end();
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.drained = resolve));
  }

  /**
   * Closes our side. Reading resumes (and what comes is ignored) so the panel's own close is seen:
   * a paused socket would never notice it, and shutdown would wait for it.
   */
  private end(): void {
    this.socket.end();
    this.socket.resume();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    if (this.closing) return;
    for (const item of this.splitter.push(chunk)) {
      if (item.kind === 'frame') {
        this.garbage = 0;
        this.queue.push({ bytes: item.bytes, at: process.hrtime.bigint() });
      } else if (item.kind === 'oversized') {
        this.metrics.frame('tcp', 'dropped', 'oversized');
        this.logger.warn(`DC-09 ${this.peer}: a frame of more than ${MAX_FRAME_BYTES} bytes: connection closed`);
        this.socket.destroy();
        return;
      } else {
        this.garbage += item.bytes;
        if (this.garbage > MAX_GARBAGE_BYTES) {
          this.metrics.frame('tcp', 'dropped', 'not_dc09');
          this.logger.warn(`DC-09 ${this.peer}: ${this.garbage} bytes that are not DC-09: connection closed`);
          this.socket.destroy();
          return;
        }
      }
    }
    // Half a frame may wait for its other half, but not forever: a sender that stops mid-frame is closed.
    clearTimeout(this.partialTimer);
    if (this.splitter.buffered > 0) this.partialTimer = setTimeout(() => this.socket.destroy(), PARTIAL_FRAME_TIMEOUT_MS);
    if (this.queue.length >= MAX_QUEUED_FRAMES) this.socket.pause();
    void this.work();
  }

  private async work(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.socket.destroyed) {
        const { bytes, at } = this.queue.shift()!;
        const decision = await this.intake.handle(bytes, this.peer).catch((e: Error) => {
          this.logger.error(`DC-09 ${this.peer}: ${e.message}`);
          return { reply: null, outcome: 'unanswered' as const, reason: 'error' };
        });
        this.metrics.frame('tcp', decision.outcome, decision.reason);
        this.unreadable = decision.outcome === 'nak' && UNREADABLE.has(decision.reason ?? '') ? this.unreadable + 1 : 0;
        if (decision.reply && this.socket.writable) {
          this.socket.write(decision.reply);
          this.metrics.replySeconds.observe({ outcome: decision.outcome }, Number(process.hrtime.bigint() - at) / 1e9);
          if (this.socket.writableLength > MAX_UNREAD_REPLY_BYTES) this.socket.destroy();
        }
        if (this.unreadable >= MAX_UNREADABLE_FRAMES) {
          this.logger.warn(`DC-09 ${this.peer}: ${this.unreadable} unreadable frames in a row: connection closed`);
          this.socket.destroy();
          break;
        }
        if (!this.closing && this.queue.length < MAX_QUEUED_FRAMES && this.socket.isPaused()) this.socket.resume();
      }
    } finally {
      this.busy = false;
    }
    if (this.closing) {
      this.end();
      this.drained?.();
    }
  }
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
