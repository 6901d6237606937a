/**
 * docs/results-schema.md, core/types.ts and the CSV column list agree: every Sample field is
 * documented and has a column; every CSV column is documented and maps to a Sample field or
 * to the scenario.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAMPLE_COLUMNS, SAMPLE_FIELDS, sampleFieldOfHeader } from '../../../reports/columns.ts';

const ROOT = new URL('../../../', import.meta.url);
const doc = readFileSync(new URL('docs/results-schema.md', ROOT), 'utf8');
const types = readFileSync(new URL('core/types.ts', ROOT), 'utf8');

/** Field names declared in an interface of core/types.ts (one `name: type;` per line). */
function interfaceFields(name: string): string[] {
  const body = types.match(new RegExp(`export interface ${name}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`))?.[1];
  if (body === undefined) throw new Error(`interface ${name} not found in core/types.ts`);
  return [...body.matchAll(/^\s{2}(\w+)\??:/gm)].map((m) => m[1]!);
}

/** First-column backticked names of the table under a `## title` / `### title` heading. */
function documentedNames(title: string): string[] {
  const section = doc.split(/\n(?=#{2,3} )/).find((s) => s.replace(/^\n?#{2,3} /, '').split('\n')[0]!.split(' (')[0] === title);
  if (section === undefined) throw new Error(`section ${title} not found in docs/results-schema.md`);
  return [...section.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]!);
}

describe('results schema documentation', () => {
  it('documents every Sample field, and only those, in declaration order', () => {
    const fields = interfaceFields('Sample');
    expect(fields.length).toBeGreaterThan(20);
    expect(documentedNames('Sample')).toEqual(fields);
    expect([...SAMPLE_FIELDS]).toEqual(fields);
  });

  it('documents every field of the other result types', () => {
    expect(documentedNames('RunResult')).toEqual(interfaceFields('RunResult'));
    expect(documentedNames('Environment')).toEqual(interfaceFields('Environment'));
    expect(documentedNames('SwapDevice')).toEqual(interfaceFields('SwapDevice'));
    expect(documentedNames('ScenarioResult')).toEqual(interfaceFields('ScenarioResult'));
    const scenario = documentedNames('Scenario').filter((n) => !n.startsWith('memory.'));
    expect(scenario).toEqual(interfaceFields('Scenario').filter((n) => n !== 'memory'));
    expect(documentedNames('Scenario').filter((n) => n.startsWith('memory.')).map((n) => n.slice(7))).toEqual(interfaceFields('MemorySpec'));
    expect(documentedNames('Summary')).toEqual(interfaceFields('Summary'));
  });

  it('documents every samples.csv column in order, each mapping to a Sample field or the scenario', () => {
    const documented = documentedNames('samples.csv');
    expect(documented).toEqual(SAMPLE_COLUMNS.map((c) => c.header));
    const section = doc.slice(doc.indexOf('## samples.csv'));
    for (const header of documented) {
      const field = sampleFieldOfHeader(header);
      const line = section.split('\n').find((l) => l.startsWith(`| \`${header}\``))!;
      if (field === null) {
        expect(header, 'context columns describe the scenario').toMatch(/^(scenario_id|mechanism|advice|memory_\w+|target_state)$/);
      } else {
        expect(line, header).toContain(`\`Sample.${field}\``);
      }
    }
  });
});
