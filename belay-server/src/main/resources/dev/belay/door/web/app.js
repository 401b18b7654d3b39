// Belay's web UI: plain JavaScript, no build step, every asset served by Belay, no inline script or handler (the
// Content-Security-Policy allows none). Every call carries the session in its Authorization header (session.js keeps
// it in this origin's storage; there is no cookie). The API token and the model's key never reach the page.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { conversation: null, events: null, approvals: null, cards: new Map(), answer: null, exported: null };

async function api(path, options = {}) {
  const headers = { 'Content-Type': 'application/json', ...(options.headers || {}) };
  const response = await belay.fetch(path, { ...options, headers });
  if (response.status === 401) { showLogin(); throw new Error('signed out'); }
  if (!response.ok && response.status !== 204) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error || response.statusText);
  }
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** A small Markdown renderer: fenced code, headings, lists, inline code, bold, links; everything escaped first. */
function markdown(text) {
  const parts = String(text).split(/```[^\n]*\n?/);
  return parts.map((part, i) => {
    if (i % 2 === 1) return `<pre><code>${escapeHtml(part.replace(/\n$/, ''))}</code></pre>`;
    return escapeHtml(part)
      .replace(/^### (.*)$/gm, '<h4>$1</h4>').replace(/^## (.*)$/gm, '<h3>$1</h3>').replace(/^# (.*)$/gm, '<h2>$1</h2>')
      .replace(/^[-*] (.*)$/gm, '<li>$1</li>')
      .replace(/`([^`\n]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
      .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2" rel="noopener" target="_blank">$1</a>')
      .replace(/\n\n+/g, '<br><br>').replace(/\n/g, '<br>');
  }).join('');
}

function diffHtml(diff) {
  return '<pre class="diff">' + String(diff).split('\n').map((line) => {
    const cls = line.startsWith('+') && !line.startsWith('+++') ? 'add'
      : line.startsWith('-') && !line.startsWith('---') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
    return `<span class="${cls}">${escapeHtml(line)}</span>`;
  }).join('\n') + '</pre>';
}

function showLogin() {
  for (const stream of [state.events, state.approvals]) if (stream) stream.abort();
  state.events = null;
  state.approvals = null;
  $('app').hidden = true;
  $('login').hidden = false;
}

/** Trades the token or a sign-in link's code for a session, which this page keeps; false if it was refused. */
async function signIn(proof) {
  const response = await fetch('session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(proof) });
  if (!response.ok) return false;
  belay.keep((await response.json()).session);
  return true;
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (await signIn({ token: $('token').value.trim() })) {
    $('token').value = '';
    $('login-error').textContent = '';
    start();
  } else {
    $('login-error').textContent = 'That token is not right.';
  }
});

$('sign-out').addEventListener('click', async () => {
  await belay.fetch('session', { method: 'DELETE' }).catch(() => {});
  belay.forget();
  showLogin();
});

async function start() {
  // a sign-in link (#signin=CODE): the code leaves the address bar and this history entry before it is used, and the
  // fragment never reached the server's request line, logs or a Referer
  const link = location.hash.match(/^#signin=([A-Za-z0-9_-]+)$/);
  if (link) {
    history.replaceState(null, '', location.pathname);
    if (!await signIn({ code: link[1] })) {
      $('login-error').textContent = 'This sign-in link was used already or has expired: paste the API token, '
        + "or restart 'belay serve' for a new link.";
    }
  }
  const session = await belay.fetch('session').then((r) => r.json()).catch(() => ({ signedIn: false }));
  if (!session.signedIn) { belay.forget(); showLogin(); return; }
  await loadConversations();
  $('login').hidden = true;
  $('app').hidden = false;
  listenForApprovals();
  api('chat/api/models').then((models) => {
    $('model').value = $('model').value || models.default;
    $('models').innerHTML = models.models.map((m) => `<option value="${escapeHtml(m)}">`).join('');
  }).catch(() => {});
  const wanted = location.hash.slice(1);
  if (wanted) await open(wanted).catch(() => {});
}

async function loadConversations() {
  const list = await api('chat/api/conversations');
  $('conversations').innerHTML = '';
  for (const c of list) {
    const item = document.createElement('li');
    item.textContent = c.title;
    item.dataset.id = c.id;
    item.className = state.conversation && state.conversation.id === c.id ? 'active' : '';
    item.addEventListener('click', () => open(c.id));
    $('conversations').append(item);
  }
}

async function open(id) {
  $('input').disabled = true;
  const conversation = await api(`chat/api/conversations/${id}`);
  state.conversation = conversation;
  location.hash = id;
  $('title').value = conversation.title;
  $('messages').innerHTML = '';
  closeTerminal();
  state.cards.clear();
  state.answer = null;
  const outputs = new Map(conversation.messages.filter((m) => m.role === 'tool').map((m) => [m.callId, m]));
  for (const m of conversation.messages) {
    if (m.role === 'user') addMessage('user', m.text);
    if (m.role === 'assistant') {
      if (m.text) addMessage('assistant', m.text);
      for (const call of m.calls) {
        toolCard({ id: call.id, tool: call.tool, arguments: call.arguments });
        const output = outputs.get(call.id);
        if (output) toolResult({ id: call.id, tool: call.tool, text: output.text, error: output.error, images: [] });
      }
    }
  }
  [...$('conversations').children].forEach((li) => li.classList.toggle('active', li.dataset.id === id));
  await subscribe(id);
  $('input').disabled = false;
  refreshAgents();
  refreshJournal();
  refreshFiles();
  refreshJobs();
}

function addMessage(role, text) {
  const div = document.createElement('div');
  div.className = `message ${role}`;
  div.innerHTML = markdown(text);
  div.dataset.raw = text;
  $('messages').append(div);
  div.scrollIntoView({ block: 'end' });
  return div;
}

function summary(tool, args) {
  try {
    const a = JSON.parse(args || '{}');
    return a.command || a.path || a.code || a.pattern || a.glob || a.url || a.query || '';
  } catch { return args || ''; }
}

function toolCard(call) {
  const card = document.createElement('div');
  card.className = 'card';
  card.dataset.tool = call.tool;
  card.innerHTML = `<header><strong>${escapeHtml(call.tool)}</strong><code>${escapeHtml(summary(call.tool, call.arguments)).slice(0, 200)}</code>
    <span class="status running">running…</span><button class="open-terminal" hidden>Terminal</button></header>
    <pre class="live" hidden></pre><details><summary>Output</summary><div class="output"></div></details>`;
  card.querySelector('.open-terminal').addEventListener('click', () =>
    openTerminal(card.dataset.job, summary(call.tool, call.arguments)));
  $('messages').append(card);
  state.cards.set(call.id, card);
  state.answer = null;
  card.scrollIntoView({ block: 'end' });
}

/** A running call's progress ("running 3 s: COMMAND" and its last lines): shown in its card until it ends. */
function toolProgress(e) {
  const card = state.cards.get(e.id);
  if (!card) return;
  const [first, ...lines] = e.text.split('\n');
  card.querySelector('.status').textContent = first.split(': ')[0];
  const live = card.querySelector('.live');
  live.textContent = lines.join('\n');
  live.hidden = lines.length === 0;
}

/** A running call's job: its card offers the terminal panel while it runs. */
function toolJob(e) {
  const card = state.cards.get(e.id);
  if (!card) return;
  card.dataset.job = e.job_id;
  card.querySelector('.open-terminal').hidden = false;
}

function toolResult(result) {
  const card = state.cards.get(result.id);
  if (!card) return;
  const s = result.structured || {};
  card.querySelector('.live').hidden = true;
  // a command that outlived its wait goes on as a job, which the terminal can still show
  if (s.running && s.job_id) toolJob({ id: result.id, job_id: s.job_id });
  else card.querySelector('.open-terminal').hidden = true;
  // a command that ended within its wait is no job any more: its result tells the terminal how it ended
  const view = terminal.current;
  if (view && view.job === card.dataset.job && !s.running) {
    jobEnded(view, endedHow(s));
    setTerminalStatus(view, endedHow(s));
  }
  const status = card.querySelector('.status');
  const parts = [result.error ? 'failed' : s.running ? `runs on as ${s.job_id}` : 'done'];
  if (s.exit_code !== undefined) parts.push(`exit code ${s.exit_code}`);
  if (result.ms !== undefined) parts.push(`${result.ms} ms`);
  if (s.commit) parts.push(`commit ${s.commit}`);
  status.textContent = parts.join(' · ');
  status.className = `status ${result.error ? 'error' : 'ok'}`;
  const output = card.querySelector('.output');
  output.innerHTML = (result.tool === 'edit_file' || /^@@ /m.test(result.text)) ? diffHtml(result.text) : `<pre>${escapeHtml(result.text)}</pre>`;
  for (const src of result.images || []) {
    const img = document.createElement('img');
    img.src = src;
    img.alt = `image from ${result.tool}`;
    output.append(img);
  }
  if (result.error) card.querySelector('details').open = true;
}

/** Follows a stream of events with the session until it is aborted; a refusal means the session has ended. */
function follow(path, onEvent) {
  const stream = new AbortController();
  belay.follow(path, onEvent, stream.signal, (status) => { if (status === 401) showLogin(); });
  return stream;
}

/** Follows a conversation's events; resolves once the server has the subscription, so nothing sent later is missed. */
function subscribe(id) {
  if (state.events) state.events.abort();
  let ready;
  const subscribed = new Promise((resolve) => { ready = resolve; });
  state.events = follow(`chat/api/conversations/${id}/events`, (name, data) => {
    if (name !== 'chat') return;
    const e = JSON.parse(data);
    if (e.type === 'hello') { setRunning(e.running); ready(); }
    if (e.type === 'token') {
      if (!state.answer) state.answer = addMessage('assistant', '');
      state.answer.dataset.raw += e.text;
      state.answer.innerHTML = markdown(state.answer.dataset.raw);
    }
    if (e.type === 'tool_call') toolCard(e);
    if (e.type === 'tool_progress') toolProgress(e);
    if (e.type === 'tool_job') { toolJob(e); refreshJobs(); }
    if (e.type === 'tool_result') { toolResult(e); refreshJournal(); refreshJobs(); }
    if (e.type === 'notice') { const n = addMessage('notice', e.text); n.className = 'notice'; }
    if (e.type === 'done') {
      setRunning(false);
      state.answer = null;
      refreshJournal();
      loadConversations();
      api(`chat/api/conversations/${id}`).then((c) => { $('title').value = c.title; }).catch(() => {});
    }
  });
  return subscribed;
}

function setRunning(running) {
  $('send').hidden = running;
  $('stop').hidden = !running;
}

function listenForApprovals() {
  if (state.approvals) return;
  state.approvals = follow('approvals/events', (name, data) => {
    if (name === 'added') approvalAdded(JSON.parse(data));
    if (name === 'resolved') {
      const box = $(`approval-${JSON.parse(data).id}`);
      if (box) box.remove();
    }
  });
}

/** A call waiting for an answer; a stream followed again repeats the calls still waiting, shown once. */
function approvalAdded(p) {
  if ($(`approval-${p.id}`)) return;
  const box = document.createElement('div');
  box.className = 'approval';
  box.id = `approval-${p.id}`;
  box.innerHTML = `<strong>Approve ${escapeHtml(p.tool)}?</strong> <small>${escapeHtml(p.door)} · ${escapeHtml(p.session)}</small>
    <pre>${escapeHtml(p.preview)}</pre>
    <button class="primary" data-verdict="approve">Approve</button>
    <input class="reason" placeholder="reason (optional)"> <button data-verdict="deny">Deny</button>
    <button data-verdict="always">Always for this tool</button>`;
  box.querySelectorAll('button').forEach((button) => button.addEventListener('click', () =>
    api(`approvals/${p.id}`, { method: 'POST', body: JSON.stringify({ verdict: button.dataset.verdict,
      reason: box.querySelector('.reason').value }) }).catch(() => {})));
  $('approvals').append(box);
}

/** This conversation's commits, read with the history tool and each diff loaded when opened, like any tool call. */
async function refreshJournal() {
  if (!state.conversation) return;
  const id = state.conversation.id;
  const listed = await tool('history', { limit: 200 }).catch(() => null);
  const commits = ((listed && listed.commits) || []).filter((c) => c.session === id);
  const journal = $('journal');
  journal.innerHTML = commits.length ? '' : '<p class="notice">No changes yet in this conversation.</p>';
  if (commits.length) journal.append(exportForm(id));
  for (const c of commits) {
    const div = document.createElement('div');
    div.className = 'commit';
    div.innerHTML = `<strong>${escapeHtml(c.short_id)}</strong> ${escapeHtml(c.summary)}
      <button class="undo">Undo</button><details><summary>Diff</summary><div class="diff-body"></div></details>`;
    div.querySelector('.undo').addEventListener('click', () => tool('undo', { commit: c.id }).then(() => {
      refreshJournal(); refreshFiles();
    }).catch((error) => alert(error.message)));
    const details = div.querySelector('details');
    details.addEventListener('toggle', () => {
      const body = details.querySelector('.diff-body');
      if (!details.open || body.dataset.loaded) return;
      body.dataset.loaded = 'yes';
      tool('diff', { commit: c.id }).then((d) => { body.innerHTML = diffHtml(d.diff)
        + (d.truncated ? '<p class="notice">The diff is cut here; ask for one file with the diff tool.</p>' : ''); })
        .catch((error) => { body.textContent = error.message; });
    });
    journal.append(div);
  }
}

/**
 * "Export as branch": this conversation's changes as a new branch of the user's repository, through the export_branch
 * tool (so it waits for approval under --approve ask, like undo). What it answered stays shown across refreshes.
 */
function exportForm(id) {
  const form = document.createElement('form');
  form.className = 'export';
  form.innerHTML = `<input class="branch" aria-label="branch name" required>
    <label><input type="checkbox" class="squash"> one commit</label>
    <button class="export-branch">Export as branch</button><p class="notice export-result"></p>`;
  const branch = form.querySelector('.branch');
  const result = form.querySelector('.export-result');
  branch.value = (state.exported && state.exported.id === id && state.exported.branch) || `belay/${id}`;
  result.textContent = (state.exported && state.exported.id === id && state.exported.text) || '';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const asked = { id, branch: branch.value.trim() };
    result.textContent = 'Exporting…';
    tool('export_branch', { branch: asked.branch, squash: form.querySelector('.squash').checked })
      .then((r) => r.text, (error) => error.message)
      .then((text) => { state.exported = { ...asked, text }; refreshJournal(); });
  });
  return form;
}

/** A tool call from the page itself, through the REST door, as this conversation. */
function tool(name, args) {
  return api(`api/${name}`, { method: 'POST', body: JSON.stringify(args),
    headers: { 'Content-Type': 'application/json', 'openai-conversation-id': state.conversation.id } });
}

/** Remote agents (belay agent) this conversation can run on; the picker shows only when some have connected. */
async function refreshAgents() {
  const listed = await tool('list_agents', {}).catch(() => null);
  const agents = (listed && listed.agents) || [];
  $('agent-picker').hidden = agents.length === 0;
  $('agent').innerHTML = '<option value="local">this server</option>' + agents.map((a) =>
    `<option value="${escapeHtml(a.id)}">${escapeHtml(a.name)} (${a.online ? escapeHtml(a.host) : 'offline'})</option>`).join('');
  $('agent').value = (listed && listed.current) || 'local';
}

$('agent').addEventListener('change', () => tool('use_agent', { agent_id: $('agent').value })
  .then(() => { refreshFiles(); refreshJournal(); }).catch((error) => alert(error.message)));

async function refreshFiles() {
  if (!state.conversation) return;
  const listing = await tool('list_directory', { path: '.', depth: 2 }).catch(() => null);
  const tree = $('tree');
  tree.innerHTML = '';
  for (const entry of (listing && listing.entries) || []) {
    const li = document.createElement('li');
    li.textContent = entry.path + (entry.type === 'directory' ? '/' : '');
    if (entry.type !== 'directory') {
      li.addEventListener('click', async () => {
        const file = await tool('read_file', { path: entry.path }).catch((e) => ({ text: e.message }));
        $('viewer').textContent = file.text || '';
      });
    }
    tree.append(li);
  }
}

$('new-conversation').addEventListener('click', async () => {
  $('input').disabled = true;
  const c = await api('chat/api/conversations', { method: 'POST', body: JSON.stringify({ title: 'New conversation' }) });
  await loadConversations();
  await open(c.id);
  $('input').focus();
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('input').value.trim();
  if (!text || !state.conversation) return;
  addMessage('user', text);
  $('input').value = '';
  setRunning(true);
  try {
    await api(`chat/api/conversations/${state.conversation.id}/messages`, { method: 'POST',
      body: JSON.stringify({ text, model: $('model').value }) });
  } catch (error) { setRunning(false); addMessage('notice', error.message).className = 'notice'; }
});

$('input').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); $('composer').requestSubmit(); }
});

$('stop').addEventListener('click', () => state.conversation && api(`chat/api/conversations/${state.conversation.id}/stop`, { method: 'POST' }));

$('title').addEventListener('change', async () => {
  if (!state.conversation) return;
  await api(`chat/api/conversations/${state.conversation.id}`, { method: 'PATCH', body: JSON.stringify({ title: $('title').value }) });
  loadConversations();
});

/** The export is read with the session like every call, then handed to the browser as a download. */
$('export').addEventListener('click', async (event) => {
  event.preventDefault();
  if (!state.conversation) return;
  const id = state.conversation.id;
  const response = await belay.fetch(`chat/api/conversations/${id}/export`);
  if (!response.ok) { alert(`The export failed: ${response.status}`); return; }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = `${id}.md`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
});

$('delete').addEventListener('click', async () => {
  if (!state.conversation || !confirm('Delete this conversation?')) return;
  await api(`chat/api/conversations/${state.conversation.id}`, { method: 'DELETE' });
  state.conversation = null;
  location.hash = '';
  $('messages').innerHTML = '';
  loadConversations();
});

document.querySelectorAll('.tabs button').forEach((button) => button.addEventListener('click', () => {
  document.querySelectorAll('.tabs button').forEach((b) => b.classList.toggle('active', b === button));
  for (const tab of ['journal', 'files', 'jobs']) $(tab).hidden = button.dataset.tab !== tab;
  if (button.dataset.tab === 'jobs') refreshJobs();
}));

/** This conversation's jobs (job_list), each with a button that opens the terminal panel on it. */
async function refreshJobs() {
  if (!state.conversation) return;
  const listed = await jobs('', { method: 'GET' }).catch(() => null);
  const list = $('job-list');
  list.innerHTML = (listed && listed.jobs.length) ? '' : '<li class="notice">No jobs in this conversation.</li>';
  for (const job of (listed && listed.jobs) || []) {
    const li = document.createElement('li');
    li.innerHTML = `<strong>${escapeHtml(job.job_id)}</strong> ${escapeHtml(job.state)}`
      + `${job.exit_code !== undefined ? ` (${job.exit_code})` : ''} <button>Terminal</button>`
      + `<code>${escapeHtml(job.command)}</code>`;
    li.querySelector('button').addEventListener('click', () => openTerminal(job.job_id, job.command));
    list.append(li);
  }
}

/** The conversation's job routes: the job tools, called through the guard as this conversation from the door web. */
function jobs(path, options) {
  return api(`chat/api/conversations/${state.conversation.id}/jobs${path}`, options);
}

/**
 * The terminal panel: one job's output in xterm.js, read from an offset by long polls. It is read-only until the user
 * ticks Writable; then what they type goes to the job as its input (job_input through the guard, in order, one call at
 * a time: under --approve ask the first waits for an approval, and "Always for this tool" covers the rest).
 */
const terminal = { current: null };

function openTerminal(jobId, command) {
  closeTerminal();
  const screen = $('terminal-screen');
  screen.innerHTML = '';
  // screen-reader mode keeps the screen's text in the page as well as on the canvas
  // the size run_command gives a terminal unless told otherwise
  const term = new Terminal({ cols: 120, rows: 40, fontSize: 12, convertEol: true, screenReaderMode: true,
    disableStdin: true });
  const view = { job: jobId, term, input: '', sending: false, ended: false, stop: new AbortController() };
  terminal.current = view;
  $('terminal').hidden = false;
  $('terminal-title').textContent = `${jobId} · ${command || ''}`;
  $('terminal-writable').checked = false;
  $('terminal-writable').disabled = false;
  setTerminalStatus(view, 'running');
  term.open(screen);
  term.onData((data) => {
    if (!$('terminal-writable').checked || view.ended) return;
    view.input += data;
    if (!view.sending) sendInput(view);
  });
  watch(view);
}

function setTerminalStatus(view, text) {
  if (terminal.current === view) $('terminal-status').textContent = text;
}

/** Reads the job's output page by page until it has ended and all of it is shown, or the panel closes. */
async function watch(view) {
  let offset = 0;
  let stderrOffset = 0;
  for (;;) {
    let page;
    try {
      page = await jobs(`/${view.job}/output`, { method: 'POST', signal: view.stop.signal,
        body: JSON.stringify({ offset, stderr_offset: stderrOffset, wait_s: 10 }) });
    } catch (error) {
      if (!view.stop.signal.aborted) jobEnded(view, error.message);
      return;
    }
    view.term.write(page.stdout || '');
    view.term.write(page.stderr || '');
    offset = page.next_offset ?? offset;
    stderrOffset = page.next_stderr_offset ?? stderrOffset;
    if (!page.running && !page.more) { jobEnded(view, endedHow(page)); return; }
  }
}

function endedHow(report) {
  if (report.exit_code !== undefined) return `exited with code ${report.exit_code}`;
  return report.timed_out ? 'timed out' : 'killed';
}

/** The job has ended (or is gone): the screen stays as it was, and takes no more input. */
function jobEnded(view, how) {
  if (view.ended) return;
  view.ended = true;
  setTerminalStatus(view, how);
  if (terminal.current === view) $('terminal-writable').disabled = true;
}

/** Keys typed as themselves on a terminal that mean something else on a pipe: a newline, the end of the input. */
const NAMED_KEYS = { '\r': 'Enter', '\x04': 'Ctrl-D' };

/**
 * Sends what was typed, one call at a time so that it arrives in order; what is typed meanwhile goes next. Enter and
 * Ctrl-D go as named keys, which job_input turns into what the job reads: a terminal's bytes, or on a pipe a newline
 * and the end of its input.
 */
async function sendInput(view) {
  view.sending = true;
  while (view.input && !view.ended && !view.stop.signal.aborted) {
    const at = view.input.search(/[\r\x04]/);
    const input = at < 0 ? view.input : view.input.slice(0, at);
    const keys = at < 0 ? [] : [NAMED_KEYS[view.input[at]]];
    view.input = at < 0 ? '' : view.input.slice(at + 1);
    try {
      await jobs(`/${view.job}/input`, { method: 'POST', body: JSON.stringify({ input, keys }) });
    } catch (error) {
      setTerminalStatus(view, `input refused: ${error.message}`);
      view.input = '';
    }
  }
  view.sending = false;
}

function closeTerminal() {
  const view = terminal.current;
  if (!view) return;
  terminal.current = null;
  view.stop.abort();
  view.term.dispose();
  $('terminal').hidden = true;
}

$('terminal-close').addEventListener('click', closeTerminal);
$('terminal-writable').addEventListener('change', () => {
  const view = terminal.current;
  if (!view) return;
  view.term.setOption('disableStdin', !$('terminal-writable').checked);
  if ($('terminal-writable').checked) view.term.focus();
});

start();
