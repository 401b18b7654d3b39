// The code tools' rows of bench/mcp-bench.mjs: Belay's code_symbols and code_references on a warm pyright, and the
// time from spawning `belay mcp` to the first code_references answer on a cold workspace, each next to the same
// question asked of the same pyright directly over its stdio (a bare LSP client in this file), on a generated Python
// project of BENCH_FILES modules. The servers are the ones scripts/lsp-servers.sh installs into
// .tools/belay-data/lsp; without them the rows are skipped, with a line saying so.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CORE = 'class Store:\n    def get(self, key: str) -> int:\n        return len(key)\n\n\n'
  + 'def helper(x: int) -> int:\n    return x + 1\n';

/** The generated project: app/core.py, used by every 100th of `files` modules in 100 packages. */
function generatePython(dir, files) {
  mkdirSync(join(dir, 'app'), { recursive: true });
  writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "app"\nversion = "0.1"\n');
  writeFileSync(join(dir, 'app/__init__.py'), '');
  writeFileSync(join(dir, 'app/core.py'), CORE);
  for (let i = 0; i < files; i++) {
    const pkg = join(dir, 'app', `pkg${i % 100}`);
    if (i < 100) { mkdirSync(pkg, { recursive: true }); writeFileSync(join(pkg, '__init__.py'), ''); }
    const uses = i % 100 === 0;
    writeFileSync(join(pkg, `mod${i}.py`), (uses ? 'from app.core import Store, helper\n\n\n' : '')
      + `class Thing${i}:\n    def __init__(self, n: int) -> None:\n        self.n = n\n\n`
      + `    def value(self) -> int:\n        return ${uses ? `helper(self.n) + Store().get("k${i}")` : `self.n * ${i}`}\n\n\n`
      + `def make${i}() -> Thing${i}:\n    return Thing${i}(${i})\n`);
  }
}

/**
 * A bare LSP client over a server's stdio: requests, notifications, null answers to the server's requests, and
 * whether pyright has said it found the project's files.
 */
function lspClient(command, args, cwd) {
  const proc = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'ignore'] });
  const pending = new Map();
  let buffer = Buffer.alloc(0);
  let next = 0;
  let found;
  // pyright answers from the open files alone until it logs that it has found the project's (as Belay waits for)
  const projectFound = new Promise((resolve) => { found = resolve; });
  const send = (message) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }));
    proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    proc.stdin.write(body);
  };
  proc.stdout.on('data', (data) => {
    buffer = Buffer.concat([buffer, data]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
      buffer = buffer.subarray(end + 4 + length);
      if (message.method === 'window/logMessage' && /^(Found \d+ source files?|No source files found)/
        .test(message.params.message)) {
        found();
      } else if (message.method && message.id !== undefined) {
        const items = message.params?.items;
        send({ id: message.id, result: message.method === 'workspace/configuration' ? items.map(() => null) : null });
      } else if (message.id !== undefined && pending.has(message.id)) {
        const { resolve, reject } = pending.get(message.id);
        pending.delete(message.id);
        if (message.error) reject(new Error(message.error.message)); else resolve(message.result);
      }
    }
  });
  const request = (method, params) => new Promise((resolve, reject) => {
    const id = ++next;
    pending.set(id, { resolve, reject });
    send({ id, method, params });
  });
  const notify = (method, params) => send({ method, params });
  return { request, notify, projectFound, close: () => proc.kill() };
}

/** Pyright, started directly and initialized on `root` as Belay initializes it, with `file` open. */
async function rawPyright(servers, root, file, text) {
  const bundled = join(servers, `node/node_modules/node-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}/bin/node`);
  const node = existsSync(bundled) ? bundled : process.execPath;
  const lsp = lspClient(node, [join(servers, 'python/node_modules/pyright/langserver.index.js'), '--stdio'], root);
  const uri = `file://${root}`;
  await lsp.request('initialize', {
    processId: null, rootUri: uri, workspaceFolders: [{ uri, name: 'app' }],
    capabilities: { workspace: { configuration: true, workspaceFolders: true },
      textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true } } },
  });
  lsp.notify('initialized', {});
  lsp.notify('textDocument/didOpen', { textDocument: { uri: `${uri}/${file}`, languageId: 'python', version: 1, text } });
  return lsp;
}

