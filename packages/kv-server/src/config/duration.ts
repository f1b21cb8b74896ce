/**
 * Go-style durations as etcd's and etcdctl's flags take them ("500ms", "5s", "1m"), in milliseconds; null when the
 * text is not one or not positive. A bare number means `bareNumberMs` each (etcdctl: seconds), or is refused.
 */
export function parseGoDuration(text: string, bareNumberMs?: number): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) return null;
  const value = Number(match[1]);
  const unitMs = match[2] === 'ms' ? 1 : match[2] === 's' ? 1000 : match[2] === 'm' ? 60_000 : bareNumberMs;
  if (unitMs === undefined) return null;
  const ms = value * unitMs;
  return ms > 0 ? ms : null;
}
