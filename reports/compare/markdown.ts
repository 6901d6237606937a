/**
 * The comparison as Markdown, for a pull-request comment or a patch cover letter: the
 * conclusion first, the environment differences, then one table row per scenario and key
 * metric, and how the figures were obtained.
 */
import type { Comparison } from './compare.ts';
import { conclusion, formatP, formatShift, formatThreshold, formatValue, reasonText } from './format.ts';

/** Text safe inside a Markdown table cell (pipes escaped, no line breaks). */
function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

/** The whole comparison as Markdown. */
export function renderComparisonMarkdown(c: Comparison): string {
  const pct = Math.round(c.options.confidence * 100);
  const out: string[] = [`## hintbench compare: ${c.regressed ? 'regression' : 'no regression'}`, '', `**${conclusion(c)}**`, ''];
  out.push(`- base: ${code(c.base.dir)} (suite ${c.base.suite}, started ${c.base.startedAt}, hintbench ${c.base.hintbenchVersion})`);
  c.news.forEach((n, i) => {
    out.push(`- new${c.news.length > 1 ? ` #${i + 1}` : ''}: ${code(n.run.dir)} (suite ${n.run.suite}, started ${n.run.startedAt}, hintbench ${n.run.hintbenchVersion})`);
  });
  c.news.forEach((n, i) => {
    const tag = c.news.length > 1 ? ` #${i + 1}` : '';
    out.push('', `### Environment${tag}`, '');
    if (n.environmentDifferences.length === 0) out.push('Same environment as the base run.');
    else {
      out.push('The environments differ (compared anyway: the shifts below include these differences).', '');
      out.push(tableRow(['field', 'base', 'new']), '|---|---|---|');
      for (const d of n.environmentDifferences) out.push(tableRow([d.field, d.base, d.next]));
    }
    if (n.onlyInBase.length > 0) out.push('', `Only in base, not compared: ${n.onlyInBase.map(code).join(', ')}`);
    if (n.onlyInNew.length > 0) out.push('', `Only in new, not compared: ${n.onlyInNew.map(code).join(', ')}`);
    if (n.warmUpSamples.base + n.warmUpSamples.next > 0) out.push('', `Warm-up samples left out: ${n.warmUpSamples.base} base, ${n.warmUpSamples.next} new.`);
    out.push('', `### Results${tag}`, '');
    out.push(tableRow(['scenario', 'metric', 'n base/new', 'base median', 'new median', 'ratio', `shift [${pct}% CI]`, 'p', 'p (Holm)', 'threshold', 'verdict']));
    out.push(`|${' --- |'.repeat(11)}`);
    for (const x of c.cells.filter((x) => x.newIndex === i)) {
      out.push(
        tableRow([
          x.scenarioId,
          x.field,
          `${x.nBase}/${x.nNew}`,
          formatValue(x.field, x.baseMedian),
          formatValue(x.field, x.newMedian),
          x.ratioOfMedians === null ? '-' : x.ratioOfMedians.toFixed(3),
          formatShift(x),
          formatP(x.pValue),
          formatP(x.adjustedPValue),
          formatThreshold(x.thresholdFraction),
          `${x.verdict === 'regressed' || x.verdict === 'improved' ? `**${x.verdict}**` : x.verdict} (${reasonText(x, c.options.minN)})`,
        ]),
      );
    }
  });
  out.push(
    '',
    `Shift: Hodges–Lehmann estimate of new / base − 1 (on logs when every value is positive) with its ${pct}% interval; p: two-sided Mann–Whitney U (exact for small samples), Holm-adjusted over all ${c.options.familySize} tests. ` +
      `A cell regresses or improves only when the adjusted p is below ${c.options.alpha} and the whole interval lies beyond the threshold; it is unchanged when the interval lies within it; otherwise inconclusive. ` +
      `At least ${c.options.minN} samples per side are needed for a decision. Samples are the raw ones, warm-ups left out.`,
    '',
  );
  return out.join('\n');
}
