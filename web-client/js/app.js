// app.js - the page: ties the connection (protocol.js), the room state
// (state.js), our devices (media.js) and the UI modules (ui/*.js) together.
//
// Who sends what: in a meeting everyone sends camera and microphone from
// the start; in a training session the trainer does, and an activist sends
// only while given the floor - the camera and microphone turn on by
// themselves when the trainer gives the floor (the page says so) and off
// when it is taken back.  The server enforces all of it; this mirrors it.
//
// Screens: sign-in (ui/signin.js) -> "my events" (ui/events.js) -> an
// event's room (joined with the event id; moderators get the attendance
// panel, ui/attendance.js); administrators also reach ui/admin.js.  The
// anonymous join form (a room by name) stays for servers that allow it, and
// is what a ?room= link opens.  ?reset=TOKEN opens the new-password page,
// ?invite=TOKEN (or ?invitation=) accepts an invitation and joins its event,
// ?event=ID joins that event (after signing in).

import { VecheConnection, defaultUrl } from './protocol.js';
import { LANGUAGES, apply, errorText, getLang, setLang, t } from './i18n.js';
import { RoomState } from './state.js';
import { LocalMedia, mediaErrorKey } from './media.js';
import { QualityMeter } from './quality.js';
import { $ } from './ui/dom.js';
import {
  announce, hideError, hideNotice, initBanners, setReconnecting, showError, showNotice,
} from './ui/banners.js';
import { JoinForm } from './ui/joinform.js';
import { Tiles } from './ui/tiles.js';
import { PeoplePanel } from './ui/people.js';
import { ChatPanel } from './ui/chat.js';
import { Controls } from './ui/controls.js';
import { DevicesDialog } from './ui/devices.js';
import { installTestHooks } from './testhooks.js';
import * as api from './api.js';
import { PasswordDialog, SignIn } from './ui/signin.js';
import { EventsView } from './ui/events.js';
import { AttendancePanel } from './ui/attendance.js';
import { MinutesView } from './ui/minutes.js';
import { VotePanel } from './ui/vote.js';
import { AdminView } from './ui/admin.js';
import { RecordingUI } from './ui/recording.js';
import { LessonsView, LessonPage } from './ui/lessons.js';
import { loadPrivacyNotice } from './ui/privacy.js';
import { AgendaUi } from './ui/agenda.js';
import { AgendaEditor } from './ui/agenda_edit.js';

const QUALITY_EVERY_MS = 2000;
const WIDE = window.matchMedia('(min-width: 900px)');

const state = new RoomState();
const media = new LocalMedia();
const quality = new QualityMeter();
let conn = null;              // VecheConnection while in a room
let myName = '';
let qualityTimer = null;
let renderQueued = false;
const panels = { people: WIDE.matches, chat: WIDE.matches };
let me = null;                // the signed-in person (GET /api/me), or null
let accounts = true;          // false: this server has no accounts (/api/ missing)
let eventInfo = null;         // the event whose room we are in (from GET /api/events)
let view = null;              // the screen shown: see go()

const tiles = new Tiles(state, {
  main: $('stage-main'), grid: $('grid'), self: $('self-tile'), selfVideo: $('local-video'),
});
const people = new PeoplePanel(state, {
  conn: () => conn, inviteLink, eventRoom: () => !!(conn && conn.event),
});
const chat = new ChatPanel(state, { conn: () => conn, isOpen: () => panels.chat });
const agenda = new AgendaUi(state, { conn: () => conn });
const agendaEditor = new AgendaEditor();
const devices = new DevicesDialog(media, {
  onTrack: async (source, track) => {
    if (conn) await conn.replaceTrack(source, track);
    showSelf();
  },
  onSpeaker: (id) => tiles.setSink(id),
});
const controls = new Controls({
  mic: toggleMic, cam: toggleCam, screen: toggleScreen, hand: toggleHand,
  people: () => togglePanel('people'), chat: () => togglePanel('chat'),
  settings: () => devices.open(), leave,
});
const form = new JoinForm(join);
const signin = new SignIn({
  onSignedIn: (m) => {
    const ev = pendingEvent;
    pendingEvent = null;
    signedIn(m, ev);
  },
  go,
});
const passwordDialog = new PasswordDialog({ onChanged: () => showNotice(t('pw.changed')) });
const eventsView = new EventsView({
  onJoin: (ev) => joinEvent(ev.id), onMinutes: openMinutes,
  onAgenda: (ev) => agendaEditor.open(ev),
});
const attendance = new AttendancePanel();
const votePanel = new VotePanel({
  conn: () => conn, announce: (text) => announce(text),
  showError: (err) => showError(errorText(err.code || 'client', err.message)),
  agenda: () => state.agenda,
});
const minutesView = new MinutesView({ onBack: () => { loadEvents(); go('events'); },
  announce: (text) => announce(text) });
