import { describe, expect, it } from 'vitest';
import { collectEnvironment, parseCpuList, parseCpuModel } from '../../../bench/host/fingerprint.ts';
import { hintbenchVersion } from '../../../core/version.ts';
import { readFileSync } from 'node:fs';
import { HYBRID } from './fixtures.ts';

describe('fingerprint parsers', () => {
  it('reads the CPU model of x86 and arm cpuinfo', () => {
    expect(parseCpuModel('processor\t: 0\nmodel name\t: AMD EPYC 7B13\n')).toBe('AMD EPYC 7B13');
    expect(parseCpuModel('processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n')).toBe('CPU part 0xd0c');
    expect(parseCpuModel('')).toBeNull();
  });
  it('counts CPUs in a cpulist', () => {
    expect(parseCpuList('0-1\n')).toBe(2);
    expect(parseCpuList('0-3,6,8-9')).toBe(7);
    expect(parseCpuList('0')).toBe(1);
    expect(parseCpuList('x')).toBeNull();
  });
  it('takes the version from package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(hintbenchVersion()).toBe(pkg.version);
  });
});

describe('collectEnvironment on a fixture tree', () => {
  it('uses the same readers as the doctor', async () => {
    const env = await collectEnvironment(HYBRID);
    expect(env.hostname).toBe('fixture-host');
    expect(env.kernelRelease).toBe('6.18.44-fc-v657');
    expect(env.cpuModel).toBe('AMD EPYC 7B13');
    expect(env.cpuCount).toBe(2);
    expect(env.memTotalBytes).toBe(24684092 * 1024);
    expect(env.swapDevices.map((d) => d.zramCompressor)).toEqual(['lzo-rle', null]);
    expect(env.thpMode).toBe('madvise');
    expect(env.cgroupMemory).toBe('hybrid');
    expect(env.backgroundReclaimers).toContain('DAMON kdamond.0 (pid 77)');
    expect(env.backgroundReclaimers).toContain('senpai (pid 412)');
    expect(env.nodeVersion).toBe(process.version);
  });
});
