// Public surface of the linearizability checker, for the fault harness.
export type { HistoryEvent, KvOp, KvResult, Clock } from '../faults/history.js';
export { HistoryRecorder } from '../faults/history.js';
export { checkHistory, checkOperations } from './checker.js';
export type { CheckOptions, CheckReport, KeyReport, Verdict, Violation } from './checker.js';
export { pairHistory, partitionByKey, HistoryError } from './operations.js';
export type { Operation, PairedHistory } from './operations.js';
export { formatReport, formatViolation, describeOperation } from './timeline.js';
export { parseHistoryText, toJsonLines } from './history-io.js';
