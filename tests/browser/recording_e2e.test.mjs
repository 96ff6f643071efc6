// recording_e2e.test.mjs - from "the trainer presses Start recording" to
// "an activist watches the lesson", through the real programs only: the
// server run.sh starts, the veche-recorder it starts and supervises, and
// the veche-render its lesson supervisor runs.  No fixture parts (that is
// lessons.test.mjs): the archival part is what the recorder wrote from the
// trainer's fake camera and microphone.
//
// A new training event of the demo course (so that no other test's parts
// are in its lesson) is added to the server's database; the trainer and an
// activist join it from My events.  The trainer starts recording with the
// button; the activist sees the red indicator; after ~3 s the trainer sets
// a chapter mark with the button; after ~9 s in all the trainer stops.  The
// lesson is rendered in the background and appears in the course's catalog
// (polled, generously: veche-render runs at idle priority on a shared
// machine); its duration is within 1 s of the time recorded.  The activist
// opens the lesson page: currentTime advances, the duration is right, the
// speed control changes playbackRate, and a click on the trainer's chapter
// seeks there; the picture is not black (the trainer's camera is in
// it).  Before that, an administrator lets a body's chair record
// its meetings with the check box in the body's edit panel, and takes it
// back (PATCH /api/admin/bodies allowRecording).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  Session, catalogItem, checkLessonSpeed, joinEvent, lessonVideo as video, openLesson,
  pressUntilRecording, signIn, sleep, waitForLesson,
} from './lib.mjs';

const DATA = process.env.VECHE_DATA;
const TITLE = `Запись целиком ${Date.now().toString(36)}`;
const MARK = 'Часть 2: переговоры';
const RECORD_MS = 9000;
const s = new Session();
let recorded = null;   // { eventId, seconds, markAt }
let lessonId = null;

before(() => s.start());
after(() => s.end());

/** A training event of the demo course, open now, in the server's database. */
function addEvent() {
  return Number(execFileSync('python3', ['-c', `
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1] + '/veche.db', timeout=30)
course = c.execute("SELECT id FROM course WHERE name = 'Школа актива'").fetchone()[0]
now = int(time.time())
c.execute("INSERT INTO event (course_id, title, starts_at, ends_at, room_kind, room_id,"
          " created_at) VALUES (?, ?, ?, ?, 'training', ?, ?)",
          (course, sys.argv[2], now - 600, now + 7200, 'rec-e2e-%d' % now, now))
c.commit()
print(c.execute("SELECT last_insert_rowid()").fetchone()[0])`, DATA, TITLE], { encoding: 'utf8' }).trim());
}

const indicator = (page) => page.locator('#recording-indicator');

test('recording e2e: an administrator allows a body\'s chair to record, then not',
  { timeout: 60000 }, s.recorded(async () => {
    const page = await s.page('admin-recording');
    await signIn(page, 'admin@veche.demo');
    const bodies = () => page.evaluate(() => fetch('/api/admin/bodies').then((r) => r.json()));
    const body = (await bodies()).bodies.find((b) => b.name === 'Президиум') ||
      (await bodies()).bodies[0];
    assert.equal(body.allowRecording, false, JSON.stringify(body));
    for (const want of [true, false]) {
      await page.click('#nav-admin');
      await page.click('#admin-tab-bodies');
      await page.locator('#admin-body[aria-busy="false"]').waitFor({ state: 'attached' });
      await page.locator(`button.edit-open[data-kind="body"][data-id="${body.id}"]`).click();
      const box = page.locator('#edit-body-recording');
      await box.waitFor({ state: 'visible' });
      assert.equal(await box.isChecked(), !want);
      assert.match(await page.textContent('label[for="edit-body-recording"]'), /chair may record/);
      if (want) await box.check(); else await box.uncheck();
      await page.click('#edit-save');
      await page.locator('#edit-panel').waitFor({ state: 'detached', timeout: 10000 });
      const now = (await bodies()).bodies.find((b) => b.id === body.id);
      assert.equal(now.allowRecording, want, JSON.stringify(now));
    }
    await page.context().close();
  }));

