import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { collectEnvironment, parseCpuDetail, parseCpuList, parseCpuModel, readHintbenchCommit, readVirtualization } from '../../../bench/host/fingerprint.ts';
import { EnvironmentSchema } from '../../../core/schema/results.ts';
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

describe('the completed fingerprint', () => {
  /** A host tree with the files the new facts come from. */
  function tree(files: Record<string, string | Buffer>): string {
    const root = mkdtempSync(join(tmpdir(), 'hintbench-fingerprint-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }
  const CPUINFO =
    'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\nstepping\t: 1\nmicrocode\t: 0x1000065\ncpu MHz\t\t: 2596.122\nflags\t\t: fpu vme hypervisor lahf_lm\n\nprocessor\t: 1\n';

  it('reads sysctls, MGLRU, zswap, THP defrag, cmdline, config hash, CPU detail, governor, virtualisation and load', async () => {
    const config = 'CONFIG_ZRAM=y\nCONFIG_LRU_GEN=y\n';
    const root = tree({
      '/proc/cpuinfo': CPUINFO,
      '/proc/sys/kernel/osrelease': '6.18.0-test\n',
      '/proc/sys/vm/swappiness': '60\n',
      '/proc/sys/vm/page-cluster': '3\n',
      '/sys/kernel/mm/lru_gen/enabled': '0x0007\n',
      '/sys/module/zswap/parameters/enabled': 'Y\n',
      '/sys/module/zswap/parameters/compressor': 'lz4\n',
      '/sys/module/zswap/parameters/max_pool_percent': '20\n',
      '/sys/kernel/mm/transparent_hugepage/defrag': 'always defer defer+madvise [madvise] never\n',
      '/proc/cmdline': 'console=ttyS0 quiet\n',
      '/proc/config.gz': gzipSync(config),
      '/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor': 'performance\n',
      '/sys/class/dmi/id/sys_vendor': 'QEMU\n',
      '/proc/loadavg': '3.18 2.87 2.49 6/198 21736\n',
    });
    try {
      const env = await collectEnvironment(root, 'bpftrace', { argv: ['run', '--suite', 'smoke'], suite: { name: 'smoke', description: 'tiny', scenarios: [] } });
      expect(EnvironmentSchema.parse(env)).toEqual(env);
      expect(env).toMatchObject({
        swappiness: 60,
        pageCluster: 3,
        mglru: '0x0007',
        zswap: 'enabled (lz4, pool 20 %)',
        thpDefrag: 'madvise',
        kernelCmdline: 'console=ttyS0 quiet',
        kernelConfigSha256: createHash('sha256').update(config).digest('hex'),
        cpuDetail: 'AuthenticAMD family 26 model 2 stepping 1, microcode 0x1000065, 2596 MHz',
        cpuGovernor: 'performance',
        virtualization: 'QEMU',
        loadAverageStart: [3.18, 2.87, 2.49],
        loadAverageEnd: null,
        argv: ['run', '--suite', 'smoke'],
        suiteDefinition: { name: 'smoke', description: 'tiny', scenarios: [] },
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('says absent, unreadable or none where a fact is missing', async () => {
    const root = tree({ '/proc/cpuinfo': 'processor\t: 0\nflags\t\t: fpu vme\n' });
    try {
      const env = await collectEnvironment(root);
      expect(env).toMatchObject({
        swappiness: null,
        pageCluster: null,
        mglru: 'absent',
        zswap: 'absent',
        kernelCmdline: null,
        kernelConfigSha256: null,
        cpuGovernor: null,
        virtualization: 'none',
      });
      expect(env.argv).toEqual(process.argv.slice(2));
      expect(env.suiteDefinition).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('parses CPU detail and names an unnamed hypervisor by its flag', () => {
    expect(parseCpuDetail(CPUINFO)).toBe('AuthenticAMD family 26 model 2 stepping 1, microcode 0x1000065, 2596 MHz');
    expect(parseCpuDetail('')).toBeNull();
    expect(readVirtualization('/nonexistent', CPUINFO)).toMatch(/^yes \(hypervisor flag set/);
    expect(readVirtualization('/nonexistent', '')).toBeNull();
  });

  it('records the git commit of this tree, or null outside a clone', () => {
    expect(readHintbenchCommit()).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
    const outside = mkdtempSync(join(tmpdir(), 'hintbench-nogit-'));
    try {
      expect(readHintbenchCommit(outside)).toBeNull();
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
