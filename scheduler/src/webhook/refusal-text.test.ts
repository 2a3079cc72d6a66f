import { describe, expect, it } from 'vitest';
import type { BookingName, Refused } from './admission-service.js';
import { describeRefused } from './refusal-text.js';

describe('describeRefused', () => {
  it('words a remembered refusal again when a booking it names is called differently', () => {
    const refused: Refused = { kind: 'refused', code: 'migration-blocked', culprit: 'b-1', cause: 'disruption-budget' };
    let name: BookingName = { pendingApp: 'web-qos' };
    let calls = 0;
    const nameOf = (id: string): BookingName => {
      calls += 1;
      expect(id).toBe('b-1');
      return name;
    };
    const pending = describeRefused(refused, nameOf);
    expect(pending).toBe(
      'evicting a pending web-qos pod was refused (its PodDisruptionBudget allows no disruption now)',
    );
    expect(describeRefused(refused, nameOf)).toBe(pending);
    name = { pod: { namespace: 'm', name: 'web-qos-7f' } };
    expect(describeRefused(refused, nameOf)).toBe(
      'evicting m/web-qos-7f was refused (its PodDisruptionBudget allows no disruption now)',
    );
    name = null;
    expect(describeRefused(refused, nameOf)).toContain('evicting another pod');
    // Each answer looked the booking up again: nothing stale was served without checking.
    expect(calls).toBeGreaterThanOrEqual(4);
  });

  it('keeps the words of refusals that name no booking', () => {
    const refused: Refused = { kind: 'refused', code: 'unknown-node', node: 'gone', phase: 3 };
    const first = describeRefused(refused, () => null);
    expect(describeRefused(refused, () => null)).toBe(first);
    expect(first).toContain('node gone');
  });
});
