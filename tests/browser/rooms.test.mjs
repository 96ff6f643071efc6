// rooms.test.mjs - a meeting of three (then four) browsers through a real
// Veche server: everyone sees and hears everyone; the chair mutes someone
// and the server stops forwarding their sound; chat reaches everyone,
// including someone who joins late (from the history); the chair locks the
// room (a newcomer is refused with a clear message) and removes someone;
// the layout works at phone size; denied camera/microphone still lets one
// watch.  Saves docs/screenshots/meeting.png and phone.png.
//
//   VECHE_URL=https://127.0.0.1:PORT/ node --test --test-reporter=tap rooms.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, DOC_SHOTS, PHONE, Session, banner, join, received, roomName, sleep, state, waitFor, waitForMedia,
} from './lib.mjs';

const ROOM = roomName('meeting');
const s = new Session();
const p = {};           // 'chair' | 'b' | 'c' | 'd' -> Page (with .id)
let setupError = null;

before(async () => {
  await s.start();
  try {
    p.chair = await s.page('chair');
    p.chair.id = await join(p.chair, { room: ROOM, name: 'Anna Petrova' });
    p.b = await s.page('b');
    p.b.id = await join(p.b, { room: ROOM, name: 'Boris' });
    p.c = await s.page('c');
    p.c.id = await join(p.c, { room: ROOM, name: 'Вера' });
  } catch (err) {
    setupError = err;
  }
});

after(() => s.end());

// Audio packets `page` receives from `from` over `ms`.
async function audioGrowth(page, from, ms) {
  const a = await received(page, from);
  await sleep(ms);
  const b = await received(page, from);
  return b.audioPackets - a.audioPackets;
}

test('meeting: three people see and hear each other', { timeout: 90000 }, s.recorded(async (t) => {
  if (setupError) throw setupError;
  const st = await state(p.chair);
  assert.equal(st.kind, 'meeting');
  assert.equal(st.role, 'chair');
  assert.equal((await state(p.b)).role, 'member');
  const pairs = [];
  for (const viewer of ['chair', 'b', 'c']) {
    for (const from of ['chair', 'b', 'c']) if (from !== viewer) pairs.push([viewer, from]);
  }
  const results = await Promise.all(pairs.map(([v, f]) => waitForMedia(p[v], p[f].id)));
  pairs.forEach(([v, f], i) => t.diagnostic(`${v} <- ${f}: ${JSON.stringify(results[i])}`));
  // The grid shows all three, 16:9.
  const tiles = await p.chair.$$eval('#grid .tile:not(.empty)', (els) =>
    els.map((el) => el.getBoundingClientRect()).map((r) => r.width / r.height));
  assert.equal(tiles.length, 3, 'three tiles on the chair\'s page');
  for (const ratio of tiles) assert.ok(Math.abs(ratio - 16 / 9) < 0.05, `tile ratio ${ratio}`);
}));

test('meeting: the chair mutes a participant and their sound stops reaching the others',
  { timeout: 60000 }, s.recorded(async (t) => {
    if (setupError) throw setupError;
    const before = await audioGrowth(p.c, p.b.id, 1500);
    assert.ok(before > 10, `C receives B's audio before the mute (${before} packets in 1.5 s)`);
    await p.chair.click(`[data-person="${p.b.id}"] button:text-is("Mute")`);
    // B's page: microphone off, told who did it.
    await waitFor(async () => !(await state(p.b)).mic, { timeout: 5000 });
    await p.b.locator('#notice').waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await p.b.textContent('#notice-text'), /Anna Petrova turned your microphone off/);
    assert.equal(await p.b.getAttribute('#mic', 'aria-label'), 'Turn microphone on');
    // Everyone sees B muted; after a moment for packets in flight, no more
    // of B's audio arrives at C or at the chair (the server stops it).
    await waitFor(async () => (await state(p.c)).people.find((x) => x.id === p.b.id).muted,
      { timeout: 5000 });
    await sleep(800);
    const [atC, atChair] = await Promise.all([audioGrowth(p.c, p.b.id, 2000),
      audioGrowth(p.chair, p.b.id, 2000)]);
    t.diagnostic(`B's audio packets in 2 s after the mute: at C ${atC}, at the chair ${atChair}`);
    assert.ok(atC <= 2, `C still receives B's audio (${atC} packets in 2 s)`);
    assert.ok(atChair <= 2, `the chair still receives B's audio (${atChair} packets in 2 s)`);
    // B's video still flows.
    const v1 = await received(p.c, p.b.id);
    await sleep(1000);
    assert.ok((await received(p.c, p.b.id)).framesDecoded > v1.framesDecoded, 'B\'s video goes on');
    // B turns the microphone back on: the sound comes back.
    await p.b.click('#mic');
    await waitFor(async () => (await audioGrowth(p.c, p.b.id, 1000)) > 10,
      { timeout: 10000, describe: async () => 'B\'s audio did not come back after unmute' });
    assert.equal((await state(p.c)).people.find((x) => x.id === p.b.id).muted, false);
  }));

