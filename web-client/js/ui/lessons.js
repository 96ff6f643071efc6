// ui/lessons.js - the lesson archive: the catalog of recorded lessons of
// my courses (GET /api/lessons), with the state of those being prepared,
// and the lesson page: the video, its speed (0.75-2x), the chapter list
// (from the lesson's WebVTT; a click seeks), the download, and resuming
// where this browser stopped (localStorage 'veche.lesson.<id>').  Trainers
// also rename, describe and delete a lesson and make guest links.  A guest
// link (?lesson=ID&guest=TOKEN) opens the page without an account.

import * as api from '../api.js';
import { getLang, t } from '../i18n.js';
import { $, h } from './dom.js';
import { formatTime } from './events.js';

export const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
const POLL_MS = 3000;
const SAVE_EVERY_MS = 2000;
const RESUME_MIN_S = 3;       // resume from this far in ...
const RESUME_END_S = 2;       // ... up to this close to the end

/** mm:ss or h:mm:ss of seconds. */
export function clock(sec) {
  const s = Math.max(0, Math.floor(sec));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const two = (n) => String(n).padStart(2, '0');
  return hh ? `${hh}:${two(mm)}:${two(ss)}` : `${mm}:${two(ss)}`;
}

/** The cues of a WebVTT text: [{id, start, end, text}] (times in seconds). */
export function parseVtt(text) {
  const cues = [];
  const time = (s) => {
    const m = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/.exec(s.trim());
    return m ? (+(m[1] || 0)) * 3600 + (+m[2]) * 60 + (+m[3]) + (+m[4]) / 1000 : NaN;
  };
  for (const block of text.replace(/\r/g, '').split(/\n\n+/)) {
    const lines = block.split('\n').filter((l) => l !== '');
    const at = lines.findIndex((l) => l.includes('-->'));
    if (at < 0) continue;
    const [a, b] = lines[at].split('-->');
    const start = time(a), end = time(b.trim().split(/\s+/)[0]);
    if (Number.isNaN(start) || Number.isNaN(end)) continue;
    const body = lines.slice(at + 1).join(' ')
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    cues.push({ id: at > 0 ? lines[0] : '', start, end, text: body });
  }
  return cues;
}

/** A chapter cue as words in the reader's language: its id says the kind. */
function chapterTitle(cue) {
  const kind = (cue.id.split('-')[0] || 'chapter');
  const text = cue.text === '-' ? '' : cue.text;
  if (kind === 'start') return t('lessons.chapter.start');
  return t(`lessons.chapter.${['screen', 'floor'].includes(kind) ? kind : 'chapter'}`, { text });
}

function durationText(ms) {
  const s = Math.round(ms / 1000);
  return t('lessons.duration', { min: Math.floor(s / 60), sec: s % 60 });
}

function sizeText(bytes) {
  return t('lessons.size', { mb: (bytes / 1048576).toLocaleString(getLang(), { maximumFractionDigits: 1 }) });
}

function stateText(l) {
  return t(`lessons.state.${l.state}`, { pct: Math.round((l.progress || 0) * 100) });
}

export class LessonsView {
  /** onOpen(lesson) when a Watch button is pressed. */
  constructor({ onOpen, onError }) {
    this.onOpen = onOpen;
    this.onError = onError;
    this.list = [];
    this.timer = null;
  }

  async load() {
    clearTimeout(this.timer);
    try {
      const r = await api.lessons();
      this.list = r.lessons || [];
    } catch (err) {
      this.list = [];
      this.onError(err);
    }
    this.render();
    // Lessons being prepared: their progress, until they are ready.
    if (this.list.some((l) => l.state === 'queued' || l.state === 'rendering') &&
        !$('lessons-view').hidden) {
      this.timer = setTimeout(() => this.load(), POLL_MS);
    }
  }

  stop() {
    clearTimeout(this.timer);
  }

