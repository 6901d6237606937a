import { describe, expect, it } from 'vitest';
import { findReclaimers, matchReclaimDaemon } from '../../../bench/host/reclaimers.ts';
import { HYBRID, V2 } from './fixtures.ts';

describe('matchReclaimDaemon', () => {
  it('matches comm, truncated comm and interpreter scripts', () => {
    expect(matchReclaimDaemon('systemd-oomd', '/lib/systemd/systemd-oomd\0')).toBe('systemd-oomd');
    expect(matchReclaimDaemon('low-memory-moni', '')).toBe('low-memory-monitor');
    expect(matchReclaimDaemon('python3', 'python3\0/opt/senpai/senpai.py\0')).toBe('senpai');
  });
  it('does not match on substrings or later arguments', () => {
    expect(matchReclaimDaemon('bash', 'bash\0-c\0echo oomd\0')).toBeNull();
    expect(matchReclaimDaemon('node', 'node\0/srv/app/oomd-report.js\0')).toBeNull();
    expect(matchReclaimDaemon('oomd-helper', '')).toBeNull();
  });
});

describe('findReclaimers', () => {
  it('lists kdamond threads, running sysfs kdamonds and daemons from a fixture /proc', () => {
    expect(findReclaimers(HYBRID)).toEqual([
      { kind: 'damon', description: 'DAMON kdamond.0 (pid 77)', pid: 77 },
      { kind: 'daemon', description: 'senpai (pid 412)', pid: 412 },
      { kind: 'daemon', description: 'systemd-oomd (pid 530)', pid: 530 },
      { kind: 'daemon', description: 'low-memory-monitor (pid 611)', pid: 611 },
      { kind: 'damon', description: 'DAMON sysfs kdamond 0 state on', pid: null },
    ]);
  });
  it('finds nothing on a quiet machine', () => {
    expect(findReclaimers(V2)).toEqual([]);
  });
});
