// What a chain keeps per idle connection, by kind of object: two heap snapshots of the
// server (before and after N authenticated connections), grouped by constructor or
// type, the difference divided by N. Finds where the bytes of the memory scenario go.
//
//   node bench/src/heap-diff.mjs [chain=preset] [connections=1000] [rows=25] [owners|shapes]
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoadgen, startServer } from './processes.mjs';

const [chain = 'preset', connectionsArg = '1000', rowsArg = '25', mode = ''] =
  process.argv.slice(2);
const byOwner = mode.includes('owners');
// `shapes`: plain objects are named after their first property names, which tells a
// guard's record (`{socket,userId,ipKey…}`) from the context or a verified user.
const byShape = mode.includes('shapes');
const connections = Number(connectionsArg);

/**
 * Self size per `type:name` of every node of a `.heapsnapshot` file; with `byOwner`,
 * each node is also named after its first strong retainer (`array: <- object:Map`), which
 * says whose hash table or backing store an anonymous array is.
 */
function sizesByKind(file) {
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const edgeCountAt = fields.indexOf('edge_count');
  const { nodes, strings, edges } = snapshot;
  const edgeFields = snapshot.snapshot.meta.edge_fields;
  const edgeTypes = snapshot.snapshot.meta.edge_types[0];
  const edgeWidth = edgeFields.length;
  const edgeTypeAt = edgeFields.indexOf('type');
  const toAt = edgeFields.indexOf('to_node');
  const nameAtEdge = edgeFields.indexOf('name_or_index');
  const firstEdge = new Int32Array(nodes.length / width + 1);
  for (let i = 0, edge = 0; i < nodes.length; i += width) {
    firstEdge[i / width] = edge;
    edge += nodes[i + edgeCountAt] * edgeWidth;
  }
  const shapeOf = (i) => {
    const names = [];
    const count = nodes[i + edgeCountAt];
    for (let k = 0, edge = firstEdge[i / width]; k < count && names.length < 6; k++) {
      if (edgeTypes[edges[edge + edgeTypeAt]] === 'property') {
        const name = strings[edges[edge + nameAtEdge]];
        if (name !== 'map' && name !== '__proto__') names.push(name);
      }
      edge += edgeWidth;
    }
    return `{${names.join(',')}}`;
  };
  const kindOf = (i) => {
    const type = types[nodes[i + typeAt]];
    // Strings and code are grouped by type alone: their names are their contents.
    const name = type === 'object' || type === 'closure' ? strings[nodes[i + nameAt]] : '';
    if (byShape && type === 'object' && name === 'Object') return `object:${shapeOf(i)}`;
    return `${type}:${name}`;
  };
  const owner = new Int32Array(nodes.length / width).fill(-1);
  if (byOwner) {
    let edge = 0;
    for (let i = 0; i < nodes.length; i += width) {
      const count = nodes[i + edgeCountAt];
      for (let k = 0; k < count; k++, edge += edgeWidth) {
        const edgeType = edgeTypes[edges[edge + edgeTypeAt]];
        if (edgeType === 'weak' || edgeType === 'shortcut') continue;
        const to = edges[edge + toAt] / width;
        if (owner[to] === -1) owner[to] = i;
      }
    }
  }
  const sizes = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    let key = kindOf(i);
    const parent = owner[i / width];
    if (byOwner && parent !== -1) key += ` <- ${kindOf(parent)}`;
    const entry = sizes.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += nodes[i + sizeAt];
    entry.count += 1;
    sizes.set(key, entry);
  }
  return sizes;
}

const server = await startServer(chain, 'throughput');
try {
  const dir = tmpdir();
  const beforeFile = join(dir, `heap-before-${process.pid}.heapsnapshot`);
  const afterFile = join(dir, `heap-after-${process.pid}.heapsnapshot`);
  await runLoadgen(
    { scenario: 'idleConnections', port: server.port, total: 20 },
    {
      // Warm-up: lazy module state and caches are not per-connection costs.
      onLine: (line, child) => line.startsWith('CONNECTED') && child.stdin.write('done\n'),
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  await server.ask('heap-snapshot', { file: beforeFile });
  await runLoadgen(
    { scenario: 'idleConnections', port: server.port, total: connections },
    {
      timeoutMs: 120000,
      onLine: async (line, child) => {
        if (!line.startsWith('CONNECTED')) return;
        await server.ask('heap-snapshot', { file: afterFile });
        child.stdin.write('done\n');
      },
    },
  );
  const before = sizesByKind(beforeFile);
  const after = sizesByKind(afterFile);
  rmSync(beforeFile);
  rmSync(afterFile);
  const rows = [];
  let total = 0;
  for (const [key, entry] of after) {
    const prior = before.get(key) ?? { bytes: 0, count: 0 };
    const bytes = (entry.bytes - prior.bytes) / connections;
    const count = (entry.count - prior.count) / connections;
    total += bytes;
    if (Math.abs(bytes) >= 4)
      rows.push({ kind: key, 'bytes/conn': Math.round(bytes), 'objects/conn': +count.toFixed(2) });
  }
  rows.sort((a, b) => b['bytes/conn'] - a['bytes/conn']);
  console.log(`${chain}: ${Math.round(total)} B per connection in the heap snapshot`);
  console.table(rows.slice(0, Number(rowsArg)));
} finally {
  await server.stop();
}