const recordingUI = new RecordingUI(document.getElementById('room-info'));
const adminView = new AdminView();
const lessonsView = new LessonsView({
  onOpen: (l) => openLesson(l.id),
  onError: (err) => showError(errorText(err.code, err.reason)),
});
const lessonPage = new LessonPage({
  onBack: () => showLessons(),
  onError: (err) => showError(errorText(err.code, err.reason)),
  announce: (text) => { $('status').textContent = text; },
});

// --- screens ---

const VIEWS = {
  signin: 'signin-view', forgot: 'forgot-view', reset: 'reset-view', events: 'events-view',
  admin: 'admin-view', join: 'join-form', room: 'meeting', minutes: 'minutes-view',
  lessons: 'lessons-view', lesson: 'lesson-view',
};

/** Show one screen: signin, forgot, reset, events, admin, join, room (or none). */
function go(name) {
  if (view === 'lesson' && name !== 'lesson') lessonPage.close();
  if (name !== 'lessons') lessonsView.stop();
  view = name;
  for (const [v, id] of Object.entries(VIEWS)) $(id).hidden = v !== name;
  if (name === 'join') form.show(true);
  $('join-signin-link').hidden = !accounts || !!me;
  renderAccount();
}

function isAdmin() {
  return !!me && (me.platformAdmin || (me.adminOrgs || []).length > 0);
}

function renderAccount() {
  const bar = $('account-bar');
  bar.hidden = !me || view === 'room';
  if (bar.hidden) return;
  $('account-name').textContent = me.name;
  $('nav-admin').hidden = !isAdmin();
  $('nav-events').hidden = view === 'events';
  $('nav-lessons').hidden = view === 'lessons';
  $('nav-admin').setAttribute('aria-pressed', String(view === 'admin'));
}

async function loadEvents() {
  try {
    const r = await api.events();
    eventsView.set(r.events);
  } catch (err) {
    eventsView.set([]);
    if (err.status === 401 || err.status === 403) return signedOut(err);
    showError(errorText(err.code, err.reason));
  }
  return null;
}

/** Signed in (or found signed in): a forced password change first, then
 *  the event asked for in the address, else "my events". */
async function signedIn(person, eventId = null) {
  me = person;
  hideError();
  if (me.mustChangePassword) {
    go('events');
    await passwordDialog.open({ forced: true });
    me.mustChangePassword = false;
  }
  await loadEvents();
  if (eventId) joinEvent(eventId);
  else go('events');
}

function signedOut(err = null) {
  me = null;
  eventsView.set([]);
  go('signin');
  if (err && err.code === 'blocked') showError(t('signin.blocked'));
}

async function signOut() {
  await api.logout().catch(() => {});
  me = null;
  history.replaceState(null, '', location.pathname);
  signedOut();
}

/** The minutes of a meeting (from "my events"). */
function openMinutes(ev) {
  go('minutes');
  minutesView.open(ev);
}

/** Join an event's room as the signed-in person. */
function joinEvent(id) {
  eventInfo = eventsView.find(id);
  join({ event: id });
}

// --- drawing ---

