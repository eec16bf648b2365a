'use strict';
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
function inline(out, text) {
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

// Lines that start with "> " are a quote (a calmer draft), shown as a block of their own.
function quoteLines(text) {
  return text.split('\n').filter((l) => l.startsWith('> ')).map((l) => l.slice(2));
}

function rich(cls, text) {
  const out = el('div', { class: cls });
  const lines = text.split('\n');
  for (let i = 0; i < lines.length;) {
    if (lines[i].startsWith('> ')) {
      const quote = [];
      while (i < lines.length && lines[i].startsWith('> ')) quote.push(lines[i++].slice(2));
      out.append(el('blockquote', { class: 'draft', text: quote.join('\n') }));
      continue;
    }
    const plain = [];
    while (i < lines.length && !lines[i].startsWith('> ')) plain.push(lines[i++]);
    out.append(inline(el('p', {}), plain.join('\n')));
  }
  return out;
}

// The calmer draft a private item offers (its quoted lines), or null.
function draftOf(text) {
  if (!/calmer draft/i.test(text)) return null;
  const lines = quoteLines(text);
  return lines.length ? lines.join('\n') : null;
}

// Copying a draft puts it in the message box to edit or send, and on the clipboard where the
// browser allows it; nudgebot itself never sends it.
function copyDraft(text) {
  const box = $('composer-text');
  box.value = text;
  box.focus();
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
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
    li.append(m.bot ? rich('text', m.text) : el('p', { class: 'text', text: m.text }));
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
      item.pending ? el('p', { class: 'text', text: 'nudgebot is thinking…' }) : rich('text', item.text));
    const box = el('div', { class: 'actions' });
    const draft = item.pending ? null : draftOf(item.text);
    if (draft)
      box.append(el('button', { type: 'button', class: 'copy', text: 'Copy draft',
        'aria-label': 'Copy the calmer draft into the message box', onclick: () => copyDraft(draft) }));
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
// ?tour_pace=0.25 plays the tour's pauses four times faster (the browser test walks it so).
const tourPace = Math.min(Math.max(Number(new URLSearchParams(location.search).get('tour_pace')) || 1, 0.1), 1);
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
// The tour's script, as data: each step is played in order through the same API a visitor uses.
//   { optIn: [people] }                 each runs /nudge on in #code-review
//   { channel: name }                   show that channel
//   { status: text }                    the status line
//   { say: [who, channel, text, replyToAuthor] }   post (as a reply to that author's last message)
//   { view: who }                       show that person's private view
//   { suggest: [who, author, channel] } who asks for a kind reply to author's last message there
//   { copy: true }                      press Copy draft on the newest calmer draft in the private view
//   { wait: ms }
// Add scenes by adding steps.
const tourSteps = [
  { optIn: ['alice', 'bob', 'carol', 'dave'] },
  { channel: 'code-review' },
  { status: 'Tour: a code review gets heated…' },
  { say: ['bob', 'code-review', 'I pushed the new config loader, could someone review it today?'] },
  { wait: 900 },
  { say: ['alice', 'code-review', 'This is sloppy work. Did you even run it? Honestly, what is wrong with you?', 'bob'] },
  { wait: 1500 },
  { view: 'alice' }, { wait: 2200 },
  { view: 'bob' }, { wait: 2200 },
  { channel: 'random' },
  { status: 'Tour: someone is overwhelmed…' },
  { say: ['carol', 'random', "I'm so overwhelmed lately. Everything is piling up and I can't cope with any of it."] },
  { wait: 1500 },
  { view: 'carol' }, { wait: 2200 },
  { view: 'dave' },
  { suggest: ['dave', 'carol', 'random'] }, { wait: 2200 },
  { status: 'Tour: a kind reply.' },
  { say: ['dave', 'random', "That sounds like a lot, Carol. Want to pick one thing together and I'll take something off your plate?", 'carol'] },
  { wait: 1500 },
  { channel: 'code-review' },
  { status: 'Tour: checking a heated draft gives a calmer version of it…' },
  { view: 'bob' },
  { say: ['bob', 'code-review', '/nudge check you ALWAYS break the build, are you even trying??'] },
  { wait: 1800 },
  { copy: true }, { wait: 2200 },
  { status: 'Tour: crisis help names the lines of the team’s country…' },
  { say: ['erin', 'code-review', '/nudge-admin crisis-resources set country:GB'] },
  { wait: 900 },
  { channel: 'random' },
  { view: 'carol' },
  { say: ['carol', 'random', "I can't do this anymore. Everyone would be better off without me."] },
  { wait: 2500 },
  // The tour leaves the server as it found it: the crisis resources go back to their defaults.
  { say: ['erin', 'code-review', '/nudge-admin crisis-resources reset'] },
  { status: 'Tour: done (the crisis resources are back to their defaults).' },
];

// Resolves when `find` returns something, or with null after `ms`.
async function waitFor(find, ms) {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(150)) {
    await poll();
    const found = find();
    if (found) return found;
  }
  return null;
}

async function playStep(step) {
  if (step.optIn) {
    for (const who of step.optIn) {
      await api('send', { as: who, channel: 'code-review', text: '/nudge on' });
      await sleep(250);
    }
  }
  if (step.channel) setChannel(step.channel);
  if (step.status) $('bot-status').textContent = step.status;
  if (step.say) await say(...step.say);
  if (step.view) setMe(step.view);
  if (step.suggest) {
    const [who, author, channel] = step.suggest;
    await poll();
    const m = lastMessageBy(author, channel);
    if (m) await api('suggest', { as: who, id: m.id });
  }
  if (step.copy) {
    const button = await waitFor(() => document.querySelector('#private-view .private-item button.copy'), 5000);
    if (button) button.click();
  }
  if (step.wait) await sleep(step.wait * tourPace);
}

async function tour() {
  const button = $('tour');
  button.disabled = true; ui.touring = true;
  try {
    for (const step of tourSteps) await playStep(step);
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
