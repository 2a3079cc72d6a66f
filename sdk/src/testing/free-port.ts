/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a child process (a registry, Prometheus,
 * an app) that must be told its port before it starts. The OS picks it, so parallel test files do
 * not collide the way fixed ports would.
 */
import net from 'node:net';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
