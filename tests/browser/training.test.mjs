// training.test.mjs - a training session through a real Veche server: a
// trainer and three activists.  Activists watch and hear the trainer; an
// activist's attempt to send is refused by the server (the page says so);
// a raised hand shows in the trainer's queue; given the floor, the
// activist's camera and microphone turn on by themselves and the other
// activists see and hear them; the trainer's screen share reaches the
// activists as a "screen" track on the stage; taking the floor back stops
// the activist's media at the others and hides her from them again (the
// trainer still lists her).  Saves docs/screenshots/
// training-trainer.png and training-activist.png.
//
// Screen sharing uses chromium's real getDisplayMedia: headless chromium
// with --use-fake-ui-for-media-stream and --auto-select-desktop-capture-source
// (lib.mjs) shares a fake screen, so no stand-in is needed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DOC_SHOTS, Session, banner, join, received, roomName, sleep, state, waitFor, waitForMedia,
} from './lib.mjs';

const ROOM = roomName('training');
const s = new Session();
const p = {};           // trainer, a1, a2, a3 -> Page (with .id)
let setupError = null;

before(async () => {
  await s.start();
  try {
    p.trainer = await s.page('trainer');
    p.trainer.id = await join(p.trainer, { room: ROOM, name: 'Trainer Irina', kind: 'training' });
    for (const [key, name] of [['a1', 'Olga'], ['a2', 'Pavel'], ['a3', 'Sergei']]) {
      p[key] = await s.page(key);
      p[key].id = await join(p[key], { room: ROOM, name });
    }
  } catch (err) {
    setupError = err;
  }
});

after(() => s.end());

const activists = () => [p.a1, p.a2, p.a3];

test('training: activists watch the trainer; an activist may not send without the floor',
  { timeout: 90000 }, s.recorded(async () => {
    if (setupError) throw setupError;
    assert.equal((await state(p.trainer)).role, 'trainer');
    for (const a of activists()) {
      const st = await state(a);
      assert.equal(st.kind, 'training');
      assert.equal(st.role, 'activist');
      assert.deepEqual(st.publishing, [], `${a.label} sends nothing at first`);
    }
    await Promise.all(activists().map((a) => waitForMedia(a, p.trainer.id)));
    // The trainer's camera is on the stage of an activist's page.
    assert.equal(await p.a2.isVisible(`#stage-main [data-participant="${p.trainer.id}"]`), true);
    assert.match(await p.a1.textContent('#role-hint'), /raise your hand/);
    // Olga presses the microphone button: the server refuses, the page says why.
    await p.a1.click('#mic');
    await p.a1.locator('#error').waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await banner(p.a1), /only the trainer and those given the floor speak/);
    await waitFor(async () => (await state(p.a1)).publishing.length === 0, { timeout: 5000 });
    assert.equal((await received(p.a2, p.a1.id)).tracks, 0, 'nothing of Olga reaches Pavel');
    await p.a1.click('#error-close');
  }));

test('training: a raised hand reaches the trainer; given the floor, the activist is seen and heard',
  { timeout: 90000 }, s.recorded(async (t) => {
    if (setupError) throw setupError;
    await p.a1.click('#hand');
    const item = p.trainer.locator(`#hands-list li[data-hand="${p.a1.id}"]`);
    await item.waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await item.textContent(), /Olga/);
    assert.equal(await p.a1.getAttribute('#hand', 'aria-pressed'), 'true');
    await item.locator('button', { hasText: 'Give the floor' }).click();
    // Olga's page turns camera and microphone on by itself.
    await waitFor(async () => (await state(p.a1)).publishing.length === 2, { timeout: 15000,
      describe: async () => JSON.stringify(await state(p.a1)) });
    await item.waitFor({ state: 'detached', timeout: 5000 });   // the hand went down
    const [atA2, atA3] = await Promise.all([waitForMedia(p.a2, p.a1.id), waitForMedia(p.a3, p.a1.id)]);
    t.diagnostic(`Pavel <- Olga ${JSON.stringify(atA2)}; Sergei <- Olga ${JSON.stringify(atA3)}`);
    assert.match(await p.a1.textContent('#role-hint'), /You have the floor/);
  }));