  render() {
    const ul = $('lessons-list');
    ul.replaceChildren();
    $('lessons-empty').hidden = this.list.length > 0;
    for (const l of this.list) {
      const meta = [
        h('span', { class: 'pill' }, t('lessons.course', { course: l.course })),
        h('span', { class: 'when' }, formatTime(l.recordedAt)),
      ];
      if (l.trainer) meta.push(h('span', {}, t('lessons.trainer', { name: l.trainer })));
      if (l.state === 'ready') {
        meta.push(h('span', { class: 'lesson-duration' }, durationText(l.durationMs)));
        meta.push(h('span', { class: 'lesson-size' }, sizeText(l.bytes)));
      } else {
        meta.push(h('span', { class: `pill lesson-state state-${l.state}` }, stateText(l)));
      }
      const progress = l.state === 'rendering' ? h('progress', {
        class: 'lesson-progress', max: 100, value: Math.round((l.progress || 0) * 100),
        'aria-label': t('lessons.progress_aria', { title: l.title }),
      }) : null;
      ul.append(h('li', { class: 'event lesson', dataset: { lesson: String(l.id) } },
        h('div', { class: 'event-main' },
          h('h3', { class: 'event-title' }, l.title),
          h('div', { class: 'event-meta' }, meta), progress),
        l.state === 'ready' ? h('button', {
          type: 'button', class: 'lesson-watch',
          'aria-label': t('lessons.watch_aria', { title: l.title }),
          onclick: () => this.onOpen(l),
        }, t('lessons.watch')) : null));
    }
  }
}

export class LessonPage {
  /** onBack() for the back link; onNotice(text) / onError(err) for banners;
   *  announce(text) for the aria-live region. */
  constructor({ onBack, onError, announce }) {
    this.onBack = onBack;
    this.onError = onError;
    this.announce = announce;
    this.lesson = null;
    this.guest = null;
    this.cues = [];
    this.lastSave = 0;
    const v = $('lesson-video');
    v.addEventListener('timeupdate', () => this.tick());
    v.addEventListener('seeked', () => this.markChapter());
    v.addEventListener('pause', () => this.save(true));
    v.addEventListener('ended', () => this.forget());
    v.addEventListener('loadedmetadata', () => this.resume());
    v.addEventListener('ratechange', () => { $('lesson-speed').value = String(v.playbackRate); });
    const speed = $('lesson-speed');
    for (const s of SPEEDS) speed.append(new Option(`${s}×`, String(s), false, s === 1));
    speed.addEventListener('change', () => { v.playbackRate = Number(speed.value); });
    $('lesson-back').addEventListener('click', (e) => { e.preventDefault(); this.close(); this.onBack(); });
    $('lesson-from-start').addEventListener('click', () => {
      v.currentTime = 0;
      $('lesson-from-start').hidden = true;
    });
    $('lesson-edit-form').addEventListener('submit', (e) => { e.preventDefault(); this.saveText(); });
    $('lesson-delete').addEventListener('click', () => this.remove());
    $('lesson-guest-form').addEventListener('submit', (e) => { e.preventDefault(); this.guestLink(); });
  }

  key() {
    return `veche.lesson.${this.lesson.id}`;
  }

  async open(id, guest = null) {
    this.guest = guest;
    try {
      this.lesson = await api.lesson(id, guest);
    } catch (err) {
      this.onError(err);
      return false;
    }
    const l = this.lesson;
    $('lesson-title').textContent = l.title;
    $('lesson-description').textContent = l.description;
    $('lesson-description').hidden = !l.description;
    $('lesson-meta').replaceChildren(
      h('span', { class: 'pill' }, t('lessons.course', { course: l.course })),
      h('span', { class: 'when' }, formatTime(l.recordedAt)),
      l.trainer ? h('span', {}, t('lessons.trainer', { name: l.trainer })) : '',
      h('span', { class: 'lesson-duration' }, durationText(l.durationMs)));
    $('lesson-back').hidden = !!guest;
    const v = $('lesson-video');
    v.setAttribute('aria-label', t('lessons.video_aria', { title: l.title }));
    $('lesson-speed').value = '1';
    $('lesson-from-start').hidden = true;
    $('lesson-download').href = api.lessonVideoUrl(l.id, guest, true);
    $('lesson-download').setAttribute('download', `lesson-${l.id}.webm`);
    $('lesson-edit').hidden = !l.canEdit;
    $('lesson-edit-title').value = l.title;
    $('lesson-edit-description').value = l.description;
    $('lesson-guest-result').hidden = true;
    $('lesson-chapters').replaceChildren();
    if (l.state !== 'ready') {
      $('lesson-player').hidden = true;
      this.onError({ code: 'not-ready', reason: t('lessons.not_ready') });
      return true;
    }
    $('lesson-player').hidden = false;
    v.src = api.lessonVideoUrl(l.id, guest);
    v.playbackRate = 1;
    this.loadChapters();
    return true;
  }

