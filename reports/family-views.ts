/**
 * The views of the scenario families beyond the hint family, as the HTML, Markdown and text
 * reports place them: their findings (after the hint findings) and their tables (after the
 * overview). A run without pressure scenarios or several memory kinds gets none of them.
 */
import type { RunResult } from '../core/types.ts';
import { kindFindings, kindsTable } from './kinds.ts';
import { strategyFindings, strategyTable } from './strategy.ts';
import type { GroupedTable } from './tables.ts';

/** The findings of the strategy view and of COLD against PAGEOUT per memory kind, one sentence each. */
export function familyFindings(run: RunResult): string[] {
  return [...strategyFindings(run), ...kindFindings(run)];
}

/** One section of family tables. */
export interface FamilySection {
  /** HTML element id. */
  id: string;
  title: string;
  /** What the table shows, one paragraph. */
  note: string;
  table: GroupedTable;
}

/** How wide the report's tables may be: `wide` (HTML: every column with CIs), `narrow` (Markdown: the strategy table's key columns with CIs, the kinds table's medians), `text` (key columns, medians). */
export type SectionWidth = 'wide' | 'narrow' | 'text';

/** The family sections a run has, in report order. */
export function familySections(run: RunResult, width: SectionWidth): FamilySection[] {
  const out: FamilySection[] = [];
  const strategies = strategyTable(run, { narrow: width !== 'wide', ci: width !== 'text' });
  if (strategies.groups.length > 0) {
    out.push({
      id: 'strategies',
      title: 'Strategies under pressure',
      note:
        'Per pressure configuration, the memory each strategy freed before the pressure against what it cost under it; ' +
        `medians over the measured samples${width === 'text' ? '' : ' with the 95 % CI of the median in parentheses'}. ` +
        'Columns with no value in any sample are left out.',
      table: strategies,
    });
  }
  const kinds = kindsTable(run, { ci: width === 'wide' });
  if (kinds.groups.length > 0) {
    out.push({
      id: 'kinds',
      title: 'COLD and PAGEOUT per memory kind',
      note:
        'Across the hint: pages reclaimed (probe), RSS drop and swap growth of the target, and major faults of the re-touch; ' +
        `medians${width === 'wide' ? ' with the 95 % CI of the median in parentheses' : ' (the key findings and report.html give their CIs)'}.`,
      table: kinds,
    });
  }
  return out;
}
