/**
 * Sending UDP with a forged source address needs a raw IP socket, which Node.js does not offer.
 * The app hands that one step to `nping` (from Debian's nmap package, maintained with nmap),
 * which builds the IP header itself (`--send-ip`, a raw socket with IP_HDRINCL): the image
 * grants it CAP_NET_RAW as a file capability so the app itself runs as an unprivileged user, and
 * `--privileged` tells nping to use the capability instead of checking for root.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findNping } from './nping-path.js';

export interface SpoofedSend {
  source: string;
  destination: string;
  sourcePort: number;
  destinationPort: number;
  payload: Buffer;
  count: number;
  /** Milliseconds between packets. */
  delayMs: number;
  signal?: AbortSignal;
}

/** Sends `count` forged UDP packets; resolves with the number nping reports as sent. */
export function sendSpoofedUdp(send: SpoofedSend): Promise<number> {
  const nping = findNping();
  const args = [
    '--udp',
    '--send-ip',
    '--privileged',
    '--source-ip',
    send.source,
    '--dest-ip',
    send.destination,
    '--source-port',
    String(send.sourcePort),
    '--dest-port',
    String(send.destinationPort),
    '--data',
    send.payload.toString('hex'),
    '--count',
    String(send.count),
    '--delay',
    `${send.delayMs}ms`,
    '-H', // no per-packet lines; the summary with the sent count still prints
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(nping, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(send.signal ? { signal: send.signal } : {}),
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (error) => reject(new Error(`could not run ${nping}: ${error.message}`)));
    child.on('close', (code) => {
      const sent = /Raw packets sent: (\d+)/.exec(out);
      if (code !== 0 || !sent) {
        const tail = out.trim().split('\n').slice(-3).join(' | ');
        const hint = /raw socket|are you root|permission|privilege|operation not permitted/i.test(out)
          ? rawSocketHint()
          : '';
        return reject(new Error(`nping exited with ${code} without sending: ${tail}${hint}`));
      }
      resolve(Number(sent[1]));
    });
  });
}

/**
 * Why nping got no raw socket. In a container the app runs as user 65532 with CAP_NET_RAW only
 * in its bounding set; nping gains it from its file capability at exec, which the kernel refuses
 * under no_new_privs, i.e. when the pod sets securityContext.allowPrivilegeEscalation: false.
 */
function rawSocketHint(): string {
  let noNewPrivs = false;
  try {
    noNewPrivs = /^NoNewPrivs:\s*1$/m.test(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    /* not Linux */
  }
  return (
    ' — nping could not open a raw socket: the sender needs CAP_NET_RAW (capabilities in nmaas.yaml) and gets it from' +
    " nping's file capability, which the kernel ignores under no_new_privs: the sender's pod must not set" +
    ` securityContext.allowPrivilegeEscalation: false${noNewPrivs ? ' (no_new_privs is set for this process)' : ''}`
  );
}
