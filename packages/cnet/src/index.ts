export type { Message, PeerStats, Logger, MessageHandler, Transport } from './transport.js';
export type { FaultPlan, LinkFaults } from './faults.js';
export { linkKey, validateFaultPlan } from './faults.js';
export { TcpTransport, type TcpTransportOptions } from './tcp-transport.js';
export { MemoryNetwork, MemoryTransport, type MemoryTransportOptions } from './memory-transport.js';
export {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  FrameDecoder,
  FrameError,
  FrameKind,
  decodeFrame,
  encodeFrame,
  frameSize,
  maxPayloadBytes,
  type Frame,
} from './frame.js';
export { seededRandom } from './random.js';
export { silentLogger } from './logger.js';
export { freeConsecutiveLoopbackPorts, freeLoopbackPorts, nonEphemeralPortRange } from './free-ports.js';