function renderAll() {
  renderQueued = false;
  const inRoom = !!conn && !!state.room;
  $('room-info').hidden = !inRoom;
  if (inRoom) {
    $('room-name').textContent = (eventInfo && eventInfo.title) || state.title || state.room;
    $('room-kind').textContent = t(`kind.${state.kind}`);
    $('my-role').textContent = t('you_are', { role: t(`role.${state.roleTitle || state.role}`) });
    $('room-locked').hidden = !state.locked;
  }
  document.body.classList.toggle('training', state.kind === 'training');
  selfAvatar();
  tiles.render();
  people.render();
  if (conn && conn.event) {
    // An event's room: roles come from the roster, so no moderator link; the
    // event link works only for people on the list, so only organizers get
    // it - everyone else invites nobody, organizers also have "Invite a guest".
    $('copy-mod-invite').hidden = true;
    $('invite-tools').hidden = !(eventInfo && eventInfo.mayManage);
  } else {
    $('invite-tools').hidden = false;
  }
  const waiting = waitingCount();
  $('hands-count').hidden = waiting === 0;
  $('hands-count').textContent = String(waiting);
  agenda.render();
  chat.showUnread();
  const chatOff = !!state.people.get(state.me)?.chatMuted;   // a moderator turned it off
  $('chat-input').disabled = chatOff;
  $('chat-input').title = chatOff ? t('bigroom.chat_off_self') : '';
  renderControls();
  renderHint();
  $('people-panel').hidden = !panels.people;
  $('chat-panel').hidden = !panels.chat;
  $('side').hidden = !panels.people && !panels.chat;
  attendance.render();
  renderAccount();
}

// Who waits to speak: a meeting's speakers list, a training's raised hands.
function waitingCount() {
  if (state.kind === 'meeting' && state.speakers) return state.speakers.list.length;
  return state.hands.length;
}

// Redraw once however many events arrive together (a timer, not
// requestAnimationFrame: that one stops in background tabs).
function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  // A big room redraws at most ten times a second: 500 people joining
  // must not redraw the page 500 times.
  setTimeout(renderAll, state.people.size > 100 ? 100 : 16);
}

function renderControls() {
  const me = state.people.get(state.me);
  const sending = !!conn && conn.publishing().length > 0;
  controls.render({
    micOn: !!media.mic && media.micOn && sending, camOn: !!media.camera && media.camOn && sending,
    sharing: !!media.screen,
    canShare: !!(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia) &&
      !!conn && conn.maySend,
    hand: speakersList() ? agenda.waiting() : !!(me && me.hand), showHand: !state.moderator,
    speakers: speakersList(),
    peopleOpen: panels.people, chatOpen: panels.chat, hands: waitingCount(),
  });
}

// A line above the controls saying what an activist can do.
function renderHint() {
  const hint = $('role-hint');
  let key = null;
  if (state.kind === 'training' && !state.moderator) {
    const me = state.people.get(state.me);
    key = me && me.floor ? 'hint.floor' : 'hint.activist';
  }
  hint.hidden = !key;
  if (key) hint.textContent = t(key);
}

// Our initials instead of the self view while the camera is off or missing.
function selfAvatar() {
  $('self-tile').querySelector('.avatar').textContent = (myName || '?').slice(0, 2).toUpperCase();
  $('self-tile').classList.toggle('no-video', !(media.camera && media.camOn));
}

function showSelf() {
  selfAvatar();
  if (!media.screen && tiles.selfScreen) tiles.setSelfScreen(null);
  tiles.setSelf(media.preview, !!media.camera && !!conn && conn.publishing().includes('camera'));
}

function togglePanel(name) {
  panels[name] = !panels[name];
  if (panels[name] && !WIDE.matches) {
    for (const other of Object.keys(panels)) if (other !== name) panels[other] = false;
  }
  if (panels.chat) chat.showUnread();
  renderAll();
  if (panels[name] && name === 'chat') $('chat-input').focus({ preventScroll: true });
}

