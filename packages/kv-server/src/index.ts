export * from './mvcc/types.js';
