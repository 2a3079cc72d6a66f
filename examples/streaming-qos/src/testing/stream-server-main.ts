/**
 * Serves one VOD HLS stream (the test stream server) on a given address until killed, and prints
 * `{"ready":true,"port":…}`: the curl side-by-side test starts it inside the testbed's server
 * namespace (`ip netns exec … node stream-server-main.js '<options json>'`). Not used by the image.
 */
import { startStreamServer } from './stream-server.js';

interface MainOptions {
  address: string;
  bandwidth: number;
  segmentSeconds: number;
  segmentCount: number;
}

const raw = process.argv[2];
if (!raw) {
  process.stderr.write(
    'usage: node stream-server-main.js \'{"address":…,"bandwidth":…,"segmentSeconds":…,"segmentCount":…}\'\n',
  );
  process.exit(2);
}
const options = JSON.parse(raw) as MainOptions;
const server = await startStreamServer({
  renditions: [{ id: 'main', bandwidth: options.bandwidth }],
  segmentSeconds: options.segmentSeconds,
  segmentCount: options.segmentCount,
  addresses: [options.address],
});
process.stdout.write(`${JSON.stringify({ ready: true, port: server.port })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