function inviteLink(moderator) {
  // An event's room: a link to the event (for those on its roster; guests
  // get their own invitation from the attendance panel).
  if (conn && conn.event) return `${location.origin}${location.pathname}?event=${conn.event}`;
  const base = `${location.origin}${location.pathname}?room=${encodeURIComponent(state.room)}`;
  return moderator && conn && conn.moderatorKey ? `${base}#key=${conn.moderatorKey}` : base;
}

// The moderator key of a room, kept for this tab (a reload stays moderator).
function savedKey(room) {
  try {
    return sessionStorage.getItem(`veche.key.${room}`);
  } catch {
    return null;
  }
}

function saveKey(room, key) {
  try {
    if (key) sessionStorage.setItem(`veche.key.${room}`, key);
  } catch { /* storage disabled */ }
}

// --- sending our media ---

function showMediaProblem(key) {
  showError(`${t(key)} ${t('media.watch_anyway')}`);
}

/** Get the devices still missing and send them; the server may refuse
 *  (an activist without the floor): then the devices are let go. */
async function startSending({ audio = true, video = true } = {}) {
  const c = conn;
  if (!c) return;
  media.setMic(!c.muted);
  const problem = await media.start({ audio, video });
  if (problem) showMediaProblem(problem);
  if (conn !== c) {
    media.stop();
    return;
  }
  const list = media.tracks();
  if (list.length) {
    try {
      await c.publish(list);
    } catch (err) {
      if (err.code !== 'lost') media.stop();   // refused: the 'error' event said why
      if (!err.code) showError(errorText('client', err.message));
    }
  }
  showSelf();
  renderControls();
}

async function toggleMic() {
  if (!conn) return;
  if (!media.mic || !conn.publishing().includes('microphone')) {
    await startSending({ audio: true, video: !media.camera });
    return;
  }
  const on = !media.micOn;
  media.setMic(on);     // at once, whatever the network does
  renderControls();
  try {
    await (on ? conn.unmute() : conn.mute());
  } catch { /* shown by the 'error' event */ }
}

async function toggleCam() {
  if (!conn) return;
  if (!media.camera || !conn.publishing().includes('camera')) {
    await startSending({ audio: !media.mic, video: true });
    return;
  }
  media.setCamera(!media.camOn);
  renderAll();
}

async function toggleScreen() {
  const c = conn;
  if (!c) return;
  if (media.screen) {
    media.stopScreen();
    tiles.setSelfScreen(null);
    renderControls();
    await c.unpublish('screen').catch(() => {});
    return;
  }
  let track;
  try {
    track = await media.startScreen(() => { if (media.screen) toggleScreen(); });
  } catch (err) {
    if (err.name !== 'NotAllowedError') showError(t(mediaErrorKey(err)));
    return;   // NotAllowedError: the person cancelled the browser's dialog
  }
  renderControls();
  try {
    await c.publish([{ track, source: 'screen' }]);
    tiles.setSelfScreen(track);
    showNotice(t('sharing'));
  } catch (err) {
    media.stopScreen();
    tiles.setSelfScreen(null);
    if (!err.code) showError(errorText('client', err.message));
  }
  renderControls();
}

// A meeting has a speakers list instead of raised hands.
function speakersList() {
  return state.kind === 'meeting' && !!state.speakers;
}

async function toggleHand() {
  if (!conn) return;
  if (speakersList()) {
    await agenda.toggleRequest();
    return;
  }
  const me = state.people.get(state.me);
  try {
    await (me && me.hand ? conn.lowerHand() : conn.raiseHand());
  } catch { /* shown by the 'error' event */ }
}

// --- events from the connection ---

function onError(d) {
  if (d.code === 'forbidden' && d.request === 'publish') showError(t('err.forbidden_publish'));
  else if (d.code === 'rate-limited') showError(t('bigroom.rate_limited'));
  else showError(errorText(d.code, d.reason));
}

