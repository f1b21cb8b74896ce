/** The recording window a bench preload reads from its environment variable: `<dir>[,<start ms>[,<duration ms>]]`. */
export interface PreloadWindow {
  dir: string;
  startMs: number;
  durationMs: number;
  /** The node's --name (the pid without one): the output file is named after it. */
  name: string;
}

/** null when the variable is unset or empty (the preload then does nothing); throws on a malformed value. */
export function preloadWindow(variable: string): PreloadWindow | null {
  const setting = process.env[variable];
  if (setting === undefined || setting === '') return null;
  const [dir = '.', startText = '10000', durationText = '10000'] = setting.split(',');
  const startMs = Number(startText);
  const durationMs = Number(durationText);
  if (!(startMs >= 0) || !(durationMs > 0)) throw new Error(`${variable}: expected <dir>[,<start ms>[,<duration ms>]], got "${setting}"`);
  const nameAt = process.argv.indexOf('--name');
  const name = nameAt >= 0 && process.argv[nameAt + 1] !== undefined ? process.argv[nameAt + 1]! : String(process.pid);
  return { dir, startMs, durationMs, name };
}
