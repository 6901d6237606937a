/** The metric registry: units in names, the lists derived from it, and compare's directions. */
import { describe, expect, it } from 'vitest';
import { COMPARED_METRICS, DISPLAYED_METRICS, FAMILY_FIELDS, familyNulls, SAMPLE_FIELDS, SAMPLE_FIELD_NAMES, SUMMARISED_FIELDS } from '../../../core/metrics.ts';
import { DEFAULT_VERDICT_OPTIONS, judgeFamily } from '../../../core/stats/verdict.ts';

describe('metric registry', () => {
  it('gives every field the unit its name carries', () => {
    const suffix = (name: string): string | null => (/Ns$/.test(name) ? 'ns' : /Bytes$|^bytes/.test(name) ? 'bytes' : /Pages$/.test(name) ? 'pages' : null);
    for (const name of SAMPLE_FIELD_NAMES) expect(SAMPLE_FIELDS[name].unit, name).toBe(suffix(name));
  });

  it('has one doc line per field, and displays and compares only summarised fields', () => {
    for (const name of SAMPLE_FIELD_NAMES) {
      const f = SAMPLE_FIELDS[name];
      expect(f.doc.length, name).toBeGreaterThan(10);
      expect(f.doc, name).not.toMatch(/\n/);
      if (f.display !== null || f.compared) expect(f.summarised, name).toBe(true);
      if (f.compared) expect(f.direction, name).not.toBe('none');
    }
    expect(DISPLAYED_METRICS.every((m) => SUMMARISED_FIELDS.includes(m.field))).toBe(true);
  });

  it('leaves every field of the other scenario families null in a sample that does not fill it', () => {
    for (const name of Object.keys(FAMILY_FIELDS) as (keyof typeof FAMILY_FIELDS)[]) {
      expect(SAMPLE_FIELDS[name].schema.parse(undefined), name).toBeNull();
      expect(familyNulls()[name], name).toBeNull();
    }
    expect(Object.keys(familyNulls()).length).toBe(Object.keys(FAMILY_FIELDS).length);
  });

  it("gives compare each key metric's direction: a rise of a lower-is-better metric is a regression", () => {
    const latency = COMPARED_METRICS.find((m) => m.field === 'userLatencyNs');
    const reclaimed = COMPARED_METRICS.find((m) => m.field === 'reclaimedPages');
    expect(latency?.direction).toBe('lower-is-better');
    expect(reclaimed?.direction).toBe('higher-is-better');
    const base = Array.from({ length: 30 }, (_, i) => 100 + (i % 5));
    const next = base.map((v) => v * 1.5);
    const [slower, more] = judgeFamily([
      { base, next, options: { ...DEFAULT_VERDICT_OPTIONS, direction: latency!.direction } },
      { base, next, options: { ...DEFAULT_VERDICT_OPTIONS, direction: reclaimed!.direction } },
    ]);
    expect(slower?.verdict).toBe('regressed');
    expect(more?.verdict).toBe('improved');
  });
});
