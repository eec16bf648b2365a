// The page, its style and its script, as raw string literals (no build step, works offline).
// The script only ever puts text into the page with textContent, never as HTML.
#include "sandbox/assets.hpp"

namespace nudgebot::sandbox {

namespace {

constexpr std::string_view index_html = R"NB(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nudgebot sandbox</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<a class="skip" href="#composer-text">Skip to the message box</a>
<header class="top">
  <h1>nudgebot <span class="tag">sandbox</span></h1>
  <div class="who">
    <label for="as">Speaking as</label>
    <select id="as"></select>
  </div>
  <p id="bot-status" class="status" role="status" aria-live="polite">Connecting…</p>
  <button id="tour" type="button" class="primary">Play the tour</button>
</header>
<div class="layout">
  <nav class="channels" aria-label="Channels">
    <h2>Channels</h2>
    <ul id="channel-list"></ul>
    <p class="hint">Everyone here is played by you: pick a person above. Erin is the moderator.</p>
  </nav>
  <main class="chat" aria-labelledby="channel-title">
    <h2 id="channel-title">#general</h2>
    <p id="channel-topic" class="topic"></p>
    <ol id="messages" class="messages" aria-live="polite" aria-relevant="additions"></ol>
    <form id="composer" class="composer" autocomplete="off">
      <div id="replying" class="replying" hidden>
        <span id="replying-text"></span>
        <button type="button" id="cancel-reply" class="link">Cancel</button>
      </div>
      <label for="composer-text" id="composer-label">Message #general as alice</label>
      <div class="row">
        <textarea id="composer-text" rows="2" maxlength="2000"
          placeholder="Write a message, or a command: /nudge on, /nudge check your draft, /nudge help"
          aria-describedby="composer-help"></textarea>
        <button type="submit" class="primary">Send</button>
      </div>
      <p id="composer-help" class="hint">Enter sends, Shift+Enter makes a new line. Commands: <code>/nudge on</code>,
        <code>/nudge off</code>, <code>/nudge check &lt;draft&gt;</code>, <code>/nudge status</code>,
        <code>/nudge-admin explain &lt;text&gt;</code> (as erin).</p>
      <p id="composer-error" class="error" role="alert"></p>
    </form>
  </main>
  <aside class="side">
    <section class="private" aria-labelledby="private-title">
      <h2 id="private-title">Private view of alice</h2>
      <p class="hint">Direct messages from nudgebot and replies only this person can see.</p>
      <ol id="private-view" class="private-list" aria-live="polite"></ol>
    </section>
    <section class="explain" aria-labelledby="explain-title">
      <h2 id="explain-title">Sandbox's own view: cues per message</h2>
      <p class="hint">Not something nudgebot shows anyone. This is the sandbox running the same analysis as
        <code>/nudge-admin explain</code>, so you can see how it decides.</p>
      <ol id="explain-list" class="explain-list"></ol>
    </section>
  </aside>
</div>
</body>
</html>
)NB";

constexpr std::string_view app_css = R"NB(:root {
  --bg: #f7f7fb; --panel: #ffffff; --text: #1d1d28; --muted: #5b5b6e; --line: #d9d9e3;
  --accent: #4c3fb3; --accent-text: #ffffff; --bot: #eef2ff; --danger: #b42318; --ok: #067647;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 16px;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #15151c; --panel: #1e1e28; --text: #ececf3; --muted: #a4a4b8; --line: #343446;
          --accent: #8b7ff0; --accent-text: #111; --bot: #242445; --danger: #ff8f85; --ok: #6ce0a3; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); line-height: 1.4; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: var(--panel); padding: 6px; z-index: 10; }
.top { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 10px 16px;
       background: var(--panel); border-bottom: 1px solid var(--line); }
.top h1 { font-size: 1.25rem; margin: 0; }
.tag { font-size: .75rem; background: var(--accent); color: var(--accent-text); border-radius: 4px; padding: 1px 6px;
       vertical-align: middle; }
.who { display: flex; gap: 6px; align-items: center; }
.status { margin: 0; color: var(--muted); font-size: .9rem; flex: 1; }
.status.ok::before { content: "● "; color: var(--ok); }
.status.bad::before { content: "● "; color: var(--danger); }
select, textarea, button { font: inherit; color: inherit; }
select, textarea { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
button { border: 1px solid var(--line); background: var(--panel); border-radius: 6px; padding: 5px 10px; cursor: pointer; }
button.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); }
button.danger { color: var(--danger); }
button.link { border: none; background: none; color: var(--accent); text-decoration: underline; padding: 0 4px; }
button:focus-visible, select:focus-visible, textarea:focus-visible, a:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px; }
button:disabled { opacity: .6; cursor: default; }
.layout { display: grid; grid-template-columns: 180px minmax(0, 1fr) 360px; gap: 12px; padding: 12px;
          height: calc(100vh - 58px); }
