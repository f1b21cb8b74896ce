export type { Message, PeerStats, Logger, MessageHandler, Transport } from './transport.js';
export type { FaultPlan, LinkFaults } from './faults.js';
