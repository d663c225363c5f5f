import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';

export interface AppProcess {
  child: ChildProcess;
  port: number;
  /** `http://127.0.0.1:<port>` */
  base: string;
  stdout(): string;
  stderr(): string;
  /** Both streams as they arrived: what to show when something went wrong. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (the app shuts down cleanly) and waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<ChildProcess>();

/**
 * `node dist/main.js` as a user starts it, with only the environment given (and PATH, DC09_PORT=0
 * and a free PORT unless given), so a DATABASE_URL or PORT of the surrounding shell cannot leak in.
 * Resolves once /health answers 200; rejects with the app's output if it exits first or does not
 * answer within `timeoutMs`.
 */
export async function startAppProcess(env: Record<string, string>, { timeoutMs = 60_000 }: { timeoutMs?: number } = {}): Promise<AppProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: { PATH: process.env.PATH ?? '', DC09_PORT: '0', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let out = '';
  let err = '';
  let both = '';
  child.stdout!.on('data', (d) => ((out += d), (both += d)));
  child.stderr!.on('data', (d) => ((err += d), (both += d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (gone) throw new Error(`the app exited during start-up:\n${both}`);
    if (
      (await fetch(`${base}/health`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    ) {
      return {
        child,
        port,
        base,
        stdout: () => out,
        stderr: () => err,
        output: () => both,
        exited,
        async stop() {
          if (!gone) child.kill('SIGTERM');
          return exited;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`/health did not answer 200 within ${timeoutMs / 1000} s:\n${both}`);
}

/** For afterAll: ends every app this test file started that is still running. */
export async function killAppProcesses(): Promise<void> {
  await Promise.all(
    [...started].map((child) => {
      const exit = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exit;
    }),
  );
}
