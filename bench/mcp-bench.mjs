// Belay's MCP stdio server next to @modelcontextprotocol/server-filesystem, a raw `bash -c true` spawn and `rg` as a
// process, measured in one run with the same official TypeScript SDK client, on a generated workspace of 10,000 files.
// Prints a table of p50/p90/p99 in milliseconds and the ratios, and writes bench/results/mcp.json with the machine's
// core count, load and JDK.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync, cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { codeRows } from './code-rows.mjs';

const repo = resolve(import.meta.dirname, '..');
const require = createRequire(join(repo, 'it/node/package.json'));
const { Client } = await import(require.resolve('@modelcontextprotocol/sdk/client/index.js'));
const { StdioClientTransport } = await import(require.resolve('@modelcontextprotocol/sdk/client/stdio.js'));
const fsServer = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');

const ITER = Number(process.env.BENCH_ITER ?? 200);
const STARTS = Number(process.env.BENCH_STARTS ?? 10);
const FILES = Number(process.env.BENCH_FILES ?? 10000);
const CALLS = Number(process.env.BENCH_CALLS_RSS ?? 1000);
// BENCH_ONLY=write_file,undo measures only those rows (startup and the python rows included only when named)
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
// BENCH_BELAY=/other/checkout/belay measures another build of Belay (an A/B on the same machine)
const LAUNCHER = process.env.BENCH_BELAY ?? join(repo, 'belay');
const want = (row) => !ONLY || ONLY.has(row);

function generate(dir) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, `pkg${i % 100}`, `mod${Math.floor(i / 100) % 10}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `file${i}.txt`), `line one of file ${i}\nsome text ${i * 7}\nneedle${i === 4242 ? 'FOUND' : ''}\n`);
  }
  writeFileSync(join(dir, 'edit.txt'), 'alpha\nbeta\ngamma\n');
}

const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const stats = (xs) => ({ p50: q(xs, 0.5), p90: q(xs, 0.9), p99: q(xs, 0.99), n: xs.length });

async function connect(command, args) {
  const t0 = performance.now();
  const client = new Client({ name: 'belay-bench', version: '1' });
  const transport = new StdioClientTransport({ command, args, env, stderr: 'ignore' });
  await client.connect(transport);
  await client.listTools();
  return { client, ms: performance.now() - t0, pid: transport.pid };
}

/** The resident set size of a process, in MiB. */
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function time(n, fn, setup = async () => {}) {
  const xs = [];
  for (let i = 0; i < Math.min(10, n); i++) { await setup(i, 'warm-up'); await fn(i, 'warm-up'); }
  for (let i = 0; i < n; i++) { await setup(i, ''); const t0 = performance.now(); await fn(i, ''); xs.push(performance.now() - t0); }
  return stats(xs);
}

async function call(client, name, args, turn) {
  const r = await client.callTool({ name, arguments: args, ...(turn ? { _meta: { 'dev.belay/turn': turn } } : {}) });
  if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content).slice(0, 200)}`);
  return r;
}

