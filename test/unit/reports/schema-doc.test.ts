/**
 * docs/results-schema.md and docs/results.schema.json agree with the schema, the metric
 * registry and the CSV column list they are generated from (`npm run docs` regenerates them).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAMPLE_FIELD_NAMES } from '../../../core/metrics.ts';
import { SampleSchema } from '../../../core/schema/results.ts';
import { validateRunResult } from '../../../reports/json.ts';
import { SAMPLE_COLUMNS, sampleFieldOfHeader } from '../../../reports/columns.ts';
import { JSON_SCHEMA_PATH, SCHEMA_DOC_PATH, generatedBlockNames, generatedTables, renderJsonSchema, renderSchemaDoc } from '../../../reports/schema-doc.ts';
import { fixtureRun } from './fixture.ts';

const doc = readFileSync(SCHEMA_DOC_PATH, 'utf8');

describe('results schema documentation', () => {
  it('holds every generated table, each up to date (run `npm run docs` when this fails)', () => {
    expect(generatedBlockNames(doc)).toEqual(Object.keys(generatedTables()));
    expect(renderSchemaDoc(doc)).toBe(doc);
  });

  it('publishes the JSON Schema of results.json, up to date', () => {
    expect(readFileSync(JSON_SCHEMA_PATH, 'utf8')).toBe(renderJsonSchema());
  });

  it('documents every Sample field, in registry order, and the CSV has a column for each', () => {
    expect(Object.keys(SampleSchema.shape)).toEqual(SAMPLE_FIELD_NAMES);
    const section = doc.slice(doc.indexOf('<!-- generated: Sample -->'), doc.indexOf('### Metrics'));
    expect([...section.matchAll(/^\| `(\w+)`/gm)].map((m) => m[1])).toEqual(SAMPLE_FIELD_NAMES);
    const csvFields = SAMPLE_COLUMNS.map((c) => sampleFieldOfHeader(c.header)).filter((f) => f !== null);
    expect(csvFields).toEqual(SAMPLE_FIELD_NAMES);
  });

  it('quotes the error a wrong field really gives', () => {
    const bad = fixtureRun() as unknown as { scenarios: { samples: Record<string, unknown>[] }[] };
    bad.scenarios[2]!.samples[0]!.userLatencyNs = 'abc';
    let message = '';
    try {
      validateRunResult(bad, 'results/x/results.json');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toBe('');
    expect(doc.replace(/\n/g, ' ')).toContain(message);
  });
});
