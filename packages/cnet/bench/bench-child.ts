/** The far end of the benchmark: counts bulk messages and echoes pings, over cnet and over raw node:net. */
import net from 'node:net';
import { TcpTransport } from '../src/index.js';
import { BULK, PING, type ToChild, type ToParent } from './bench-protocol.js';
import { rawFrameReader, writeRawFrame } from './raw-framing.js';

const tell = (msg: ToParent): void => void process.send!(msg);

const transport = new TcpTransport({ id: 'child', clusterId: 'bench', listen: '127.0.0.1:0', peers: {}, maxQueueBytes: 256 << 20 });
let expected = { mode: 'cnet' as 'cnet' | 'raw', count: 0 };
let received = 0;

function countBulk(mode: 'cnet' | 'raw'): void {
  if (++received === expected.count && expected.mode === mode) tell({ op: 'done', mode, count: received });
}

transport.onMessage((msg) => {
  if (msg.type === PING) transport.send({ from: 'child', to: 'parent', type: PING, payload: msg.payload });
  else if (msg.type === BULK) countBulk('cnet');
});

const rawServer = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  socket.on(
    'data',
    rawFrameReader((type, payload) => {
      if (type === PING) writeRawFrame(socket, PING, payload);
      else countBulk('raw');
    }),
  );
});

process.on('message', (msg: ToChild) => {
  if (msg.op === 'peer') {
    transport.addPeer('parent', msg.address);
    tell({ op: 'ok' });
  } else if (msg.op === 'expect') {
    expected = { mode: msg.mode, count: msg.count };
    received = 0;
    tell({ op: 'ok' });
  } else if (msg.op === 'exit') {
    rawServer.close();
    void transport.close().then(() => process.exit(0));
  }
});

await transport.start();
await new Promise<void>((resolve) => rawServer.listen(0, '127.0.0.1', resolve));
tell({ op: 'ready', cnetAddress: transport.address, rawPort: (rawServer.address() as net.AddressInfo).port });
