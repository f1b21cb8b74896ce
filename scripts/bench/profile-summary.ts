/** Where a V8 CPU profile (node --cpu-prof) spent its time: self time per code area and function, inclusive time per function. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

/** The code area a script URL belongs to: a dependency, a raftkv package directory, node itself, or a V8 pseudo-frame. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const dep = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dep) return dep[1]!;
  const own = /\/packages\/([^/]+)\/dist\/src\/(?:([^/]+)\/)?/.exec(url);
  if (own) return `raftkv ${own[1]}${own[2] ? `/${own[2]}` : ''}`;
  return url.replace(/^file:\/\//, '');
}

/** The `n` largest totals as lines: share of `all`, the amount as `format` writes it, the name. */
export function topLines(totals: Map<string, number>, n: number, all: number, format: (v: number) => string): string[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, v]) => `${((100 * v) / all).toFixed(1).padStart(5)}%  ${format(v)}  ${name}`);
}

const asMs = (ms: number): string => `${ms.toFixed(0).padStart(7)} ms`;

function top(totals: Map<string, number>, n: number, allMs: number): string[] {
  return topLines(totals, n, allMs, asMs);
}

export function functionKey(node: { callFrame: ProfileNode['callFrame'] }): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|packages)\//, '$1/').replace(/^file:\/\//, '')}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${where}`;
}

/** Time with the function anywhere on the stack; a recursive function counts each sample once. */
function inclusiveTimes(profile: CpuProfile, msPerSample: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  const totals = new Map<string, number>();
  const onStack = new Map<string, number>();
  const visit = (node: ProfileNode): void => {
    const key = functionKey(node);
    onStack.set(key, (onStack.get(key) ?? 0) + 1);
    const ms = (node.hitCount ?? 0) * msPerSample;
    if (ms > 0) for (const k of onStack.keys()) totals.set(k, (totals.get(k) ?? 0) + ms);
    for (const id of node.children ?? []) visit(byId.get(id)!);
    const left = onStack.get(key)! - 1;
    if (left === 0) onStack.delete(key);
    else onStack.set(key, left);
  };
  for (const node of profile.nodes) if (!childIds.has(node.id)) visit(node);
  return totals;
}

export function summarizeProfile(profile: CpuProfile, n: number): string {
  const sampleCount = profile.samples?.length ?? profile.nodes.reduce((s, node) => s + (node.hitCount ?? 0), 0);
  const msPerSample = sampleCount === 0 ? 0 : (profile.endTime - profile.startTime) / 1000 / sampleCount;
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let busyMs = 0;
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * msPerSample;
    if (ms === 0) continue;
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    const name = functionKey(node);
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
    if (area !== '(idle)') busyMs += ms;
  }
  const allMs = (profile.endTime - profile.startTime) / 1000;
  return [
    `profile: ${allMs.toFixed(0)} ms, ${busyMs.toFixed(0)} ms not idle (${((100 * busyMs) / allMs).toFixed(0)}%); percentages of the whole profile`,
    '',
    'self time by area:',
    ...top(byArea, n, allMs),
    '',
    'self time by function:',
    ...top(byFunction, n, allMs),
    '',
    'inclusive time by function (the function or its callees):',
    ...top(inclusiveTimes(profile, msPerSample), n, allMs),
  ].join('\n');
}
