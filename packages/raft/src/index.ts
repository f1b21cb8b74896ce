export * from './core/messages.js';
export type * from './core/api.js';
export * from './storage/storage.js';
export * from './node-api.js';
