// How Belay's pages prove who they are, shared by the web UI, the approvals page and Swagger UI. The session lives in
// this origin's localStorage, which belongs to this scheme, host and port alone (a server on another port of the same
// host cannot read it), and goes out only in the Authorization header of this page's own fetch() calls. There is no
// cookie: nothing the browser sends by itself, so nothing a server on another port could receive and replay, and
// nothing a page of another origin could ride on. EventSource cannot send a header, so streams are read with fetch().
'use strict';

const belay = (() => {
  // Where the pages of this session live, from where this script was served (BASE/ui/session.js): '/' in
  // single-workspace mode, '/w/ID/' for a workspace's UI, whose session is its own (one origin serves every
  // workspace, so each keeps its session under its own key).
  const base = new URL(document.currentScript.src).pathname.replace(/ui\/session\.js$/, '');
  const KEY = base === '/' ? 'belay.session' : `belay.session:${base}`;

  /** The header that carries the session, if this browser holds one. */
  function headers() {
    const session = localStorage.getItem(KEY);
    return session ? { Authorization: `Bearer ${session}` } : {};
  }

  function withSession(options = {}) {
    return { ...options, headers: { ...(options.headers || {}), ...headers() } };
  }

  /** Calls every server-sent event of one block: its name ('message' when unnamed) and its data. */
  function dispatch(block, onEvent) {
    let name = 'message';
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length) onEvent(name, data.join('\n'));
  }

  return {
    /** Whether this browser holds a session (the server may still have ended it). */
    holds: () => localStorage.getItem(KEY) !== null,
    keep: (session) => localStorage.setItem(KEY, session),
    forget: () => localStorage.removeItem(KEY),
    headers,
    fetch: (path, options) => fetch(path, withSession(options)),

    /**
     * Follows a server-sent event stream, calling onEvent(name, data) for each event, and follows it again if the
     * connection drops, until signal aborts. onRefused(status) hears of an answer that is not the stream, and ends it.
     */
    async follow(path, onEvent, signal, onRefused) {
      while (!signal.aborted) {
        try {
          const response = await fetch(path, withSession({ signal, headers: { Accept: 'text/event-stream' } }));
          if (!response.ok) { onRefused(response.status); return; }
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            const blocks = (buffer + value).split(/\r?\n\r?\n/);
            buffer = blocks.pop();
            blocks.forEach((block) => dispatch(block, onEvent));
          }
        } catch (error) {
          if (signal.aborted) return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    },
  };
})();
