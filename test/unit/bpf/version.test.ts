import { describe, expect, it } from 'vitest';
import { MIN_BPFTRACE, compareVersions, parseBpftraceVersion } from '../../../bpf/version.ts';

describe('bpftrace version', () => {
  it('parses the forms bpftrace --version prints', () => {
    expect(parseBpftraceVersion('bpftrace v0.17.0\n')).toBe('0.17.0');
    expect(parseBpftraceVersion('bpftrace v0.21.2-12-gabcdef')).toBe('0.21.2');
    expect(parseBpftraceVersion('bpftrace 0.9.4')).toBe('0.9.4');
    expect(parseBpftraceVersion('command not found')).toBeNull();
  });
  it('compares dotted versions numerically', () => {
    expect(compareVersions('0.17.0', MIN_BPFTRACE)).toBeGreaterThan(0);
    expect(compareVersions('0.9.4', MIN_BPFTRACE)).toBeLessThan(0);
    expect(compareVersions('0.16', '0.16.0')).toBe(0);
    expect(compareVersions('1.0.0', '0.99.9')).toBeGreaterThan(0);
  });
});
