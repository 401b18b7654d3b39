// The operator's approvals page. No inline script or handler: the page's Content-Security-Policy allows only files.
'use strict';
// Every call carries the web UI's session (session.js); a browser given the token for HTTP Basic sends that instead.
const calls = document.getElementById('calls');
const empty = document.getElementById('empty');
function refresh() { empty.hidden = calls.children.length > 0; }
function add(call) {
  if (document.getElementById('call-' + call.id)) return;
  const div = document.createElement('div');
  div.className = 'call'; div.id = 'call-' + call.id;
  const h = document.createElement('h2'); h.textContent = call.tool;
  const meta = document.createElement('div'); meta.className = 'meta';
  meta.textContent = call.door + ' · conversation ' + call.session + ' · ' + call.created
    + (call.auto_approve_at ? ' · runs by itself at ' + call.auto_approve_at + ' unless denied' : '');
  const pre = document.createElement('pre'); pre.textContent = call.preview;
  const reason = document.createElement('input'); reason.placeholder = 'reason (told to the model when denying)';
  div.append(h, meta, pre);
  for (const [verdict, label] of [['approve', 'Approve'], ['deny', 'Deny'], ['always', 'Always for this tool']]) {
    const b = document.createElement('button'); b.className = verdict; b.textContent = label;
    b.addEventListener('click', () => belay.fetch('/approvals/' + encodeURIComponent(call.id), { method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ verdict, reason: reason.value }) }));
    div.append(b);
  }
  div.append(reason);
  calls.append(div); refresh();
}
function remove(id) { const d = document.getElementById('call-' + id); if (d) d.remove(); refresh(); }
belay.follow('/approvals/events', (name, data) => {
  if (name === 'added') add(JSON.parse(data));
  if (name === 'resolved') remove(JSON.parse(data).id);
}, new AbortController().signal, () => {
  document.getElementById('signed-out').hidden = false;
  empty.hidden = true;
});
refresh();
