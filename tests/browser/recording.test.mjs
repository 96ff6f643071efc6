// recording.test.mjs - the recording indicator, through a real Veche server
// with its veche-recorder (run.sh starts the server; it finds the recorder
// in the build tree).
//
// The trainer signs in, joins the demo training and sends the fake camera;
// activist1 joins on another page and sees no indicator.  The trainer
// presses "Start recording": the activist's page shows the red indicator,
// an aria-live status that says "Recording"; the trainer's page shows
// "Stop recording".  A second activist who joins now is told before the
// camera starts (`joined` says recording).  The trainer stops: the
// indicator goes on both pages.  Saves recording.png (the activist's view).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DOC_SHOTS, Session, joinEvent, pressUntilRecording, signIn, state,
} from './lib.mjs';

const TRAINING = 'Занятие школы актива';
const s = new Session();

before(() => s.start());
after(() => s.end());

const indicator = (page) => page.locator('#recording-indicator');

test('recording: the trainer records, activists see the indicator at once and on joining',
  { timeout: 120000 }, s.recorded(async () => {
    const trainer = await s.page('trainer');
    await signIn(trainer, 'trainer@veche.demo');
    await joinEvent(trainer, TRAINING);
    assert.equal((await state(trainer)).role, 'trainer');

    const activist = await s.page('activist');
    await signIn(activist, 'activist1@veche.demo');
    await joinEvent(activist, TRAINING);
    assert.equal(await indicator(activist).isVisible(), false, 'no indicator before recording');
    assert.equal(await activist.isVisible('#recording-start'), false, 'activists have no button');

    await trainer.locator('#recording-start').waitFor({ state: 'visible', timeout: 10000 });
    // Recording needs the trainer's tracks at the server (nothing-to-record
    // before): press again until it starts.
    await pressUntilRecording(trainer, '#recording-start', activist, 'visible');
    assert.match(await indicator(activist).textContent(), /Recording/);
    assert.equal(await indicator(activist).getAttribute('aria-live'), 'assertive');
    assert.equal(await indicator(activist).getAttribute('role'), 'status');
    const red = await indicator(activist).evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(red, 'rgb(198, 40, 40)');
    await trainer.locator('#recording-stop').waitFor({ state: 'visible', timeout: 10000 });
    await activist.screenshot({ path: `${DOC_SHOTS}/recording.png` });

    // someone joining now is told before the camera starts
    const late = await s.page('late');
    await signIn(late, 'activist2@veche.demo');
    await joinEvent(late, TRAINING);
    await indicator(late).waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await late.textContent('#notice-text'), /being recorded/);

    await trainer.click('#recording-stop');
    await indicator(activist).waitFor({ state: 'hidden', timeout: 10000 });
    await indicator(late).waitFor({ state: 'hidden', timeout: 10000 });
    await trainer.locator('#recording-start').waitFor({ state: 'visible', timeout: 10000 });
    for (const pg of [trainer, activist, late]) await pg.context().close();
  }));
