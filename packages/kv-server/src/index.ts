export * from './mvcc/types.js';
export * from './ctl/index.js';
