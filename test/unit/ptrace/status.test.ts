import { describe, expect, it } from 'vitest';
import { decodeWaitStatus, describeWaitStatus, isEventStop, PTRACE_EVENT_STOP } from '../../../core/sys/ptrace-status.ts';

// Status words built as the kernel builds them (kernel/exit.c, kernel/signal.c ptrace_do_notify).
const exited = (code: number): number => (code & 0xff) << 8;
const killed = (sig: number, core = false): number => sig | (core ? 0x80 : 0);
const stopped = (sig: number, event = 0): number => 0x7f | (sig << 8) | (event << 16);

describe('waitpid status decoding', () => {
  it('decodes normal exits with their code', () => {
    expect(decodeWaitStatus(exited(0))).toEqual({ kind: 'exited', exitCode: 0 });
    expect(decodeWaitStatus(exited(3))).toEqual({ kind: 'exited', exitCode: 3 });
  });
  it('decodes death by signal, with and without core', () => {
    expect(decodeWaitStatus(killed(9))).toEqual({ kind: 'signaled', signal: 9, coreDumped: false });
    expect(decodeWaitStatus(killed(11, true))).toEqual({ kind: 'signaled', signal: 11, coreDumped: true });
  });
  it('decodes a signal-delivery stop (event 0)', () => {
    const s = decodeWaitStatus(stopped(10));
    expect(s).toEqual({ kind: 'stopped', signal: 10, event: 0 });
    expect(isEventStop(s)).toBe(false);
  });
  it('decodes the PTRACE_INTERRUPT stop and a group-stop of a seized tracee as PTRACE_EVENT_STOP', () => {
    const interrupt = decodeWaitStatus(stopped(5, PTRACE_EVENT_STOP));
    expect(interrupt).toEqual({ kind: 'stopped', signal: 5, event: 128 });
    expect(isEventStop(interrupt)).toBe(true);
    const group = decodeWaitStatus(stopped(19, PTRACE_EVENT_STOP));
    expect(group).toEqual({ kind: 'stopped', signal: 19, event: 128 });
    expect(describeWaitStatus(group)).toMatch(/event 128.*signal 19/);
  });
  it('decodes WIFCONTINUED', () => {
    expect(decodeWaitStatus(0xffff)).toEqual({ kind: 'continued' });
  });
});