test('meeting: chat reaches everyone, and someone who joins late gets the history',
  { timeout: 60000 }, s.recorded(async () => {
    if (setupError) throw setupError;
    await p.chair.fill('#chat-input', 'Добрый день! Начинаем заседание.');
    await p.chair.press('#chat-input', 'Enter');
    await p.b.fill('#chat-input', 'Boris here, I can hear you.');
    await p.b.click('#chat-send');
    for (const page of [p.chair, p.b, p.c]) {
      await waitFor(async () => (await page.$$('#chat-log li')).length === 2, { timeout: 5000,
        describe: async () => `${page.label}: ${await page.textContent('#chat-log')}` });
    }
    const texts = await p.c.$$eval('#chat-log li .text', (els) => els.map((e) => e.textContent));
    assert.deepEqual(texts, ['Добрый день! Начинаем заседание.', 'Boris here, I can hear you.']);
    p.d = await s.page('d');
    p.d.id = await join(p.d, { room: ROOM, name: 'Dmitry' });
    await waitFor(async () => (await p.d.$$('#chat-log li')).length === 2, { timeout: 5000 });
    const late = await p.d.$$eval('#chat-log li', (els) => els.map((e) => e.textContent));
    assert.match(late[0], /Anna Petrova.*Добрый день/);
    assert.match(late[1], /Boris.*I can hear you/);
    await waitForMedia(p.chair, p.d.id);
    await sleep(500);
    await p.chair.screenshot({ path: `${DOC_SHOTS}/meeting.png` });
  }));

test('meeting: a locked room refuses newcomers clearly; the chair removes someone',
  { timeout: 60000 }, s.recorded(async () => {
    if (setupError) throw setupError;
    await p.chair.click('#lock');
    await waitFor(async () => (await state(p.b)).locked, { timeout: 5000 });
    // The page redraws on a timer after the state changes: wait for it.
    await p.b.locator('#room-locked').waitFor({ state: 'visible', timeout: 5000 });
    const e = await s.page('e');
    await e.goto(`${BASE}?room=${ROOM}`);
    await e.selectOption('#lang', 'en');
    await e.fill('#name', 'Eve');
    await e.click('#join');
    await e.locator('#error').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await banner(e), /^The room is locked: nobody new can join now\./);
    assert.equal(await e.isVisible('#join-form'), true, 'Eve stays at the join form');
    await e.context().close();
    // The chair's "moderator link" lets a second device in as chair, even
    // while the room is locked (moderators are excepted).
    await p.chair.click('#copy-mod-invite');
    await p.chair.locator('#copy-mod-invite[data-copied="yes"]').waitFor({ timeout: 5000 });
    const link = await p.chair.evaluate(() => navigator.clipboard.readText());
    const key = /#key=([0-9a-f]{32})$/.exec(link);
    assert.ok(link.startsWith(`${BASE}?room=${ROOM}`) && key, `moderator link: ${link}`);
    const second = await s.page('chair-phone', { viewport: PHONE });
    await join(second, { room: ROOM, name: 'Anna (phone)', key: key[1] });
    assert.equal((await state(second)).role, 'chair', 'the link makes a chair');
    await second.context().close();
    await p.chair.click('#lock');
    await waitFor(async () => !(await state(p.b)).locked, { timeout: 5000 });
    // Remove D (the confirmation is accepted by the session's dialog handler).
    await p.chair.click(`[data-person="${p.d.id}"] button:text-is("Remove")`);
    await p.d.locator('#join-form').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await banner(p.d), /^A moderator removed you from the room\.$/);
    await waitFor(async () => !(await state(p.b)).people.some((x) => x.id === p.d.id),
      { timeout: 5000 });
    await p.chair.locator(`[data-participant="${p.d.id}"]`).waitFor({ state: 'detached', timeout: 5000 });
  }));

