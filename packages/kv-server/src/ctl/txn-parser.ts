/**
 * etcdctl's txn syntax: compares, a blank line, success ops, a blank line, failure ops.
 *   value("k") = "v"     mod("k") > "5"     version("k") = "0"     create("k") < "10"
 *   put k v    get k [range_end] [--prefix …]    del k [range_end] [--prefix …]
 */
import type { Compare, CompareResult, CompareTarget, RequestOp, TxnRequest } from '../mvcc/types.js';
import { UsageError } from './exit-codes.js';
import { buildRangeRequest, parseCount, resolveKeyRange, type GetFlags } from './key-range.js';

const TARGETS: Record<string, CompareTarget> = {
  ver: 'VERSION',
  version: 'VERSION',
  c: 'CREATE',
  create: 'CREATE',
  m: 'MOD',
  mod: 'MOD',
  val: 'VALUE',
  value: 'VALUE',
  lease: 'LEASE',
};

const RESULTS: Record<string, CompareResult> = { '=': 'EQUAL', '!=': 'NOT_EQUAL', '<': 'LESS', '>': 'GREATER' };

/** Unquotes a Go-style double-quoted string ("a\"b", "\n", "\u00e9"). */
function unquote(quoted: string, line: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw new UsageError(`malformed comparison: ${line} (bad string ${quoted})`);
  }
}

const COMPARE = /^(\w+)\(("(?:[^"\\]|\\.)*")\)\s*(=|!=|<|>)\s*("(?:[^"\\]|\\.)*"|\S+)$/;

export function parseCompare(line: string): Compare {
  const match = COMPARE.exec(line.trim());
  if (!match) throw new UsageError(`malformed comparison: ${line}`);
  const [, targetName, quotedKey, op, rawValue] = match as unknown as [string, string, string, string, string];
  const target = TARGETS[targetName];
  if (!target) throw new UsageError(`malformed comparison: ${line} (unknown target ${targetName})`);
  const key = Buffer.from(unquote(quotedKey, line), 'utf8');
  const value = rawValue.startsWith('"') ? unquote(rawValue, line) : rawValue;
  const cmp: Compare = { key, target, result: RESULTS[op]! };
  if (target === 'VALUE') {
    cmp.value = Buffer.from(value, 'utf8');
    return cmp;
  }
  if (!/^-?\d+$/.test(value)) throw new UsageError(`malformed comparison: ${line} (${targetName} needs an integer, got "${value}")`);
  const n = Number(value);
  if (target === 'VERSION') cmp.version = n;
  else if (target === 'CREATE') cmp.createRevision = n;
  else if (target === 'MOD') cmp.modRevision = n;
  else cmp.lease = n;
  return cmp;
}

/** Splits a line into arguments: whitespace separates, "double" (with escapes) and 'single' quotes group. */
export function splitArgs(line: string): string[] {
  const args: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    if (m[1] !== undefined) args.push(unquoteArg(m[0], line));
    else if (m[2] !== undefined) args.push(m[2]);
    else args.push(m[3]!);
  }
  return args;
}

function unquoteArg(quoted: string, line: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw new UsageError(`malformed request: ${line} (bad string ${quoted})`);
  }
}

/** Separates `--flag`, `--flag=value` and `--flag value` (for flags taking a value) from positional args. */
function splitFlags(args: string[], valued: Set<string>, line: string): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (eq >= 0) flags.set(name, arg.slice(eq + 1));
    else if (valued.has(name)) {
      const next = args[++i];
      if (next === undefined) throw new UsageError(`malformed request: ${line} (--${name} needs a value)`);
      flags.set(name, next);
    } else flags.set(name, 'true');
  }
  return { positional, flags };
}

function checkFlags(flags: Map<string, string>, allowed: string[], line: string): void {
  for (const name of flags.keys())
    if (!allowed.includes(name)) throw new UsageError(`malformed request: ${line} (unknown flag --${name})`);
}

function bool(flags: Map<string, string>, name: string): boolean {
  const v = flags.get(name);
  return v !== undefined && v !== 'false';
}

function arity(positional: string[], min: number, max: number, usage: string, line: string): void {
  if (positional.length < min || positional.length > max) throw new UsageError(`malformed request: ${line} (usage: ${usage})`);
}

export function parseRequestOp(line: string): RequestOp {
  const [verb, ...rest] = splitArgs(line);
  const valued = new Set(['rev', 'limit', 'sort-by', 'order']);
  const { positional, flags } = splitFlags(rest, valued, line);
  switch (verb) {
    case 'put': {
      checkFlags(flags, ['prev-kv'], line);
      arity(positional, 2, 2, 'put [--prev-kv] <key> <value>', line);
      const req = { key: Buffer.from(positional[0]!, 'utf8'), value: Buffer.from(positional[1]!, 'utf8') };
      return { requestPut: bool(flags, 'prev-kv') ? { ...req, prevKv: true } : req };
    }
    case 'get': {
      checkFlags(flags, ['prefix', 'from-key', 'rev', 'limit', 'keys-only', 'count-only', 'sort-by', 'order'], line);
      arity(positional, 1, 2, 'get <key> [range_end] [--prefix|--from-key] [--rev N] [--limit N] …', line);
      const getFlags: GetFlags = { prefix: bool(flags, 'prefix'), fromKey: bool(flags, 'from-key') };
      getFlags.keysOnly = bool(flags, 'keys-only');
      getFlags.countOnly = bool(flags, 'count-only');
      if (flags.has('rev')) getFlags.rev = parseCount(flags.get('rev')!, '--rev');
      if (flags.has('limit')) getFlags.limit = parseCount(flags.get('limit')!, '--limit');
      if (flags.has('sort-by')) getFlags.sortBy = flags.get('sort-by')!;
      if (flags.has('order')) getFlags.order = flags.get('order')!;
      return { requestRange: buildRangeRequest(positional[0]!, positional[1], getFlags) };
    }
    case 'del':
    case 'delete': {
      checkFlags(flags, ['prefix', 'from-key', 'prev-kv'], line);
      arity(positional, 1, 2, 'del <key> [range_end] [--prefix|--from-key] [--prev-kv]', line);
      const range = resolveKeyRange(positional[0]!, positional[1], { prefix: bool(flags, 'prefix'), fromKey: bool(flags, 'from-key') });
      return { requestDeleteRange: bool(flags, 'prev-kv') ? { ...range, prevKv: true } : range };
    }
    default:
      throw new UsageError(`malformed request: ${line} (expected put, get or del)`);
  }
}

/** The three sections of a txn script, each a list of non-blank lines. */
export interface TxnSections {
  compares: string[];
  success: string[];
  failure: string[];
}

export function txnFromSections(sections: TxnSections): TxnRequest {
  return {
    compare: sections.compares.map(parseCompare),
    success: sections.success.map(parseRequestOp),
    failure: sections.failure.map(parseRequestOp),
  };
}

/** Splits a whole script at blank lines; missing trailing sections are empty, text after the third is ignored. */
export function splitTxnScript(text: string): TxnSections {
  const sections: string[][] = [[]];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      if (sections.length === 3) break;
      sections.push([]);
    } else sections[sections.length - 1]!.push(line);
  }
  return { compares: sections[0] ?? [], success: sections[1] ?? [], failure: sections[2] ?? [] };
}

export function parseTxnScript(text: string): TxnRequest {
  return txnFromSections(splitTxnScript(text));
}
