import { describe, expect, it } from 'vitest';
import { constants } from 'node:os';
import { errnoDescription, errnoName, errnoValue, SyscallError } from '../../../../core/sys/errno.ts';

describe('errno mapping', () => {
  it('names the errors process_madvise and ptrace return', () => {
    expect(errnoName(1)).toBe('EPERM');
    expect(errnoName(3)).toBe('ESRCH');
    expect(errnoName(9)).toBe('EBADF');
    expect(errnoName(12)).toBe('ENOMEM');
    expect(errnoName(22)).toBe('EINVAL');
    expect(errnoName(38)).toBe('ENOSYS');
  });
  it('falls back to E<n> for unknown values and maps names back', () => {
    expect(errnoName(9999)).toBe('E9999');
    expect(errnoValue('ESRCH')).toBe(3);
    expect(errnoValue('ENOPE')).toBeUndefined();
  });
  it('builds a message naming the call and the error', () => {
    const e = new SyscallError('pidfd_open(42)', 3);
    expect(e.code).toBe('ESRCH');
    expect(e.message).toBe('pidfd_open(42) failed: ESRCH (no such process)');
  });
  it('takes every name Node knows, and its description where libuv has one', () => {
    for (const [name, value] of Object.entries(constants.errno)) {
      expect(errnoValue(name)).toBe(value);
      expect(errnoName(value)).toMatch(/^E[A-Z0-9]+$/);
    }
    expect(errnoName(constants.errno.EAGAIN)).toBe('EAGAIN');
    expect(errnoDescription(constants.errno.EFAULT)).toBe('bad address in system call argument');
    expect(errnoDescription(9999)).toBe('errno 9999');
  });
});