.channels, .chat, .side { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px;
                          min-height: 0; }
.chat { display: flex; flex-direction: column; }
.side { display: flex; flex-direction: column; gap: 10px; overflow: hidden; }
.side section { overflow-y: auto; min-height: 0; }
.side .private { flex: 1 1 58%; }
.side .explain { flex: 1 1 42%; border-top: 1px solid var(--line); padding-top: 8px; }
h2 { font-size: 1rem; margin: 0 0 6px; }
.channels ul { list-style: none; padding: 0; margin: 0 0 12px; }
.channels li button { width: 100%; text-align: left; border: none; background: none; padding: 6px 8px; }
.channels li button[aria-current="true"] { background: var(--bot); font-weight: 600; }
.hint { color: var(--muted); font-size: .85rem; margin: 4px 0 8px; }
.topic { color: var(--muted); margin: 0 0 8px; font-size: .9rem; }
.messages { list-style: none; margin: 0; padding: 0; overflow-y: auto; flex: 1; }
.msg { padding: 8px; border-radius: 8px; margin-bottom: 6px; border: 1px solid transparent; }
.msg:hover, .msg:focus-within { border-color: var(--line); }
.msg.bot { background: var(--bot); }
.msg .meta { font-size: .85rem; color: var(--muted); }
.msg .author { font-weight: 700; margin-right: 6px; }
.msg .text, .item .text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 2px 0; }
.msg .ref { font-size: .85rem; color: var(--muted); border-left: 3px solid var(--line); padding-left: 6px; margin-bottom: 2px; }
.actions { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 4px; }
.actions button { font-size: .8rem; padding: 2px 8px; }
.composer { border-top: 1px solid var(--line); padding-top: 8px; }
.composer .row { display: flex; gap: 8px; }
.composer textarea { flex: 1; resize: vertical; min-height: 2.6em; }
.replying { font-size: .85rem; color: var(--muted); }
.error { color: var(--danger); min-height: 1.2em; margin: 4px 0 0; font-size: .9rem; }
.private-list, .explain-list { list-style: none; margin: 0 0 14px; padding: 0; }
.item { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 8px; padding: 8px; margin-bottom: 8px; }
.item .kind { font-size: .8rem; color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.explain-list li { border-bottom: 1px solid var(--line); padding: 6px 0; font-size: .9rem; }
.explain-list .cat { font-weight: 600; }
.explain-list .flagged { color: var(--accent); }
.explain-list ul { margin: 2px 0 0 16px; padding: 0; }
code { background: var(--bot); border-radius: 4px; padding: 0 3px; }
@media (max-width: 980px) {
  .layout { grid-template-columns: 1fr; height: auto; }
  .channels ul { display: flex; flex-wrap: wrap; gap: 4px; }
  .channels li button { width: auto; }
  .messages { max-height: 60vh; }
  .side { overflow: visible; }
}
)NB";

constexpr std::string_view app_js = R"NB('use strict';
// The sandbox page: polls /sandbox/api/state and renders it; every action is one POST.
const $ = (id) => document.getElementById(id);
const ui = {
  me: localStorage.getItem('nudgebot-sandbox-as') || 'alice',
  channel: localStorage.getItem('nudgebot-sandbox-channel') || 'general',
  version: 0, state: null, replyTo: null, editing: null, touring: false,
};

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

async function api(path, body) {
  const res = await fetch('/sandbox/api/' + path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  let out = {};
  try { out = await res.json(); } catch (e) { out = { error: 'the sandbox answered ' + res.status }; }
  if (!res.ok) throw new Error(out.error || ('error ' + res.status));
  setTimeout(poll, 60);
  return out;
}

function showError(text) { $('composer-error').textContent = text || ''; }

// Discord-style **bold** and *italic*, built from text nodes (never parsed as HTML).
function rich(tag, cls, text) {
  const out = el(tag, { class: cls });
  const re = /\*\*([^*]+)\*\*|\*([^*\n]+)\*/g;
  let last = 0, m;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) out.append(document.createTextNode(text.slice(last, m.index)));
    out.append(el(m[1] !== undefined ? 'strong' : 'em', { text: m[1] !== undefined ? m[1] : m[2] }));
    last = re.lastIndex;
  }
  if (last < text.length) out.append(document.createTextNode(text.slice(last)));
  return out;
}

