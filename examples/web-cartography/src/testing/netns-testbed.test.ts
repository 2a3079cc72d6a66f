import { describe, expect, it } from 'vitest';
import { staleTestbedNamespaces, tbfArgs } from './netns-testbed.js';

describe('namespace testbed helpers', () => {
  it('finds the beds whose process is gone, and only testbed namespaces', () => {
    const list = 'nmc-wq-100 (id: 3)\nnms-wq-100 (id: 4)\nnmc-sq-200\nnms-sq-200\nnmaas-acc-c-100\nother\n';
    expect(staleTestbedNamespaces(list, (pid) => pid === 200)).toEqual(['nmc-wq-100', 'nms-wq-100']);
    expect(staleTestbedNamespaces(list, () => true)).toEqual([]);
  });

  it('sizes the token bucket to at least 10 ms of the rate', () => {
    expect(tbfArgs(10).burstBytes).toBe(16 * 1024);
    expect(tbfArgs(100).burstBytes).toBe(125_000);
    expect(tbfArgs(20).args).toEqual(['root', 'tbf', 'rate', '20mbit', 'burst', '25000', 'latency', '200ms']);
  });
});
