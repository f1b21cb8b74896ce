export * from './core/messages.js';
export type * from './core/api.js';
export * from './storage/storage.js';
export * from './node-api.js';
export * from './storage/level-storage.js';
export * from './storage/memory-storage.js';
export { CodecError } from './codec/bytes.js';
export { encodeMessage, decodeMessage, encodeEntry, decodeEntry, clusterTagOf, readClusterTag } from './codec/message-codec.js';
export * from './core/index.js';
