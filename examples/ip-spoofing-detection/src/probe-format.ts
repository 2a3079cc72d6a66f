/**
 * The probe payload: one ASCII line the receiver can read without the sender's help. Every probe
 * carries the session, its class, the source it claims, the sender's real address, and the list
 * of classes in the session (so the receiver knows what was sent even when a class never
 * arrives). With a shared key, an HMAC-SHA256 tag lets the receiver ignore anything not sent by
 * a sender of this deployment.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ProbeClass } from './addresses.js';

export const MAGIC = 'NMAAS-SPOOF/1';

export interface ProbeFields {
  session: string;
  class: ProbeClass;
  /** The source address the probe claims (forged, or the real one for control). */
  claimed: string;
  /** The sender's real address. */
  from: string;
  classes: ProbeClass[];
  /** Probes sent per class. */
  count: number;
}

export function encodeProbe(fields: ProbeFields, key: string): Buffer {
  const body = `${MAGIC} session=${fields.session} class=${fields.class} claimed=${fields.claimed} from=${fields.from} count=${fields.count} classes=${fields.classes.join(',')}`;
  return Buffer.from(key ? `${body} mac=${mac(body, key)}` : body, 'ascii');
}

/** The probe's fields, or null for anything that is not a (valid, when keyed) probe. */
export function decodeProbe(payload: Buffer, key: string): ProbeFields | null {
  const text = payload.toString('ascii');
  if (!text.startsWith(`${MAGIC} `) || text.length > 1200) return null;
  const macAt = text.lastIndexOf(' mac=');
  const body = macAt >= 0 ? text.slice(0, macAt) : text;
  if (key) {
    if (macAt < 0) return null;
    const expected = Buffer.from(mac(body, key));
    const got = Buffer.from(text.slice(macAt + 5));
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) return null;
  }
  const fields = Object.fromEntries(
    body
      .slice(MAGIC.length + 1)
      .split(' ')
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const classes = (fields.classes ?? '').split(',').filter(Boolean) as ProbeClass[];
  const count = Number(fields.count);
  if (
    !fields.session ||
    !fields.class ||
    !fields.claimed ||
    !fields.from ||
    classes.length === 0 ||
    !Number.isInteger(count)
  )
    return null;
  if (!/^[\w-]{1,64}$/.test(fields.session) || !classes.includes(fields.class as ProbeClass)) return null;
  return {
    session: fields.session,
    class: fields.class as ProbeClass,
    claimed: fields.claimed,
    from: fields.from,
    classes,
    count,
  };
}

function mac(body: string, key: string): string {
  return createHmac('sha256', key).update(body).digest('hex').slice(0, 32);
}
