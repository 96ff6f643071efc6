// lessons.test.mjs - the lesson archive in the browser, against a real
// server (run.sh) whose supervisor renders with the real veche-render.
//
// Archival parts are made with GStreamer (tests/integration/
// lesson_fixture.py: a 10 s part with a camera, a shared screen, a second
// camera and two voices, and its sidecar with marks) in the server's data
// directory (VECHE_DATA from run.sh), with a new event of the demo
// course and its `recording` row (state closed).  The trainer sees the
// lesson being prepared and then ready in the catalog; the lesson page
// plays it: currentTime advances, the duration is right, the speed control
// changes playbackRate, a chapter click seeks, and a reload resumes where
// playback stopped.  An activist watches it on a phone (390x844) in
// Russian.  Saves lesson-catalog.png and lesson-page.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  BASE, DOC_SHOTS, PHONE, Session, catalogItem, checkLessonSpeed, lessonVideo as video, openLesson,
  signIn, waitForLesson,
} from './lib.mjs';

const DATA = process.env.VECHE_DATA;
const FIXTURE = fileURLToPath(new URL('../integration/lesson_fixture.py', import.meta.url));
const SECONDS = 10;
const s = new Session();
let lessonId = null;

before(() => s.start());
after(() => s.end());

/** Run Python with sqlite3 on the server's database; prints go to the result. */
function py(code, ...args) {
  return execFileSync('python3', ['-c', code, ...args], { encoding: 'utf8' }).trim();
}

function addRecordedEvent() {
  const event = py(`
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1] + '/veche.db', timeout=30)
course = c.execute("SELECT id FROM course WHERE name = 'Школа актива'").fetchone()[0]
now = int(time.time())
c.execute("INSERT INTO event (course_id, title, starts_at, ends_at, room_kind, room_id,"
          " created_at) VALUES (?, 'Переговоры: запись', ?, ?, 'training', ?, ?)",
          (course, now - 7200, now - 3600, 'lesson-browser-%d' % now, now))
c.commit()
print(c.execute("SELECT last_insert_rowid()").fetchone()[0])`, DATA);
  execFileSync('python3', [FIXTURE, `${DATA}/recordings/${event}`, event, '1', String(SECONDS),
    '640', '360'], { stdio: 'ignore' });
  py(`
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1] + '/veche.db', timeout=30)
ev = int(sys.argv[2]); rel = 'recordings/%d/part-1' % ev
c.execute("INSERT INTO recording (event_id, part, path, meta_path, state, started_at, ended_at,"
          " bytes) VALUES (?, 1, ?, ?, 'closed', ?, ?, ?)",
          (ev, rel + '.mkv', rel + '.jsonl', int(time.time()) - 60, int(time.time()),
           os.path.getsize(os.path.join(sys.argv[1], rel + '.mkv'))))
c.commit()`, DATA, event);
  return Number(event);
}

test('lessons: a recorded session becomes a lesson in the catalog', { timeout: 900000 },
  s.recorded(async () => {
    assert.ok(DATA, 'run.sh passes VECHE_DATA');
    const event = addRecordedEvent();
    const page = await s.page('trainer');
    await signIn(page, 'trainer@veche.demo');
    await page.click('#nav-lessons');
    await page.locator('#lessons-view').waitFor({ state: 'visible' });
    // The catalog polls while the lesson is prepared: wait for it to be ready
    // (generously: the machine is shared, veche-render runs at idle priority).
    const lesson = await waitForLesson(page, event, 840000);
    assert.equal(lesson && lesson.state, 'ready', JSON.stringify(lesson));
    assert.ok(Math.abs(lesson.durationMs - SECONDS * 1000) <= 100, JSON.stringify(lesson));
    lessonId = lesson.id;
    const item = await catalogItem(page, lessonId, 10000);
    assert.match(await item.textContent(), /Переговоры: запись/);
    assert.match(await item.textContent(), /Жанна Тренерова/);
    assert.match(await item.textContent(), /0 min 10 s/);
    await page.screenshot({ path: `${DOC_SHOTS}/lesson-catalog.png` });
    await page.context().close();
  }));

