import { describe, expect, it } from 'vitest';
import { createApp, publicLock, UsageError } from './create-app.js';

describe('npm run create-app', () => {
  it('refuses a missing or existing folder before starting anything', async () => {
    await expect(createApp([], '/')).rejects.toThrow(/give the folder of the new app first/);
    await expect(createApp(['--yes'], '/')).rejects.toBeInstanceOf(UsageError);
    await expect(createApp(['tmp', '--yes'], '/')).rejects.toThrow('/tmp already exists; give a new folder');
  });

  it('points the lock at the public registry the local one proxied, and only those URLs', () => {
    const lock = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'my-probe' },
        'node_modules/@nmaas/sdk': {
          version: '0.1.0',
          resolved: 'http://127.0.0.1:4873/@nmaas/sdk/-/sdk-0.1.0.tgz',
          integrity: 'sha512-x',
        },
        'node_modules/yaml': { version: '2.8.0', resolved: 'http://127.0.0.1:4873/yaml/-/yaml-2.8.0.tgz' },
        'node_modules/other': { version: '1.0.0', resolved: 'https://example.org/other-1.0.0.tgz' },
      },
    });
    const out = JSON.parse(publicLock(lock, 'http://127.0.0.1:4873/', 'https://registry.npmjs.org')) as {
      packages: Record<string, { resolved?: string; integrity?: string }>;
    };
    expect(out.packages['node_modules/@nmaas/sdk']).toEqual({
      version: '0.1.0',
      resolved: 'https://registry.npmjs.org/@nmaas/sdk/-/sdk-0.1.0.tgz',
      integrity: 'sha512-x',
    });
    expect(out.packages['node_modules/yaml']!.resolved).toBe('https://registry.npmjs.org/yaml/-/yaml-2.8.0.tgz');
    expect(out.packages['node_modules/other']!.resolved).toBe('https://example.org/other-1.0.0.tgz');
  });
});