test('training: the trainer\'s screen share reaches the activists', { timeout: 90000 },
  s.recorded(async (t) => {
    if (setupError) throw setupError;
    await p.trainer.click('#screen');
    await waitFor(async () => (await state(p.trainer)).publishing.includes('screen'), { timeout: 10000 });
    for (const a of [p.a2, p.a3]) {
      const first = await waitFor(async () => {
        const r = await received(a, p.trainer.id);
        return r.screenWidth > 0 && r.screenFrames > 0 && r;
      }, { timeout: 20000, describe: async () => JSON.stringify(await a.evaluate(() => window.veche.stats())) });
      await waitFor(async () => (await received(a, p.trainer.id)).screenFrames > first.screenFrames,
        { timeout: 10000 });
      t.diagnostic(`${a.label} <- trainer's screen: ${first.screenWidth} px wide`);
      // The screen is the large tile; the trainer's camera is still there.
      assert.equal(await a.isVisible(`#stage-main [data-screen-of="${p.trainer.id}"]`), true);
      assert.equal(await a.isVisible(`#grid [data-participant="${p.trainer.id}"]`), true);
    }
    // Sergei raises a hand too, for the trainer's queue in the screenshot.
    await p.a3.click('#hand');
    await p.trainer.locator(`#hands-list li[data-hand="${p.a3.id}"]`).waitFor({ timeout: 5000 });
    await sleep(600);
    await p.trainer.screenshot({ path: `${DOC_SHOTS}/training-trainer.png` });
    await p.a2.screenshot({ path: `${DOC_SHOTS}/training-activist.png` });
  }));

test('training: taking the floor back stops the activist\'s media at the others and hides her again',
  { timeout: 60000 }, s.recorded(async () => {
    if (setupError) throw setupError;
    // Given the floor, Olga is in the other activists' list and on their stage.
    for (const a of [p.a2, p.a3]) {
      assert.equal(await a.locator(`#people-panel [data-person="${p.a1.id}"]`).count(), 1, a.label);
      assert.equal(await a.locator(`[data-participant="${p.a1.id}"]`).count(), 1, a.label);
    }
    await p.trainer.click(`[data-person="${p.a1.id}"] button:text-is("Take the floor back")`);
    for (const a of [p.a2, p.a3]) {
      await waitFor(async () => (await received(a, p.a1.id)).tracks === 0, { timeout: 10000,
        describe: async () => `${a.label} still receives ${JSON.stringify(await received(a, p.a1.id))}` });
    }
    // Hidden from the other activists again (participant-left, hidden): her
    // tile and list entry go, the page says her floor ended, not that she left.
    for (const a of [p.a2, p.a3]) {
      await a.locator(`#people-panel [data-person="${p.a1.id}"]`).waitFor({ state: 'detached', timeout: 10000 });
      await a.locator(`[data-participant="${p.a1.id}"]`).waitFor({ state: 'detached', timeout: 10000 });
      await waitFor(async () => /Olga no longer has the floor/.test(await a.textContent('#status')),
        { timeout: 5000, describe: async () => `${a.label} #status: ${await a.textContent('#status')}` });
    }
    // The trainer still sees her, and she still sees herself in the list.
    assert.equal(await p.trainer.locator(`#people-panel [data-person="${p.a1.id}"]`).count(), 1);
    assert.equal(await p.a1.locator(`#people-panel [data-person="${p.a1.id}"]`).count(), 1);
    // Olga's page stopped sending and let go of the devices.
    await waitFor(async () => {
      const st = await state(p.a1);
      return st.publishing.length === 0 && !st.camera && !st.mic;
    }, { timeout: 5000 });
    assert.equal(await p.a1.evaluate(() => window.veche.conn.pub), null, 'publish PC closed');
    assert.match(await p.a1.textContent('#notice-text'), /took the floor back/);
    // The trainer stops sharing: the screen goes from the activists' stage.
    await p.trainer.click('#screen');
    await p.a2.locator(`[data-screen-of="${p.trainer.id}"]`).waitFor({ state: 'detached', timeout: 10000 });
  }));
