/**
 * A small authoritative DNS server for tests (RFC 1035 over UDP, node:dgram): it answers A, AAAA
 * and CNAME questions from a zone given as a plain object, following CNAME chains the way a
 * recursive resolver's answer does, so that the apps' configurable `resolver` is exercised against
 * a real server on loopback. It can delay answers to give DNS timings a known value.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type ZoneRecord = { cname: string } | { a?: string[]; aaaa?: string[] };
export type Zone = Record<string, ZoneRecord>;

export interface TestDnsServer {
  /** `<host>:<port>`, the value to give an app's `resolver` parameter. */
  address: string;
  port: number;
  /** Questions received so far, as `name/TYPE`. */
  queries: string[];
  /** For each answer sent, seconds between the question's arrival and the answer's send (the real delay). */
  answerDelays: number[];
  /** Replaces the zone (to simulate a change between runs). */
  setZone(zone: Zone): void;
  /** Delay before each answer, in milliseconds. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

const TYPE = { A: 1, CNAME: 5, AAAA: 28, ANY: 255 } as const;
const TYPE_NAMES: Record<number, string> = { 1: 'A', 5: 'CNAME', 28: 'AAAA', 255: 'ANY' };

export interface TestDnsServerOptions {
  delayMs?: number;
  ttl?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default: any free one). */
  port?: number;
}

export async function startTestDnsServer(zone: Zone, options: TestDnsServerOptions = {}): Promise<TestDnsServer> {
  let records = normalizeZone(zone);
  let delayMs = options.delayMs ?? 0;
  const ttl = options.ttl ?? 60;
  const queries: string[] = [];
  const answerDelays: number[] = [];
  const host = options.host ?? '127.0.0.1';
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  socket.on('message', (msg, rinfo) => {
    const arrived = performance.now();
    let reply: Buffer;
    try {
      const question = parseQuestion(msg);
      queries.push(`${question.name}/${TYPE_NAMES[question.type] ?? question.type}`);
      reply = answer(msg, question, records, ttl);
    } catch {
      return; // not a DNS query we understand: drop it like a real server under garbage
    }
    const send = () => {
      answerDelays.push((performance.now() - arrived) / 1000);
      socket.send(reply, rinfo.port, rinfo.address);
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, host, () => resolve());
  });
  const port = (socket.address() as AddressInfo).port;
  return {
    address: net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`,
    port,
    queries,
    answerDelays,
    setZone(next) {
      records = normalizeZone(next);
    },
    setDelay(ms) {
      delayMs = ms;
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function normalizeZone(zone: Zone): Map<string, ZoneRecord> {
  return new Map(Object.entries(zone).map(([name, record]) => [name.toLowerCase().replace(/\.$/, ''), record]));
}

interface Question {
  name: string;
  type: number;
  /** Offset just past the question section. */
  end: number;
}

function parseQuestion(msg: Buffer): Question {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) throw new Error('expected exactly one question');
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    const length = msg[offset];
    if (length === undefined) throw new Error('truncated name');
    offset += 1;
    if (length === 0) break;
    labels.push(msg.subarray(offset, offset + length).toString('ascii'));
    offset += length;
  }
  const type = msg.readUInt16BE(offset);
  return { name: labels.join('.').toLowerCase(), type, end: offset + 4 };
}

function encodeName(name: string): Buffer {
  const parts = name
    .split('.')
    .filter(Boolean)
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function resourceRecord(name: string, type: number, ttl: number, data: Buffer): Buffer {
  const header = Buffer.alloc(10);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(1, 2); // class IN
  header.writeUInt32BE(ttl, 4);
  header.writeUInt16BE(data.length, 8);
  return Buffer.concat([encodeName(name), header, data]);
}

function answer(msg: Buffer, question: Question, records: Map<string, ZoneRecord>, ttl: number): Buffer {
  const answers: Buffer[] = [];
  let name = question.name;
  let rcode = 0;
  for (let hops = 0; ; hops++) {
    const record = records.get(name);
    if (!record) {
      if (hops === 0) rcode = 3; // NXDOMAIN for the asked name; a dangling chain just ends
      break;
    }
    if ('cname' in record) {
      answers.push(resourceRecord(name, TYPE.CNAME, ttl, encodeName(record.cname)));
      if (question.type === TYPE.CNAME || hops > 16) break;
      name = record.cname.toLowerCase().replace(/\.$/, '');
      continue;
    }
    if (question.type === TYPE.A || question.type === TYPE.ANY) {
      for (const a of record.a ?? [])
        answers.push(resourceRecord(name, TYPE.A, ttl, Buffer.from(a.split('.').map(Number))));
    }
    if (question.type === TYPE.AAAA || question.type === TYPE.ANY) {
      for (const a of record.aaaa ?? []) answers.push(resourceRecord(name, TYPE.AAAA, ttl, ipv6Bytes(a)));
    }
    break;
  }
  const header = Buffer.alloc(12);
  msg.copy(header, 0, 0, 2); // id
  const rd = msg[2]! & 0x01;
  header[2] = 0x84 | rd; // QR, AA, RD copied
  header[3] = 0x80 | rcode; // RA, rcode
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, msg.subarray(12, question.end), ...answers]);
}

function ipv6Bytes(address: string): Buffer {
  if (!net.isIPv6(address)) throw new Error(`${address} is not an IPv6 address`);
  const [head = '', tail = ''] = address.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = address.includes('::') ? groups(tail) : [];
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
