// Starts real clickhouse-server processes on loopback for the tests and
// benches of `likewise train --clickhouse`: each with its own config file,
// ports and data folder (no service manager), all listed as the shards of
// one cluster (`likewise`) in every node's remote_servers, so a Distributed
// table on any node reads them all.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The cluster name every node's remote_servers defines. */
export const CLUSTER = 'likewise';

/**
 * The clickhouse-server executable on the PATH (or Debian's path), or
 * undefined when it is not installed.
 *
 * @returns {string | undefined}
 */
export function findClickHouseServer() {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin'];
  for (const dir of dirs) {
    const path = join(dir, 'clickhouse-server');
    if (dir && existsSync(path)) return path;
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (the kernel's pick; released before use). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** Escapes text for an XML element. */
const xml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One node's config: loopback only, its own ports and folders, the users
 * inline (`default` without a password, and `user` with `password` when
 * given), and the cluster of all nodes.
 */
function config(node, nodes, auth) {
  const shards = nodes
    .map((n) => `<shard><replica><host>127.0.0.1</host><port>${n.tcpPort}</port></replica></shard>`)
    .join('');
  const extraUser = auth
    ? `<${xml(auth.user)}><password>${xml(auth.password)}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></${xml(auth.user)}>`
    : '';
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${node.dir}/server.log</log><errorlog>${node.dir}/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${node.httpPort}</http_port>
  <tcp_port>${node.tcpPort}</tcp_port>
  <path>${node.dir}/data/</path>
  <tmp_path>${node.dir}/tmp/</tmp_path>
  <user_files_path>${node.dir}/user_files/</user_files_path>
  <format_schema_path>${node.dir}/format_schemas/</format_schema_path>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>0</uncompressed_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    ${extraUser}
  </users>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage></default></profiles>
  <quotas><default></default></quotas>
  <remote_servers><${CLUSTER}>${shards}</${CLUSTER}></remote_servers>
</yandex>
`;
}

/** Resolves once `url` answers `/ping`, rejects after `ms`. */
async function waitReady(url, child, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`clickhouse-server at ${url} did not start within ${ms} ms`);
}

/**
 * Starts `nodes` clickhouse-server processes, each a shard of the cluster
 * {@link CLUSTER}. Call `stop()` always (it kills the processes and removes
 * their folders); a process exit kills them too.
 *
 * @param {{ nodes?: number, auth?: { user: string, password: string }, timeoutMs?: number }} [options]
 * @returns {Promise<{ urls: string[], cluster: string, stop: () => Promise<void> }>}
 */
export async function startClickHouseCluster(options = {}) {
  const server = findClickHouseServer();
  if (!server) throw new Error('clickhouse-server is not installed');
  const count = options.nodes ?? 2;
  const nodes = [];
  for (let i = 0; i < count; i++) {
    const dir = await mkdtemp(join(tmpdir(), `likewise-ch${i}-`));
    nodes.push({ dir, httpPort: await freePort(), tcpPort: await freePort(), child: undefined });
  }
  const children = [];
  const killAll = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  // A bench stopped by a signal must not leave servers running: 'exit' does
  // not fire on a signal's default action.
  const onSignal = (signal) => {
    killAll();
    process.kill(process.pid, signal);
  };
  process.once('exit', killAll);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stop = async () => {
    process.removeListener('exit', killAll);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
            const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve(undefined);
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await Promise.all(nodes.map((n) => rm(n.dir, { recursive: true, force: true })));
  };
  try {
    for (const node of nodes) {
      const file = join(node.dir, 'config.xml');
      await writeFile(file, config(node, nodes, options.auth));
      const child = spawn(server, [`--config-file=${file}`], {
        cwd: node.dir,
        stdio: 'ignore',
      });
      children.push(child);
      node.child = child;
    }
    await Promise.all(
      nodes.map((n) =>
        waitReady(`http://127.0.0.1:${n.httpPort}`, n.child, options.timeoutMs ?? 30_000),
      ),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls: nodes.map((n) => `http://127.0.0.1:${n.httpPort}`), cluster: CLUSTER, stop };
}
