import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeProbe } from './probe-format.js';
import { ProbeCollector } from './receiver.js';

let collector: ProbeCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

async function send(port: number, payloads: Buffer[]): Promise<void> {
  const socket = dgram.createSocket('udp4');
  for (const p of payloads)
    await new Promise<void>((r, j) => socket.send(p, port, '127.0.0.1', (e) => (e ? j(e) : r())));
  socket.close();
  await new Promise((r) => setTimeout(r, 100));
}

describe('ProbeCollector on loopback', () => {
  it('judges each class against the control and notices rewritten sources', async () => {
    collector = await ProbeCollector.listen(0, '127.0.0.1', 'secret');
    const classes = ['control', 'private', 'routable'] as const;
    const probe = (cls: (typeof classes)[number], claimed: string, key = 'secret') =>
      encodeProbe({ session: 's1', class: cls, claimed, from: '127.0.0.1', classes: [...classes], count: 2 }, key);
    // Control arrives twice from its real address; "private" arrives once but from 127.0.0.1, not
    // the address it claims (what a NAT does); "routable" never arrives; a forged-key packet is ignored.
    await send(collector.port, [
      probe('control', '127.0.0.1'),
      probe('control', '127.0.0.1'),
      probe('private', '10.254.254.1'),
      probe('routable', '1.2.3.4', 'wrong'),
      Buffer.from('noise'),
    ]);
    expect(collector.take(60_000)).toEqual([]); // not quiet yet
    const [session] = collector.take(0, true);
    expect(collector.ignored).toBe(2);
    expect(session).toMatchObject({ session: 's1', sender: '127.0.0.1', natDetected: true, spoofablePrefixLength: 32 });
    expect(session!.classes).toEqual([
      { class: 'control', claimed: '127.0.0.1', sent: 2, received: 2, verdict: 'received' },
      {
        class: 'private',
        claimed: '10.254.254.1',
        sent: 2,
        received: 1,
        verdict: 'received',
        rewrittenTo: ['127.0.0.1'],
      },
      { class: 'routable', claimed: '', sent: 2, received: 0, verdict: 'filtered' },
    ]);
  });

  it('cannot judge a session whose control was lost', async () => {
    collector = await ProbeCollector.listen(0, '127.0.0.1', '');
    await send(collector.port, [
      encodeProbe(
        {
          session: 's2',
          class: 'adjacent_24',
          claimed: '127.0.0.1',
          from: '127.0.0.1',
          classes: ['control', 'adjacent_24', 'adjacent_16'],
          count: 1,
        },
        '',
      ),
    ]);
    const [session] = collector.take(0, true);
    expect(session!.classes.map((c) => c.verdict)).toEqual(['unknown', 'received', 'unknown']);
    expect(session!.spoofablePrefixLength).toBe(24);
  });
});
