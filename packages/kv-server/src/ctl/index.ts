export { EtcdJsonClient, EtcdRequestError, NoEndpointReachableError, EndpointUnreachableError } from './etcd-json-client.js';
export type { EtcdJsonClientOptions, HealthResult } from './etcd-json-client.js';
export type { ResponseHeader, StatusResponse, Member, MemberListResponse, WithHeader } from './wire.js';
export { buildFaultPlan, type FaultSpec, type LinkSelection } from './fault-plan.js';
export { renderTable } from './table.js';
export { runCtl } from './program.js';
export { ExitCode } from './exit-codes.js';
