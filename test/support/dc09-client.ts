import dgram from 'node:dgram';
import net from 'node:net';
import { Dc09Splitter } from '../../src/dc09/dc09-frame.js';

/**
 * A panel's side of a DC-09 TCP connection: writes frames, reads whole reply frames in order.
 * `reply` resolves null when nothing comes within the timeout (the receiver stayed silent).
 */
export class Dc09Connection {
  private readonly splitter = new Dc09Splitter();
  private readonly replies: Buffer[] = [];
  private waiter?: (b: Buffer | null) => void;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      for (const item of this.splitter.push(chunk)) {
        if (item.kind !== 'frame') continue;
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = undefined;
          w(item.bytes);
        } else this.replies.push(item.bytes);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      // A reply that cannot come any more: say so now rather than at the timeout.
      const w = this.waiter;
      this.waiter = undefined;
      w?.(null);
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<Dc09Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new Dc09Connection(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  reply(timeoutMs = 5000): Promise<Buffer | null> {
    if (this.replies.length) return Promise.resolve(this.replies.shift()!);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(null);
      }, timeoutMs);
      this.waiter = (b) => {
        clearTimeout(timer);
        resolve(b);
      };
      if (this.closed) this.waiter(null);
    });
  }

  async send(frame: Buffer, timeoutMs = 5000): Promise<Buffer | null> {
    this.write(frame);
    return this.reply(timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One frame on a connection of its own, as many panels send: connect, send, read the reply, close. */
export async function sendOnce(port: number, frame: Buffer, timeoutMs = 5000): Promise<Buffer | null> {
  const c = await Dc09Connection.connect(port);
  try {
    return await c.send(frame, timeoutMs);
  } finally {
    c.close();
  }
}

/** One frame in one UDP datagram; the reply comes back to the sending port. */
export async function sendUdp(port: number, frame: Buffer, timeoutMs = 5000): Promise<Buffer | null> {
  const socket = dgram.createSocket('udp4');
  try {
    return await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      socket.once('message', (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      socket.send(frame, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/** Frame bytes as text for assertions: LF and CR dropped. */
export const text = (frame: Buffer | null) => (frame ? frame.toString('latin1').replace(/^\n|\r$/g, '') : null);
