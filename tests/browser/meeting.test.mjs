// meeting.test.mjs - two browsers meet through a real Veche server.
//
//   VECHE_URL=https://127.0.0.1:PORT/ node --test --test-reporter=tap meeting.test.mjs
//
// Uses Debian's chromium with fake camera/microphone.  Page A and page B
// (separate browser contexts, i.e. separate people) join one room; each must
// decode the other's video and receive its audio; then B leaves and A's
// tile for B must go.  Then: the UI language switch, and a refused join
// showing the server's reason.  Screenshots go to screenshots/ for people to
// look at.  Pages, joining and stats come from lib.mjs (only 127.0.0.1 is
// contacted: other origins are aborted).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE, ORIGIN, Session, join, received, roomName, sleep } from './lib.mjs';

const ROOM = roomName('browser');
const MEDIA_TIMEOUT_MS = 30000;
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

const session = new Session();
const pages = {};       // 'A' | 'B' -> Page
let joinError = null;   // why the two pages could not join, if they could not

// What a page knows about its connections, for failure messages.
function diagnose(page) {
  return page.evaluate(async () => {
    const c = window.veche.conn;
    if (!c) return { conn: null, banner: document.getElementById('error-text').textContent };
    const pcState = (side) => side && {
      connection: side.pc.connectionState, ice: side.pc.iceConnectionState,
      signaling: side.pc.signalingState,
    };
    const out = [];
    if (c.pub) {
      (await c.pub.pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp') out.push({ kind: s.kind, packetsSent: s.packetsSent });
      });
    }
    return {
      id: c.participantId, publish: pcState(c.pub), subscribe: pcState(c.sub), outbound: out,
      inbound: await window.veche.stats(),
      banner: document.getElementById('error').hidden ? null
        : document.getElementById('error-text').textContent,
    };
  });
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await session.start();
  pages.A = await session.page('A');
  pages.B = await session.page('B');
  try {
    pages.A.id = await join(pages.A, { room: ROOM, name: 'Anna' });
    pages.B.id = await join(pages.B, { room: ROOM, name: 'Борис' });
  } catch (err) {
    joinError = err;
    session.failed = true;
  }
});

after(() => session.end());

test('each participant decodes the other\'s video and receives its audio', { timeout: 90000 },
  session.recorded(async (t) => {
    if (joinError) throw joinError;
    const pairs = [[pages.A, pages.B.id], [pages.B, pages.A.id]];
    const ready = (r) => r.videoWidth > 0 && r.framesDecoded > 0 && r.audioPackets > 0;
    const deadline = Date.now() + MEDIA_TIMEOUT_MS;
    let first;
    for (;;) {
      first = await Promise.all(pairs.map(([page, from]) => received(page, from)));
      if (first.every(ready) || Date.now() > deadline) break;
      await sleep(500);
    }
    await pages.A.screenshot({ path: `${SHOTS}/A.png` });
    await pages.B.screenshot({ path: `${SHOTS}/B.png` });
    if (!first.every(ready)) {
      const diag = await Promise.all([diagnose(pages.A), diagnose(pages.B)]);
      assert.fail(`no media within ${MEDIA_TIMEOUT_MS} ms: A<-B ${JSON.stringify(first[0])}, ` +
        `B<-A ${JSON.stringify(first[1])}\nA: ${JSON.stringify(diag[0])}\nB: ${JSON.stringify(diag[1])}`);
    }
    await sleep(2000);
    const second = await Promise.all(pairs.map(([page, from]) => received(page, from)));
    for (const [i, who] of [[0, 'A from B'], [1, 'B from A']]) {
      assert.ok(second[i].framesDecoded > first[i].framesDecoded,
        `${who}: framesDecoded did not grow (${first[i].framesDecoded} -> ${second[i].framesDecoded})`);
      assert.ok(second[i].audioPackets > first[i].audioPackets,
        `${who}: audio packetsReceived did not grow (${first[i].audioPackets} -> ${second[i].audioPackets})`);
    }
    for (const [i, who] of [[0, 'A from B'], [1, 'B from A']]) {
      t.diagnostic(`${who}: video ${second[i].videoWidth} px wide, frames decoded ` +
        `${first[i].framesDecoded} -> ${second[i].framesDecoded}, audio packets ` +
        `${first[i].audioPackets} -> ${second[i].audioPackets} in 2 s`);
    }
    // The tile's own <video> plays the audio: it must not be muted.
    const muted = await pages.A.$eval(`[data-participant="${pages.B.id}"] video`, (v) => v.muted);
    assert.equal(muted, false, 'A plays B unmuted');
    assert.equal(await pages.A.isVisible('#join-form'), false, 'the join form is hidden in a meeting');
    // Phone-sized screen: the grid fits without horizontal scrolling.
    await pages.A.setViewportSize({ width: 390, height: 844 });
    const overflow = await pages.A.evaluate(() =>
      document.scrollingElement.scrollWidth - window.innerWidth);
    await pages.A.screenshot({ path: `${SHOTS}/A-phone.png`, fullPage: true });
    assert.ok(overflow <= 0, `page is ${overflow} px wider than a phone screen`);
  }));