function time(at) { return (at || '').slice(11, 16); }

function channelByName(name) {
  return (ui.state ? ui.state.channels : []).find((c) => c.name === name);
}

function renderPeople() {
  const sel = $('as');
  if (sel.options.length) return;
  for (const p of ui.state.people)
    sel.append(el('option', { value: p.name, text: p.display + (p.moderator ? '' : '') }));
  sel.value = ui.me;
}

function renderChannels() {
  const list = $('channel-list');
  list.textContent = '';
  for (const c of ui.state.channels) {
    list.append(el('li', {}, el('button', {
      type: 'button', text: '#' + c.name, 'aria-current': c.name === ui.channel ? 'true' : 'false',
      onclick: () => { setChannel(c.name); },
    })));
  }
}

function setChannel(name) {
  ui.channel = name;
  localStorage.setItem('nudgebot-sandbox-channel', name);
  ui.replyTo = null; ui.editing = null;
  render();
}

function setMe(name) {
  ui.me = name;
  localStorage.setItem('nudgebot-sandbox-as', name);
  $('as').value = name;
  ui.version = 0;
  poll();   // aborts a poll still in flight for the previous person
}

function messageActions(m) {
  const box = el('div', { class: 'actions' });
  if (!m.bot) {
    box.append(el('button', { type: 'button', text: 'Reply', 'aria-label': 'Reply to ' + m.author,
      onclick: () => { ui.replyTo = m; ui.editing = null; renderComposer(); $('composer-text').focus(); } }));
    box.append(el('button', { type: 'button', text: 'Suggest a kind reply',
      'aria-label': 'Suggest a kind reply to ' + m.author + "'s message",
      onclick: () => api('suggest', { as: ui.me, id: m.id }).catch((e) => showError(e.message)) }));
  }
  if (m.author === ui.me) {
    box.append(el('button', { type: 'button', text: 'Edit', 'aria-label': 'Edit your message',
      onclick: () => { ui.editing = m; ui.replyTo = null; renderComposer(); $('composer-text').value = m.text;
                       $('composer-text').focus(); } }));
  }
  const me = ui.state.people.find((p) => p.name === ui.me);
  if (m.author === ui.me || (me && me.moderator && !m.bot)) {
    box.append(el('button', { type: 'button', class: 'danger', text: 'Delete',
      'aria-label': 'Delete ' + (m.author === ui.me ? 'your' : m.author + "'s") + ' message',
      onclick: () => api('delete', { as: ui.me, id: m.id }).catch((e) => showError(e.message)) }));
  }
  for (const b of m.buttons || [])
    box.append(el('button', { type: 'button', text: b.label, disabled: b.disabled, 'data-custom-id': b.custom_id,
      onclick: () => api('press', { as: ui.me, item: m.id, custom_id: b.custom_id }).catch((e) => showError(e.message)) }));
  return box;
}

function renderMessages() {
  const c = channelByName(ui.channel) || ui.state.channels[0];
  $('channel-title').textContent = '#' + c.name;
  $('channel-topic').textContent = c.topic;
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.textContent = '';
  const msgs = ui.state.messages[c.id] || [];
  if (!msgs.length) list.append(el('li', { class: 'empty', text: 'No messages yet. Say hello, or play the tour.' }));
  for (const m of msgs) {
    const person = ui.state.people.find((p) => p.name === m.author);
    const li = el('li', { class: 'msg' + (m.bot ? ' bot' : ''), 'data-id': m.id, 'data-author': m.author });
    if (m.reply_to) li.append(el('div', { class: 'ref', text: '↪ replying to ' + (m.reply_to.author || 'a deleted message') +
      (m.reply_to.excerpt ? ': ' + m.reply_to.excerpt : '') }));
    if (m.command) li.append(el('div', { class: 'ref', text: m.command.by + ' used ' + m.command.name }));
    const author = el('span', { class: 'author', text: m.bot ? 'nudgebot (bot)' : (person ? person.display : m.author) });
    if (person) author.style.color = person.color;
    li.append(el('div', { class: 'meta' }, author, el('span', { text: time(m.at) + (m.edited ? ' (edited)' : '') })));
    li.append(m.bot ? rich('p', 'text', m.text) : el('p', { class: 'text', text: m.text }));
    li.append(messageActions(m));
    list.append(li);
  }
  if (atBottom || ui.touring) list.scrollTop = list.scrollHeight;
}

