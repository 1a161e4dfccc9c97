import { connect } from "node:net";

/**
 * A minimal FastCGI client (the FastCGI 1.0 specification: records of an 8-byte header and content), enough
 * to ask php-fpm for one page as nginx's fastcgi_pass would: BEGIN_REQUEST (responder), the PARAMS, an empty
 * STDIN, then the STDOUT records up to END_REQUEST. Returns what php-fpm wrote: headers, blank line, body.
 */
const VERSION = 1;
const BEGIN_REQUEST = 1;
const END_REQUEST = 3;
const PARAMS = 4;
const STDIN = 5;
const STDOUT = 6;
const RESPONDER = 1;
const REQUEST_ID = 1;

function record(type: number, content: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(VERSION, 0);
  header.writeUInt8(type, 1);
  header.writeUInt16BE(REQUEST_ID, 2);
  header.writeUInt16BE(content.length, 4);
  return Buffer.concat([header, content]);
}

function length(value: number): Buffer {
  if (value < 128) return Buffer.from([value]);
  const long = Buffer.alloc(4);
  long.writeUInt32BE((value | 0x80000000) >>> 0, 0);
  return long;
}

function nameValuePairs(params: Readonly<Record<string, string>>): Buffer {
  return Buffer.concat(
    Object.entries(params).flatMap(([name, value]) => {
      const [n, v] = [Buffer.from(name), Buffer.from(value)];
      return [length(n.length), length(v.length), n, v];
    }),
  );
}

export function fastcgiGet(port: number, params: Readonly<Record<string, string>>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = Buffer.alloc(0);
    const stdout: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error("php-fpm did not answer in 5 s")));
    socket.on("error", reject);
    socket.on("connect", () => {
      const begin = Buffer.alloc(8);
      begin.writeUInt16BE(RESPONDER, 0);
      socket.write(
        Buffer.concat([
          record(BEGIN_REQUEST, begin),
          record(PARAMS, nameValuePairs(params)),
          record(PARAMS, Buffer.alloc(0)),
          record(STDIN, Buffer.alloc(0)),
        ]),
      );
    });
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 8) {
        const type = received.readUInt8(1);
        const size = received.readUInt16BE(4) + received.readUInt8(6);
        if (received.length < 8 + size) break;
        const content = received.subarray(8, 8 + received.readUInt16BE(4));
        received = received.subarray(8 + size);
        if (type === STDOUT) stdout.push(content);
        if (type === END_REQUEST) {
          socket.end();
          resolve(Buffer.concat(stdout).toString("utf8"));
          return;
        }
      }
    });
  });
}