  async loadChapters() {
    try {
      const res = await fetch(api.lessonChaptersUrl(this.lesson.id, this.guest),
        { credentials: 'same-origin' });
      this.cues = res.ok ? parseVtt(await res.text()) : [];
    } catch {
      this.cues = [];
    }
    this.renderChapters();
  }

  renderChapters() {
    const ol = $('lesson-chapters');
    ol.replaceChildren();
    $('lesson-chapters-box').hidden = this.cues.length === 0;
    this.cues.forEach((cue, i) => {
      const title = chapterTitle(cue);
      ol.append(h('li', {},
        h('button', {
          type: 'button', class: 'link lesson-chapter', dataset: { index: String(i) },
          'aria-label': t('lessons.chapter_aria', { time: clock(cue.start), title }),
          onclick: () => this.seek(cue.start),
        }, h('span', { class: 'chapter-time' }, clock(cue.start)), ' ', title)));
    });
    this.markChapter();
  }

  seek(sec) {
    const v = $('lesson-video');
    v.currentTime = sec;
    this.markChapter();
    if (v.paused) v.play().catch(() => {});
  }

  markChapter() {
    const now = $('lesson-video').currentTime;
    const buttons = document.querySelectorAll('#lesson-chapters .lesson-chapter');
    buttons.forEach((b, i) => {
      const c = this.cues[i];
      if (c && now >= c.start && now < c.end) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
  }

  tick() {
    this.markChapter();
    this.save(false);
  }

  save(now) {
    if (!this.lesson) return;
    const v = $('lesson-video');
    if (!now && Date.now() - this.lastSave < SAVE_EVERY_MS) return;
    this.lastSave = Date.now();
    try {
      localStorage.setItem(this.key(), String(Math.floor(v.currentTime)));
    } catch { /* private mode: no resume */ }
  }

  forget() {
    try { localStorage.removeItem(this.key()); } catch { /* ignore */ }
  }

  resume() {
    const v = $('lesson-video');
    let at = 0;
    try { at = Number(localStorage.getItem(this.key())) || 0; } catch { at = 0; }
    if (at >= RESUME_MIN_S && at <= v.duration - RESUME_END_S) {
      v.currentTime = at;
      $('lesson-from-start').hidden = false;
      this.announce(t('lessons.resumed', { time: clock(at) }));
    }
  }

  close() {
    const v = $('lesson-video');
    if (this.lesson) this.save(true);
    v.pause();
    v.removeAttribute('src');
    v.load();
    this.lesson = null;
  }

  async saveText() {
    try {
      this.lesson = await api.describeLesson(this.lesson.id, {
        title: $('lesson-edit-title').value, description: $('lesson-edit-description').value,
      });
      $('lesson-title').textContent = this.lesson.title;
      $('lesson-description').textContent = this.lesson.description;
      $('lesson-description').hidden = !this.lesson.description;
      this.announce(t('lessons.saved'));
    } catch (err) {
      this.onError(err);
    }
  }

  async remove() {
    if (!window.confirm(t('lessons.delete_confirm'))) return;
    try {
      await api.deleteLesson(this.lesson.id);
      this.forget();
      this.close();
      this.announce(t('lessons.deleted'));
      this.onBack();
    } catch (err) {
      this.onError(err);
    }
  }

  async guestLink() {
    try {
      const r = await api.lessonGuestLink(this.lesson.id, Number($('lesson-guest-hours').value));
      $('lesson-guest-when').textContent = t('lessons.guest_made', { when: formatTime(r.expiresAt) });
      $('lesson-guest-url').value = r.url;
      $('lesson-guest-result').hidden = false;
      $('lesson-guest-url').select();
    } catch (err) {
      this.onError(err);
    }
  }
}
