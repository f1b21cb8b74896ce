import type { Logger } from './transport.js';

const ignore = (): void => {};

/** The default logger of the library: says nothing. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
