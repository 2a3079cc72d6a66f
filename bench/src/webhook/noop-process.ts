/**
 * The reference peer: a no-op HTTPS handler on the webhook's certificate that reads the body and
 * answers a fixed AdmissionReview. Its latency under the same load is what TLS, HTTP, the load
 * generator and the machine cost at that moment; the webhook's figures are read against it.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CostMeter } from './cost-meter.js';

const { certFile, keyFile } = JSON.parse(process.argv[2]!) as { certFile: string; keyFile: string };
const answer = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: 'x', allowed: true },
});
let requests = 0;
const server = https.createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' },
  (req, res) => {
    requests += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  },
);
server.listen(0, '127.0.0.1', () => {
  const port = (server.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ url: `https://127.0.0.1:${port}` })}\n`);
});
// `stats`: CPU time and heap bytes per request since the previous `stats` (the reference for the webhook's).
const cost = new CostMeter(() => requests);
process.stdin.on('data', (d: Buffer) => {
  for (const command of d.toString().split('\n'))
    if (command.trim() === 'stats') {
      process.stdout.write(`${JSON.stringify(cost.read())}\n`);
      cost.reset();
    }
});
process.stdin.on('end', () => process.exit(0));