test('meeting at phone size: controls reachable, nothing wider than the screen',
  { timeout: 30000 }, s.recorded(async () => {
    if (setupError) throw setupError;
    const page = p.c;
    await page.setViewportSize(PHONE);
    await sleep(500);
    const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow} px wider than a phone screen`);
    const boxes = await page.$$eval('.controls button:not([hidden])', (els) => els.map((el) => {
      const r = el.getBoundingClientRect();
      return { id: el.id, left: r.left, right: r.right, top: r.top, bottom: r.bottom, w: r.width };
    }));
    assert.ok(boxes.length >= 7, `${boxes.length} control buttons`);
    for (const b of boxes) {
      assert.ok(b.left >= 0 && b.right <= PHONE.width && b.bottom <= PHONE.height && b.top >= 0,
        `${b.id} is off screen: ${JSON.stringify(b)}`);
      assert.ok(b.w >= 40, `${b.id} is too small to tap (${b.w} px)`);
    }
    await page.screenshot({ path: `${DOC_SHOTS}/phone.png` });
    // The chat opens over the video and can be used.
    await page.click('#chat-toggle');
    await page.locator('#chat-input').waitFor({ state: 'visible', timeout: 3000 });
    await page.click('#chat-toggle');
    await page.locator('#chat-panel').waitFor({ state: 'hidden', timeout: 3000 });
  }));

test('without camera and microphone permission one joins to watch and is told why',
  { timeout: 60000 }, s.recorded(async () => {
    if (setupError) throw setupError;
    const deny = () => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    };
    const page = await s.page('denied', { initScript: deny });
    const id = await join(page, { room: ROOM, name: 'Галина' });
    await page.locator('#error').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await banner(page), /not allowed to use your camera and microphone.*You can still watch/);
    await waitForMedia(page, p.chair.id);
    const st = await state(page);
    assert.deepEqual(st.publishing, [], 'sends nothing');
    await waitFor(async () => (await state(p.chair)).people.some((x) => x.id === id), { timeout: 5000 });
    await page.context().close();
  }));

test('meeting: switching the microphone in the device settings keeps the sound going',
  { timeout: 30000 }, s.recorded(async () => {
    if (setupError) throw setupError;
    const page = p.b;
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.click('#settings-open');
    await page.locator('#settings').waitFor({ state: 'visible', timeout: 3000 });
    const options = await page.$$eval('#mic-select option', (els) => els.map((o) => [o.value, o.textContent]));
    assert.ok(options.length >= 2, `microphones offered: ${JSON.stringify(options)}`);
    const before = await page.evaluate(() => window.veche.conn.pub.pc.getSenders()
      .find((x) => x.track && x.track.kind === 'audio').track.id);
    const other = options.find(([v]) => v !== 'default' && v !== '') || options[1];
    await page.selectOption('#mic-select', other[0]);
    await waitFor(() => page.evaluate((old) => {
      const sender = window.veche.conn.pub.pc.getSenders().find((x) => x.track && x.track.kind === 'audio');
      return sender && sender.track.id !== old && sender.track.readyState === 'live';
    }, before), { timeout: 5000 });
    await page.click('#settings-close');
    await waitFor(async () => (await audioGrowth(p.c, p.b.id, 1000)) > 10, { timeout: 10000,
      describe: async () => 'B\'s audio stopped after switching microphones' });
  }));
