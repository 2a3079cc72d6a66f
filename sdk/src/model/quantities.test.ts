import { describe, expect, it } from 'vitest';
import {
  formatBandwidth,
  formatCpu,
  formatDuration,
  formatMemory,
  parseBandwidth,
  parseCpu,
  parseDuration,
  parseMemory,
} from './quantities.js';

describe('quantities', () => {
  it('parses durations', () => {
    expect(parseDuration('30s')).toBe(30);
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('250ms')).toBe(0.25);
    for (const bad of ['', '5', 'm5', '5 m', '-5s', '1y']) expect(parseDuration(bad)).toBeNull();
  });
  it('formats durations to their shortest exact form', () => {
    expect(formatDuration(300)).toBe('5m');
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(0.1)).toBe('100ms');
    for (const s of [1, 59, 61, 3600, 3661]) expect(parseDuration(formatDuration(s))).toBe(s);
  });
  it('parses cpu, memory and bandwidth into millicores, MiB and Mbps', () => {
    expect(parseCpu('250m')).toBe(250);
    expect(parseCpu('0.5')).toBe(500);
    expect(parseCpu('2')).toBe(2000);
    expect(parseCpu('2 cores')).toBeNull();
    expect(parseMemory('128Mi')).toBe(128);
    expect(parseMemory('1Gi')).toBe(1024);
    expect(parseMemory('512Ki')).toBe(1);
    expect(parseMemory('1GB')).toBeNull();
    expect(parseBandwidth('20Mbps')).toBe(20);
    expect(parseBandwidth('1Gbps')).toBe(1000);
    expect(parseBandwidth('500kbps')).toBe(1);
    expect(parseBandwidth('20MB/s')).toBeNull();
  });
  it('round-trips canonical amounts', () => {
    for (const c of [1, 250, 1000, 2500]) expect(parseCpu(formatCpu(c))).toBe(c);
    for (const m of [1, 48, 1024, 4096]) expect(parseMemory(formatMemory(m))).toBe(m);
    for (const b of [0, 20, 1000, 2500]) expect(parseBandwidth(formatBandwidth(b))).toBe(b);
  });
});
