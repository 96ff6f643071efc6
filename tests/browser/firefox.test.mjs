// firefox.test.mjs - Firefox and Chromium in one Veche room.
//
// Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi (lib.mjs
// Session.firefoxPage: fake camera and microphone, a private Xvfb display
// for screen sharing), meets Debian's chromium (playwright-core, as in the
// other files).  Firefox offers every m-line after the first as port 0 with
// a=bundle-only (RFC 8843) under the web client's max-bundle policy, so
// these tests fail when the server rejects such m-lines: Chromium then
// never decodes Firefox's camera or screen.
//
//   1. A meeting: each person decodes the other's camera (frames decoded,
//      growing) and hears the other (audio packets and audio energy,
//      growing).
//   2. A training session: a Firefox trainer shares a screen; a Chromium
//      activist decodes it (and the trainer's camera and microphone).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Session, join, received, roomName, state, waitFor, waitForMedia,
} from './lib.mjs';

const s = new Session();
let setupError = null;

before(async () => {
  try {
    await s.start();
  } catch (err) {
    setupError = err;
  }
});

after(() => s.end());

/** Wait until `page` hears `from`: audio packets and audio energy grow. */
async function waitForSound(page, from) {
  const first = await waitFor(async () => {
    const r = await received(page, from);
    return r.audioEnergy > 0 && r;
  }, { timeout: 20000, describe: async () => `${page.label} <- ${from}: ${JSON.stringify(await received(page, from))}` });
  return waitFor(async () => {
    const r = await received(page, from);
    return r.audioEnergy > first.audioEnergy && r.audioPackets > first.audioPackets && r;
  }, { timeout: 10000, describe: async () => `${page.label} <- ${from}: sound stopped growing` });
}

test('firefox: a Firefox and a Chromium person see and hear each other', { timeout: 120000 },
  s.recorded(async (t) => {
    if (setupError) throw setupError;
    const room = roomName('firefox-meeting');
    const fox = await s.firefoxPage('firefox');
    const chrome = await s.page('chromium');
    const t0 = Date.now();
    fox.id = await join(fox, { room, name: 'Fiona Firefox' });
    chrome.id = await join(chrome, { room, name: 'Chris Chromium' });
    const [atChrome, atFox] = await Promise.all([
      waitForMedia(chrome, fox.id), waitForMedia(fox, chrome.id),
    ]);
    t.diagnostic(`both decode each other ${Date.now() - t0} ms after Firefox started joining`);
    const [heardByChrome, heardByFox] = await Promise.all([
      waitForSound(chrome, fox.id), waitForSound(fox, chrome.id),
    ]);
    t.diagnostic(`chromium <- firefox: ${JSON.stringify(atChrome)}, audio energy ${heardByChrome.audioEnergy.toExponential(2)}`);
    t.diagnostic(`firefox <- chromium: ${JSON.stringify(atFox)}, audio energy ${heardByFox.audioEnergy.toExponential(2)}`);
    // The other person's tile is on each page.
    assert.equal(await chrome.isVisible(`[data-participant="${fox.id}"] video`), true);
    assert.equal(await fox.isVisible(`[data-participant="${chrome.id}"] video`), true);
    await Promise.all([fox.close(), chrome.context().close()]);
  }));

test('firefox: a Firefox trainer\'s screen share reaches a Chromium activist', { timeout: 120000 },
  s.recorded(async (t) => {
    if (setupError) throw setupError;
    const room = roomName('firefox-training');
    const trainer = await s.firefoxPage('firefox-trainer');
    const activist = await s.page('chromium-activist');
    trainer.id = await join(trainer, { room, name: 'Trainer Firefox', kind: 'training' });
    activist.id = await join(activist, { room, name: 'Activist Chromium' });
    assert.equal((await state(trainer)).role, 'trainer');
    assert.equal((await state(activist)).role, 'activist');
    await waitForMedia(activist, trainer.id);
    await trainer.click('#screen');
    await waitFor(async () => (await state(trainer)).publishing.includes('screen'), {
      timeout: 15000, describe: async () => JSON.stringify(await state(trainer)),
    });
    const first = await waitFor(async () => {
      const r = await received(activist, trainer.id);
      return r.screenWidth > 0 && r.screenFrames > 0 && r;
    }, { timeout: 20000, describe: async () => JSON.stringify(await activist.evaluate(() => window.veche.stats())) });
    const later = await waitFor(async () => {
      const r = await received(activist, trainer.id);
      return r.screenFrames > first.screenFrames && r;
    }, { timeout: 10000, describe: async () => 'the screen\'s frames stopped growing' });
    t.diagnostic(`activist <- trainer's screen: ${later.screenWidth} px wide, frames ${first.screenFrames} -> ${later.screenFrames}`);
    assert.equal(await activist.isVisible(`#stage-main [data-screen-of="${trainer.id}"]`), true);
    await Promise.all([trainer.close(), activist.context().close()]);
  }));