test('lessons: the lesson page plays, changes speed, seeks by chapter and resumes',
  { timeout: 120000 }, s.recorded(async () => {
    assert.ok(lessonId, 'the catalog test made a lesson');
    const page = await s.page('trainer-watch');
    await signIn(page, 'trainer@veche.demo');
    await openLesson(page, lessonId);
    const duration = await video(page, (v) => v.duration);
    assert.ok(Math.abs(duration - SECONDS) <= 0.5, `duration ${duration}`);
    // chapters from the WebVTT: start, screen, the trainer's mark, the floor
    const chapters = page.locator('#lesson-chapters .lesson-chapter');
    await chapters.first().waitFor({ state: 'visible', timeout: 10000 });
    const texts = await chapters.allTextContents();
    assert.equal(texts.length, 4, texts.join(' | '));
    assert.match(texts[1], /^0:03 Screen shared: Анна Петрова$/);
    assert.match(texts[2], /^0:05 Часть 2: <переговоры> & итоги$/);
    assert.match(texts[3], /^0:08 Speaking: Иван Сидоров$/);
    // play: currentTime advances
    await video(page, (v) => { v.muted = true; return v.play(); });
    await page.waitForFunction(() => document.querySelector('#lesson-video').currentTime > 1,
      null, { timeout: 20000 });
    await checkLessonSpeed(page);
    // a chapter click seeks
    await chapters.nth(3).click();
    await page.waitForFunction(() => document.querySelector('#lesson-video').currentTime >= 7.9,
      null, { timeout: 10000 });
    await page.locator('#lesson-chapters .lesson-chapter[aria-current="true"]',
      { hasText: 'Иван Сидоров' }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${DOC_SHOTS}/lesson-page.png` });
    // resume: pause at the floor chapter, reload, start there again
    await chapters.nth(2).click();
    await page.waitForFunction(() => document.querySelector('#lesson-video').currentTime >= 5.5,
      null, { timeout: 10000 });
    await video(page, (v) => v.pause());
    const at = Math.floor(await video(page, (v) => v.currentTime));
    await page.goto(`${BASE}?lesson=${lessonId}`);
    await page.locator('#lesson-view').waitFor({ state: 'visible', timeout: 15000 });
    await page.waitForFunction((t) => document.querySelector('#lesson-video').currentTime >= t - 0.1,
      at, { timeout: 20000 });
    assert.equal(await page.isVisible('#lesson-from-start'), true);
    assert.match(await page.textContent('#status'), /Resumed where you stopped: 0:0\d/);
    const href = await page.getAttribute('#lesson-download', 'href');
    assert.equal(href, `/api/lessons/${lessonId}/video?download=1`);
    const dl = await page.evaluate((u) => fetch(u).then((r) => [r.status,
      r.headers.get('content-disposition')]), href);
    assert.deepEqual(dl, [200, `attachment; filename="lesson-${lessonId}.webm"`]);
    await page.context().close();
  }));

test('lessons: an activist watches on a phone, in Russian', { timeout: 120000 },
  s.recorded(async () => {
    assert.ok(lessonId, 'the catalog test made a lesson');
    const page = await s.page('activist-phone', { viewport: PHONE });
    await signIn(page, 'activist1@veche.demo');
    await page.selectOption('#lang', 'ru');
    await openLesson(page, lessonId);
    assert.equal(await page.textContent('label[for="lesson-speed"]'), 'Скорость');
    assert.equal(await page.isVisible('#lesson-edit'), false, 'activists do not edit');
    const box = await page.locator('#lesson-video').boundingBox();
    assert.ok(box.width > 300 && box.x >= 0 && box.x + box.width <= PHONE.width, JSON.stringify(box));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= PHONE.width, `page is ${overflow} px wide`);
    const chapters = page.locator('#lesson-chapters .lesson-chapter');
    assert.match((await chapters.allTextContents())[3], /^0:08 Выступает: Иван Сидоров$/);
    await video(page, (v) => { v.muted = true; return v.play(); });
    await page.waitForFunction(() => document.querySelector('#lesson-video').currentTime > 0.5,
      null, { timeout: 20000 });
    await page.selectOption('#lesson-speed', '2');
    assert.equal(await video(page, (v) => v.playbackRate), 2);
    await chapters.nth(1).click();
    await page.waitForFunction(() => {
      const t = document.querySelector('#lesson-video').currentTime;
      return t >= 2.9 && t < 8;
    }, null, { timeout: 10000 });
    await page.screenshot({ path: `${DOC_SHOTS}/lesson-page-phone.png` });
    await page.context().close();
  }));
