/**
 * Test support: the real client-node KubeApi against a fresh in-process fake API server over
 * HTTPS (the client refuses plain HTTP), with a throwaway CA.
 */
import { readFile } from 'node:fs/promises';
import { generateCertificates } from '../webhook/certificates.js';
import { ClientNodeKubeApi, loadKubeConfig } from './client-node-api.js';
import { FakeApiServer, type FakeApiServerOptions } from './fake-api-server.js';
import { afterAll } from 'vitest';
import { TempDirs } from '@nmaas/sdk/testing';

/** Temp folders of this file's tests, removed after them. */
const temp = new TempDirs('fake-api');
afterAll(() => temp.removeAll());

let caFile = '';
/** The CA file of the last fake cluster made (for kubeconfig files in CLI tests). */
export const lastCaFile = () => caFile;

export async function fakeCluster(
  options: FakeApiServerOptions = {},
): Promise<{ fake: FakeApiServer; api: ClientNodeKubeApi }> {
  const certs = await generateCertificates(await temp.make());
  caFile = certs.caFile;
  const fake = new FakeApiServer({
    ...options,
    tls: { cert: await readFile(certs.certFile), key: await readFile(certs.keyFile) },
  });
  const api = new ClientNodeKubeApi(loadKubeConfig({ server: await fake.start(), caFile: certs.caFile }));
  return { fake, api };
}