function wire(c) {
  const on = (type, fn) => c.addEventListener(type, (e) => { if (conn === c) fn(e.detail); });
  for (const type of ['participant-joined', 'participant-left', 'track-added', 'track-removed',
    'hand', 'floor', 'muted', 'locked', 'speaker', 'chat', 'chat-muted']) {
    on(type, (d) => {
      if (type === 'participant-left') {
        announce(t(d.hidden ? 'bigroom.floor_over' : 'someone_left', { name: state.name(d.id) }));
        tiles.left(d.id);
      }
      state.apply(type, d);
    });
  }
  on('participant-joined', (d) => {
    tiles.person(d.id);
    announce(t('someone_joined', { name: d.name }));
  });
  on('track', (d) => tiles.track(d));
  on('track-removed', (d) => tiles.trackRemoved(d));
  on('chat', () => chat.render());
  on('quality', (d) => quality.fromServer(d));
  on('floor', (d) => {
    if (d.participant !== state.me || state.moderator) return;
    if (d.granted) {
      showNotice(t('floor_given'));
      startSending();
    } else {
      media.stop();
      showSelf();
      showNotice(t('floor_taken'));
    }
  });
  on('muted', (d) => {
    if (d.participant !== state.me) return;
    media.setMic(!d.muted);
    if (d.muted && d.by && d.by !== state.me) showNotice(t('muted_by', { name: state.name(d.by) }), 0);
    renderControls();
  });
  on('locked', (d) => announce(t(d.locked ? 'room_locked' : 'room_unlocked')));
  on('locked', (d) => { if (!d.locked) $('knock-note').hidden = true; });
  on('knock', (d) => {
    // Someone was turned away by the lock: say so where the lock button is,
    // and in a banner (the panel may be closed).
    const text = t('knock', { name: d.name });
    $('knock-note').textContent = text;
    $('knock-note').hidden = false;
    showNotice(text);
  });
  on('publish-stopped', () => {
    media.stop();
    showSelf();
    renderControls();
  });
  on('reconnecting', (d) => {
    setReconnecting(t('reconnecting', { seconds: Math.max(1, Math.round(d.delay / 1000)) }));
  });
  on('rejoined', (j) => {
    recordingUI.set({ recording: !!j.recording });
    state.fromJoined(j, myName);
    tiles.clear();
    for (const p of j.participants) tiles.person(p.id);
    if (!c.maySend) media.stop();
    media.setMic(media.micOn && !c.muted);
    setReconnecting(null);
    showNotice(t('reconnected'));
    chat.render(true);
    showSelf();
  });
  on('agenda', (d) => state.apply('agenda', d));
  on('speakers', (d) => state.apply('speakers', d));
  on('room-size', (d) => state.apply('room-size', d));
  on('attendance', (d) => attendance.setAttendance(d));
  on('recording', (d) => recordingUI.set(d));
  on('recording-warning', (d) => recordingUI.warn(d));
  on('attendance-delta', (d) => attendance.setAttendance(d));
  on('quorum', (d) => attendance.setQuorum(d));
  on('vote', (d) => votePanel.set(d));
  on('vote-progress', (d) => votePanel.progress(d));
  on('error', onError);
  on('closed', (d) => {
    if (!c.entered) return;   // a refused join: the form is still there
    if (d.code === 'blocked' || d.code === 'sign-in-required') {
      // The account was blocked (or the session ended): out, and no
      // reconnecting; the sign-in page says why.
      exitRoom();
      me = null;
      go('signin');
      showError(errorText(d.code, d.reason));
      return;
    }
    exitRoom();
    if (d.code === 'removed') showError(removedText(d));
    else if (d.code !== 'left') showError(errorText(d.code || 'closed', d.reason));
  });
}

/** Why we were removed, in our language: the server's code; a moderator's
 *  own words are shown as they were written. */
function removedText(d) {
  if (d.removedCode === 'by-moderator-reason') return t('removed', { reason: d.reason });
  if (d.removedCode) return t(`removed.${d.removedCode}`);
  return t('removed', { reason: d.reason || '' });
}

