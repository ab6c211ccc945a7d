/** The cluster name every node's remote_servers defines. */
export const CLUSTER: string;
/** The clickhouse-server executable, or undefined when it is not installed. */
export function findClickHouseServer(): string | undefined;
/** A started cluster: each node's HTTP URL, the cluster name, and `stop()` (always call it). */
export interface ClickHouseCluster {
  urls: string[];
  cluster: string;
  stop(): Promise<void>;
}
/** Starts `nodes` clickhouse-server processes on loopback, each a shard of {@link CLUSTER}. */
export function startClickHouseCluster(options?: {
  nodes?: number;
  auth?: { user: string; password: string };
  timeoutMs?: number;
}): Promise<ClickHouseCluster>;
