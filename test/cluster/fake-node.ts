/**
 * A stand-in for a raftkv/etcd node in launcher tests: takes the etcd flags, writes them to <data-dir>/argv.json,
 * and answers /v3/maintenance/status as a settled cluster whose leader is the first member of --initial-cluster
 * (or as a cluster without a leader when FAKE_NODE_NO_LEADER is set).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

function flag(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i < 0 ? undefined : process.argv[i + 1];
  if (value === undefined) throw new Error(`fake node: --${name} is required`);
  return value;
}

const name = flag('name');
const dataDir = flag('data-dir');
const clientUrl = new URL(flag('listen-client-urls'));
const members = flag('initial-cluster').split(',').map((m) => m.split('=')[0]!);
const memberId = (member: string): string => String(members.indexOf(member) + 1);

fs.mkdirSync(dataDir, { recursive: true });
fs.writeFileSync(path.join(dataDir, 'argv.json'), JSON.stringify(process.argv.slice(2)));

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v3/maintenance/status') {
      const header = { cluster_id: '99', member_id: memberId(name), revision: '1', raft_term: '2' };
      res.end(JSON.stringify({ header, version: 'fake', leader: process.env.FAKE_NODE_NO_LEADER ? '0' : memberId(members[0]!), raftTerm: '2', raftIndex: '5', raftAppliedIndex: '5' }));
    } else if (req.url === '/health') res.end(JSON.stringify({ health: 'true' }));
    else {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: 'not found', code: 5 }));
    }
  });
});
server.listen(Number(clientUrl.port), clientUrl.hostname, () => console.log(`fake node ${name} listening on ${clientUrl.href}`));
process.on('SIGTERM', () => {
  console.log(`fake node ${name} stopping`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
