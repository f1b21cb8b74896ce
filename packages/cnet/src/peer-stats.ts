import type { PeerStats } from './transport.js';

export function emptyPeerStats(): PeerStats {
  return {
    messagesSent: 0,
    bytesSent: 0,
    messagesReceived: 0,
    bytesReceived: 0,
    messagesDropped: 0,
    bytesDropped: 0,
    queuedBytes: 0,
    reconnects: 0,
    connected: false,
  };
}