test('when B leaves, A\'s tile for B disappears', { timeout: 30000 }, session.recorded(async () => {
  if (joinError) throw joinError;
  const tile = pages.A.locator(`[data-participant="${pages.B.id}"]`);
  await tile.waitFor({ state: 'attached', timeout: 5000 });
  assert.equal(await tile.locator('figcaption').textContent(), 'Борис');
  await pages.B.click('#leave');
  await tile.waitFor({ state: 'detached', timeout: 15000 });
  await pages.B.locator('#join-form').waitFor({ state: 'visible', timeout: 5000 });
  await pages.A.screenshot({ path: `${SHOTS}/A-after-B-left.png` });
  // A stays in the meeting and handled the server's re-offer without error.
  assert.equal(await pages.A.isVisible('#meeting'), true, 'A is still in the meeting');
  assert.equal(await pages.A.isVisible('#error'), false,
    `A shows an error: ${await pages.A.textContent('#error-text')}`);
}));

test('the UI switches between Russian and English', { timeout: 30000 }, session.recorded(async () => {
  const page = pages.B.id ? pages.B : await session.page('L');
  if (!page.url().startsWith(ORIGIN)) await page.goto(BASE);
  await page.selectOption('#lang', 'ru');
  assert.equal(await page.textContent('#join'), 'Войти');
  assert.equal(await page.textContent('label[for="room"]'), 'Комната');
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  await page.reload();  // the choice is remembered
  assert.equal(await page.textContent('#join'), 'Войти');
  await page.screenshot({ path: `${SHOTS}/lang-ru.png` });
  await page.selectOption('#lang', 'en');
  assert.equal(await page.textContent('#join'), 'Join');
  assert.equal(await page.textContent('label[for="room"]'), 'Room');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
}));

test('a refused join shows the server\'s reason in the error banner', { timeout: 30000 },
  session.recorded(async () => {
    const page = await session.page('E');
    // ?room= opens the join form (a bare address opens the sign-in page).
    await page.goto(`${BASE}?room=eve-room`);
    await page.selectOption('#lang', 'en');
    // Bypass the form's own check so that the server refuses the room name.
    await page.evaluate(() => document.getElementById('room').removeAttribute('pattern'));
    await page.fill('#room', 'no spaces allowed');
    await page.fill('#name', 'Eve');
    await page.click('#join');
    await page.locator('#error').waitFor({ state: 'visible', timeout: 10000 });
    const text = await page.textContent('#error-text');
    assert.match(text, /^Invalid request \(room must be/, `banner: ${text}`);
    await page.locator('#join-form').waitFor({ state: 'visible', timeout: 5000 });
    await page.screenshot({ path: `${SHOTS}/error-banner.png` });
  }));