test('recording e2e: the trainer records with the real recorder, the activist sees it',
  { timeout: 180000 }, s.recorded(async () => {
    assert.ok(DATA, 'run.sh passes VECHE_DATA');
    const eventId = addEvent();
    const trainer = await s.page('trainer-rec');
    await signIn(trainer, 'trainer@veche.demo');
    await joinEvent(trainer, TITLE);
    const activist = await s.page('activist-rec');
    await signIn(activist, 'activist1@veche.demo');
    await joinEvent(activist, TITLE);
    assert.equal(await indicator(activist).isVisible(), false, 'no indicator before recording');

    // The length recorded, on the trainer's page's clock: when its
    // indicator showed and went (the server's `recording` messages), not
    // when this test, polling a loaded machine, saw the activist's.
    await trainer.evaluate(() => {
      const el = document.querySelector('#recording-indicator');
      window.recTimes = [];
      new MutationObserver(() => window.recTimes.push([el.hidden, performance.now()]))
        .observe(el, { attributes: true, attributeFilter: ['hidden'] });
    });
    // The trainer's camera and microphone must be at the server before
    // there is something to record: press Start until recording begins.
    await trainer.locator('#recording-start').waitFor({ state: 'visible', timeout: 15000 });
    await pressUntilRecording(trainer, '#recording-start', activist, 'visible');
    const started = Date.now();
    assert.match(await indicator(activist).textContent(), /Recording/);
    await indicator(trainer).waitFor({ state: 'visible', timeout: 10000 });

    // a chapter mark with the button (its label comes from a prompt)
    await sleep(3000);
    await trainer.evaluate((label) => {
      window.prompt = () => { window.markTime = performance.now(); return label; };
    }, MARK);
    await trainer.click('#recording-mark');

    await sleep(Math.max(0, RECORD_MS - (Date.now() - started)));
    // Press Stop until recording stops: on this shared machine a page's
    // media transport may time out and reconnect (the recording goes on
    // through it, in a new part), and a request sent meanwhile is lost.
    await pressUntilRecording(trainer, '#recording-stop', activist, 'hidden');
    await indicator(trainer).waitFor({ state: 'hidden', timeout: 10000 });
    const { times, markTime } = await trainer.evaluate(() => ({ times: window.recTimes,
      markTime: window.markTime }));
    const on = times.find(([hidden]) => !hidden);
    const off = [...times].reverse().find(([hidden]) => hidden);
    assert.ok(on && off && off[1] > on[1] && markTime > on[1], JSON.stringify(times));
    const seconds = (off[1] - on[1]) / 1000;
    const markAt = (markTime - on[1]) / 1000;
    recorded = { eventId, seconds, markAt };
    for (const pg of [trainer, activist]) await pg.context().close();
    // the archival part holds the camera (VP8) and the voice (Opus)
    const info = execFileSync('gst-discoverer-1.0',
      [`${DATA}/recordings/${eventId}/part-1.mkv`], { encoding: 'utf8' });
    assert.match(info, /video #\d+: VP8/, info);
    assert.match(info, /audio #\d+: Opus/, info);
  }));

test('recording e2e: veche-render makes the lesson, it appears in the catalog',
  { timeout: 960000 }, s.recorded(async () => {
    assert.ok(recorded, 'the first test recorded');
    const page = await s.page('trainer-catalog');
    await signIn(page, 'trainer@veche.demo');
    await page.click('#nav-lessons');
    await page.locator('#lessons-view').waitFor({ state: 'visible' });
    const lesson = await waitForLesson(page, recorded.eventId, 900000);
    assert.equal(lesson && lesson.state, 'ready', JSON.stringify(lesson));
    assert.ok(Math.abs(lesson.durationMs / 1000 - recorded.seconds) <= 1.0,
      `lesson ${lesson.durationMs} ms, recorded ${recorded.seconds} s`);
    assert.ok(lesson.bytes > 10000, JSON.stringify(lesson));
    lessonId = lesson.id;
    // the catalog (reloaded) lists it with its title and trainer
    const item = await catalogItem(page, lessonId, 15000);
    assert.match(await item.textContent(), new RegExp(TITLE));
    assert.match(await item.textContent(), /Жанна Тренерова/);
    await page.context().close();
  }));

test('recording e2e: the lesson page plays the recorded lesson, speed and chapter seek',
  { timeout: 300000 }, s.recorded(async () => {
    assert.ok(lessonId, 'the catalog test found the lesson');
    const page = await s.page('activist-watch');
    await signIn(page, 'activist1@veche.demo');
    await openLesson(page, lessonId);
    const duration = await video(page, (v) => v.duration);
    assert.ok(Number.isFinite(duration) && Math.abs(duration - recorded.seconds) <= 1.0,
      `duration ${duration}, recorded ${recorded.seconds} s`);
    // the chapters: the start and the trainer's mark, at its time
    const chapters = page.locator('#lesson-chapters .lesson-chapter');
    await chapters.first().waitFor({ state: 'visible', timeout: 10000 });
    const texts = await chapters.allTextContents();
    const i = texts.findIndex((x) => x.includes(MARK));
    assert.ok(i > 0, texts.join(' | '));
    const markSec = Number(/^0:(\d\d) /.exec(texts[i])[1]);
    assert.ok(Math.abs(markSec - recorded.markAt) <= 1.5, `${texts[i]} vs ${recorded.markAt} s`);
    // play: currentTime advances
    await video(page, (v) => { v.muted = true; return v.play(); });
    // (generous: decoding 720p in a browser at nice 10 on a machine with a
    // load average of 40 runs far slower than real time)
    await page.waitForFunction(() => document.querySelector('#lesson-video').currentTime > 1,
      null, { timeout: 90000 });
    const t1 = await video(page, (v) => v.currentTime);
    await page.waitForFunction((t) => document.querySelector('#lesson-video').currentTime > t + 0.5,
      t1, { timeout: 90000 });
    // the trainer's camera is in the picture, not only the black background
    const luma = await video(page, (v) => {
      const c = document.createElement('canvas');
      c.width = 64;
      c.height = 36;
      const g = c.getContext('2d');
      g.drawImage(v, 0, 0, 64, 36);
      const d = g.getImageData(0, 0, 64, 36).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
      return sum / (d.length / 4);
    });
    assert.ok(luma > 30, `mean brightness ${luma}: a black picture`);
    await checkLessonSpeed(page);
    // back to the start, then a click on the mark's chapter seeks there
    await video(page, (v) => { v.pause(); v.currentTime = 0; });
    await page.waitForFunction(() => document.querySelector('#lesson-video').currentTime < 0.5,
      null, { timeout: 10000 });
    await chapters.nth(i).click();
    await page.waitForFunction((t) => {
      const c = document.querySelector('#lesson-video').currentTime;
      return c >= t - 0.6 && c < t + 3;
    }, markSec, { timeout: 10000 });
    await page.locator('#lesson-chapters .lesson-chapter[aria-current="true"]',
      { hasText: MARK }).waitFor({ timeout: 5000 });
    await page.context().close();
  }));
