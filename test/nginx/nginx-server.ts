import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";

/**
 * A real nginx serving a rendered configuration on loopback ports, and a client that reports what a
 * browser would see, including nginx's answers that are not HTTP responses (444 closes the connection,
 * `ssl_reject_handshake` aborts TLS). Everything here talks to 127.0.0.1 only.
 */

export const LOOPBACK = "127.0.0.1";

/** A TCP port nothing listens on right now: the kernel picks it, we release it for nginx to take. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface RunningNginx {
  /** What nginx wrote: its error log, the access log and ModSecurity's audit log. */
  log(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exited(child: ChildProcess, withinMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    socket.setTimeout(500);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

/**
 * Starts nginx in the foreground on `<dir>/nginx.conf` (its pid and logs in `dir`) and waits, at most
 * 15 s, until every port in `ports` accepts connections.
 */
export async function startNginx(dir: string, ports: readonly number[]): Promise<RunningNginx> {
  // nginx opens /dev/stdout for the access and audit logs: give it a file (node's stdio pipes are sockets,
  // which /dev/stdout cannot be opened on).
  const logPath = path.join(dir, "nginx.log");
  const errorLog = path.join(dir, "error.log");
  const fd = openSync(logPath, "w");
  const child = spawn(
    "nginx",
    ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", `daemon off; pid ${dir}/nginx.pid; error_log ${errorLog} notice;`],
    {
      stdio: ["ignore", fd, fd],
    },
  );
  closeSync(fd);
  const log = () =>
    [logPath, errorLog]
      .map((file) => {
        try {
          return readFileSync(file, "utf8");
        } catch {
          return "";
        }
      })
      .join("\n");
  const stop = async () => {
    if (await exited(child, 0)) return;
    child.kill("SIGQUIT"); // graceful: workers finish their requests
    if (await exited(child, 5_000)) return;
    child.kill("SIGTERM");
    if (await exited(child, 2_000)) return;
    child.kill("SIGKILL");
    await exited(child, 2_000);
  };

  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`nginx exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    const ready = await Promise.all(ports.map(accepts));
    if (ready.every(Boolean)) return { log, stop };
    await sleep(100);
  }
  await stop();
  throw new Error(`nginx did not accept connections on ${ports.join(", ")} within 15 s:\n${log()}`);
}

export interface Answer {
  /** Undefined when nginx gave no HTTP response. */
  readonly status?: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Why there was no response: the client error's code (ECONNRESET for a closed connection, EPROTO for a TLS alert…). */
  readonly error?: string;
  /** The client error's message (OpenSSL names the TLS alert there). */
  readonly message?: string;
}

export interface Ask {
  readonly port: number;
  readonly tls: boolean;
  /** Host header. */
  readonly host: string;
  /** TLS server name (SNI); none when undefined, as for a client that connects by address. */
  readonly servername?: string;
  readonly path?: string;
  readonly userAgent?: string;
  readonly agent?: http.Agent;
  /** The client's own address (any of 127.0.0.0/8 on loopback); the kernel picks one when undefined. */
  readonly localAddress?: string;
}

/** One GET to nginx on 127.0.0.1, answered within 5 s or reported as an error. */
export function ask(request: Ask): Promise<Answer> {
  const options: https.RequestOptions = {
    host: LOOPBACK,
    port: request.port,
    path: request.path ?? "/",
    headers: { Host: request.host, "User-Agent": request.userAgent ?? "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" },
    agent: request.agent ?? false,
    timeout: 5_000,
    ...(request.localAddress ? { localAddress: request.localAddress } : {}),
    ...(request.tls ? { rejectUnauthorized: false, ...(request.servername ? { servername: request.servername } : {}) } : {}),
  };
  return new Promise((resolve) => {
    const req = (request.tls ? https : http).request(options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", (error: NodeJS.ErrnoException) =>
        resolve({ headers: res.headers, body, error: error.code ?? "", message: error.message }),
      );
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("no answer within 5 s"), { code: "TIMEOUT" })));
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ headers: {}, body: "", error: error.code ?? "", message: error.message }));
    req.end();
  });
}
