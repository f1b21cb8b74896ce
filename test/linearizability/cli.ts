// Checks a recorded history file: node test/dist/linearizability/cli.js <history.jsonl|json> [options]
// Exit status: 0 VALID, 1 INVALID, 2 UNKNOWN, 3 unusable input.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkHistory } from './checker.js';
import { parseHistoryText } from './history-io.js';
import { HistoryError } from './operations.js';
import { formatReport } from './timeline.js';

const EXIT = { VALID: 0, INVALID: 1, UNKNOWN: 2 } as const;
const USAGE = 'usage: cli.js <history file> [--timeout-ms N] [--max-steps N] [--no-explain]';

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'timeout-ms': { type: 'string' }, 'max-steps': { type: 'string' }, 'no-explain': { type: 'boolean' } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 3;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 3;
  }
  const timeoutMs = positiveNumber(values['timeout-ms'], '--timeout-ms');
  const maxStepsPerKey = positiveNumber(values['max-steps'], '--max-steps');
  if (timeoutMs === null || maxStepsPerKey === null) return 3;
  try {
    const events = parseHistoryText(readFileSync(positionals[0]!, 'utf8'));
    const report = checkHistory(events, { timeoutMs, maxStepsPerKey, explain: !values['no-explain'] });
    console.log(formatReport(report));
    return EXIT[report.verdict];
  } catch (error) {
    if (error instanceof HistoryError || (error as NodeJS.ErrnoException).code !== undefined) {
      console.error(`cannot check ${positionals[0]}: ${(error as Error).message}`);
      return 3;
    }
    throw error;
  }
}

/** undefined if absent, null (after printing why) if unusable. */
function positiveNumber(text: string | undefined, flag: string): number | undefined | null {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (Number.isFinite(value) && value > 0) return value;
  console.error(`${flag} must be a positive number, got ${JSON.stringify(text)}`);
  return null;
}

process.exitCode = main(process.argv.slice(2));
