/** Kept-open descriptors for small files read again and again: fresh content on every read, missing files, the cap on open descriptors. */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeptFiles } from '../../../../core/proc/kept-files.ts';

describe('KeptFiles', () => {
  let dir: string;
  const buf = Buffer.alloc(64);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hintbench-kept-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the current content from the start each time, through the same descriptor', () => {
    const path = join(dir, 'state');
    writeFileSync(path, 'FROZEN\n');
    const files = new KeptFiles();
    expect(files.text(path, buf)).toBe('FROZEN\n');
    writeFileSync(path, '0\n');
    expect(files.text(path, buf)).toBe('0\n');
    // The kept descriptor still reads the file after its name is gone.
    unlinkSync(path);
    expect(files.text(path, buf)).toBe('0\n');
    files.forget(path);
    expect(files.text(path, buf)).toBeNull();
  });

  it('remembers a missing file as missing until it is forgotten, when asked to', () => {
    const path = join(dir, 'cgroup.freeze');
    const files = new KeptFiles();
    expect(files.read(path, buf, { rememberMissing: true })).toBe(-1);
    writeFileSync(path, '1\n');
    expect(files.read(path, buf, { rememberMissing: true })).toBe(-1);
    files.forget(path);
    expect(files.text(path, buf)).toBe('1\n');
    const other = join(dir, 'other');
    expect(files.read(other, buf)).toBe(-1);
    writeFileSync(other, 'x');
    expect(files.text(other, buf)).toBe('x');
  });

  it('closes every descriptor once more than maxOpen would be open, and reopens on demand', () => {
    const files = new KeptFiles(2);
    const paths = ['a', 'b', 'c'].map((n) => join(dir, n));
    for (const p of paths) writeFileSync(p, p.slice(-1));
    expect(paths.map((p) => files.text(p, buf))).toEqual(['a', 'b', 'c']);
    writeFileSync(paths[0]!, 'A');
    expect(files.text(paths[0]!, buf)).toBe('A');
    files.reset();
    expect(files.text(paths[1]!, buf)).toBe('b');
  });
});
