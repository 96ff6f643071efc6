// hands_training.test.mjs - issue 12, item 1 in a training event: an
// activist's raised hand is visible to the trainer without scrolling, with
// the trainer's roll and guest form present (an event's moderator has
// them), at 1280x800 (the queue entry in the side panel's visible part)
// and at 390x844 (the count on the control bar; one press on Participants
// shows the queue entry).  everyday.test.mjs checks the same for a
// meeting's speakers list.  Uses the demo's training event; its people
// leave at the end (a dropped page would keep a resume record).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, Session, VIEWPORT, joinEvent, signIn, state, waitFor, whereIs,
} from './lib.mjs';

const TRAINING = 'Занятие школы актива';
const s = new Session();
const pages = [];

before(() => s.start());
after(() => s.leaveAndEnd(pages));

async function enter(label, email, viewport) {
  const page = await s.page(label, { viewport });
  await signIn(page, email);
  await joinEvent(page, TRAINING);
  pages.push(page);
  return page;
}

for (const [label, viewport] of [['1280x800', VIEWPORT], ['390x844', PHONE]]) {
  const tag = label.replace('x', '-');
  test(`hands ${label}: an activist's raised hand is on the trainer's screen without scrolling`,
    { timeout: 120000 }, s.recorded(async () => {
      const trainer = await enter(`trainer-${tag}`, 'trainer@veche.demo', viewport);
      const activist = await enter(`activist-${tag}`, 'activist4@veche.demo', VIEWPORT);
      assert.equal((await state(trainer)).role, 'trainer');
      assert.equal(await trainer.isVisible('#hands-count'), false, 'no hands, no count');
      const me = (await state(activist)).me;
      await activist.click('#hand');
      const item = `#hands-list li[data-hand="${me}"]`;
      await trainer.locator('#hands-count').waitFor({ state: 'visible', timeout: 10000 });
      assert.equal(await trainer.textContent('#hands-count'), '1');
      assert.equal(await whereIs(trainer, '#hands-count'), 'on screen');
      if (viewport === PHONE) await trainer.click('#people-toggle');   // one press
      await trainer.locator(item).waitFor({ state: 'visible', timeout: 10000 });
      await waitFor(async () => (await whereIs(trainer, item)) === 'on screen',
        { timeout: 5000, describe: () => whereIs(trainer, item) });
      await activist.click('#hand');   // lowered: the entry and the count go
      await trainer.locator(item).waitFor({ state: 'detached', timeout: 10000 });
      for (const page of [activist, trainer]) await page.click('#leave');
    }));
}
