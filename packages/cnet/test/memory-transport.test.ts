import { expect } from 'chai';
import { MemoryNetwork, type Message } from '../src/index.js';
import { numbered, seqOf, waitFor } from './helpers.js';

async function cluster(ids: string[]) {
  const network = new MemoryNetwork();
  const nodes = ids.map((id) => network.join(id));
  const inbox = new Map<string, Message[]>(ids.map((id) => [id, []]));
  for (const node of nodes) {
    node.onMessage((m) => inbox.get(node.id)!.push(m));
    await node.start();
  }
  return { network, nodes, inbox };
}

describe('MemoryTransport', () => {
  it('delivers messages asynchronously and in order per link', async () => {
    const { nodes, inbox } = await cluster(['a', 'b']);
    for (let i = 0; i < 100; i++) nodes[0]!.send(numbered('a', 'b', i));
    expect(inbox.get('b')).to.have.length(0);
    await waitFor(() => inbox.get('b')!.length === 100, '100 messages at b');
    expect(inbox.get('b')!.map(seqOf)).to.deep.equal([...Array(100).keys()]);
    expect(inbox.get('b')![0]!.from).to.equal('a');
    const stats = nodes[0]!.stats().b!;
    expect(stats.messagesSent).to.equal(100);
    expect(stats.connected).to.equal(true);
    expect(nodes[1]!.stats().a!.messagesReceived).to.equal(100);
  });

  it('copies payloads, so a sender reusing its buffer does not change what arrives', async () => {
    const { nodes, inbox } = await cluster(['a', 'b']);
    const payload = Buffer.from('before');
    nodes[0]!.send({ from: 'a', to: 'b', type: 1, payload });
    payload.write('after!');
    await waitFor(() => inbox.get('b')!.length === 1, 'one message');
    expect(Buffer.from(inbox.get('b')![0]!.payload).toString()).to.equal('before');
  });

  it('drops and counts messages to a node that is not on the network', async () => {
    const { nodes } = await cluster(['a']);
    nodes[0]!.send(numbered('a', 'ghost', 1));
    expect(nodes[0]!.stats().ghost).to.include({ messagesDropped: 1, connected: false });
  });

  it('cuts a partition both ways through the network plan, then heals', async () => {
    const { network, nodes, inbox } = await cluster(['a', 'b', 'c']);
    network.setFaultPlan({ seed: 1, partitions: [['a', 'b']] });
    nodes[0]!.send(numbered('a', 'b', 1));
    nodes[1]!.send(numbered('b', 'a', 2));
    nodes[0]!.send(numbered('a', 'c', 3));
    await waitFor(() => inbox.get('c')!.length === 1, 'the message to c');
    expect(inbox.get('a')).to.have.length(0);
    expect(inbox.get('b')).to.have.length(0);
    expect(nodes[0]!.stats().b!.messagesDropped).to.equal(1);
    network.setFaultPlan(null);
    nodes[0]!.send(numbered('a', 'b', 4));
    await waitFor(() => inbox.get('b')!.length === 1, 'the message after healing');
    expect(seqOf(inbox.get('b')![0]!)).to.equal(4);
  });

  it('stops delivering to a node once it closes', async () => {
    const { nodes, inbox } = await cluster(['a', 'b']);
    await nodes[1]!.close();
    nodes[0]!.send(numbered('a', 'b', 1));
    expect(nodes[0]!.stats().b!.messagesDropped).to.equal(1);
    expect(inbox.get('b')).to.have.length(0);
  });
});
