/**
 * The sender role: plan the classes, send the control probes from the real address with an
 * ordinary UDP socket and the forged ones through nping, all from one source port so a stateful
 * firewall treats them alike.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { planProbes, type PlannedProbe, type ProbeClass } from './addresses.js';
import { sendSpoofedUdp } from './nping.js';
import { encodeProbe } from './probe-format.js';

export interface SenderOptions {
  receiver: string;
  port: number;
  /** The sender's own address; '' finds the one the kernel uses towards the receiver. */
  sourceAddress: string;
  routableSources: string[];
  privateSources: string[];
  adjacentPrefixes: number[];
  probesPerClass: number;
  key: string;
  signal?: AbortSignal;
}

export interface SentClass extends PlannedProbe {
  sent: number;
  error?: string;
}

export interface SenderReport {
  session: string;
  sender: string;
  receiver: string;
  port: number;
  classes: SentClass[];
}

export async function runSender(options: SenderOptions): Promise<SenderReport> {
  const sender = options.sourceAddress || (await localAddressTowards(options.receiver, options.port));
  const plan = planProbes({
    sender,
    routableSources: options.routableSources,
    privateSources: options.privateSources,
    adjacentPrefixes: options.adjacentPrefixes,
  });
  const session = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const classes = plan.map((p) => p.class) as ProbeClass[];
  const sourcePort = 40000 + (randomBytes(2).readUInt16BE() % 20000);
  const payloadFor = (p: PlannedProbe) =>
    encodeProbe(
      { session, class: p.class, claimed: p.source, from: sender, classes, count: options.probesPerClass },
      options.key,
    );
  const results: SentClass[] = await Promise.all(
    plan.map(async (p): Promise<SentClass> => {
      try {
        const sent =
          p.class === 'control'
            ? await sendControl(options.receiver, options.port, sourcePort, payloadFor(p), options.probesPerClass)
            : await sendSpoofedUdp({
                source: p.source,
                destination: options.receiver,
                sourcePort,
                destinationPort: options.port,
                payload: payloadFor(p),
                count: options.probesPerClass,
                delayMs: 20,
                ...(options.signal ? { signal: options.signal } : {}),
              });
        return { ...p, sent };
      } catch (error) {
        return { ...p, sent: 0, error: (error as Error).message };
      }
    }),
  );
  return { session, sender, receiver: options.receiver, port: options.port, classes: results };
}

async function sendControl(
  receiver: string,
  port: number,
  sourcePort: number,
  payload: Buffer,
  count: number,
): Promise<number> {
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(sourcePort, () => resolve());
    });
    for (let i = 0; i < count; i++) {
      await new Promise<void>((resolve, reject) =>
        socket.send(payload, port, receiver, (error) => (error ? reject(error) : resolve())),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    return count;
  } finally {
    socket.close();
  }
}

/** The local address the kernel would use to reach `receiver` (a connected UDP socket sends nothing). */
export async function localAddressTowards(receiver: string, port: number): Promise<string> {
  const socket = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, receiver, () => resolve());
    });
    return socket.address().address;
  } finally {
    socket.close();
  }
}