function renderPrivate() {
  const me = ui.state.people.find((p) => p.name === ui.me);
  $('private-title').textContent = 'Private view of ' + (me ? me.display : ui.me);
  const list = $('private-view');
  list.textContent = '';
  if (!ui.state.private.length)
    list.append(el('li', { class: 'empty', text: 'Nothing from nudgebot for ' + ui.me + '.' }));
  for (const item of [...ui.state.private].reverse()) {
    const kind = item.kind === 'dm' ? 'Direct message from nudgebot'
      : 'Only you can see this' + (item.channel ? ' · #' + item.channel : '') + (item.about ? ' · ' + item.about : '');
    const li = el('li', { class: 'item private-item', 'data-id': item.id, 'data-kind': item.kind },
      el('div', { class: 'kind', text: kind + ' · ' + time(item.at) }),
      item.pending ? el('p', { class: 'text', text: 'nudgebot is thinking…' }) : rich('p', 'text', item.text));
    const box = el('div', { class: 'actions' });
    for (const b of item.buttons)
      box.append(el('button', { type: 'button', text: b.label, disabled: b.disabled, class: b.style === 4 ? 'danger' : '',
        'data-custom-id': b.custom_id,
        onclick: () => api('press', { as: ui.me, item: item.id, custom_id: b.custom_id }).catch((e) => showError(e.message)) }));
    if (item.kind === 'ephemeral')
      box.append(el('button', { type: 'button', class: 'link', text: 'Dismiss',
        onclick: () => api('dismiss', { as: ui.me, item: item.id }).catch((e) => showError(e.message)) }));
    li.append(box);
    list.append(li);
  }
}

function renderExplain() {
  const c = channelByName(ui.channel) || ui.state.channels[0];
  const list = $('explain-list');
  list.textContent = '';
  const msgs = (ui.state.messages[c.id] || []).filter((m) => !m.bot).slice(-12).reverse();
  if (!msgs.length) list.append(el('li', { class: 'empty', text: 'Post a message to see which cues fire.' }));
  for (const m of msgs) {
    const x = m.explain || {};
    const li = el('li', {}, el('div', { text: m.author + ': ' + (m.text.length > 60 ? m.text.slice(0, 60) + '…' : m.text) }));
    if (!x.attached) { li.append(el('div', { class: 'hint', text: 'The engine is not attached to this sandbox.' })); }
    const cats = (x.categories || []).filter((k) => k.score > 0 || k.flagged);
    if (x.attached && !cats.length && !(x.cues || []).length) li.append(el('div', { class: 'hint', text: 'No cues fire.' }));
    for (const k of cats)
      li.append(el('div', { class: 'cat' + (k.flagged ? ' flagged' : ''),
        text: k.name + ' ' + k.score + '%' + (k.flagged ? ' — flagged' : '') }));
    if ((x.cues || []).length) {
      const ul = el('ul');
      for (const q of x.cues) ul.append(el('li', { text: q.rule + ' (' + q.category + ', weight ' + q.weight + '): ' + q.label }));
      li.append(ul);
    }
    list.append(li);
  }
}

function renderComposer() {
  $('composer-label').textContent = (ui.editing ? 'Edit your message in #' : 'Message #') + ui.channel + ' as ' + ui.me;
  const r = $('replying');
  if (ui.replyTo || ui.editing) {
    r.hidden = false;
    $('replying-text').textContent = ui.editing ? 'Editing your message' : 'Replying to ' + ui.replyTo.author;
  } else {
    r.hidden = true;
  }
}

function renderStatus() {
  const s = $('bot-status');
  const ok = ui.state.bot.connected && ui.state.bot.commands > 0;
  s.className = 'status ' + (ok ? 'ok' : 'bad');
  s.textContent = ok ? 'nudgebot is connected' : (ui.state.bot.connected ? 'nudgebot is connecting…' : 'nudgebot is not connected');
}

function render() {
  if (!ui.state) return;
  renderPeople(); renderChannels(); renderMessages(); renderPrivate(); renderExplain(); renderComposer(); renderStatus();
}