// --- joining and leaving ---

async function join(args) {
  hideError();
  form.setBusy(true);
  const byEvent = !!args.event;
  myName = byEvent ? (me ? me.name : '') : args.name;
  if (!byEvent && !args.moderatorKey) args.moderatorKey = savedKey(args.room);
  if (!byEvent) eventInfo = null;
  const c = new VecheConnection(defaultUrl());
  conn = c;
  wire(c);
  let joined;
  try {
    joined = await c.join(args);
  } catch (err) {
    // Server refusals were shown by the 'error' event; show the rest.
    if (!err.code || err.code === 'closed') showError(errorText('closed', err.message));
    if (conn === c) conn = null;
    form.setBusy(false);
    if (byEvent) {
      // Back to where the person can do something about it.
      history.replaceState(null, '', location.pathname);
      if (err.code === 'sign-in-required' || err.code === 'blocked') signedOut();
      else go(me ? 'events' : 'signin');
    }
    return;
  }
  form.setBusy(false);
  c.entered = true;
  enterRoom(joined);
  if (c.maySend) await startSending();
}

function enterRoom(j) {
  state.fromJoined(j, myName);
  state.title = j.title || null;
  if (j.event) {
    history.replaceState(null, '', `?event=${encodeURIComponent(j.event)}`);
    const mod = ['chair', 'secretary', 'trainer', 'org_admin', 'platform_admin'].includes(j.access);
    attendance.start(j.event, {
      mayExport: eventInfo ? !!eventInfo.mayExportAttendance : mod,
      mayManage: eventInfo ? !!eventInfo.mayManage : false,
    });
    votePanel.start(j);
  } else {
    saveKey(j.room, conn.moderatorKey);
    history.replaceState(null, '', `?room=${encodeURIComponent(j.room)}${location.hash}`);
    attendance.clear();
    votePanel.clear();
  }
  form.show(false);
  go('room');
  recordingUI.enter(conn, j);
  tiles.clear();
  for (const p of j.participants) tiles.person(p.id);
  if (media.prefs.audiooutput) tiles.setSink(media.prefs.audiooutput);
  showSelf();
  chat.render(true);
  renderAll();
  clearInterval(qualityTimer);
  qualityTimer = setInterval(sampleQuality, QUALITY_EVERY_MS);
  announce(t('joined_room', { room: j.room }));
}

async function sampleQuality() {
  if (!conn || conn.state !== 'joined') return;
  await quality.sample(conn).catch(() => {});
  for (const p of state.people.values()) {
    state.setQuality(p.id, p.id === state.me ? quality.ownLevel(p.id) : quality.levelOf(p.id));
  }
}

// Back to the join form; let go of the devices.
function exitRoom() {
  conn = null;
  clearInterval(qualityTimer);
  media.stop();
  tiles.clear();
  tiles.setSelfScreen(null);
  tiles.setSelf(null, false);
  state.clear();
  attendance.clear();
  votePanel.clear();
  recordingUI.clear();
  agenda.clear();
  setReconnecting(null);
  // Back to "my events" after an event's room, else to the join form.
  const fromEvent = !!eventInfo || /[?&]event=/.test(location.search);
  eventInfo = null;
  if (fromEvent && me) {
    history.replaceState(null, '', location.pathname);
    go('events');
    loadEvents();
  } else {
    go('join');
  }
  renderAll();
}

async function leave() {
  const c = conn;
  if (!c) return;
  conn = null;
  await c.leave();
  exitRoom();
  announce(t('left_room'));
}

// --- for the browser tests (and curious people): window.veche ---

installTestHooks({ conn: () => conn, state, media, tiles, account: () => me, attendance });

// --- start ---

function relabel() {
  apply();
  form.render();
  signin.render();
  eventsView.render();
  agendaEditor.render();
  adminView.render();
  renderAll();
  chat.render(true);
}

