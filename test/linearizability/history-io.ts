// Histories on disk: JSON Lines (one event per line, what a harness can append as it goes) or a JSON array.
import type { HistoryEvent } from '../faults/history.js';
import { HistoryError } from './operations.js';

export function toJsonLines(events: readonly HistoryEvent[]): string {
  return events.map((event) => JSON.stringify(event)).join('\n') + '\n';
}

/** Parses either format; event shapes are checked later by pairHistory. */
export function parseHistoryText(text: string): HistoryEvent[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const parsed: unknown = parseJson(trimmed, 'the history');
    if (!Array.isArray(parsed)) throw new HistoryError('the history must be a JSON array of events');
    return parsed.map((event, i) => asEvent(event, `event ${i}`));
  }
  return trimmed
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, lineNumber]) => asEvent(parseJson(line, `line ${lineNumber}`), `line ${lineNumber}`));
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HistoryError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
}

function asEvent(value: unknown, where: string): HistoryEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HistoryError(`${where} is not an event object`);
  return value as HistoryEvent;
}