// One poll at a time, for one person. Each request says whom it is for (?as=); switching person
// aborts the request in flight, and an answer for anyone but the person shown now is dropped, so
// one person's private view can never be stored (or its version remembered) as another's.
let inflight = null;   // { who, controller }
async function poll() {
  if (inflight && inflight.who === ui.me) return;
  if (inflight) inflight.controller.abort();
  const mine = { who: ui.me, controller: new AbortController() };
  inflight = mine;
  try {
    const res = await fetch('/sandbox/api/state?as=' + encodeURIComponent(mine.who) + '&since=' + ui.version,
                            { cache: 'no-store', signal: mine.controller.signal });
    const s = await res.json();
    if (inflight !== mine || mine.who !== ui.me || s.me !== ui.me) return;   // for someone else: dropped
    if (res.ok && !s.unchanged) { ui.state = s; ui.version = s.version; render(); }
    else if (res.ok) ui.version = s.version;
  } catch (e) {
    if (e.name === 'AbortError' || inflight !== mine) return;
    $('bot-status').className = 'status bad';
    $('bot-status').textContent = 'The sandbox is not answering (was it stopped?)';
  } finally {
    if (inflight === mine) inflight = null;
  }
}

async function send(text) {
  showError('');
  const t = text.trim();
  if (!t) return;
  if (ui.editing) {
    await api('edit', { as: ui.me, id: ui.editing.id, text: t });
    ui.editing = null;
  } else {
    await api('send', { as: ui.me, channel: ui.channel, text: t, reply_to: ui.replyTo ? ui.replyTo.id : '' });
    ui.replyTo = null;
  }
  renderComposer();
}

$('composer').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const box = $('composer-text');
  try { await send(box.value); box.value = ''; } catch (e) { showError(e.message); }
});
$('composer-text').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey) { ev.preventDefault(); $('composer').requestSubmit(); }
  if (ev.key === 'Escape') { ui.replyTo = null; ui.editing = null; renderComposer(); }
});
$('cancel-reply').addEventListener('click', () => { ui.replyTo = null; ui.editing = null; renderComposer(); });
$('as').addEventListener('change', (ev) => setMe(ev.target.value));

// ----- The tour: a short scene played through the same API a visitor uses.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function lastMessageBy(author, channel) {
  const c = channelByName(channel);
  const list = (ui.state && ui.state.messages[c.id]) || [];
  for (let i = list.length - 1; i >= 0; --i) if (list[i].author === author) return list[i];
  return null;
}
async function say(who, channel, text, replyToAuthor) {
  await poll();
  const target = replyToAuthor ? lastMessageBy(replyToAuthor, channel) : null;
  return api('send', { as: who, channel, text, reply_to: target ? target.id : '' });
}
async function tour() {
  const button = $('tour');
  button.disabled = true; ui.touring = true;
  const status = $('bot-status');
  try {
    for (const who of ['alice', 'bob', 'carol', 'dave']) {
      await api('send', { as: who, channel: 'code-review', text: '/nudge on' });
      await sleep(250);
    }
    setChannel('code-review');
    status.textContent = 'Tour: a code review gets heated…';
    await say('bob', 'code-review', 'I pushed the new config loader, could someone review it today?');
    await sleep(900);
    await say('alice', 'code-review', 'This is sloppy work. Did you even run it? Honestly, what is wrong with you?', 'bob');
    await sleep(1500);
    setMe('alice');
    await sleep(2200);
    setMe('bob');
    await sleep(2200);
    setChannel('random');
    status.textContent = 'Tour: someone is overwhelmed…';
    await say('carol', 'random', "I'm so overwhelmed lately. Everything is piling up and I can't cope with any of it.");
    await sleep(1500);
    setMe('carol');
    await sleep(2200);
    setMe('dave');
    await poll();
    const m = lastMessageBy('carol', 'random');
    if (m) await api('suggest', { as: 'dave', id: m.id });
    await sleep(2200);
    status.textContent = 'Tour: a kind reply.';
    await say('dave', 'random', "That sounds like a lot, Carol. Want to pick one thing together and I'll take something off your plate?", 'carol');
    await sleep(1500);
  } catch (e) {
    showError('The tour stopped: ' + e.message);
  } finally {
    button.disabled = false; ui.touring = false;
    poll();
  }
}
$('tour').addEventListener('click', tour);

poll();
setInterval(poll, 700);
)NB";

}  // namespace

std::optional<asset> find_asset(std::string_view path) noexcept
{
    if (path == "/" || path == "/index.html") return asset{"text/html; charset=utf-8", index_html};
    if (path == "/app.css") return asset{"text/css; charset=utf-8", app_css};
    if (path == "/app.js") return asset{"text/javascript; charset=utf-8", app_js};
    return std::nullopt;
}

}  // namespace nudgebot::sandbox