/**
 * Adds the code rows to `results`, or says why not. `bench` holds mcp-bench's helpers and settings: want, time,
 * stats, call, connect, env, base, repo, ITER, STARTS, FILES, LAUNCHER.
 */
export async function codeRows(results, bench) {
  const { want, time, stats, call, connect, env, base, repo, ITER, STARTS, FILES, LAUNCHER } = bench;
  const rows = ['code_symbols', 'code_references', 'code_cold_start'].filter(want);
  if (rows.length === 0) return;
  const servers = join(repo, '.tools/belay-data/lsp');
  if (!existsSync(join(servers, 'python/node_modules/pyright/package.json'))) {
    console.error(`code rows (${rows.join(', ')}) skipped: pyright is not installed in ${servers} `
      + '(scripts/lsp-servers.sh installs it)');
    return;
  }
  // Belay finds the servers in its data directory, which is the run's own
  mkdirSync(env.BELAY_DATA_DIR, { recursive: true });
  if (!existsSync(join(env.BELAY_DATA_DIR, 'lsp'))) symlinkSync(servers, join(env.BELAY_DATA_DIR, 'lsp'));
  const root = join(base, 'python');
  console.error(`generating a Python project of ${FILES} modules…`);
  generatePython(root, FILES);
  const core = 'app/core.py';
  const helper = { path: core, line: 6, column: 5 };
  const lspHelper = { textDocument: { uri: `file://${root}/${core}` }, position: { line: 5, character: 4 },
    context: { includeDeclaration: true } };
  const belay = [LAUNCHER, ['mcp', '--workspace', root, '--no-audit']];
  // every 100th module uses helper: the declaration, an import and a call in each
  const expected = 1 + 2 * Math.ceil(FILES / 100);
  {
    // the journal's first snapshot of the project is the first start's cost, not the language server's
    const first = (await connect(...belay)).client;
    await first.callTool({ name: 'history', arguments: { limit: 1 } }, undefined, { timeout: 600_000 });
    await first.close();
  }
  const slow = { timeout: 600_000 };
  const referencesOf = async (client) => {
    const r = await client.callTool({ name: 'code_references', arguments: helper }, undefined, slow);
    const found = r.structuredContent?.locations?.length;
    if (r.isError || found !== expected) {
      throw new Error(`code_references: ${found} of ${expected}: ${JSON.stringify(r.content).slice(0, 300)}`);
    }
  };
  const rawReferences = async (lsp) => {
    await lsp.projectFound;
    const found = (await lsp.request('textDocument/references', lspHelper)).length;
    if (found !== expected) throw new Error(`pyright's references: ${found} of ${expected}`);
  };
  if (want('code_cold_start')) {
    // spawn to the first answer of a question over the whole project, Belay and pyright alone in turn
    const xs = { belay: [], raw: [] };
    for (let i = 0; i < Math.min(STARTS, 3); i++) {
      let t0 = performance.now();
      const { client } = await connect(...belay);
      await referencesOf(client);
      xs.belay.push(performance.now() - t0);
      await client.close();
      t0 = performance.now();
      const lsp = await rawPyright(servers, root, core, CORE);
      await rawReferences(lsp);
      xs.raw.push(performance.now() - t0);
      lsp.close();
    }
    results.code_cold_start = { belay: stats(xs.belay), raw_lsp: stats(xs.raw) };
  }
  if (want('code_symbols') || want('code_references')) {
    const { client } = await connect(...belay);
    const lsp = await rawPyright(servers, root, core, CORE);
    await referencesOf(client); // both servers warm: the project analysed once
    await rawReferences(lsp);
    if (want('code_symbols')) results.code_symbols = {
      belay: await time(ITER, () => call(client, 'code_symbols', { path: core })),
      raw_lsp: await time(ITER, () => lsp.request('textDocument/documentSymbol',
        { textDocument: { uri: `file://${root}/${core}` } })),
    };
    if (want('code_references')) results.code_references = {
      belay: await time(Math.ceil(ITER / 10), () => referencesOf(client)),
      raw_lsp: await time(Math.ceil(ITER / 10), () => rawReferences(lsp)),
    };
    lsp.close();
    await client.close();
  }
}
