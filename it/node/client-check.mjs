// Drives Belay with the official MCP TypeScript SDK client and calls every built-in tool once.
//   node client-check.mjs stdio <belay launcher> <workspace>
//   node client-check.mjs http <url> <token>
// Prints a JSON summary; exits 1 if any check failed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [mode, target, extra] = process.argv.slice(2);
const transport = mode === 'stdio'
  // the whole environment: the test gives Belay its own config and data directories through it
  ? new StdioClientTransport({ command: target, args: ['mcp', '--workspace', extra], stderr: 'inherit', env: process.env })
  : new StreamableHTTPClientTransport(new URL(target), { requestInit: { headers: { Authorization: `Bearer ${extra}` } } });
const client = new Client({ name: 'belay-client-check', version: '1.0.0' });
await client.connect(transport);

const failures = [];
const called = [];
function check(ok, what) { if (!ok) failures.push(what); }
async function call(name, args, { error = false } = {}) {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 });
  called.push(name);
  check(Boolean(result.isError) === error, `${name} isError=${result.isError} (expected ${error}): ${JSON.stringify(result.content).slice(0, 300)}`);
  if (!error) check(result.structuredContent !== undefined, `${name} has structuredContent`);
  return result;
}
const text = (r) => r.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');

const { tools } = await client.listTools();
const names = tools.map((t) => t.name);
for (const expected of ['run_command', 'job_output', 'job_input', 'job_wait', 'job_kill', 'job_list', 'read_file', 'write_file',
  'edit_file', 'list_directory', 'search_files', 'find_files', 'file_info', 'move_path', 'delete_path',
  'make_directory', 'apply_patch', 'system_info', 'history', 'diff', 'undo']) {
  check(names.includes(expected), `tools/list has ${expected}`);
}

await call('system_info', {});
await call('make_directory', { path: 'src' });
await call('write_file', { path: 'src/app.txt', content: 'hello\nworld\n' });
const read = await call('read_file', { path: 'src/app.txt' });
check(text(read).includes('hello'), 'read_file returns the content');
await call('edit_file', { path: 'src/app.txt', edits: [{ old_text: 'world', new_text: 'belay' }] });
const patched = await call('apply_patch', {
  patch: '*** Begin Patch\n*** Update File: src/app.txt\n@@\n hello\n-belay\n+belay, patched\n'
    + '*** Add File: src/added.txt\n+added\n*** End Patch',
});
check(patched.structuredContent.files.length === 2 && Boolean(patched.structuredContent.commit),
  'apply_patch changes two files in one commit');
const refused = await call('apply_patch', {
  patch: '*** Begin Patch\n*** Add File: src/fine.txt\n+x\n*** Add File: ../outside.txt\n+x\n*** End Patch',
}, { error: true });
check(text(refused).includes('outside the workspace'), 'apply_patch refuses a path outside the workspace');
check(text(await call('search_files', { pattern: 'belay' })).includes('src/app.txt:2:belay'), 'search_files finds the edit');
check(text(await call('find_files', { glob: '*.txt' })).includes('src/app.txt'), 'find_files finds the file');
check(text(await call('list_directory', {})).includes('app.txt'), 'list_directory lists the file');
await call('file_info', { path: 'src/app.txt' });
await call('move_path', { source: 'src/app.txt', destination: 'src/moved.txt' });
await call('delete_path', { path: 'src/moved.txt' });
const run = await call('run_command', { command: 'echo made > made.txt && cat made.txt' });
check(run.structuredContent.exit_code === 0 && run.structuredContent.stdout === 'made\n', 'run_command output');
await call('run_command', { command: 'exit 3' }, { error: true });
const job = await call('run_command', { command: 'read line; echo "got:$line"', keep_stdin_open: true, wait_s: 0.2 });
const id = job.structuredContent.job_id;
check(Boolean(id), 'a slow command becomes a job');
check(text(await call('job_list', {})).includes(id), 'job_list lists the job');
const answer = await call('job_input', { job_id: id, input: 'ping\n', yield_ms: 10000 });
check(answer.structuredContent.stdout.includes('got:ping'), 'job_input returns the answer');
const reread = await call('job_output', { job_id: id, offset: 0, wait_s: 0 });
check(reread.structuredContent.stdout.includes('got:ping'), 'job_output reads it again from offset 0');
const sleeper = await call('run_command', { command: 'sleep 100', wait_s: 0.1 });
await call('job_kill', { job_id: sleeper.structuredContent.job_id });
const history = await call('history', { limit: 50 });
check(history.structuredContent.commits.some((c) => c.tool === 'edit_file'), 'history records the edit');
await call('diff', { commit: history.structuredContent.commits[0].id });
await call('undo', {});
await call('read_file', { path: 'missing.txt' }, { error: true });
await call('read_file', { path: '../outside.txt' }, { error: true });

await client.close();
console.log(JSON.stringify({ tools: names.length, called: [...new Set(called)].length, failures }, null, 2));
process.exit(failures.length === 0 ? 0 : 1);