/** The floor: a bare python3 that reads a line of code from a pipe, runs it and answers one line. */
async function pythonFloor(code) {
  const py = spawn('python3', ['-u', '-c', 'import sys,io,contextlib\nfor line in sys.stdin:\n    buf = io.StringIO()\n'
    + '    with contextlib.redirect_stdout(buf):\n        v = eval(compile(line, "<cell>", "single"))\n'
    + '    sys.stdout.write(str(len(buf.getvalue())) + "\\n")\n'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let pending = null;
  let buffer = '';
  py.stdout.on('data', (d) => {
    buffer += d;
    const nl = buffer.indexOf('\n');
    if (nl >= 0 && pending) { buffer = buffer.slice(nl + 1); const r = pending; pending = null; r(); }
  });
  const once = () => new Promise((resolve) => { pending = resolve; py.stdin.write(code + '\n'); });
  const result = await time(ITER, once);
  py.stdin.end();
  return result;
}

/**
 * What a `codex exec`-style client pays per task: spawn the server, initialize, one read_file, close its stdin and
 * wait for it to exit (the SDK's close ends stdin, then signals after 2 s). Belay and server-filesystem alternate.
 * The exit rows are the last part alone: from closing stdin to the process's end.
 */
async function oneShotRows() {
  const once = async ([command, args], tool, toolArgs) => {
    const t0 = performance.now();
    const client = new Client({ name: 'belay-bench', version: '1' });
    await client.connect(new StdioClientTransport({ command, args, env, stderr: 'ignore' }));
    await call(client, tool, toolArgs);
    const closing = performance.now();
    await client.close();
    const end = performance.now();
    return { whole: end - t0, exit: end - closing };
  };
  const xs = { belay: [], fs: [] };
  for (let i = 0; i < STARTS; i++) {
    xs.belay.push(await once(belay, 'read_file', { path: 'pkg1/mod0/file1.txt' }));
    xs.fs.push(await once(fs, 'read_text_file', { path: join(fsWs, 'pkg1/mod0/file1.txt') }));
  }
  const row = (part) => ({ belay: stats(xs.belay.map((x) => x[part])), peer: stats(xs.fs.map((x) => x[part])) });
  return { one_shot: row('whole'), exit: row('exit') };
}

const base = mkdtempSync(join(tmpdir(), 'belay-bench-'));
// Belay's data directory (its journals) lives with the run, not in the user's
const env = { ...process.env, BELAY_DATA_DIR: join(base, 'data'), BELAY_CONFIG_DIR: join(base, 'config') };
const template = join(base, 'template');
console.error(`generating ${FILES} files…`);
generate(template);
const belayWs = join(base, 'belay'); cpSync(template, belayWs, { recursive: true });
const fsWs = join(base, 'fs'); cpSync(template, fsWs, { recursive: true });
const belay = [LAUNCHER, ['mcp', '--workspace', belayWs, '--no-audit']];
const fs = [process.execPath, [fsServer, fsWs]];

// first start of Belay journals the 10,000 files as a snapshot: not part of the startup figure. The history call
// waits for it (on a loaded machine it can take longer than a call's default minute)
{
  const first = (await connect(...belay)).client;
  await first.callTool({ name: 'history', arguments: {} }, undefined, { timeout: 600_000 });
  await first.close();
}

const results = {};
if (want('startup')) {
  const startup = { belay: [], fs: [] };
  for (let i = 0; i < STARTS; i++) {
    for (const [name, cmd] of [['belay', belay], ['fs', fs]]) {
      const { client, ms } = await connect(...cmd);
      startup[name].push(ms);
      await client.close();
    }
  }
  results.startup = { belay: stats(startup.belay), peer: stats(startup.fs) };
}

if (want('one_shot')) Object.assign(results, await oneShotRows());

const b = (await connect(...belay)).client;
const f = (await connect(...fs)).client;
// the per-call rows measure a session past its start: the journal's opening scan (history waits for it) is the
// start's cost, which the startup and one_shot rows show
await b.callTool({ name: 'history', arguments: { limit: 1 } }, undefined, { timeout: 600_000 });
if (want('read_file')) results.read_file = {
  belay: await time(ITER, () => call(b, 'read_file', { path: 'pkg1/mod0/file1.txt' })),
  peer: await time(ITER, () => call(f, 'read_text_file', { path: join(fsWs, 'pkg1/mod0/file1.txt') })),
};
if (want('write_file')) results.write_file = {
  belay: await time(ITER, (i) => call(b, 'write_file', { path: 'out/w.txt', content: `v${i}\n` })),
  peer: await time(ITER, (i) => call(f, 'write_file', { path: join(fsWs, 'out-w.txt'), content: `v${i}\n` })),
};
// each edit toggles beta and BETA; counted over warm-up and measured calls alike (an odd BENCH_ITER warms up oddly)
const edits = { b: 0, f: 0 };
if (want('edit_file')) results.edit_file = {
  belay: await time(ITER, () => { const i = edits.b++; return call(b, 'edit_file', { path: 'edit.txt', edits: [{ old_text: i % 2 ? 'BETA' : 'beta', new_text: i % 2 ? 'beta' : 'BETA' }] }); }),
  peer: await time(ITER, () => { const i = edits.f++; return call(f, 'edit_file', { path: join(fsWs, 'edit.txt'), edits: [{ oldText: i % 2 ? 'BETA' : 'beta', newText: i % 2 ? 'beta' : 'BETA' }] }); }),
};
if (want('list_directory')) results.list_directory = {
  belay: await time(ITER, () => call(b, 'list_directory', { path: 'pkg1', depth: 1 })),
  peer: await time(ITER, () => call(f, 'list_directory', { path: join(fsWs, 'pkg1') })),
};
if (want('find_files')) results.find_files = {
  belay: await time(Math.ceil(ITER / 10), () => call(b, 'find_files', { glob: 'file4242.txt' })),
  peer: await time(Math.ceil(ITER / 10), () => call(f, 'search_files', { path: fsWs, pattern: '**/file4242.txt' })),
};
if (want('search_files')) {
  // the peer: ripgrep as a process over the same files, printing file:line:text like search_files
  const rg = () => { if (spawnSync('rg', ['--line-number', '--hidden', 'needleFOUND', fsWs]).status > 1) throw new Error('rg failed'); };
  results.search_files = {
    belay: await time(Math.ceil(ITER / 10), () => call(b, 'search_files', { pattern: 'needleFOUND' })),
    ...(spawnSync('rg', ['--version']).status === 0 ? { rg: await time(Math.ceil(ITER / 10), rg) } : {}),
  };
}
// undo of one call (the write before it is not timed), and a rewind of a turn of 20 calls
if (want('undo')) results.undo = {
  belay: await time(ITER, () => call(b, 'undo', {}), (i) => call(b, 'write_file', { path: 'out/u.txt', content: `u${i}\n` })),
};
if (want('rewind_20')) results.rewind_20 = {
  belay: await time(Math.ceil(ITER / 10), (i, w) => call(b, 'undo', { checkpoint: `rewind${w}-${i}` }), async (i, w) => {
    for (let j = 0; j < 20; j++) await call(b, 'write_file', { path: `out/r${j % 5}.txt`, content: `${i}.${j}\n` }, `rewind${w}-${i}`);
  }),
};
if (want('run_command')) {
  const raw = [];
  for (let i = 0; i < ITER; i++) { const t0 = performance.now(); spawnSync('bash', ['-c', 'true']); raw.push(performance.now() - t0); }
  results.run_command = {
    belay: await time(ITER, () => call(b, 'run_command', { command: 'true' })),
    raw_spawn: stats(raw),
  };
}
// the python tool through Belay's driver, then through a Jupyter kernel (Debian's python3-ipykernel)
const k = want('python') ? (await connect(belay[0], [...belay[1], '--kernel', 'jupyter'])).client : null;
if (k) await call(k, 'python', { code: '0' });
for (const [prefix, client] of k ? [['python', b], ['kernel', k]] : []) {
  results[`${prefix}_1_plus_1`] = {
    belay: await time(ITER, () => call(client, 'python', { code: '1+1' })),
    raw_python: await pythonFloor('1+1'),
  };
  results[`${prefix}_print_1mb`] = {
    belay: await time(Math.ceil(ITER / 4), () => call(client, 'python', { code: "print('x' * 1048576)" })),
    raw_python: await pythonFloor("print('x' * 1048576)"),
  };
}
// memory: the resident set right after startup and after CALLS read_file calls, each server in its own fresh process
if (want('rss')) {
  results.rss = {};
  for (const [name, cmd, read] of [['belay', belay, (c) => call(c, 'read_file', { path: 'pkg1/mod0/file1.txt' })],
    ['peer', fs, (c) => call(c, 'read_text_file', { path: join(fsWs, 'pkg1/mod0/file1.txt') })]]) {
    const { client, pid } = await connect(...cmd);
    const startup = rssMiB(pid);
    for (let i = 0; i < CALLS; i++) await read(client);
    results.rss[name] = { startup_mib: startup, after_calls_mib: rssMiB(pid), calls: CALLS };
    await client.close();
  }
}
await b.close(); await f.close(); if (k) await k.close();
await codeRows(results, { want, time, stats, call, connect, env, base, repo, ITER, STARTS, FILES, LAUNCHER });
rmSync(base, { recursive: true, force: true });

const fmt = (s) => s ? `${s.p50.toFixed(2)} / ${s.p90.toFixed(2)} / ${s.p99.toFixed(2)}` : '—';
console.log(`| operation | Belay p50/p90/p99 ms | baseline p50/p90/p99 ms | ratio p50 |`);
console.log(`|---|---|---|---|`);
for (const [op, r] of Object.entries(results)) {
  if (op === 'rss') continue;
  const baseline = r.peer ?? r.raw_spawn ?? r.rg ?? r.raw_python ?? r.raw_lsp;
  const label = r.peer ? 'server-filesystem' : r.raw_spawn ? 'bash -c true' : r.rg ? 'rg as a process'
    : r.raw_python ? 'bare python3 over a pipe' : r.raw_lsp ? 'pyright over its stdio' : '';
  console.log(`| ${op} | ${fmt(r.belay)} | ${baseline ? label + ' ' + fmt(baseline) : '—'} | ${baseline ? (r.belay.p50 / baseline.p50).toFixed(2) + '×' : '—'} |`);
}
if (results.rss) {
  const { belay: m, peer: p } = results.rss;
  console.log(`| RSS after startup, MiB | ${m.startup_mib.toFixed(1)} | server-filesystem ${p.startup_mib.toFixed(1)} | ${(m.startup_mib / p.startup_mib).toFixed(2)}× |`);
  console.log(`| RSS after ${CALLS} calls, MiB | ${m.after_calls_mib.toFixed(1)} | server-filesystem ${p.after_calls_mib.toFixed(1)} | ${(m.after_calls_mib / p.after_calls_mib).toFixed(2)}× |`);
}
const java = spawnSync(join(spawnSync(join(repo, 'scripts/find-jdk.sh')).stdout.toString().trim(), 'bin/java'), ['-version']);
const machine = {
  cores: cpus().length, cpu: cpus()[0]?.model, load_average: loadavg(), node: process.version,
  jdk: java.stderr.toString().split('\n')[0], rg: spawnSync('rg', ['--version']).stdout?.toString().split('\n')[0] ?? null,
  launcher: LAUNCHER, files: FILES, iterations: ITER, date: new Date().toISOString(),
};
console.log(`machine: ${machine.cores} cores, load ${machine.load_average.map((l) => l.toFixed(2)).join(' ')}, ${machine.jdk}`);
mkdirSync(join(repo, 'bench/results'), { recursive: true });
writeFileSync(join(repo, 'bench/results/mcp.json'), JSON.stringify({ machine, results }, null, 2));
