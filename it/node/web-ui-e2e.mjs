// End-to-end test of Belay's web UI in real Chromium (Debian's, driven by playwright-core), against a running
// `belay serve` whose model is the OpenAI-wire fixture scripted by the Java test that starts this.
// Usage: node web-ui-e2e.mjs BASE_URL TOKEN SCREENSHOT_DIR SIGN_IN_LINK
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const [base, token, shots, link] = process.argv.slice(2);
const errors = [];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const step = (name) => console.log(`step: ${name}`);
let page;
try {
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.setDefaultTimeout(60_000);

  step('the printed sign-in link signs one browser in, once');
  const linkContext = await browser.newContext();
  const viaLink = await linkContext.newPage();
  viaLink.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  // the page's own requests (a navigation's fragment never leaves the browser: HTTP sends none)
  const requested = [];
  viaLink.on('request', (r) => { if (!r.isNavigationRequest()) requested.push(r.url()); });
  await viaLink.goto(link);
  await viaLink.waitForSelector('#app:not([hidden])');
  if (viaLink.url() !== base + '/') throw new Error('the link left its code in the address bar: ' + viaLink.url());
  const code = link.split('#signin=')[1];
  if (requested.some((url) => url.includes(code))) throw new Error('the code reached a request line: ' + requested);
  const again = await (await browser.newContext()).newPage();
  await again.goto(link);
  await again.locator('#login-error', { hasText: 'used already' }).waitFor();
  if (!(await again.locator('#app').isHidden())) throw new Error('a used sign-in link signed a browser in');

  step('a server on another port of this host, given everything the browser would send it, reads and changes nothing');
  // the browser sends a host's cookies to every port of it; Belay's session is not among them, nor is anything else
  const jar = await linkContext.cookies([base, base.replace('127.0.0.1', 'localhost')]);
  if (jar.length) throw new Error('Belay left cookies in the browser: ' + jar.map((c) => c.name));
  const session = await viaLink.evaluate(() => localStorage.getItem('belay.session'));
  if (!session) throw new Error('the page keeps no session');
  const replay = { Cookie: jar.map((c) => `${c.name}=${c.value}`).join('; ') || `belay_session=${session}` };
  for (const [method, path] of [['GET', '/chat/api/conversations'], ['GET', '/approvals/pending'],
    ['POST', '/api/list_directory'], ['POST', '/chat/api/conversations']]) {
    const answer = await fetch(base + path, { method, headers: { ...replay, 'Content-Type': 'application/json' },
      body: method === 'POST' ? '{}' : undefined });
    if (answer.status !== 401) throw new Error(`the replay of ${method} ${path} answered ${answer.status}`);
  }

  step('the approvals page (its stream followed with the session) and Swagger UI load under the CSP');
  const stream = viaLink.waitForResponse((r) => r.url() === base + '/approvals/events');
  await viaLink.goto(base + '/approvals');
  if ((await stream).status() !== 200) throw new Error('the approvals stream answered ' + (await stream).status());
  if (!(await viaLink.locator('#signed-out').isHidden())) throw new Error('the approvals page says signed out');
  await viaLink.goto(base + '/docs/index.html');
  await viaLink.waitForLoadState('networkidle');
  await viaLink.locator('#swagger-ui .info').waitFor();

  step('signing out ends the session on the server');
  await viaLink.goto(base + '/');
  await viaLink.click('#sign-out');
  await viaLink.waitForSelector('#login:not([hidden])');
  const ended = await fetch(base + '/chat/api/conversations', { headers: { Authorization: `Bearer ${session}` } });
  if (ended.status !== 401) throw new Error('a signed-out session still answered ' + ended.status);

  step('login');
  await page.goto(base + '/');
  await page.fill('#token', token);
  await page.click('#login-form button');
  await page.waitForSelector('#app:not([hidden])');

  step('ask, approve, see the result and the answer');
  await page.click('#new-conversation');
  await page.fill('#input', 'Create hi.txt with a greeting');
  await page.press('#input', 'Enter');
  const approval = page.locator('.approval', { hasText: 'run_command' });
  await approval.waitFor();
  await page.screenshot({ path: `${shots}/1-approval.png` });
  await approval.locator('button[data-verdict=approve]').click();
  await page.locator('.card .status.ok', { hasText: 'exit code 0' }).waitFor();
  await page.locator('.message.assistant', { hasText: 'All done.' }).waitFor();
  await page.screenshot({ path: `${shots}/2-answer.png` });

  step('export the conversation, read with the session and handed over as a download');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const exported = await readFile(await download.path(), 'utf8');
  if (!exported.includes('Create hi.txt') || !download.suggestedFilename().endsWith('.md')) {
    throw new Error(`the export ${download.suggestedFilename()} holds: ${exported.slice(0, 200)}`);
  }

  step('the journal shows the commit; export it as a branch of the user\'s repository');
  const commit = page.locator('#journal .commit', { hasText: 'run_command' });
  await commit.waitFor();
  await page.locator('#journal form.export button.export-branch').click();
  const exportApproval = page.locator('.approval', { hasText: 'export_branch' });
  await exportApproval.waitFor();
  await exportApproval.locator('button[data-verdict=approve]').click();
  const branchMade = /^Branch belay\/chat-[0-9a-f-]+ made at [0-9a-f]+: 1 commit/;
  await page.locator('#journal .export-result', { hasText: branchMade }).waitFor();
  await page.screenshot({ path: `${shots}/3-exported.png` });

  step('undo the commit');
  await commit.locator('button.undo').click();
  const undoApproval = page.locator('.approval', { hasText: 'undo' });
  await undoApproval.waitFor();
  await undoApproval.locator('button[data-verdict=approve]').click();
  await page.locator('#journal .commit', { hasText: /^[0-9a-f]+ Undo [0-9a-f]+: run_command/ }).waitFor();
  await page.screenshot({ path: `${shots}/3-undone.png` });
  const first = page.url();

  step('deny with a reason');
  await page.click('#new-conversation');
  await page.fill('#input', 'Delete everything');
  await page.press('#input', 'Enter');
  const risky = page.locator('.approval', { hasText: 'run_command' });
  await risky.waitFor();
  await risky.locator('.reason').fill('not today');
  await risky.locator('button[data-verdict=deny]').click();
  await page.locator('.card .status.error').waitFor();
  await page.locator('.message.assistant', { hasText: 'I will not.' }).waitFor();
  await page.locator('.card .output', { hasText: 'not today' }).waitFor({ state: 'attached' });

  step('stop a turn half-way');
  await page.click('#new-conversation');
  await page.fill('#input', 'Count slowly');
  await page.press('#input', 'Enter');
  await page.locator('.message.assistant', { hasText: 'one' }).waitFor();
  await page.click('#stop');
  await page.locator('.notice', { hasText: 'Stopped.' }).waitFor();
  await page.locator('#send:not([hidden])').waitFor();

  step('reload keeps the conversation');
  await page.goto(first);
  await page.reload();
  await page.locator('.message.assistant', { hasText: 'All done.' }).waitFor();
  await page.locator('.message.user', { hasText: 'Create hi.txt' }).waitFor();
  await page.screenshot({ path: `${shots}/4-reloaded.png` });

  step('a running command\'s output shows in its card before the command ends');
  await page.click('#new-conversation');
  await page.fill('#input', 'Print two lines slowly');
  await page.press('#input', 'Enter');
  const slow = page.locator('.approval', { hasText: 'first-line' });
  await slow.waitFor();
  await slow.locator('button[data-verdict=approve]').click();
  const slowCard = page.locator('.card', { hasText: 'echo first-line' });
  await slowCard.locator('.live', { hasText: 'first-line' }).waitFor();
  const live = await slowCard.locator('.live').innerText();
  if (live.includes('second-line') || !(await slowCard.locator('.status.running').count())) {
    throw new Error(`the first line showed only once the command had ended: ${live}`);
  }
  await page.screenshot({ path: `${shots}/5-live-output.png` });
  await slowCard.locator('.status.ok', { hasText: 'exit code 0' }).waitFor();
  await slowCard.locator('.output', { hasText: 'second-line' }).waitFor({ state: 'attached' });

  step('the terminal panel shows a running job\'s screen; typed input reaches the job once made writable');
  await page.fill('#input', 'Start a job that answers');
  await page.press('#input', 'Enter');
  const start = page.locator('.approval', { hasText: 'ready-marker' });
  await start.waitFor();
  await start.locator('button[data-verdict=approve]').click();
  await page.locator('.message.assistant', { hasText: 'It runs as a job.' }).waitFor();
  await page.locator('.card', { hasText: 'ready-marker' }).locator('button.open-terminal').click();
  // the screen's text as xterm.js keeps it for screen readers (it draws on a canvas; this copy is not visible)
  const screen = (text) => page.locator('#terminal-screen .xterm-accessibility-tree', { hasText: text });
  const shown = (text) => screen(text).waitFor({ state: 'attached' });
  await shown('ready-marker');
  await page.locator('#terminal-status', { hasText: 'running' }).waitFor();
  await page.click('#terminal-screen');
  await page.keyboard.type('ignored\n'); // read-only: goes nowhere
  await page.check('#terminal-writable');
  await page.keyboard.type('hello\n');
  // the user's own input goes through the guard from the door web: asked once, "always" for the rest
  const typing = page.locator('.approval', { hasText: 'job_input' });
  await typing.waitFor();
  await typing.locator('button[data-verdict=always]').click();
  await shown('got:hello');
  await page.click('#terminal-screen'); // the approval's button took the focus
  await page.keyboard.type('again\n');
  await shown('got:again');
  await page.screenshot({ path: `${shots}/6-terminal.png` });
  if (await screen('got:ignored').count()) throw new Error('a read-only terminal sent what was typed');
  await page.keyboard.type('quit\n');
  await page.locator('#terminal-status', { hasText: 'exited with code 3' }).waitFor();
  if (!(await page.locator('#terminal-writable').isDisabled())) throw new Error('an ended job still takes input');
  await page.click('.tabs button[data-tab=jobs]');
  await page.locator('#job-list li', { hasText: 'exited (3)' }).waitFor();

  step('a job under a terminal: Python\'s prompt, answered, and Ctrl-D ends it');
  await page.fill('#input', 'Start Python');
  await page.press('#input', 'Enter');
  const python = page.locator('.approval', { hasText: 'python3' });
  await python.waitFor();
  await python.locator('button[data-verdict=approve]').click();
  await page.locator('.message.assistant', { hasText: 'Python waits for you.' }).waitFor();
  // opened from the job list this time
  await page.locator('#job-list li', { hasText: 'python3' }).locator('button').click();
  await shown('>>>');
  await page.check('#terminal-writable');
  await page.click('#terminal-screen');
  await page.keyboard.type('6*7\n');
  await shown('42');
  await page.screenshot({ path: `${shots}/7-python.png` });
  await page.keyboard.press('Control+D');
  await page.locator('#terminal-status', { hasText: 'exited with code 0' }).waitFor();

  if (errors.length) throw new Error('console errors: ' + errors.join(' | '));
  console.log('web ui e2e: ok');
} catch (error) {
  if (page) {
    await page.screenshot({ path: `${shots}/failure.png` }).catch(() => {});
    console.log('messages:', await page.locator('#messages').innerText().catch(() => '?'));
    console.log('console errors:', errors.join(' | '));
  }
  throw error;
} finally {
  await browser.close();
}