/** What the address asks for, and whether we are signed in. */
async function start() {
  const params = new URLSearchParams(location.search);
  const reset = params.get('reset');
  const invitation = params.get('invite') || params.get('invitation');
  const eventId = Number(params.get('event')) || null;
  if (reset) {
    signin.showReset(reset);
    return;
  }
  const lessonId = Number(params.get('lesson')) || null;
  if (lessonId && params.get('guest')) {   // a guest link: no account needed
    await openLesson(lessonId, params.get('guest'));
    return;
  }
  if (params.get('room')) {
    go('join');
    // Signed in anyway?  Then the account bar shows (nothing else changes).
    api.session().then((m) => { me = m; go(view); }).catch((err) => {
      accounts = err.status === 403;
      go(view);
    });
    return;
  }
  if (invitation) {
    showNotice(t('invite.opening'));
    history.replaceState(null, '', location.pathname);
    try {
      const r = await api.acceptInvitation(invitation);
      const m = await api.me();
      hideNotice();     // opened: not "opening" any more
      await signedIn(m, r.event);
    } catch (err) {
      hideNotice();     // the error says what happened instead
      go('signin');
      showError(errorText(err.code, err.reason));
    }
    return;
  }
  let m;
  loadPrivacyNotice();        // under the sign-in form; not awaited
  try {
    m = await api.session();  // null, not a 401, when nobody is signed in
  } catch (err) {
    if (err.status === 403) {
      signedOut(err);
    } else {
      accounts = false;       // no accounts on this server: rooms by name only
      go('join');
    }
    return;
  }
  if (!m) {
    signedOut();
    if (eventId) showError(t('err.sign-in-required'));
    pendingEvent = eventId;
    return;
  }
  if (lessonId && !m.mustChangePassword) {
    me = m;
    await openLesson(lessonId);
    return;
  }
  await signedIn(m, eventId);
}

/** The lesson catalog of my courses. */
function showLessons() {
  hideError();
  go('lessons');
  lessonsView.load();
}

/** One lesson's page (guest: a guest link's token, no account needed). */
async function openLesson(id, guest = null) {
  hideError();
  go('lesson');
  if (!guest) history.replaceState(null, '', `${location.pathname}?lesson=${id}`);
  await lessonPage.open(id, guest);
  $('lesson-title').focus();
}

let pendingEvent = null;      // ?event=ID opened while signed out: joined after sign-in

function init() {
  initBanners();
  for (const [code, label] of Object.entries(LANGUAGES)) {
    $('lang').append(new Option(label, code, false, code === getLang()));
  }
  $('lang').addEventListener('change', () => setLang($('lang').value));
  document.addEventListener('veche-lang', relabel);
  for (const b of document.querySelectorAll('.close-panel')) {
    b.addEventListener('click', () => togglePanel(b.dataset.close));
  }
  state.addEventListener('change', queueRender);
  state.addEventListener('change', (e) => agenda.changed(e.detail));
  state.addEventListener('change', (e) => {
    if (e.detail === 'agenda' || e.detail === 'all') votePanel.agendaChanged();
  });
  // Turning a phone (or resizing) across the breakpoint: panels open on
  // wide screens, closed over the video on narrow ones.
  WIDE.addEventListener('change', () => {
    panels.people = panels.chat = WIDE.matches;
    renderAll();
  });
  window.addEventListener('pagehide', () => { if (conn) conn.leave(); });
  $('nav-events').addEventListener('click', () => {
    go('events');
    loadEvents();
  });
  $('nav-lessons').addEventListener('click', showLessons);
  $('nav-admin').addEventListener('click', () => {
    go('admin');
    adminView.open(me);
  });
  $('nav-password').addEventListener('click', () => passwordDialog.open());
  $('nav-signout').addEventListener('click', signOut);
  $('room-open').addEventListener('click', (e) => {
    e.preventDefault();
    go('join');
    $('room').focus();
  });
  $('events-room').addEventListener('click', (e) => {
    e.preventDefault();
    go('join');
    $('room').focus();
  });
  relabel();
  start();
}

init();
