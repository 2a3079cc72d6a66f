import { describe, expect, it } from 'vitest';
import { scopeExpression } from './alerts.js';

const S = 'namespace="ns", service="svc"';

describe('scopeExpression', () => {
  it('adds the release matchers to bare selectors and to selectors with matchers', () => {
    expect(scopeExpression('a_total > 0', ['a_total'], S)).toBe('a_total{namespace="ns", service="svc"} > 0');
    expect(scopeExpression('rate(a_total{phase="x"}[5m])', ['a_total'], S)).toBe(
      'rate(a_total{namespace="ns", service="svc", phase="x"}[5m])',
    );
    expect(scopeExpression('a_total { } == 0', ['a_total'], S)).toBe('a_total {namespace="ns", service="svc"} == 0');
  });

  it('leaves longer names, label names, label values and strings alone', () => {
    expect(scopeExpression('a_bucket + a', ['a'], S)).toBe('a_bucket + a{namespace="ns", service="svc"}');
    expect(scopeExpression('b{a="a", x="}"} + label_replace(c, "a", "$1", "a", "(.*)")', ['a'], S)).toBe(
      'b{a="a", x="}"} + label_replace(c, "a", "$1", "a", "(.*)")',
    );
    expect(scopeExpression('sum by (a) (x)', ['x'], S)).toBe('sum by (a) (x{namespace="ns", service="svc"})');
  });
});
