import { describe, expect, it } from 'vitest';
import { refaultsOf } from '../../../bench/pressure/timeline.ts';

describe('pressure timeline', () => {
  it('counts anon and file workingset refaults together, and says null where memory.stat has neither', () => {
    expect(refaultsOf({ workingset_refault_anon: 7, workingset_refault_file: 3, pgfault: 100 })).toBe(10);
    expect(refaultsOf({ workingset_refault_file: 3 })).toBe(3);
    expect(refaultsOf({ pgfault: 100 })).toBeNull();
  });
});
